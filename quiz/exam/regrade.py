"""Regrades: correct every finished attempt that served a faulty question version.

Two kinds (``Regrade.Kind``): *rescore* gives the served item the question's corrected key (its
options must be unchanged), *void* drops the item from the attempt's scored items and rescales
on the same map (the cut is ``ceil(cut fraction × scored)`` of the items left). Each affected
attempt's stored score, per-domain results and items are rewritten with the one scoring rule
(``scoring.score``), and the candidate gets a notice with the old and new score.

``run_regrade`` is what the admin, ``manage.py regrade`` and a background task call. It is
idempotent (the target state of an item is fixed by the regrade, and a notice is written once
per attempt, keeping the score from before the first run), works in batches of attempts, each
in its own transaction with the attempts locked, and records its progress on the ``Regrade``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from quiz.exam import scoring
from quiz.exam.services import same_options
from quiz.models import (
    Attempt,
    AttemptItem,
    QuestionReport,
    QuestionVersion,
    Regrade,
    RegradeNotice,
)

BATCH = 500
ITEM_READS = (
    "pk",
    "attempt_id",
    "version_id",
    "selected",
    "is_scored",
    "voided",
    "scored_key",
    "version__type",
    "version__objective__domain__number",
    "version__objective__domain__title",
    "version__objective__code",
    "version__objective__title",
)


@dataclass(frozen=True)
class Effect:
    """What a regrade does (or would do): attempts touched, scores moved, passes flipped."""

    attempts: int
    score_changes: int
    now_passing: int
    now_failing: int


def corrected_key(version: QuestionVersion) -> tuple[int, ...]:
    """The key a rescore applies: the question's current key, when the options are unchanged.

    Raises ``ValidationError`` (``options_changed``, ``key_unchanged``).
    """
    current = version.question.current_version
    if current is None or not same_options(current, version):
        raise ValidationError(
            "The question's options changed since this version: void the item instead.",
            code="options_changed",
        )
    if current.key == version.key:
        raise ValidationError(
            "The question's current key is the same as this version's: nothing to rescore. "
            "Fix the key first (it makes a new version).",
            code="key_unchanged",
        )
    return current.key


def affected_attempt_ids(version: QuestionVersion) -> list[int]:
    return list(
        Attempt.objects.finished()
        .filter(items__version=version)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def preview(*, version: QuestionVersion, kind: str) -> Effect:
    """The regrade's effect, computed exactly as a run would, writing nothing."""
    key = corrected_key(version) if kind == Regrade.Kind.RESCORE else None
    ids = affected_attempt_ids(version)
    changes = passing = failing = 0
    for start in range(0, len(ids), BATCH):
        for before, after in _regraded(ids[start : start + BATCH], version.pk, kind, key).values():
            changes += before[0] != after[0]
            passing += after[1] and not before[1]
            failing += before[1] and not after[1]
    return Effect(len(ids), changes, passing, failing)


@transaction.atomic
def plan_regrade(
    *, version: QuestionVersion, kind: str, by, now: datetime, note: str = ""
) -> Regrade:
    """Record a regrade to run (validated: a rescore needs a corrected key)."""
    key = (
        scoring.stored_key(corrected_key(version), kind=version.type)
        if kind == Regrade.Kind.RESCORE
        else None
    )
    return Regrade.objects.create(
        version=version, kind=kind, key=key, note=note, created_by=by, created_at=now
    )


def run_regrade(*, regrade_id: int, now: datetime) -> Regrade:
    """Apply the regrade to every affected finished attempt; safe to run again."""
    Regrade.objects.filter(pk=regrade_id).exclude(status=Regrade.Status.DONE).update(
        status=Regrade.Status.RUNNING, started_at=now
    )
    regrade = Regrade.objects.select_related("version").get(pk=regrade_id)
    key = tuple(regrade.key) if regrade.key is not None else None
    ids = affected_attempt_ids(regrade.version)
    Regrade.objects.filter(pk=regrade.pk).update(total=len(ids), processed=0)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            # Lock the attempts: a concurrent rescore or a second run waits for this batch.
            list(Attempt.objects.select_for_update().filter(pk__in=batch).values_list("pk"))
            results = _regraded(batch, regrade.version_id, regrade.kind, key, write=regrade)
            _write_notices(regrade, results, now)
        Regrade.objects.filter(pk=regrade.pk).update(processed=start + len(batch))
    notices = RegradeNotice.objects.filter(regrade=regrade)
    Regrade.objects.filter(pk=regrade.pk).update(
        status=Regrade.Status.DONE,
        finished_at=now,
        score_changes=notices.exclude(old_score=F("new_score")).count(),
        now_passing=notices.filter(old_passed=False, new_passed=True).count(),
        now_failing=notices.filter(old_passed=True, new_passed=False).count(),
    )
    # The reports that led here are answered: the question was fixed.
    QuestionReport.objects.filter(
        question_id=regrade.version.question_id,
        state__in=[QuestionReport.State.NEW, QuestionReport.State.ACCEPTED],
    ).update(state=QuestionReport.State.FIXED, handled_at=now, handled_by=regrade.created_by)
    regrade.refresh_from_db()
    return regrade


