"""Recompute every question version's figures from finished mocks and practice first answers.

``refresh_item_statistics`` is what ``manage.py item_stats --refresh`` and a background task
call. It is idempotent (a refresh replaces every row with figures computed from scratch), reads
the answers in one ordered stream so memory holds one version's responses at a time, and writes
its progress to its ``StatsRefresh`` row as it goes.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from quiz.bank.rules import SEQUENCE_TYPES
from quiz.models import Attempt, AttemptItem, PracticeItem, Question, QuestionVersion
from quiz.models.stats import FLAG_FIELDS, ItemStatistics, StatsRefresh
from quiz.queue import enqueue
from quiz.stats.item_stats import ItemFigures, Response, facility, item_figures, recorded_seconds

CHUNK = 20_000
PROGRESS_EVERY = 500  # versions between progress writes


# Item statistics read full exams only: discrimination compares a response with the rest of
# its form's score, and a 20-item mini mock's rest score is not on the same footing as a 65-item
# form's (a single-domain form's measures one domain only).
STATS_ATTEMPTS = {
    "attempt__status": Attempt.Status.FINISHED,
    "attempt__format": Attempt.Format.FULL,
}


def _rest_totals() -> dict[int, int]:
    """Each finished full exam's correct count on its scored items."""
    return dict(
        AttemptItem.objects.filter(**STATS_ATTEMPTS, is_scored=True, outcome_correct=True)
        .values("attempt_id")
        .annotate(correct=Count("pk"))
        .values_list("attempt_id", "correct")
    )


def _practice_first_answers() -> dict[int, tuple[int, float | None]]:
    """(n, p) per version of each candidate's first practice answer to it."""
    first: dict[tuple[int, int], bool] = {}
    rows = (
        PracticeItem.objects.filter(answered_at__isnull=False)
        .order_by("answered_at", "pk")
        .values_list("session__user_id", "version_id", "is_correct")
    )
    for user_id, version_id, correct in rows.iterator(chunk_size=CHUNK):
        first.setdefault((user_id, version_id), correct)
    outcomes: dict[int, list[bool]] = {}
    for (_, version_id), correct in first.items():
        outcomes.setdefault(version_id, []).append(correct)
    return {version_id: facility(values) for version_id, values in outcomes.items()}


def refresh_item_statistics(*, now: datetime) -> StatsRefresh:
    """Replace every ``ItemStatistics`` row; returns the finished ``StatsRefresh``.

    Rows are written for every version with an answer and every current version of a
    published or pretest question (n = 0 until it is answered). Readers see the previous
    figures until the new ones commit.
    """
    run = StatsRefresh.objects.create(started_at=now)
    totals = _rest_totals()
    practice = _practice_first_answers()
    versions = {
        v.pk: v
        for v in QuestionVersion.objects.select_related("question")
        .only("pk", "question__external_id", "objective_id", "choices", "type", "responses")
        .filter(
            question__current_version__isnull=False,
        )
        .iterator(chunk_size=CHUNK)
    }
    stream = (
        AttemptItem.objects.filter(**STATS_ATTEMPTS)
        .order_by("version_id", "attempt_id")
        .values_list(
            "version_id",
            "attempt_id",
            "selected",
            "outcome_correct",
            "is_scored",
            "scored_key",
            "seconds_on_screen",
        )
        .iterator(chunk_size=CHUNK)
    )
    rows: list[ItemStatistics] = []
    responses_read = 0
    for version_id, items in itertools.groupby(stream, key=lambda row: row[0]):
        version = versions.get(version_id) or QuestionVersion.objects.select_related(
            "question"
        ).get(pk=version_id)
        responses = []
        key = None
        for _, attempt_id, selected, correct, is_scored, scored_key, seconds in items:
            correct = bool(correct)
            rest = totals.get(attempt_id, 0) - (1 if is_scored and correct else 0)
            responses.append(
                _response(version, attempt_id, selected, correct, rest, recorded_seconds(seconds))
            )
            key = scored_key if scored_key is not None else key
        responses_read += len(responses)
        # The key the answers were last scored with (a regrade may have corrected it).
        rows.append(_row(version, _figures(version, responses, key), practice, now))
        versions.pop(version_id, None)
        if len(rows) % PROGRESS_EVERY == 0:
            StatsRefresh.objects.filter(pk=run.pk).update(
                responses=responses_read, versions=len(rows)
            )
    live = set(
        Question.objects.filter(
            status__in=[Question.Status.PUBLISHED, Question.Status.PRETEST]
        ).values_list("current_version_id", flat=True)
    )
    for version_id in live & versions.keys():
        version = versions[version_id]
        rows.append(_row(version, _figures(version, [], None), practice, now))
    with transaction.atomic():
        ItemStatistics.objects.all().delete()
        ItemStatistics.objects.bulk_create(rows, batch_size=2000)
        run.attempts = Attempt.objects.finished().full_exams().count()
        run.responses = responses_read
        run.versions = len(rows)
        # The run's own duration, for the record: the wall clock, not the figures' instant.
        run.finished_at = timezone.now()
        run.save()
    return run


def _response(
    version: QuestionVersion,
    attempt_id: int,
    selected,
    correct: bool,
    rest: int,
    seconds: float | None,
):
    """A stored answer as the statistics read it: a sequence for ordering and matching (the
    order is the answer), a set of options otherwise; with its time on screen, if recorded."""
    if version.type in SEQUENCE_TYPES:
        return Response(attempt_id, frozenset(), correct, rest, seconds, answer=tuple(selected))
    return Response(attempt_id, frozenset(selected), correct, rest, seconds)


def _figures(version: QuestionVersion, responses: list[Response], key) -> ItemFigures:
    return item_figures(
        responses,
        key=version.key if key is None else key,
        option_count=len(version.choices),
        kind=version.type,
        response_count=len(version.responses),
    )


def _row(version: QuestionVersion, figures, practice: dict, now: datetime) -> ItemStatistics:
    practice_n, practice_p = practice.get(version.pk, (0, None))
    return ItemStatistics(
        version_id=version.pk,
        question_id=version.question_id,
        external_id=version.question.external_id,
        objective_id=version.objective_id,
        n=figures.n,
        p=figures.p,
        point_biserial=figures.point_biserial,
        upper_lower=figures.upper_lower,
        omitted=figures.omitted,
        median_seconds=figures.median_seconds,
        options=[option.__dict__ for option in figures.options],
        practice_n=practice_n,
        practice_p=practice_p,
        refreshed_at=now,
        **{field: flag in figures.flags for flag, field in FLAG_FIELDS.items()},
    )


def request_refresh() -> bool:
    """Queue a refresh now (where there is no queue, run it now). False when one is already
    waiting in the queue: the one waiting will read everything there is by then."""
    from quiz import tasks  # tasks imports this module

    return enqueue(tasks.refresh_statistics) is not None or not settings.TASK_QUEUE
