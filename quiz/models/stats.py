"""Item statistics, precomputed: one row per question version, refreshed as a whole."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q

from quiz.models.bank import Objective, Question, QuestionVersion
from quiz.stats.item_stats import FLAG_LABELS, THRESHOLDS, Flag

# Each flag and the boolean column that holds it (columns, so the admin filters and sorts them).
FLAG_FIELDS = {
    Flag.TOO_EASY: "too_easy",
    Flag.TOO_HARD: "too_hard",
    Flag.WEAK: "weak",
    Flag.KEY_SUSPECT: "key_suspect",
    Flag.NON_FUNCTIONING: "non_functioning",
}


class ItemStatisticsQuerySet(models.QuerySet):
    def current(self) -> ItemStatisticsQuerySet:
        """One row per question: the figures of the version it serves now.

        A semi-join on the served versions, not ``version = question.current_version`` across
        the join: with both join columns correlated, PostgreSQL estimates that join at one row
        and plans nested loops over every row (measured: 200 ms at 10,000 questions).
        """
        served = Question.objects.filter(current_version__isnull=False)
        return self.filter(version_id__in=served.values("current_version_id"))

    def flagged(self, flag: str) -> ItemStatisticsQuerySet:
        return self.filter(**{FLAG_FIELDS[flag]: True})


class ItemStatistics(models.Model):
    """The figures of one question version at the last refresh (``quiz.stats.refresh``).

    Mock figures come from finished attempts; practice figures (n, p) from each candidate's first
    answer in practice, shown apart because practice shows the key after every answer.
    """

    version = models.OneToOneField(
        QuestionVersion, on_delete=models.CASCADE, related_name="statistics"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="statistics")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(
        max_length=80,
        db_index=True,
        help_text="The question's, copied at refresh: the list sorts on it.",
    )
    n = models.PositiveIntegerField("responses", default=0)
    p = models.FloatField("facility p", null=True, blank=True)
    point_biserial = models.FloatField("point-biserial", null=True, blank=True)
    upper_lower = models.FloatField("upper–lower D", null=True, blank=True)
    omitted = models.FloatField(null=True, blank=True)
    median_seconds = models.FloatField(
        "median time (s)",
        null=True,
        blank=True,
        help_text="Median seconds on screen over the responses whose time was recorded.",
    )
    options = models.JSONField(default=list, help_text="The option table (OptionRow fields).")
    practice_n = models.PositiveIntegerField("practice n", default=0)
    practice_p = models.FloatField("practice p", null=True, blank=True)
    too_easy = models.BooleanField(default=False)
    too_hard = models.BooleanField(default=False)
    weak = models.BooleanField(default=False)
    key_suspect = models.BooleanField(default=False)
    non_functioning = models.BooleanField("non-functioning distractor", default=False)
    refreshed_at = models.DateTimeField()

    objects = ItemStatisticsQuerySet.as_manager()

    class Meta:
        verbose_name = "item analysis"
        verbose_name_plural = "item analysis"
        ordering = ["external_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(p__isnull=True) | (Q(p__gte=0) & Q(p__lte=1)),
                name="quiz_itemstatistics_p_share",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of {self.question_id} v{self.version_id}"

    @property
    def flags(self) -> list[str]:
        return [flag for flag, field in FLAG_FIELDS.items() if getattr(self, field)]

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag in self.flags]

    @property
    def is_ready(self) -> bool:
        """Enough responses and no suspect key: a pretest item an author may promote."""
        return self.n >= THRESHOLDS.min_n and not self.key_suspect


class StatsRefreshQuerySet(models.QuerySet):
    def running(self, *, now) -> StatsRefreshQuerySet:
        """Refreshes started within the hour and not finished: one in progress. (An older one
        never finished: its worker was lost, and the next refresh replaces it.)"""
        return self.filter(finished_at__isnull=True, started_at__gt=now - timedelta(hours=1))


class StatsRefresh(models.Model):
    """One run of the statistics refresh: when, how far it got, what it read."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    versions = models.PositiveIntegerField(default=0)

    objects = StatsRefreshQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"Statistics refresh of {self.started_at:%Y-%m-%d %H:%M}"
