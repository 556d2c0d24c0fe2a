"""Writes that span several models: starting, answering, submitting and expiring mock exams.

Every function takes the clock as ``now``: the server's time is the only time that counts, and
tests can pass any instant.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from quiz.exam import scoring
from quiz.exam.assembly import BlueprintSpec, assemble, format_minutes, format_spec
from quiz.exam.responses import stored_answer
from quiz.models import (
    Attempt,
    AttemptItem,
    Blueprint,
    Domain,
    Question,
    QuestionVersion,
    SeenQuestion,
)


def blueprint_spec(blueprint: Blueprint) -> BlueprintSpec:
    domains = list(blueprint.domains.all())
    return BlueprintSpec(
        question_count=blueprint.question_count,
        max_unscored=blueprint.max_unscored_items,
        domain_weights={d.number: d.weight for d in domains},
        domain_titles={d.number: d.title for d in domains},
    )


def granted_minutes(*, blueprint: Blueprint, user, items: int | None = None) -> int:
    """The exam's time for this candidate: the blueprint's, plus the accommodation if set; for
    a form of ``items`` items, the same pace (``assembly.format_minutes``)."""
    extra = blueprint.accommodation_minutes if user.extra_time_accommodation else 0
    minutes = blueprint.duration_minutes + extra
    if items is None or items == blueprint.question_count:
        return minutes
    return format_minutes(minutes, items=items, of=blueprint.question_count)


def mock_format(*, blueprint: Blueprint, form: str, domain: Domain | None = None) -> BlueprintSpec:
    """The spec of a mock of this format (``Attempt.Format``) and blueprint."""
    return format_spec(
        blueprint_spec(blueprint), form=form, domain_number=domain.number if domain else None
    )


def start_attempt(
    *,
    user,
    blueprint: Blueprint,
    now: datetime,
    seed: int | None = None,
    form: str = Attempt.Format.FULL,
    domain: Domain | None = None,
) -> Attempt:
    """Resume the candidate's mock in progress for this blueprint, or assemble a new one of the
    format ``form`` (a full exam, a mini mock, or a single-domain mock of ``domain``).

    An in-progress attempt whose deadline has passed is finished first (its answers count).
    A mock in progress is resumed whatever format was asked for: one at a time per blueprint.
    Raises ``assembly.BankTooSmall`` when the bank cannot fill the form. Safe against a
    double click: the database allows one attempt in progress per candidate and blueprint.
    """
    for stale in Attempt.objects.filter(user=user, blueprint=blueprint).overdue(now):
        finish_attempt(attempt=stale, now=now)
    current = Attempt.objects.filter(user=user, blueprint=blueprint).in_progress().first()
    if current is not None:
        return current
    seed = secrets.randbits(62) if seed is None else seed
    if (form == Attempt.Format.DOMAIN) != (domain is not None):
        raise ValueError("a single-domain mock, and only it, names a domain")
    spec = mock_format(blueprint=blueprint, form=form, domain=domain)
    scored_pool, pretest_pool = Question.objects.assembly_pools(
        blueprint=blueprint,
        user=user,
        seed=seed,
        domain_number=domain.number if domain else None,
    )
    items = assemble(spec=spec, scored_pool=scored_pool, pretest_pool=pretest_pool, seed=seed)
    minutes = granted_minutes(blueprint=blueprint, user=user, items=spec.question_count)
    versions = QuestionVersion.objects.only("type", "choices").in_bulk(
        [item.version_id for item in items]
    )
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                blueprint=blueprint,
                format=form,
                domain=domain,
                item_count=len(items),
                seed=seed,
                started_at=now,
                deadline=now + timedelta(minutes=minutes),
                duration_minutes=minutes,
                cut_fraction=blueprint.cut_fraction,
            )
            AttemptItem.objects.bulk_create(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    version_id=item.version_id,
                    is_scored=item.is_scored,
                    option_order=list(item.option_order),
                    choose=versions[item.version_id].max_selections,
                )
                for position, item in enumerate(items, start=1)
            )
            SeenQuestion.objects.bulk_create(
                (
                    SeenQuestion(user=user, question_id=item.question_id, last_seen_at=now)
                    for item in items
                ),
                update_conflicts=True,
                unique_fields=["user", "question"],
                update_fields=["last_seen_at"],
            )
    except IntegrityError:
        # Another request (a double click, a second tab) started one first: resume that one.
        return Attempt.objects.filter(user=user, blueprint=blueprint).in_progress().get()
    return attempt


@dataclass(frozen=True)
class Answer:
    """What the screen holds for one item, in display positions (0 = the first option shown).

    ``selected`` is in the screen's terms of ``quiz.exam.responses``: the options chosen, or
    for ordering the step at each position, or for matching each shown prompt's response."""

    selected: tuple[int | None, ...] = ()
    struck: tuple[int, ...] = ()
    flagged: bool = False
    revision: int | None = None  # the revision the screen was based on; None skips the check


