"""Spaced review: questions a candidate missed or bookmarked, scheduled with FSRS, and the date
they sit the real exam (which caps the schedule)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from quiz.models.bank import Blueprint, Question


class ReviewCardQuerySet(models.QuerySet):
    def for_user(self, user) -> ReviewCardQuerySet:
        return self.filter(user=user)

    def for_blueprint(self, blueprint: Blueprint) -> ReviewCardQuerySet:
        return self.filter(question__objective__domain__blueprint=blueprint)


class ReviewCard(models.Model):
    """One question in a candidate's review queue. ``card`` is the FSRS card's state
    (``fsrs.Card.to_dict()``); ``due`` copies its due time so the queue is an indexed read."""

    class Reason(models.TextChoices):
        MISSED = "missed", "Missed"
        BOOKMARKED = "bookmarked", "Bookmarked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    card = models.JSONField()
    due = models.DateTimeField()
    reviews = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    objects = ReviewCardQuerySet.as_manager()

    class Meta:
        ordering = ["due"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="quiz_reviewcard_unique"),
        ]
        indexes = [models.Index(fields=["user", "due"], name="quiz_reviewcard_user_due")]

    def __str__(self) -> str:
        return f"Review of {self.question_id} for {self.user} due {self.due:%Y-%m-%d %H:%M}"


class ExamDate(models.Model):
    """When the candidate sits the real exam of a blueprint: reviews are never scheduled past
    it, and the queue front-loads before it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_dates"
    )
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "blueprint"], name="quiz_examdate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} sits {self.blueprint_id} on {self.date}"
