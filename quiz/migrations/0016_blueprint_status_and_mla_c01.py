"""Blueprints carry a status note (with its source) for candidates; every shipped exam's
blueprint is installed: MLA-C01 is added, MLS-C01 gets its note (quiz/bank/blueprint.py)."""

from django.db import migrations, models

from quiz.bank.blueprint import install_blueprints


def install_shipped_blueprints(apps, schema_editor):
    install_blueprints(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0015_time_on_screen"),
    ]

    operations = [
        migrations.AddField(
            model_name="blueprint",
            name="status_note",
            field=models.CharField(
                blank=True,
                help_text='Shown to candidates, e.g. "Retired on 31 March 2026." State only what '
                "the source says. Leave blank for an exam with nothing to report.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="blueprint",
            name="status_source",
            field=models.URLField(
                blank=True, help_text="Where the status note comes from (shown as its source link)."
            ),
        ),
        migrations.RunPython(install_shipped_blueprints, migrations.RunPython.noop),
    ]
