"""Mock-exam attempts: what was served to whom, what they answered, and the stored score."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quiz.exam import assembly
from quiz.models.bank import Blueprint, QuestionVersion

if TYPE_CHECKING:
    from accounts.models import User


class AttemptQuerySet(models.QuerySet):
    def for_user(self, user) -> AttemptQuerySet:
        """The user's own attempts (the only ones the exam's pages open)."""
        return self.filter(user=user)

    def in_progress(self) -> AttemptQuerySet:
        return self.filter(status=Attempt.Status.IN_PROGRESS)

    def finished(self) -> AttemptQuerySet:
        """Submitted or expired, and scored (an abandoned mock is neither)."""
        return self.filter(status=Attempt.Status.FINISHED)

    def full_exams(self) -> AttemptQuerySet:
        """Full-length forms only: the ones whose scores make a trend (see Attempt.Format)."""
        return self.filter(format=Attempt.Format.FULL)

    def overdue(self, now: datetime) -> AttemptQuerySet:
        return self.in_progress().filter(deadline__lte=now)

    def running(self, now: datetime) -> AttemptQuerySet:
        """In progress and still before the deadline: answers may still be saved."""
        return self.in_progress().filter(deadline__gt=now)


class Attempt(models.Model):
    """One sitting of a mock exam. The deadline is fixed at start: the server's clock decides."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        FINISHED = "finished", "Finished"
        # Ended by the candidate before submitting: not scored, its answers kept.
        ABANDONED = "abandoned", "Abandoned"

    class Format(models.TextChoices):
        """What the form is drawn like (sizes from the blueprint: ``assembly.format_spec``).

        Scores of every format are on the blueprint's scale, but a short form's score is far
        less precise, so trends (the dashboard's charts, the readiness history) follow full
        exams only; every format's answers still count as evidence per objective.
        """

        FULL = assembly.FULL, "Full exam"
        MINI = assembly.MINI, "Mini mock"
        DOMAIN = assembly.DOMAIN, "Single-domain mock"

    class FinishReason(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Time ran out"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    blueprint = models.ForeignKey(Blueprint, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.FULL)
    # The one domain a single-domain mock is drawn from (empty for the other formats).
    domain = models.ForeignKey(
        "quiz.Domain", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # How many items the form serves (the blueprint's count for a full exam, fewer otherwise).
    item_count = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField(help_text="Seeds the assembly and option shuffles.")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        help_text="Time granted, accommodation included."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    finish_reason = models.CharField(max_length=10, choices=FinishReason.choices, blank=True)
    current_position = models.PositiveSmallIntegerField(default=1)
    # Time on screen per item is measured by the server alone: at each contact from the exam
    # screen (a page, a heartbeat) the time since the previous contact goes to the item that was
    # on screen then (see services.record_presence).
    last_contact_at = models.DateTimeField(null=True, blank=True)
    viewing_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # The form's cut, copied from the blueprint at assembly so a later change of the blueprint
    # does not move an old score.
    cut_fraction = models.DecimalField(max_digits=4, decimal_places=3)
    # The score, stored once when the attempt finishes (pages never recompute it).
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    scored_count = models.PositiveSmallIntegerField(null=True, blank=True)
    results = models.JSONField(
        default=dict, blank=True, help_text="Per-domain and per-objective results."
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One mock in progress per candidate and blueprint: starting again resumes it.
            models.UniqueConstraint(
                fields=["user", "blueprint"],
                condition=Q(status="in_progress"),
                name="quiz_attempt_one_in_progress",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")),
                name="quiz_attempt_deadline_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress", finished_at__isnull=True)
                | Q(status__in=["finished", "abandoned"], finished_at__isnull=False),
                name="quiz_attempt_finished_has_time",
            ),
            # An abandoned mock is never scored.
            models.CheckConstraint(
                condition=~Q(status="abandoned") | Q(scaled_score__isnull=True),
                name="quiz_attempt_abandoned_unscored",
            ),
            # A single-domain mock names its domain; the other formats name none.
            models.CheckConstraint(
                condition=Q(format="domain", domain__isnull=False)
                | (~Q(format="domain") & Q(domain__isnull=True)),
                name="quiz_attempt_domain_format_has_domain",
            ),
            models.CheckConstraint(
                condition=Q(item_count__gte=1), name="quiz_attempt_item_count_positive"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="quiz_attempt_user_status")]
        permissions = [
            # Given explicitly (to a user or a group); being staff or an author is not enough.
            ("read_candidate_results", "Can read any candidate's results and answers"),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint.code} attempt {self.pk} by {self.user}"

    def get_absolute_url(self) -> str:
        if self.is_finished:
            return reverse("quiz:attempt_result", args=[self.pk])
        if self.is_abandoned:
            return self.history_url()
        return reverse("quiz:attempt_question", args=[self.pk, self.current_position])

    def history_url(self) -> str:
        """The candidate's history of this attempt's exam (where an abandoned attempt lives)."""
        return f"{reverse('quiz:history')}?blueprint={self.blueprint.code}"

    @property
    def is_finished(self) -> bool:
        """Submitted or expired, and scored."""
        return self.status == self.Status.FINISHED

    @property
    def is_abandoned(self) -> bool:
        return self.status == self.Status.ABANDONED

    @property
    def is_open(self) -> bool:
        """In progress: neither finished nor abandoned (the deadline may still have passed)."""
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_full_exam(self) -> bool:
        return self.format == self.Format.FULL

    @property
    def format_label(self) -> str:
        """What the candidate reads everywhere the attempt is named: "Mini mock (20 questions)",
        "Single-domain mock: Domain 3, Modeling". Reads ``domain`` (select it with the row)."""
        if self.format == self.Format.MINI:
            return f"Mini mock ({self.item_count} questions)"
        if self.format == self.Format.DOMAIN and self.domain is not None:
            return f"Single-domain mock: Domain {self.domain.number}, {self.domain.title}"
        return "Full mock exam"

    @property
    def short_label(self) -> str:
        """The format in a few words, for the exam screen's bar: "mini mock", "domain 3 mock"."""
        if self.format == self.Format.MINI:
            return "mini mock"
        if self.format == self.Format.DOMAIN and self.domain is not None:
            return f"domain {self.domain.number} mock"
        return "mock exam"

    @property
    def seconds_used(self) -> int | None:
        if self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds())

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.deadline - now).total_seconds()))

    def is_overdue(self, now: datetime) -> bool:
        return now >= self.deadline


