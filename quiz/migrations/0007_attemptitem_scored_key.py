from django.db import migrations, models


def stamp_scored_keys(apps, schema_editor):
    """Attempts scored before this field existed were scored with their served version's key
    (a rescore since may have used a corrected one; it stamps the key itself from now on)."""
    AttemptItem = apps.get_model("quiz", "AttemptItem")
    items = AttemptItem.objects.filter(outcome_correct__isnull=False).select_related("version")
    batch = []
    for item in items.iterator(chunk_size=2000):
        item.scored_key = [i for i, c in enumerate(item.version.choices) if c["correct"]]
        batch.append(item)
        if len(batch) == 2000:
            AttemptItem.objects.bulk_update(batch, ["scored_key"])
            batch = []
    AttemptItem.objects.bulk_update(batch, ["scored_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0006_question_difficulty"),
    ]

    operations = [
        migrations.AddField(
            model_name="attemptitem",
            name="scored_key",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(stamp_scored_keys, migrations.RunPython.noop),
    ]
