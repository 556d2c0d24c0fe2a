from __future__ import annotations

from django.core.management.base import BaseCommand

from quiz.exam.services import rescore
from quiz.models import Attempt


class Command(BaseCommand):
    help = (
        "Recompute the stored scores of finished attempts, applying corrected keys to items whose "
        "options are unchanged. Prints how many scores changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--blueprint", help="Only attempts of this blueprint code.")

    def handle(self, *args, **options) -> None:
        attempts = Attempt.objects.finished()
        if options["blueprint"]:
            attempts = attempts.filter(blueprint__code=options["blueprint"])
        total = changed = 0
        for attempt in attempts.only("pk").iterator():
            total += 1
            changed += rescore(attempt=attempt)
        self.stdout.write(f"Rescored {total} attempt(s); {changed} score(s) changed.")
