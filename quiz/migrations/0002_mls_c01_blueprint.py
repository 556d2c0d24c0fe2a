"""The MLS-C01 blueprint and the "Question authors" group are present on every install."""

from django.db import migrations

from quiz.bank.blueprint import MLS_C01, install_authors_group, install_blueprint


def create_blueprint(apps, schema_editor):
    install_blueprint(apps, MLS_C01)


def create_authors_group(apps, schema_editor):
    install_authors_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_blueprint, migrations.RunPython.noop),
        migrations.RunPython(create_authors_group, migrations.RunPython.noop),
    ]
