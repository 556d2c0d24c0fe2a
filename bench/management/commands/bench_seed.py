import json
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from bench.seed import analyze, seed_answers, seed_bank, seed_staff, seed_users
from quiz.models import Blueprint
from quiz.stats.refresh import refresh_item_statistics


class Command(BaseCommand):
    help = (
        "Seed the benchmark database: a large MLS-C01 bank, candidate accounts, and finished "
        "mocks with answered items whose item statistics are then refreshed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--questions", type=int, required=True)
        parser.add_argument("--users", type=int, required=True)
        parser.add_argument("--answered-items", type=int, default=0)

    def handle(self, *args, **options) -> None:
        blueprint = Blueprint.objects.get(code="MLS-C01")
        seeded = seed_bank(blueprint, options["questions"], prefix="bench")
        seed_users(options["users"])
        seed_staff()
        answered = seed_answers(blueprint, options["answered_items"])
        analyze()
        began = time.perf_counter()
        run = refresh_item_statistics(now=timezone.now())
        refresh_seconds = time.perf_counter() - began
        analyze()
        self.stdout.write(
            f"seeded {seeded} questions, {options['users']} candidates, {answered} answered items"
        )
        # The refresh's figures, for the report (one JSON line, as bench_assembly prints).
        figures = {
            "refresh_seconds": round(refresh_seconds, 1),
            "responses": run.responses,
            "versions": run.versions,
            "attempts": run.attempts,
        }
        self.stdout.write(json.dumps(figures))
