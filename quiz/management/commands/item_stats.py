"""Item statistics from the command line: refresh them, or print them as a table or CSV."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quiz.models import Blueprint, ItemStatistics, StatsRefresh
from quiz.stats.export import analysis_rows, as_csv, as_table, for_export
from quiz.stats.refresh import refresh_item_statistics


class Command(BaseCommand):
    help = "Print each question's item statistics (current version), or --refresh them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--refresh", action="store_true", help="recompute every figure")
        parser.add_argument("--blueprint", help="only this blueprint's questions, e.g. MLS-C01")
        parser.add_argument("--format", choices=("table", "csv"), default="table")

    def handle(self, *args, **options) -> None:
        if options["refresh"]:
            run = refresh_item_statistics(now=timezone.now())
            seconds = (run.finished_at - run.started_at).total_seconds()
            self.stderr.write(
                f"Refreshed {run.versions} version(s) from {run.responses} response(s) in "
                f"{run.attempts} finished attempt(s) in {seconds:.1f} s."
            )
            return
        statistics = ItemStatistics.objects.current()
        if options["blueprint"]:
            if not Blueprint.objects.filter(code=options["blueprint"]).exists():
                raise CommandError(f"No blueprint with code {options['blueprint']!r}.")
            statistics = statistics.filter(objective__domain__blueprint__code=options["blueprint"])
        last = StatsRefresh.objects.filter(finished_at__isnull=False).first()
        if last is None:
            raise CommandError("No statistics yet: run item_stats --refresh first.")
        rows = analysis_rows(for_export(statistics))
        render = as_csv if options["format"] == "csv" else as_table
        self.stdout.write(render(rows), ending="")
        self.stderr.write(f"Figures as of {last.started_at:%Y-%m-%d %H:%M} UTC.")
