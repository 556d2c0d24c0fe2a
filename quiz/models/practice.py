"""Practice: untimed sessions with instant feedback, and bookmarks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quiz.models.attempts import ANSWER_FIELDS
from quiz.models.bank import Blueprint, Question, QuestionVersion

if TYPE_CHECKING:
    from accounts.models import User


class PracticeSessionQuerySet(models.QuerySet):
    def for_user(self, user) -> PracticeSessionQuerySet:
        return self.filter(user=user)


class PracticeItemQuerySet(models.QuerySet):
    def answers_of(
        self, *, user: User, blueprint: Blueprint
    ) -> models.QuerySet[Any, tuple[int, int, bool, datetime]]:
        """The candidate's answers in practice, as (question id, objective id, correct,
        answered at) rows."""
        return self.filter(
            session__user=user, session__blueprint=blueprint, answered_at__isnull=False
        ).values_list(*ANSWER_FIELDS, "is_correct", "answered_at")


class PracticeSession(models.Model):
    """An untimed drill. It never counts as a mock score, but its answers feed mastery."""

    class Kind(models.TextChoices):
        CHOSEN = "chosen", "Chosen domains and objectives"
        MISSED = "missed", "Retry what I missed"
        WEAK = "weak", "Weak spots"
        BOOKMARKS = "bookmarks", "Bookmarks"
        REVIEW = "review", "Spaced review"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    blueprint = models.ForeignKey(Blueprint, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="quiz_practice_user_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user})"

    def get_absolute_url(self) -> str:
        return reverse("quiz:practice_summary", args=[self.pk])

    @property
    def seconds_used(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.created_at).total_seconds())

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class PracticeItem(models.Model):
    """One item of a practice session; answered once, then its feedback is shown."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    option_order = models.JSONField()
    selected = models.JSONField(default=list)
    # Options the candidate struck out before checking (indices into version.choices, as in a
    # mock), sent with the answer and shown with the feedback.
    struck = models.JSONField(default=list)
    is_correct = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeItemQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="quiz_practiceitem_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, is_correct__isnull=True)
                | Q(answered_at__isnull=False, is_correct__isnull=False),
                name="quiz_practiceitem_answered_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Practice item {self.position} of session {self.session_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="quiz_bookmark_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} bookmarked {self.question_id}"
