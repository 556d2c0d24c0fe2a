"""Writes that span several models in practice: drills with instant feedback, and bookmarks."""

from __future__ import annotations

import random
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from quiz.bank.rules import ORDERING, SEQUENCE_TYPES
from quiz.exam import scoring
from quiz.exam.assembly import Candidate
from quiz.exam.responses import stored_answer
from quiz.models import (
    AttemptItem,
    Blueprint,
    Bookmark,
    ItemState,
    Objective,
    PracticeItem,
    PracticeSession,
    Question,
    QuestionVersion,
    item_state,
)
from quiz.practice import mastery as practice


class NothingToPractise(Exception):
    """The chosen practice has no questions (nothing missed yet, no bookmarks, …)."""


def answer_history(*, user, blueprint: Blueprint) -> list[practice.PastAnswer]:
    """Every answer the candidate gave, in finished mocks and in practice. Two queries."""
    mock = AttemptItem.objects.answers_of(user=user, blueprint=blueprint)
    drills = PracticeItem.objects.answers_of(user=user, blueprint=blueprint)
    return [practice.PastAnswer(*row) for row in (*mock, *drills)]


def objective_mastery(*, user, blueprint: Blueprint) -> list[tuple[Objective, practice.Mastery]]:
    objectives = list(
        Objective.objects.filter(domain__blueprint=blueprint).select_related("domain")
    )
    estimates = practice.mastery_by_objective(
        answer_history(user=user, blueprint=blueprint), [o.pk for o in objectives]
    )
    return list(zip(objectives, estimates, strict=True))


def _practice_pool(*, blueprint: Blueprint, objective_ids=None, question_ids=None):
    versions = QuestionVersion.objects.filter(
        question__current_version=F("pk"),
        question__status=Question.Status.PUBLISHED,
        question__objective__domain__blueprint=blueprint,
    )
    if objective_ids is not None:
        versions = versions.filter(question__objective_id__in=objective_ids)
    if question_ids is not None:
        versions = versions.filter(question_id__in=question_ids)
    return [
        Candidate(pk, question_id, objective_id, domain, option_count)
        for pk, question_id, objective_id, domain, option_count in versions.values_list(
            "pk",
            "question_id",
            "question__objective_id",
            "question__objective__domain__number",
            "option_count",
        )
    ]


@transaction.atomic
def start_practice(
    *,
    user,
    blueprint: Blueprint,
    kind: str,
    length: int,
    now: datetime,
    objective_ids: list[int] | None = None,
    seed: int | None = None,
) -> PracticeSession:
    """Start an untimed practice session of up to ``length`` questions.

    ``chosen``: from the given objectives, evenly, unseen first, then missed, then least recently
    answered. ``missed``: questions answered wrongly and not correctly since. ``weak``: unseen and
    missed questions of the weakest objectives first. ``bookmarks``: the candidate's bookmarks.
    Raises ``NothingToPractise`` when the selection is empty.
    """
    seed = secrets.randbits(62) if seed is None else seed
    answers = answer_history(user=user, blueprint=blueprint)
    order = None
    Kind = PracticeSession.Kind
    if kind == Kind.CHOSEN:
        pool = _practice_pool(blueprint=blueprint, objective_ids=objective_ids or [])
        names = Objective.objects.filter(pk__in=objective_ids or []).values_list("code", flat=True)
        description = "Objectives " + ", ".join(sorted(names))
    elif kind == Kind.MISSED:
        drill = practice.missed_drill(answers)
        pool = _practice_pool(blueprint=blueprint, question_ids=drill.question_ids)
        description = "Questions you missed and have not answered correctly since"
    elif kind == Kind.WEAK:
        objectives = list(
            Objective.objects.filter(domain__blueprint=blueprint).values_list("pk", flat=True)
        )
        drill = practice.weak_drill(answers, objectives)
        order = drill.objective_order
        pool = _practice_pool(blueprint=blueprint)
        description = "Your weakest objectives first"
    elif kind == Kind.BOOKMARKS:
        pool = _practice_pool(
            blueprint=blueprint,
            question_ids=Bookmark.objects.filter(user=user).values_list("question_id", flat=True),
        )
        description = "Your bookmarked questions"
    else:
        raise ValueError(f"unknown practice kind {kind!r}")
    chosen = practice.choose(
        pool=pool, answers=answers, length=length, seed=seed, objective_order=order
    )
    if not chosen:
        raise NothingToPractise(description)
    return create_session(
        user=user,
        blueprint=blueprint,
        kind=kind,
        description=description,
        chosen=chosen,
        now=now,
        seed=seed,
    )