def _regraded(
    attempt_ids: list[int], version_id: int, kind: str, key, *, write: Regrade | None = None
) -> dict[int, tuple[tuple[int, bool], tuple[int, bool]]]:
    """Rescore the attempts with the regrade applied: {attempt id: ((old score, passed),
    (new score, passed))}. With ``write``, store the new scores and items."""
    attempts = {
        a.pk: a for a in Attempt.objects.filter(pk__in=attempt_ids).select_related("blueprint")
    }
    items: dict[int, list[dict]] = {}
    for row in (
        AttemptItem.objects.filter(attempt_id__in=attempt_ids)
        .order_by("attempt_id", "position")
        .values(*ITEM_READS)
    ):
        items.setdefault(row["attempt_id"], []).append(row)
    results = {}
    changed_items = []
    for attempt_id, rows in items.items():
        attempt = attempts[attempt_id]
        entries = []
        for row in rows:
            item_kind = row["version__type"]
            item_key = tuple(row["scored_key"] or [])
            is_scored = row["is_scored"]
            if row["version_id"] == version_id:
                if kind == Regrade.Kind.RESCORE:
                    item_key = key
                elif not row["voided"]:
                    is_scored = False
                changed_items.append(
                    AttemptItem(
                        pk=row["pk"],
                        scored_key=scoring.stored_key(item_key, kind=item_kind),
                        outcome_correct=scoring.is_correct(
                            row["selected"], item_key, kind=item_kind
                        ),
                        is_scored=is_scored,
                        voided=row["voided"] or kind == Regrade.Kind.VOID,
                        regrade=write,
                    )
                )
            entries.append(
                scoring.ScoredItem(
                    selected=tuple(row["selected"]),
                    key=item_key,
                    kind=item_kind,
                    is_scored=is_scored,
                    domain_number=row["version__objective__domain__number"],
                    domain_title=row["version__objective__domain__title"],
                    objective_code=row["version__objective__code"],
                    objective_title=row["version__objective__title"],
                )
            )
        blueprint = attempt.blueprint
        result = scoring.score(
            entries,
            scoring.Scale(
                score_min=blueprint.score_min,
                pass_score=blueprint.pass_score,
                score_max=blueprint.score_max,
                cut_fraction=attempt.cut_fraction,
            ),
        )
        results[attempt_id] = (
            (attempt.scaled_score, attempt.passed),
            (result.scaled_score, result.passed),
        )
        attempt.scaled_score = result.scaled_score
        attempt.passed = result.passed
        attempt.correct_count = result.correct
        attempt.scored_count = result.scored
        attempt.results = result.as_json()
    if write is not None:
        AttemptItem.objects.bulk_update(
            changed_items, ["scored_key", "outcome_correct", "is_scored", "voided", "regrade"]
        )
        Attempt.objects.bulk_update(
            list(attempts.values()),
            ["scaled_score", "passed", "correct_count", "scored_count", "results"],
        )
    return results


def _write_notices(regrade: Regrade, results: dict, now: datetime) -> None:
    """One notice per attempt; a second run keeps the first run's "before" score."""
    existing = dict(
        RegradeNotice.objects.filter(regrade=regrade, attempt_id__in=list(results)).values_list(
            "attempt_id", "pk"
        )
    )
    users = dict(Attempt.objects.filter(pk__in=list(results)).values_list("pk", "user_id"))
    RegradeNotice.objects.bulk_create(
        RegradeNotice(
            regrade=regrade,
            attempt_id=attempt_id,
            user_id=users[attempt_id],
            old_score=before[0],
            old_passed=before[1],
            new_score=after[0],
            new_passed=after[1],
            created_at=now,
        )
        for attempt_id, (before, after) in results.items()
        if attempt_id not in existing
    )


def regraded_items(attempt: Attempt) -> dict[int, Regrade]:
    """The attempt's items a regrade changed, by position (for the result and review pages)."""
    return {
        item.position: item.regrade
        for item in AttemptItem.objects.filter(attempt=attempt, regrade__isnull=False)
        .select_related("regrade")
        .only("position", "regrade__kind", "regrade__finished_at", "regrade__note")
    }
