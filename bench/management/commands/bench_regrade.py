"""Time a regrade of many finished attempts, as the queue's job runs it (``run_regrade``).

One bench question is made to have been served at position 1 of ``--attempts`` finished mocks
(half answered A, half B), its key is then moved from A to B (a new version, options unchanged),
and a *rescore* regrade of the served version runs to the end; then a second run of it (what a
retry does: nothing left to do), then a *void* of the same version. Prints one JSON line.
`make bench` runs it after the load test, on the bench database.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... manage.py bench_regrade
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from quiz.exam import regrade as regrade_module
from quiz.exam.regrade import BATCH, plan_regrade, run_regrade
from quiz.models import Attempt, Question, QuestionVersion, Regrade


class Command(BaseCommand):
    help = "Time a rescore and a void regrade of N finished attempts (default 10,000)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--attempts", type=int, default=10_000)

    def handle(self, *args, **options) -> None:
        question = (
            Question.objects.filter(
                external_id__startswith="bench-",
                status=Question.Status.PUBLISHED,
                current_version__type=Question.Type.SINGLE,
                current_version__number=1,  # one no earlier run has corrected
            )
            .order_by("pk")
            .first()
        )
        if question is None:
            raise CommandError("Seed the bench database first (bench_seed).")
        served = question.current_version
        # Mocks that did not serve it already (a version is served once per attempt).
        ids = list(
            Attempt.objects.finished()
            .exclude(items__version=served)
            .order_by("pk")
            .values_list("pk", flat=True)[: options["attempts"]]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE quiz_attemptitem
                SET version_id = %s, is_scored = true, voided = false, regrade_id = NULL,
                    selected = CASE WHEN attempt_id %% 2 = 0 THEN '[0]' ELSE '[1]' END::jsonb,
                    scored_key = '[0]'::jsonb, outcome_correct = (attempt_id %% 2 = 0)
                WHERE position = 1 AND attempt_id = ANY(%s)
                """,
                [served.pk, ids],
            )
        ids = regrade_module.affected_attempt_ids(served)  # with those that served it already
        # The bench seeds attempts without stored scores (bench.seed); a regrade's notices keep
        # the score from before, so store these attempts' scores first (not timed): the
        # regrade's own scoring pass with nothing to change (no item serves version 0).
        began = time.perf_counter()
        for start in range(0, len(ids), BATCH):
            scores = regrade_module._regraded(ids[start : start + BATCH], 0, "void", None)
            Attempt.objects.bulk_update(
                [
                    Attempt(pk=pk, scaled_score=score, passed=passed)
                    for pk, (_, (score, passed)) in scores.items()
                ],
                ["scaled_score", "passed"],
            )
        prepared = time.perf_counter() - began
        # The author moves the key from A to B: a new version, options unchanged. (The bench's
        # bank is written as versions only, as bench.seed does, so the copy is made here.)
        fixed = QuestionVersion.objects.get(pk=served.pk)
        fixed.pk = None
        fixed._state.adding = True
        fixed.number += 1
        fixed.content_hash = f"{served.content_hash}-key-b"
        fixed.choices = [{**c, "correct": i == 1} for i, c in enumerate(served.choices)]
        fixed.save()
        Question.objects.filter(pk=question.pk).update(current_version=fixed)

        figures = {"attempts": len(ids), "batch": BATCH, "scoring_seconds": round(prepared, 1)}
        for label, kind in (("rescore", Regrade.Kind.RESCORE), ("void", Regrade.Kind.VOID)):
            regrade = plan_regrade(version=served, kind=kind, by=None, now=timezone.now())
            began = time.perf_counter()
            done = run_regrade(regrade_id=regrade.pk, now=timezone.now())
            figures[f"{label}_seconds"] = round(time.perf_counter() - began, 1)
            figures[f"{label}_score_changes"] = done.score_changes
            if kind == Regrade.Kind.RESCORE:
                began = time.perf_counter()
                run_regrade(regrade_id=regrade.pk, now=timezone.now())
                figures["rerun_seconds"] = round(time.perf_counter() - began, 1)
        self.stdout.write(json.dumps(figures))