# What save_answer reads: the item itself, the attempt's state and clock, and what the version
# needs to say how many options may be chosen (QuestionVersion.max_selections). A version's
# rendered HTML and authored source stay in the database.
SAVE_READS = (
    *(f.name for f in AttemptItem._meta.concrete_fields),
    "attempt__status",
    "attempt__deadline",
    "version__type",
    "version__choices",
    "version__responses",
)
ANSWER_FIELDS = ("selected", "struck", "flagged", "revision", "answered_at")
# A save that loses the race to another write of the same item reads again and decides afresh;
# losing it this many times in a row (a tab in a tight loop) is reported as a conflict.
SAVE_TRIES = 3


def save_answer(
    *, attempt_id: int, user, position: int, answer: Answer, now: datetime
) -> AttemptItem:
    """Store the item's answer, flag and strike-throughs; return the item with its new revision.

    Raises ``AttemptItem.DoesNotExist`` when the user has no such attempt or item. Raises
    ``ValidationError`` with a code and changes nothing when: the attempt is finished
    (``attempt_finished``), abandoned (``attempt_abandoned``) or past its deadline
    (``deadline_passed``, and the attempt is then finished); an option is not one of this
    item's (``invalid_option``); more options are chosen than the item asks for
    (``too_many_selections``); or the screen was based on an older revision than the server
    holds and would change it (``stale_revision``: another tab saved since). Re-sending what
    the server already holds is accepted and changes nothing.

    The write is a compare-and-set, not a lock: it lands only if the item still has the
    revision that was read and has not been scored. Scoring (``finish_attempt``) locks every
    item and stamps ``outcome_correct`` on each, so a save racing a submit either lands before
    the score is computed, and counts, or changes nothing and is refused. Saves to different
    items of one attempt never wait for each other. A save in flight while the candidate
    abandons the attempt may land just after: it is kept, like every saved answer, and never
    scored.
    """
    for _ in range(SAVE_TRIES):
        item = (
            AttemptItem.objects.select_related("attempt", "version")
            .only(*SAVE_READS)
            .get(attempt_id=attempt_id, attempt__user=user, position=position)
        )
        attempt = item.attempt
        if attempt.is_finished:
            raise ValidationError("This exam has been submitted.", code="attempt_finished")
        if attempt.is_abandoned:
            raise ValidationError("This exam was abandoned.", code="attempt_abandoned")
        if attempt.is_overdue(now):
            finish_attempt(attempt=attempt, now=now)
            raise ValidationError(
                "Time is up: answers can no longer be changed. Your saved answers were scored.",
                code="deadline_passed",
            )
        read_revision = item.revision
        if not _apply_answer(item, answer):
            return item
        item.revision += 1
        if item.selected:
            item.answered_at = now
        written = AttemptItem.objects.filter(
            pk=item.pk, revision=read_revision, outcome_correct__isnull=True
        ).update(**{field: getattr(item, field) for field in ANSWER_FIELDS})
        if written:
            return item
    raise ValidationError(
        "This answer is being changed in another tab or window. Reload the page to see it.",
        code="stale_revision",
    )


def _apply_answer(item: AttemptItem, answer: Answer) -> bool:
    """Validate the answer and copy it onto the item. False when it changes nothing."""
    order = item.option_order
    for position in answer.struck:
        if not 0 <= position < len(order):
            raise ValidationError(
                "That option is not part of this question.", code="invalid_option"
            )
    version = item.version
    selected = stored_answer(
        version.type,
        answer.selected,
        option_order=order,
        response_count=len(version.responses),
        max_selections=version.max_selections,
    )
    struck = sorted({order[p] for p in answer.struck})
    unchanged = (selected, struck, answer.flagged) == (item.selected, item.struck, item.flagged)
    if unchanged:
        # A replay of what the server already holds (a retry whose first response was lost)
        # is not a conflict, whatever revision it carries.
        return False
    if answer.revision is not None and answer.revision != item.revision:
        raise ValidationError(
            "This answer was changed in another tab or window. Reload the page to see it.",
            code="stale_revision",
        )
    item.selected, item.struck, item.flagged = selected, struck, answer.flagged
    return True


# The exam screen reports every 30 s while it is visible; a longer silence (a closed laptop, a
# hidden tab, a lost connection) counts as at most this long on the item.
PRESENCE_GAP_CAP = timedelta(seconds=90)


