"""Reporting a question, and triaging reports."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quiz.models import Attempt, AttemptItem, PracticeItem, QuestionReport, QuestionVersion


def was_served(*, user, version_id: int) -> bool:
    """The candidate has seen this version's key: in a finished mock or an answered drill."""
    return (
        AttemptItem.objects.filter(
            attempt__user=user, attempt__status=Attempt.Status.FINISHED, version_id=version_id
        ).exists()
        or PracticeItem.objects.filter(
            session__user=user, version_id=version_id, answered_at__isnull=False
        ).exists()
    )


def report_question(
    *, user, version_id: int, reason: str, text: str, now: datetime
) -> QuestionReport:
    """File the candidate's report on a version they were served and shown the key of.

    Raises ``QuestionVersion.DoesNotExist`` when they were not (as for a missing version), and
    ``ValidationError`` (``already_reported``) for a second report on the same version.
    """
    if not was_served(user=user, version_id=version_id):
        raise QuestionVersion.DoesNotExist
    version = QuestionVersion.objects.only("pk", "question_id").get(pk=version_id)
    try:
        with transaction.atomic():
            return QuestionReport.objects.create(
                user=user,
                question_id=version.question_id,
                version=version,
                reason=reason,
                text=text.strip(),
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            "You have already reported this question.", code="already_reported"
        ) from None


def triage(*, report: QuestionReport, state: str, reply: str, by, now: datetime) -> None:
    """Move a report to a state; rejecting needs a reply (``reply_required``)."""
    if state == QuestionReport.State.REJECTED and not reply.strip():
        raise ValidationError("Say why the report is rejected.", code="reply_required")
    report.state = state
    report.reply = reply.strip()
    report.handled_by = by
    report.handled_at = now
    report.save(update_fields=["state", "reply", "handled_by", "handled_at"])