# What a candidate's history is read as: (question, objective, correct, when) per answer.
ANSWER_FIELDS = ("version__question_id", "version__objective_id")


class AttemptItemQuerySet(models.QuerySet):
    def answers_of(
        self, *, user: User, blueprint: Blueprint
    ) -> models.QuerySet[Any, tuple[int, int, bool, datetime]]:
        """The candidate's answers in finished mocks, as (question id, objective id, correct,
        finished at) rows: scored items with an answer. An item left blank is not an answer
        (time may have run out), so it neither counts as missed nor moves mastery."""
        return (
            self.filter(
                attempt__user=user,
                attempt__blueprint=blueprint,
                attempt__status=Attempt.Status.FINISHED,
                is_scored=True,
                outcome_correct__isnull=False,
            )
            .exclude(selected=[])
            .values_list(*ANSWER_FIELDS, "outcome_correct", "attempt__finished_at")
        )


class AttemptItem(models.Model):
    """One served item: the exact question version, its option order and the response.

    ``option_order`` lists indices into ``version.choices`` in the order shown; ``selected`` and
    ``struck`` hold indices into ``version.choices`` too (never display positions), so scoring
    compares them with the version's key directly. The answer's shape depends on the type
    (``quiz.exam.responses``): single and multiple response, the chosen options (sorted);
    ordering, the step at each position (``None`` where empty); matching, for each prompt in
    authoring order the index of its chosen response in ``version.responses`` (``None`` where
    none is chosen yet). An unanswered item holds ``[]`` whatever its type. ``revision`` counts
    accepted writes; a write based on an older revision is refused (a stale second tab must not
    win silently).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    is_scored = models.BooleanField(default=True)
    option_order = models.JSONField()
    selected = models.JSONField(default=list)
    struck = models.JSONField(default=list)
    flagged = models.BooleanField(default=False)
    # How many options the item asks for (1, or the key's size for "Choose TWO."), copied from
    # the version at assembly so every screen can tell "incomplete" without reading the version.
    choose = models.PositiveSmallIntegerField(default=1)
    revision = models.PositiveIntegerField(default=0)
    seconds_on_screen = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Stored when the attempt finishes (and by rescore): the outcome and the key it was scored
    # with (indices into version.choices). The answer review shows these, so it agrees with the
    # stored score even after a corrected key was applied to an old attempt.
    outcome_correct = models.BooleanField(null=True, blank=True)
    scored_key = models.JSONField(null=True, blank=True)
    # Set by a regrade (quiz.exam.regrade): the last one that changed this item, and whether it
    # voided the item (then ``is_scored`` is false and the score was rescaled without it).
    regrade = models.ForeignKey(
        "quiz.Regrade", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voided = models.BooleanField(default=False)

    objects = AttemptItemQuerySet.as_manager()

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="quiz_attemptitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["attempt", "version"], name="quiz_attemptitem_unique_version"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="quiz_attemptitem_position"),
        ]

    def __str__(self) -> str:
        return f"Item {self.position} of attempt {self.attempt_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.selected)

    @property
    def is_complete(self) -> bool:
        """Answered with as many options as the item asks for."""
        return item_state(self.selected, self.choose) == ItemState.ANSWERED

    @property
    def state(self) -> str:
        return item_state(self.selected, self.choose)


class ItemState(models.TextChoices):
    """The one notion of an item's state on every exam screen (navigator, review, submit)."""

    UNANSWERED = "unanswered", "Unanswered"
    INCOMPLETE = "incomplete", "Incomplete"
    ANSWERED = "answered", "Answered"


def item_state(selected, choose: int) -> str:
    """Unanswered (nothing chosen), incomplete (fewer than asked), or answered.

    One notion for every type: ``choose`` is how many options a multiple-response item asks
    for, or how many positions an ordering item has, or how many prompts a matching item has;
    an ordering or matching answer holds ``None`` where a position or prompt is still empty.
    """
    filled = sum(1 for entry in selected or () if entry is not None)
    if not filled:
        return ItemState.UNANSWERED
    if filled < choose:
        return ItemState.INCOMPLETE
    return ItemState.ANSWERED
