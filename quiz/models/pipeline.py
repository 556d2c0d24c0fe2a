"""The pretest pipeline's audit trail: every change of a question's status, with who, when, why."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from quiz.models.bank import Question


class QuestionStatusChange(models.Model):
    """One change of status. ``changed_by`` is empty for changes made by an import."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Question.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Question.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["question", "changed_at"], name="quiz_statuschange_q_at")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.from_status or '—'} → {self.to_status}"
