from django.db import migrations, models


def backfill_choose(apps, schema_editor):
    """Items served before the field existed: the key's size for multiple response, else 1."""
    AttemptItem = apps.get_model("quiz", "AttemptItem")
    QuestionVersion = apps.get_model("quiz", "QuestionVersion")
    multiple = QuestionVersion.objects.filter(type="multiple").values_list("pk", "choices")
    for pk, choices in multiple.iterator():
        key_size = sum(1 for choice in choices if choice.get("correct"))
        AttemptItem.objects.filter(version_id=pk).update(choose=key_size)


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0013_review_queue_and_exam_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="attemptitem",
            name="choose",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunPython(backfill_choose, migrations.RunPython.noop),
    ]
