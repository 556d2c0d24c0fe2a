"""The question bank: blueprints (the exam's facts as data) and versioned questions."""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import IntegerField, Q, Value
from django.urls import reverse

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.bank.markdown import render_inline, render_text
from quiz.bank.rules import (
    HTML,
    MARKDOWN,
    MAX_ID_LENGTH,
    MULTIPLE,
    OPTION_LETTERS,
    PLAIN,
    SINGLE,
    ChoiceData,
    QuestionData,
    choose_hint,
    id_problems,
    normalise_newlines,
)
from quiz.exam.assembly import SAMPLE_KEY_SPACE, Candidate, ranked_for_candidate


class BlueprintQuerySet(models.QuerySet):
    def default(self) -> Blueprint | None:
        """The exam a candidate gets when none is named: MLS-C01, or else the first there is."""
        return self.filter(code=DEFAULT_BLUEPRINT_CODE).first() or self.order_by("code").first()


class Blueprint(models.Model):
    """An exam's format: how many items, how long, and how the score is reported."""

    code = models.CharField(max_length=20, unique=True, help_text="For example MLS-C01.")
    name = models.CharField(max_length=200)
    question_count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    accommodation_minutes = models.PositiveSmallIntegerField(default=30)
    score_min = models.PositiveSmallIntegerField(default=100)
    score_max = models.PositiveSmallIntegerField(default=1000)
    pass_score = models.PositiveSmallIntegerField(default=750)
    cut_fraction = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.722"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.999"))],
        help_text="Share of scored items a candidate needs to reach the pass score.",
    )
    max_unscored_items = models.PositiveSmallIntegerField(
        default=15, help_text="At most this many pretest (unscored) items per form."
    )

    objects = BlueprintQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_min__lt=models.F("pass_score"))
                & Q(pass_score__lte=models.F("score_max")),
                name="quiz_blueprint_pass_score_within_scale",
            ),
            models.CheckConstraint(
                condition=Q(cut_fraction__gt=0) & Q(cut_fraction__lt=1),
                name="quiz_blueprint_cut_fraction_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(max_unscored_items__lt=models.F("question_count")),
                name="quiz_blueprint_unscored_fewer_than_items",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def clean(self) -> None:
        if self.score_min >= self.pass_score or self.pass_score > self.score_max:
            raise ValidationError(
                "The pass score must lie above the minimum and at most the maximum score.",
                code="pass_score_outside_scale",
            )


class Domain(models.Model):
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="domains")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of scored items, in percent.",
    )

    class Meta:
        ordering = ["blueprint", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint", "number"], name="quiz_domain_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="quiz_domain_weight_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"Domain {self.number}: {self.title}"


class Objective(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=10, help_text="For example 1.2.")
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["domain__blueprint", "domain__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="quiz_objective_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


def validate_external_id(value: str) -> None:
    """The bank's one id rule (``quiz.bank.rules.id_problems``), as a model field validator."""
    for problem in id_problems(value):
        raise ValidationError(problem.message, code=problem.code)


class QuestionQuerySet(models.QuerySet):
    def for_blueprint(self, blueprint: Blueprint) -> QuestionQuerySet:
        return self.filter(objective__domain__blueprint=blueprint)

    def assembly_pools(
        self, *, blueprint: Blueprint, user, seed: int
    ) -> tuple[list[Candidate], list[Candidate]]:
        """The candidates assembly needs from the bank: (scored pool, pretest pool).

        Never reads or sorts the whole bank. Per objective, two index range scans take a run of
        up to a whole form's worth of unseen published questions from a seeded random point of
        the questions' ``sample_key`` order (wrapping round); on PostgreSQL all scans go in one
        UNION ALL query. The questions this candidate has seen (``SeenQuestion``) come in one
        more query, ranked by how recently. Neither the number nor the size of the queries
        depends on the size of the bank or of the candidate's history, and at most
        ``2 × objectives × question_count + questions seen`` rows leave the database.
        """
        rng = random.Random(seed)
        fields = (
            "current_version_id",
            "pk",
            "objective_id",
            "objective__domain__number",
            "current_version__option_count",
            "current_version__type",
        )
        servable = self.for_blueprint(blueprint).filter(current_version__isnull=False)
        # NOT IN a subquery, which PostgreSQL hashes once per scan, rather than NOT EXISTS: a
        # planner that underestimates a candidate's history turns NOT EXISTS into a nested loop
        # that compares every question read with every question seen (80 ms a scan, seen here).
        seen = SeenQuestion.objects.filter(user=user).values("question_id")
        seen_rows = list(
            SeenQuestion.objects.filter(
                user=user,
                question__objective__domain__blueprint=blueprint,
                question__current_version__isnull=False,
                question__status__in=[Question.Status.PUBLISHED, Question.Status.PRETEST],
            ).values_list(
                *(f"question__{field}" for field in fields), "question__status", "last_seen_at"
            )
        )
        last_seen = {row[1]: row[-1] for row in seen_rows}

        def candidates(rows) -> list[Candidate]:
            return ranked_for_candidate(
                (
                    Candidate(
                        version_id,
                        question_id,
                        objective_id,
                        domain,
                        options,
                        is_multiple=kind == MULTIPLE,
                    )
                    for version_id, question_id, objective_id, domain, options, kind in rows
                ),
                last_seen=last_seen,
                seed=seed,
            )

        def scans(queryset, limit: int) -> tuple:
            """From a random point of the sample-key order: the run up to the end, and the run from
            the start (the wrap-round). Both are index range scans of at most ``limit`` rows."""
            start = rng.randrange(SAMPLE_KEY_SPACE)
            ordered = queryset.order_by("sample_key", "pk").values_list(*fields)
            return (
                ordered.filter(sample_key__gte=start)[:limit],
                ordered.filter(sample_key__lt=start)[:limit],
                limit,
            )

        unseen = servable.exclude(pk__in=seen)
        objectives = Objective.objects.filter(domain__blueprint=blueprint).order_by("pk")
        groups = [
            scans(
                unseen.filter(objective_id=objective_id, status=Question.Status.PUBLISHED),
                blueprint.question_count,
            )
            for objective_id in objectives.values_list("pk", flat=True)
        ]
        groups.append(
            scans(unseen.filter(status=Question.Status.PRETEST), blueprint.max_unscored_items)
        )
        results = _run_scans([part for head, tail, _ in groups for part in (head, tail)])
        runs = [
            (results[2 * number] + results[2 * number + 1])[:limit]
            for number, (_, _, limit) in enumerate(groups)
        ]
        scored_rows = [row for rows in runs[:-1] for row in rows]
        pretest_rows = list(runs[-1])
        for *row, status, _ in seen_rows:
            target = scored_rows if status == Question.Status.PUBLISHED else pretest_rows
            target.append(tuple(row))
        return candidates(scored_rows), candidates(pretest_rows)


def _run_scans(querysets: list) -> list[list]:
    """Run the scans: in one UNION ALL query where the database allows ordered, limited parts
    (PostgreSQL), else one query each (SQLite). Returns each scan's rows, in order."""
    if not connection.features.supports_slicing_ordering_in_compound:
        return [list(queryset) for queryset in querysets]
    tagged = [
        queryset.annotate(scan=Value(number, output_field=IntegerField()))
        for number, queryset in enumerate(querysets)
    ]
    results: list[list] = [[] for _ in querysets]
    for *row, number in tagged[0].union(*tagged[1:], all=True):
        results[number].append(tuple(row))
    return results


SAMPLE_KEY_LIMIT = 2**31


def random_sample_key() -> int:
    """A random position for the question in its objective's sampling order (see assembly)."""
    return secrets.randbelow(SAMPLE_KEY_LIMIT)


class Question(models.Model):
    """A question as authors edit it. Candidates are served its immutable ``QuestionVersion``.

    Editing never changes what an attempt served: every change of content makes a new version
    (see ``snapshot()``), and attempts point at the version they served.
    """

    class Type(models.TextChoices):
        SINGLE = SINGLE, "Single response (1 of 4 or more)"
        MULTIPLE = MULTIPLE, "Multiple response (2 or more correct)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PRETEST = "pretest", "Pretest (unscored)"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Difficulty(models.TextChoices):
        EASY = "easy", "Easy"
        MEDIUM = "medium", "Medium"
        HARD = "hard", "Hard"

    class TextFormat(models.TextChoices):
        MARKDOWN = MARKDOWN, "Markdown"
        HTML = HTML, "HTML (as imported from Moodle)"
        PLAIN = PLAIN, "Plain text"

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="questions")
    external_id = models.CharField(
        max_length=MAX_ID_LENGTH,
        unique=True,
        validators=[validate_external_id],
        help_text="A stable id for import and export round-trips, e.g. mls-1.2-004: lowercase "
        "letters and digits with single '.', '-' or '_' between them.",
    )
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SINGLE)
    text_format = models.CharField(
        "text format",
        max_length=10,
        choices=TextFormat.choices,
        default=TextFormat.MARKDOWN,
        help_text="How the stem, options, rationales and explanation are written.",
    )
    stem = models.TextField(help_text='Markdown. Do not type "(Choose TWO.)": it is derived.')
    explanation = models.TextField(blank=True, help_text="Markdown: why the key is right.")
    references = models.TextField(blank=True, help_text="One http(s) URL per line.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    difficulty = models.CharField(
        max_length=10,
        choices=Difficulty.choices,
        blank=True,
        help_text="The author's estimate, until item statistics measure it.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_questions",
    )
    current_version = models.ForeignKey(
        "QuestionVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Provenance (see quiz.bank.importers.load): the file that last wrote this question and the
    # state it wrote. A file may replace the question only while the bank still holds that state;
    # a change made in the app (an edit, a retirement) makes them differ, and imports keep it.
    source = models.CharField(
        max_length=255, blank=True, editable=False, help_text="The file that last wrote it."
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Assembly reads a run of questions from a random point of this order with an index range
    # scan, so drawing a form never sorts (or reads) the whole bank.
    sample_key = models.PositiveIntegerField(default=random_sample_key, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["external_id"]
        indexes = [
            models.Index(fields=["objective", "status"], name="quiz_question_obj_status"),
            models.Index(fields=["objective", "status", "sample_key"], name="quiz_question_sample"),
        ]

    def __str__(self) -> str:
        return self.external_id

    def save(self, *args, **kwargs) -> None:
        # Every way of writing a question goes through here, so the id rule holds for all.
        for problem in id_problems(self.external_id):
            raise ValidationError({"external_id": ValidationError(problem.message, problem.code)})
        self.stem = normalise_newlines(self.stem)
        self.explanation = normalise_newlines(self.explanation)
        self.references = normalise_newlines(self.references)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:quiz_question_change", args=[self.pk])

    @property
    def reference_list(self) -> list[str]:
        return [line.strip() for line in self.references.splitlines() if line.strip()]

    def content(self, choices=None) -> QuestionData:
        """The authored content as plain values (what the rules and the exporters read)."""
        choices = self.choices.all() if choices is None else choices
        return QuestionData(
            type=self.type,
            stem=self.stem,
            choices=[
                ChoiceData(text=c.text, correct=c.is_correct, rationale=c.rationale)
                for c in choices
            ],
            explanation=self.explanation,
            references=self.reference_list,
            text_format=self.text_format,
        )

    def state_hash(self, choices=None) -> str:
        """A digest of everything an import writes: content, objective, status and difficulty.

        Compared with ``source_hash`` it tells whether the question was changed in the app since
        its source last wrote it.
        """
        return state_hash(
            self.content(choices),
            objective_id=self.objective_id,
            status=self.status,
            difficulty=self.difficulty,
        )

    @transaction.atomic
    def snapshot(self) -> QuestionVersion:
        """Make the current content the served version, creating a version only if it changed.

        Versions are never updated: an attempt that served version 3 shows and scores version 3
        forever, whatever authors do to the question afterwards.
        """
        content = self.content()
        payload = _content_payload(content, objective_id=self.objective_id)
        fmt = content.text_format
        digest = hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        version = self.versions.filter(content_hash=digest).first()
        if version is None:
            last = self.versions.order_by("-number").values_list("number", flat=True).first()
            version = QuestionVersion.objects.create(
                question=self,
                number=(last or 0) + 1,
                content_hash=digest,
                objective_id=self.objective_id,
                type=content.type,
                stem_html=render_text(content.stem, fmt),
                explanation_html=render_text(content.explanation, fmt),
                references=content.references,
                choices=[
                    {
                        "html": render_inline(c.text, fmt),
                        "correct": c.correct,
                        "rationale_html": render_text(c.rationale, fmt),
                    }
                    for c in content.choices
                ],
                option_count=len(content.choices),
                source=payload,
            )
        if self.current_version_id != version.pk:
            self.current_version = version
            Question.objects.filter(pk=self.pk).update(current_version=version)
        return version


def _content_payload(content: QuestionData, *, objective_id) -> dict:
    payload = {
        "objective": objective_id,
        "type": content.type,
        "stem": content.stem,
        "explanation": content.explanation,
        "references": content.references,
        "choices": [
            {"text": c.text, "correct": c.correct, "rationale": c.rationale}
            for c in content.choices
        ],
    }
    # Markdown, the bank's own format, is left out, so versions made before formats existed
    # keep their hash (and re-importing them makes no new version).
    if content.text_format != MARKDOWN:
        payload["format"] = content.text_format
    return payload


def state_hash(content: QuestionData, *, objective_id, status: str, difficulty: str) -> str:
    """The digest of a question's whole imported state (see ``Question.state_hash``)."""
    payload = {
        **_content_payload(content, objective_id=objective_id),
        "status": status,
        "difficulty": difficulty,
    }
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(help_text="Markdown.")
    is_correct = models.BooleanField("correct", default=False)
    rationale = models.TextField(blank=True, help_text="Why this option is right or wrong.")

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs) -> None:
        self.text = normalise_newlines(self.text)
        self.rationale = normalise_newlines(self.rationale)
        super().save(*args, **kwargs)


class QuestionVersion(models.Model):
    """An immutable snapshot of a question's content, rendered to HTML once.

    ``choices`` is a list of ``{"html", "correct", "rationale_html"}`` in authoring order; an
    attempt stores indices into it.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=10, choices=Question.Type.choices)
    stem_html = models.TextField()
    explanation_html = models.TextField(blank=True)
    references = models.JSONField(default=list)
    choices = models.JSONField()
    option_count = models.PositiveSmallIntegerField(
        help_text="len(choices), kept as a column so assembly never reads the JSON."
    )
    source = models.JSONField(help_text="The authored Markdown this version was rendered from.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="quiz_questionversion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["question", "content_hash"], name="quiz_questionversion_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.pop("force_rewrite", False):
            raise ValidationError("A question version is immutable.", code="version_immutable")
        super().save(*args, **kwargs)

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, choice in enumerate(self.choices) if choice["correct"])

    @property
    def choose_hint(self) -> str:
        """ "Choose TWO." for multiple response; empty for single response."""
        if self.type != MULTIPLE:
            return ""
        return choose_hint(len(self.correct_indices))

    @property
    def max_selections(self) -> int:
        return len(self.correct_indices) if self.type == MULTIPLE else 1

    def options_shown(
        self,
        option_order=None,
        *,
        selected=(),
        struck=(),
        reveal_key: bool = False,
        key: Iterable[int] | None = None,
    ) -> list[dict]:
        """The options in the order a candidate sees them (A, B, …), with their state.

        The key and the rationales are included only with ``reveal_key``: pages served during an
        exam never carry them, not even in attributes. ``key`` (indices into ``choices``) is the
        key an attempt was scored with, where that differs from the version's (a corrected key).
        """
        order = range(len(self.choices)) if option_order is None else option_order
        key = self.correct_indices if key is None else frozenset(key)
        options = []
        for shown, original in enumerate(order):
            choice = self.choices[original]
            options.append(
                {
                    "position": shown,
                    "letter": OPTION_LETTERS[shown],
                    "html": choice["html"],
                    "checked": original in selected,
                    "struck": original in struck,
                    "is_key": reveal_key and original in key,
                    "rationale_html": choice["rationale_html"] if reveal_key else "",
                }
            )
        return options


class SeenQuestion(models.Model):
    """A question a candidate has been served in a mock exam, and when last.

    Assembly prefers questions a candidate has never seen, then those seen longest ago. It reads
    this (one row per question, written when a mock starts) rather than every item of every
    earlier attempt, so that starting a mock costs the same after the fiftieth attempt as after
    the first.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="quiz_seenquestion_unique")
        ]

    def __str__(self) -> str:
        return f"Question {self.question_id} seen by user {self.user_id}"
