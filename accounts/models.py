from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.urls import reverse


class User(AbstractUser):
    """A candidate (or an author or admin: the same table, told apart by groups and flags)."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=80, blank=True, help_text="How we greet you. Leave blank to use your username."
    )
    extra_time_accommodation = models.BooleanField(
        "+30 minutes: English is not my first language",
        default=False,
        help_text="AWS grants this accommodation on request; mock exams then add the "
        "blueprint's extra minutes to the time.",
    )

    class TextSize(models.TextChoices):
        NORMAL = "normal", "Normal text"
        LARGE = "large", "Large text"
        LARGER = "larger", "Larger text"

    # The exam screens' zoom, as the real exam's: chosen on any page, kept for every device.
    text_size = models.CharField(max_length=6, choices=TextSize.choices, default=TextSize.NORMAL)
    # The exam the candidate prepares for: the dashboard, mock start, practice, reviews and
    # history show it unless a page names another. None: the default exam.
    exam = models.ForeignKey(
        "quiz.Blueprint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="exam I am preparing for",
        help_text="Your dashboard, mock exams, practice and history follow it.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")


class ThrottleQuerySet(models.QuerySet):
    """Counters of attempts per key (an address, a client, an account) in a fixed window.

    They live in the database so every worker process and server shares them: a throttle kept
    in process memory would let a client multiply its allowance by the number of workers.
    """

    def count_for(self, key: str, *, window: timedelta, now: datetime) -> int:
        """Attempts recorded under ``key`` in the current window."""
        row = self.filter(key=key, window_started_at__gt=now - window).first()
        return row.count if row else 0

    def record(self, key: str, *, window: timedelta, now: datetime) -> int:
        """Count one attempt under ``key``; return the count in the window, this one included."""
        with transaction.atomic():
            row, _ = self.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now, "count": 0}
            )
            if row.window_started_at <= now - window:
                row.window_started_at, row.count = now, 0
            row.count += 1
            row.save(update_fields=["window_started_at", "count"])
            return row.count

    def clear(self, key: str) -> None:
        self.filter(key=key).delete()


class Throttle(models.Model):
    key = models.CharField(max_length=200, unique=True)
    window_started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    objects = ThrottleQuerySet.as_manager()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_started_at:%Y-%m-%d %H:%M}"