def record_presence(
    *, attempt: Attempt, position: int | None, now: datetime, resume: bool = False
) -> None:
    """A contact from the exam screen showing item ``position`` (None: the review screen).

    The time since the previous contact, capped at ``PRESENCE_GAP_CAP`` and never past the
    deadline, is added to the item that was on screen at the previous contact. Only the server's
    clock is read. The attempt's contact stamp is a compare-and-set, so two tabs reporting at
    once credit a gap once: the total never exceeds the time that passed. With ``resume``, the
    item also becomes where the attempt resumes (in the same write).
    """
    previous, shown = attempt.last_contact_at, attempt.viewing_position
    moved = (
        Attempt.objects.filter(
            pk=attempt.pk, status=Attempt.Status.IN_PROGRESS, last_contact_at=previous
        )
        if previous is not None
        else Attempt.objects.filter(
            pk=attempt.pk, status=Attempt.Status.IN_PROGRESS, last_contact_at__isnull=True
        )
    ).update(
        last_contact_at=now,
        viewing_position=position,
        **({"current_position": position} if resume and position else {}),
    )
    attempt.last_contact_at, attempt.viewing_position = now, position
    if resume and position:
        if not moved:
            Attempt.objects.filter(pk=attempt.pk).update(current_position=position)
        attempt.current_position = position
    if not moved or previous is None or shown is None:
        return
    gap = min(min(now, attempt.deadline) - previous, PRESENCE_GAP_CAP)
    seconds = round(gap.total_seconds())
    if seconds > 0:
        AttemptItem.objects.filter(attempt_id=attempt.pk, position=shown).update(
            seconds_on_screen=F("seconds_on_screen") + seconds
        )


def finish_attempt(*, attempt: Attempt, now: datetime) -> Attempt:
    """Finish and score the attempt, once. Idempotent and safe under concurrency.

    Submitting before the deadline stamps ``now``; an attempt finished at or after its deadline
    (expired) is stamped with the deadline itself. Every saved answer counts.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("blueprint").get(pk=attempt.pk)
        if not attempt.is_open:
            # Finished already, or abandoned: an abandoned mock is never scored.
            return attempt
        expired = attempt.is_overdue(now)
        result, items = score_attempt(attempt)
        attempt.status = Attempt.Status.FINISHED
        attempt.finish_reason = (
            Attempt.FinishReason.EXPIRED if expired else Attempt.FinishReason.SUBMITTED
        )
        attempt.finished_at = attempt.deadline if expired else now
        _store_result(attempt, result, items)
        attempt.save()
    return attempt


def abandon_attempt(*, attempt: Attempt, now: datetime) -> Attempt:
    """End the mock at the candidate's request without scoring it. Idempotent.

    The attempt is recorded as abandoned at ``now``: no score, so it counts in no score, trend
    or readiness; every answer saved so far is kept as it was. Raises ``ValidationError`` and
    changes nothing when the attempt was already submitted or expired (``attempt_finished``:
    its score stands). When the deadline had passed before the candidate abandoned it, time ran
    out first: the attempt is finished and scored, as expiry does, and ``deadline_passed`` is
    raised (the same rule a late save follows).
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.is_abandoned:
            return attempt
        if attempt.is_finished:
            raise ValidationError(
                "This exam was already submitted; its score stands.", code="attempt_finished"
            )
        overdue = attempt.is_overdue(now)
        if not overdue:
            attempt.status = Attempt.Status.ABANDONED
            attempt.finished_at = now
            attempt.save(update_fields=["status", "finished_at"])
            return attempt
    finish_attempt(attempt=attempt, now=now)
    raise ValidationError(
        "Time ran out before the exam was abandoned: it was submitted with your saved answers.",
        code="deadline_passed",
    )


# What scoring reads of each item's served version: its options (the key) and where it sits in
# the blueprint; a rescore also reads the question's current version's options. Not the stems,
# explanations and authored sources: loading those for 65 items was most of a submit's time.
_SCORE_ITEM = [f.name for f in AttemptItem._meta.concrete_fields]
_SCORE_VERSION = [
    "version__choices",
    "version__type",
    "version__responses",
    "version__objective__code",
    "version__objective__title",
    "version__objective__domain__number",
    "version__objective__domain__title",
]
SCORE_JOINS = {
    False: ("version__objective__domain",),
    True: ("version__objective__domain", "version__question__current_version"),
}
SCORE_READS = {
    False: (*_SCORE_ITEM, *_SCORE_VERSION),
    True: (
        *_SCORE_ITEM,
        *_SCORE_VERSION,
        "version__question__current_version__choices",
        "version__question__current_version__type",
        "version__question__current_version__responses",
    ),
}


