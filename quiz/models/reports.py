"""Candidates' reports of faulty questions, and the regrades that correct affected scores."""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.db.models import Q

from quiz.models.attempts import Attempt
from quiz.models.bank import Question, QuestionVersion


class QuestionReportQuerySet(models.QuerySet):
    def for_user(self, user) -> QuestionReportQuerySet:
        return self.filter(user=user)

    def open(self) -> QuestionReportQuerySet:
        return self.filter(state__in=[QuestionReport.State.NEW, QuestionReport.State.ACCEPTED])


class QuestionReport(models.Model):
    """A candidate says a question they were served is wrong. Authors triage it."""

    class Reason(models.TextChoices):
        WRONG_KEY = "wrong_key", "The key is wrong"
        TWO_RIGHT = "two_right", "Two answers are right"
        OUTDATED = "outdated", "Outdated"
        UNCLEAR = "unclear", "Unclear"
        TYPO = "typo", "Typo"
        OTHER = "other", "Other"

    class State(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        FIXED = "fixed", "Fixed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_reports"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=2000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    reply = models.TextField(blank=True, help_text="Shown to the candidate. Required to reject.")
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = QuestionReportQuerySet.as_manager()

    class Meta:
        ordering = ["question", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="quiz_questionreport_one_per_version"
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reply=""),
                name="quiz_questionreport_rejected_has_reply",
            ),
        ]
        indexes = [models.Index(fields=["state", "question"], name="quiz_report_state_question")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.question_id} by {self.user_id}"


class Regrade(models.Model):
    """A correction applied to every finished attempt that served one question version.

    ``rescore``: the item takes ``key`` (the question's corrected key; options unchanged).
    ``void``: the item leaves the scored items, and the score is rescaled on the same map.
    """

    BATCH = 500  # attempts per transaction of a run (quiz.exam.regrade)

    class Kind(models.TextChoices):
        RESCORE = "rescore", "Rescore with the corrected key"
        VOID = "void", "Void the item (drop it from scoring)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.JSONField(null=True, blank=True, help_text="Rescore: the corrected key.")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress and effect, written as the run goes (a background task reports these).
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    score_changes = models.PositiveIntegerField(default=0)
    now_passing = models.PositiveIntegerField(default=0)
    now_failing = models.PositiveIntegerField(default=0)
    job_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The background job running it (procrastinate); none when it ran inline.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="void") | Q(key__isnull=False),
                name="quiz_regrade_rescore_has_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: version {self.version_id}"

    @property
    def batches(self) -> tuple[int, int]:
        """(batches done, batches in all), for the progress bar."""
        return math.ceil(self.processed / self.BATCH), math.ceil(self.total / self.BATCH)


class RegradeNoticeQuerySet(models.QuerySet):
    def unseen_by(self, user) -> RegradeNoticeQuerySet:
        return self.filter(user=user, dismissed_at__isnull=True)


class RegradeNotice(models.Model):
    """What a regrade did to one attempt: shown on the candidate's dashboard until dismissed."""

    regrade = models.ForeignKey(Regrade, on_delete=models.CASCADE, related_name="notices")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="regrade_notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    old_score = models.PositiveSmallIntegerField()
    new_score = models.PositiveSmallIntegerField()
    old_passed = models.BooleanField()
    new_passed = models.BooleanField()
    created_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = RegradeNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["regrade", "attempt"], name="quiz_regradenotice_once")
        ]

    def __str__(self) -> str:
        return f"Attempt {self.attempt_id}: {self.old_score} → {self.new_score}"