def create_session(
    *,
    user,
    blueprint: Blueprint,
    kind: str,
    description: str,
    chosen: list[Candidate],
    now: datetime,
    seed: int,
) -> PracticeSession:
    """A practice session serving ``chosen`` in order, each item's options shuffled by ``seed``."""
    session = PracticeSession.objects.create(
        user=user, blueprint=blueprint, kind=kind, description=description, created_at=now
    )
    rng = random.Random(seed)
    PracticeItem.objects.bulk_create(
        PracticeItem(
            session=session,
            position=position,
            version_id=candidate.version_id,
            option_order=practice.shuffled_options(candidate.option_count, rng),
        )
        for position, candidate in enumerate(chosen, start=1)
    )
    return session


def answer_practice(
    *,
    session_id: int,
    user,
    position: int,
    selected: tuple[int | None, ...],
    now: datetime,
    struck: tuple[int, ...] = (),
) -> PracticeItem:
    """Record the answer (display positions, as ``quiz.exam.responses`` reads them), the options
    struck out (display positions) and its outcome; once per item.

    Raises ``PracticeItem.DoesNotExist`` for another user's session, and ``ValidationError`` with
    ``session_ended``, ``already_answered``, ``no_selection``, ``incomplete_answer`` (an order
    or a matching with a position or prompt left empty: feedback is final, so it is not taken
    half done), or any code of ``stored_answer``; nothing changes then.
    """
    with transaction.atomic():
        item = (
            PracticeItem.objects.select_related("session", "version")
            .select_for_update(of=("self",))
            .get(session_id=session_id, session__user=user, position=position)
        )
        if item.session.is_ended:
            raise ValidationError("This practice session has ended.", code="session_ended")
        if item.is_answered:
            raise ValidationError("You already answered this question.", code="already_answered")
        version = item.version
        chosen = stored_answer(
            version.type,
            selected,
            option_order=item.option_order,
            response_count=len(version.responses),
            max_selections=version.max_selections,
        )
        state = item_state(chosen, version.max_selections)
        if state == ItemState.UNANSWERED:
            raise ValidationError("Choose an answer first.", code="no_selection")
        if version.type in SEQUENCE_TYPES and state == ItemState.INCOMPLETE:
            raise ValidationError(
                "Give every step a position."
                if version.type == ORDERING
                else "Choose a response for every prompt.",
                code="incomplete_answer",
            )
        if any(not 0 <= p < len(item.option_order) for p in struck):
            raise ValidationError(
                "That option is not part of this question.", code="invalid_option"
            )
        item.selected = chosen
        item.struck = sorted({item.option_order[p] for p in struck})
        item.is_correct = scoring.is_correct(chosen, version.key, kind=version.type)
        item.answered_at = now
        item.save(update_fields=["selected", "struck", "is_correct", "answered_at"])
        return item


def end_practice(*, session: PracticeSession, now: datetime) -> PracticeSession:
    """End the session (idempotent); unanswered items simply stay unanswered."""
    PracticeSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now)
    session.refresh_from_db(fields=["ended_at"])
    return session


def toggle_bookmark(*, user, question_id: int) -> bool:
    """Bookmark the question, or remove the bookmark. Returns whether it is now bookmarked."""
    deleted, _ = Bookmark.objects.filter(user=user, question_id=question_id).delete()
    if deleted:
        return False
    Bookmark.objects.get_or_create(user=user, question_id=question_id)
    return True
