"""Candidates remember the exam they prepare for (issue 19)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_text_size"),
        ("quiz", "0001_initial"),  # Blueprint exists from the start
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="exam",
            field=models.ForeignKey(
                blank=True,
                help_text="Your dashboard, mock exams, practice and history follow it.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="quiz.blueprint",
                verbose_name="exam I am preparing for",
            ),
        ),
    ]
