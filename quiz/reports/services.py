"""Reporting a question, and triaging reports."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quiz import tasks
from quiz.exam.regrade import plan_regrade
from quiz.models import (
    Attempt,
    AttemptItem,
    PracticeItem,
    QuestionReport,
    QuestionVersion,
    Regrade,
)
from quiz.queue import enqueue


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


@transaction.atomic
def start_regrade(*, version: QuestionVersion, kind: str, by, now: datetime, note: str = ""):
    """Plan a regrade and hand it to the background queue (where there is none, it runs now).

    Planned and enqueued in one transaction: a regrade exists if and only if its job does.
    Raises what ``plan_regrade`` raises (``options_changed``, ``key_unchanged``).
    """
    regrade = plan_regrade(version=version, kind=kind, by=by, now=now, note=note)
    _enqueue_regrade(regrade)
    regrade.refresh_from_db()
    return regrade


@transaction.atomic
def resume_regrade(*, regrade_id: int):
    """Queue a regrade again after its job failed or its worker was lost: the new job resumes
    where the last one stopped. Raises ``ValidationError`` (``regrade_done``) when it is done;
    a job of it already waiting is kept (one waits at a time)."""
    regrade = Regrade.objects.select_for_update().get(pk=regrade_id)
    if regrade.status == Regrade.Status.DONE:
        raise ValidationError("This regrade is done: nothing to resume.", code="regrade_done")
    _enqueue_regrade(regrade)
    regrade.refresh_from_db()
    return regrade


def _enqueue_regrade(regrade) -> None:
    job_id = enqueue(tasks.regrade, regrade_id=regrade.pk, **tasks.regrade_locks(regrade.pk))
    if job_id is not None:
        Regrade.objects.filter(pk=regrade.pk).update(job_id=job_id)
