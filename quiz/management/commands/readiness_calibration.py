"""Measure how well the readiness number is calibrated, on simulated candidates."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from quiz.readiness.calibration import run


class Command(BaseCommand):
    help = (
        "Simulate candidates of known ability through the app's mocks and practice, and compare "
        "readiness predictions with their scores on fresh forms. Changes nothing in the database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--candidates", type=int, default=500)
        parser.add_argument("--seed", type=int, default=17)

    def handle(self, *args, candidates: int, seed: int, **options) -> None:
        def progress(done: int) -> None:
            if done % 50 == 0:
                self.stderr.write(f"{done} of {candidates} candidates")

        report = run(candidates=candidates, seed=seed, progress=progress)
        for line in report.lines():
            self.stdout.write(line)
