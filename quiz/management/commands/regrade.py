"""Run regrades from the command line (or cron): one by id, or every one not yet done."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quiz.exam.regrade import run_regrade
from quiz.models import Regrade


class Command(BaseCommand):
    help = "Run a planned regrade (--id N) or every pending or interrupted one (--pending)."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--id", type=int)
        group.add_argument("--pending", action="store_true")

    def handle(self, *args, **options) -> None:
        if options["id"]:
            if not Regrade.objects.filter(pk=options["id"]).exists():
                raise CommandError(f"No regrade {options['id']}.")
            ids = [options["id"]]
        else:
            ids = list(
                Regrade.objects.exclude(status=Regrade.Status.DONE)
                .order_by("created_at")
                .values_list("pk", flat=True)
            )
        for regrade_id in ids:
            regrade = run_regrade(regrade_id=regrade_id, now=timezone.now())
            self.stdout.write(
                f"Regrade {regrade.pk}: {regrade.processed} attempt(s), "
                f"{regrade.score_changes} score change(s), {regrade.now_passing} now pass, "
                f"{regrade.now_failing} now fail."
            )
