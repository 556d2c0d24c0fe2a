"""The pretest pipeline: new questions are served unscored until their figures say they work.

A pretest question is *ready* once its served version has at least ``THRESHOLDS.min_n``
responses and no key-suspect flag (figures of the last refresh). An author then promotes it to
published (scored) in one step, or sends it back to draft with a note. Every change of status,
whoever makes it (an author, a bulk action, an import), is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from quiz.models import ItemStatistics, Question
from quiz.models.pipeline import QuestionStatusChange

LIVE = (Question.Status.PUBLISHED, Question.Status.PRETEST)


def is_ready(question: Question, statistics: ItemStatistics | None) -> bool:
    """A pretest question whose current version's figures allow promotion."""
    return (
        question.status == Question.Status.PRETEST
        and statistics is not None
        and statistics.version_id == question.current_version_id
        and statistics.is_ready
    )


def current_statistics(question: Question) -> ItemStatistics | None:
    return ItemStatistics.objects.filter(version_id=question.current_version_id).first()


@transaction.atomic
def change_status(
    *, questions: Iterable[Question], to_status: str, by, now: datetime, note: str = ""
) -> int:
    """Set the status of each question that has a different one, recording each change.

    Only a question with a served version can go live (published or pretest); others are left
    as they are. Returns how many changed.
    """
    changes = []
    for question in questions:
        if question.status == to_status:
            continue
        if to_status in LIVE and question.current_version_id is None:
            continue
        changes.append(
            QuestionStatusChange(
                question=question,
                from_status=question.status,
                to_status=to_status,
                changed_by=by,
                changed_at=now,
                note=note,
            )
        )
        question.status = to_status
    Question.objects.filter(pk__in=[c.question_id for c in changes]).update(status=to_status)
    QuestionStatusChange.objects.bulk_create(changes)
    return len(changes)


@transaction.atomic
def promote(*, question: Question, by, now: datetime, note: str = "") -> None:
    """Pretest → published. Raises ``ValidationError`` (``not_pretest``, ``not_ready``)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != Question.Status.PRETEST:
        raise ValidationError("Only a pretest question can be promoted.", code="not_pretest")
    if not is_ready(question, current_statistics(question)):
        raise ValidationError(
            "This question is not ready: it needs enough responses and no suspect key.",
            code="not_ready",
        )
    change_status(
        questions=[question],
        to_status=Question.Status.PUBLISHED,
        by=by,
        now=now,
        note=note or "Promoted from pretest: ready.",
    )


@transaction.atomic
def send_back(*, question: Question, by, now: datetime, note: str) -> None:
    """Back to draft, with a note saying why. Raises ``ValidationError`` (``note_required``,
    ``already_draft``)."""
    if not note.strip():
        raise ValidationError("Say why the question goes back to draft.", code="note_required")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status == Question.Status.DRAFT:
        raise ValidationError("The question is already a draft.", code="already_draft")
    change_status(
        questions=[question], to_status=Question.Status.DRAFT, by=by, now=now, note=note.strip()
    )


def author_decided(external_ids: Iterable[str]) -> set[str]:
    """The questions whose status an author has set by hand: an import leaves it alone."""
    return set(
        QuestionStatusChange.objects.filter(
            question__external_id__in=list(external_ids), changed_by__isnull=False
        ).values_list("question__external_id", flat=True)
    )
