from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from quiz.exam.services import expire_overdue


class Command(BaseCommand):
    help = (
        "Finish every mock exam whose deadline has passed (stamped at its deadline, saved "
        "answers scored). Safe to run from cron as often as you like."
    )

    def handle(self, *args, **options) -> None:
        count = expire_overdue(now=timezone.now())
        self.stdout.write(f"{count} overdue attempt(s) finished.")