def score_attempt(
    attempt: Attempt, *, apply_key_fixes: bool = False
) -> tuple[scoring.Result, list[AttemptItem]]:
    """Score from the served versions; also sets each item's ``outcome_correct`` and
    ``scored_key`` (unsaved).

    With ``apply_key_fixes``, an item whose question now has a newer version with the very same
    options takes that version's key (a corrected key)."""
    # Locking the items waits for any save in flight to commit (and then reads it), and makes
    # every later save wait until outcome_correct is stamped, which it then finds and refuses.
    items = list(
        AttemptItem.objects.filter(attempt=attempt)
        .select_related(*SCORE_JOINS[apply_key_fixes])
        .only(*SCORE_READS[apply_key_fixes])
        .select_for_update(of=("self",))
    )
    blueprint = attempt.blueprint
    scale = scoring.Scale(
        score_min=blueprint.score_min,
        pass_score=blueprint.pass_score,
        score_max=blueprint.score_max,
        cut_fraction=attempt.cut_fraction,
    )
    scored = []
    for item in items:
        entry = scoring.ScoredItem(
            selected=tuple(item.selected),
            key=_key(item, apply_key_fixes),
            is_scored=item.is_scored,
            domain_number=item.version.objective.domain.number,
            domain_title=item.version.objective.domain.title,
            objective_code=item.version.objective.code,
            objective_title=item.version.objective.title,
            kind=item.version.type,
        )
        item.outcome_correct = entry.is_correct
        item.scored_key = scoring.stored_key(entry.key, kind=entry.kind)
        scored.append(entry)
    return scoring.score(scored, scale), items


def _key(item: AttemptItem, apply_key_fixes: bool) -> tuple[int, ...]:
    served = item.version
    if not apply_key_fixes:
        return served.key
    current = served.question.current_version
    if current is not None and current.pk != served.pk:
        # A corrected key applies only where the candidate saw the very same options.
        return current.key if same_options(current, served) else served.key
    return served.key


def same_options(current: QuestionVersion, served: QuestionVersion) -> bool:
    """Whether a later version shows exactly what the served one showed to answer with (the
    type, the options or steps or prompts, the responses): then its key may replace the served
    key."""
    return (
        current.type == served.type
        and [c["html"] for c in current.choices] == [c["html"] for c in served.choices]
        and current.responses == served.responses
    )


def _store_result(attempt: Attempt, result: scoring.Result, items: list[AttemptItem]) -> None:
    _store_outcomes(items)
    attempt.scaled_score = result.scaled_score
    attempt.passed = result.passed
    attempt.correct_count = result.correct
    attempt.scored_count = result.scored
    attempt.results = result.as_json()


def _store_outcomes(items: list[AttemptItem]) -> None:
    """Write every item's ``outcome_correct`` and ``scored_key`` in one statement.

    On PostgreSQL the values go in as arrays (UPDATE ... FROM unnest): ``bulk_update`` builds a
    CASE WHEN expression per item and field, and resolving those 130 expressions was half of a
    submit's time in the profile (`manage.py bench_profile --profile submit`). Elsewhere
    (SQLite) ``bulk_update`` does it.
    """
    if connection.vendor != "postgresql":
        AttemptItem.objects.bulk_update(items, ["outcome_correct", "scored_key"])
        return
    table = AttemptItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS item SET outcome_correct = v.correct, scored_key = v.key::jsonb "  # noqa: S608 - the model's table; values are parameters
            "FROM unnest(%s::bigint[], %s::boolean[], %s::text[]) AS v(id, correct, key) "
            "WHERE item.id = v.id",
            [
                [item.pk for item in items],
                [item.outcome_correct for item in items],
                [json.dumps(item.scored_key) for item in items],
            ],
        )


def rescore(*, attempt: Attempt) -> bool:
    """Recompute a finished attempt's stored score after a key was fixed. True if it changed.

    Served versions are immutable, so fixing a key makes a new version. An item whose question's
    current version has exactly the options it served (same texts, same order) is scored with
    the current key; an item whose options changed keeps the key it was served with.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("blueprint").get(pk=attempt.pk)
        if not attempt.is_finished:
            return False
        before = (attempt.scaled_score, attempt.passed, attempt.results)
        _store_result(attempt, *score_attempt(attempt, apply_key_fixes=True))
        attempt.save()
        return before != (attempt.scaled_score, attempt.passed, attempt.results)


def expire_overdue(*, now: datetime) -> int:
    """Finish every attempt whose deadline has passed; returns how many. Suitable for cron."""
    count = 0
    for attempt in Attempt.objects.overdue(now).only("pk"):
        finished = finish_attempt(attempt=attempt, now=now)
        count += finished.finish_reason == Attempt.FinishReason.EXPIRED
    return count
