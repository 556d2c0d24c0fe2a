"""The question bank: blueprints (the exam's facts as data) and versioned questions."""

from __future__ import annotations

import hashlib
import html
import json
import math
import random
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.html import strip_tags

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.bank.markdown import render_inline, render_text
from quiz.bank.rules import (
    HTML,
    MARKDOWN,
    MATCHING,
    MAX_ID_LENGTH,
    MAX_LENGTHS,
    MULTIPLE,
    OPTION_LETTERS,
    ORDERING,
    PLAIN,
    SEQUENCE_TYPES,
    SINGLE,
    CaseData,
    ChoiceData,
    QuestionData,
    choose_hint,
    id_problems,
    match_index,
    normalise_newlines,
)
from quiz.exam.assembly import SAMPLE_KEY_SPACE, Candidate, ranked_for_candidate
from quiz.exam.responses import shown_answer


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
    # What candidates read about the exam's standing where they choose it and on its start page.
    status_note = models.CharField(
        max_length=300,
        blank=True,
        help_text='Shown to candidates, e.g. "Retired on 31 March 2026." State only what the '
        "source says. Leave blank for an exam with nothing to report.",
    )
    status_source = models.URLField(
        blank=True, help_text="Where the status note comes from (shown as its source link)."
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
        # A source with nothing to show it for would be a bare link on the candidates' pages.
        if self.status_source and not self.status_note.strip():
            raise ValidationError(
                {
                    "status_note": ValidationError(
                        "Write the note this source supports.", code="source_without_note"
                    )
                }
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

    def servable_counts(self, blueprint: Blueprint) -> tuple[dict[int, int], int]:
        """(published questions per domain number, pretest questions) that assembly may serve
        for ``blueprint``, in one query: what a start page compares with one form's needs."""
        rows = (
            self.for_blueprint(blueprint)
            .filter(
                current_version__isnull=False,
                status__in=[Question.Status.PUBLISHED, Question.Status.PRETEST],
            )
            .values_list("objective__domain__number", "status")
            .annotate(count=models.Count("pk"))
            .order_by()
        )
        published: dict[int, int] = {}
        pretest = 0
        for number, status, count in rows:
            if status == Question.Status.PUBLISHED:
                published[number] = published.get(number, 0) + count
            else:
                pretest += count
        return published, pretest

    def assembly_pools(
        self, *, blueprint: Blueprint, user, seed: int, domain_number: int | None = None
    ) -> tuple[list[Candidate], list[Candidate]]:
        """The candidates assembly needs from the bank: (scored pool, pretest pool).

        With ``domain_number``, the scans read that domain only (a single-domain mock).

        Never reads or sorts the whole bank. Per objective, two index range scans take a run of
        up to its domain's share of a form of unseen published questions from a seeded random
        point of the questions' ``sample_key`` order (wrapping round); pretest questions, as
        one run over the form's objectives. On PostgreSQL all scans go in one query
        (``_lateral_scans``). The questions this candidate has seen (``SeenQuestion``) come in
        one more query, ranked by how recently, and the unseen published questions of case
        studies in one more (whole cases: a scan could cut one in two). Neither the number nor
        the size of the queries depends on the size of the bank or of the candidate's history,
        and at most ``2 × objectives × (question_count + max_unscored_items) + questions seen +
        case questions`` rows leave the database.
        """
        rng = random.Random(seed)
        # Each objective's domain comes from this one small query, so the scans join nothing
        # but the served version.
        objectives = list(
            Objective.objects.filter(domain__blueprint=blueprint)
            .order_by("pk")
            .values_list("pk", "domain__number", "domain__weight")
        )
        domain_of = {pk: number for pk, number, _ in objectives}
        # No objective serves more items than its domain's share of a whole form, rounded up
        # (largest-remainder counts never exceed their quota rounded up, and the scored total is
        # at most the form's), so no scan reads more; what a scan reads beyond the items chosen
        # is there for the type balance to swap in.
        weights = {number: weight for _, number, weight in objectives}
        most = {
            number: math.ceil(blueprint.question_count * weight / sum(weights.values()))
            for number, weight in weights.items()
        }
        scanned = [pk for pk, number in domain_of.items() if domain_number in (None, number)]
        # Seen questions and case questions are read over the whole blueprint: assembly keeps
        # only what its form's domains hold, and a case is asked whole or not at all.
        seen_rows = list(
            SeenQuestion.objects.filter(
                user=user,
                question__objective_id__in=list(domain_of),
                question__current_version__isnull=False,
                question__status__in=[Question.Status.PUBLISHED, Question.Status.PRETEST],
            ).values_list(
                *(f"question__{field}" for field in SCAN_FIELDS),
                "question__status",
                "last_seen_at",
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
                        domain_of[objective_id],
                        options,
                        is_multiple=kind == MULTIPLE,
                        case_id=case,
                        case_position=case_position or 0,
                    )
                    for (
                        version_id,
                        question_id,
                        objective_id,
                        options,
                        kind,
                        case,
                        case_position,
                    ) in rows
                ),
                last_seen=last_seen,
                seed=seed,
            )

        # Each scan: (objectives, status, random start in the sample-key order, rows wanted).
        scans = [
            (
                [objective_id],
                Question.Status.PUBLISHED,
                rng.randrange(SAMPLE_KEY_SPACE),
                most[domain_of[objective_id]],
            )
            for objective_id in scanned
        ]
        scans.append(
            (
                scanned,
                Question.Status.PRETEST,
                rng.randrange(SAMPLE_KEY_SPACE),
                blueprint.max_unscored_items,
            )
        )
        if connection.vendor == "postgresql":
            runs = _lateral_scans(scans, user)
        else:
            runs = _scans_one_by_one(self, scans, user)
        # The case studies' unseen published questions: a small part of any bank.
        unseen_case_rows = list(
            self.filter(
                objective_id__in=list(domain_of),
                current_version__isnull=False,
                case__isnull=False,
                status=Question.Status.PUBLISHED,
            )
            .exclude(pk__in=SeenQuestion.objects.filter(user=user).values("question_id"))
            .order_by("pk")
            .values_list(*SCAN_FIELDS)
        )
        scored_rows = [row for rows in runs[:-1] for row in rows] + unseen_case_rows
        pretest_rows = list(runs[-1])
        for *row, status, _ in seen_rows:
            target = scored_rows if status == Question.Status.PUBLISHED else pretest_rows
            target.append(tuple(row))
        return candidates(scored_rows), candidates(pretest_rows)


# What a scan returns per question, in this order (the columns of both ways to run the scans).
SCAN_FIELDS = (
    "current_version_id",
    "pk",
    "objective_id",
    "current_version__option_count",
    "current_version__type",
    "case_id",
    "case_position",
)


def _scans_one_by_one(queryset, scans: list[tuple], user) -> list[list[tuple]]:
    """The scans of ``assembly_pools``, two ORM queries each (the run from the start, and the
    wrap-round): where the database has no LATERAL (SQLite). Same result as ``_lateral_scans``."""
    seen = SeenQuestion.objects.filter(user=user).values("question_id")
    unseen = queryset.filter(current_version__isnull=False).exclude(pk__in=seen)
    runs = []
    for objectives, status, start, limit in scans:
        # A case study's questions are read whole, apart from the scans.
        ordered = (
            unseen.filter(objective_id__in=objectives, status=status, case__isnull=True)
            .order_by("sample_key", "pk")
            .values_list(*SCAN_FIELDS)
        )
        head = list(ordered.filter(sample_key__gte=start)[:limit])
        runs.append((head + list(ordered.filter(sample_key__lt=start)[:limit]))[:limit])
    return runs


def _lateral_scans(scans: list[tuple], user) -> list[list[tuple]]:
    """Every scan of ``assembly_pools`` in one PostgreSQL query: the scans' parameters go in as
    arrays, and a LATERAL subquery per (objective, status, side of the start) is one range scan
    of the ``quiz_question_sample`` index. Returns each scan's rows, in sample-key order from
    its start, wrapping round, at most its limit.

    One plain statement instead of the 32-part UNION ALL the ORM builds: Django spent about
    15 ms compiling that, and PostgreSQL 25-40 ms planning it, each time a mock started (more
    than it took to run); this one is planned in well under a millisecond. A scan over several
    objectives (the pretest run) is split into one scan per objective here and merged back, in
    sample-key order, in Python: the first ``limit`` rows of the merge are the first ``limit``
    of the whole run.
    """
    parts = []  # (scan number, objective, status, low, high, limit)
    for number, (objectives, status, start, limit) in enumerate(scans):
        for objective_id in objectives:
            parts.append((number, objective_id, str(status), start, SAMPLE_KEY_SPACE, limit, 0))
            parts.append((number, objective_id, str(status), 0, start, limit, 1))
    # NOT IN a subquery, which PostgreSQL hashes once, rather than NOT EXISTS: a planner that
    # underestimates a candidate's history turns NOT EXISTS into a nested loop that compares
    # every question read with every question seen (80 ms a scan, seen here).
    question = Question._meta.db_table
    version = QuestionVersion._meta.db_table
    seen = SeenQuestion._meta.db_table
    sql = f"""
        SELECT part.scan, part.side, found.sample_key, found.id,
               found.current_version_id, found.id, found.objective_id,
               v.option_count, v.type, found.case_id, found.case_position
        FROM unnest(%s::int[], %s::bigint[], %s::text[], %s::bigint[], %s::bigint[], %s::int[],
                    %s::int[])
             AS part(scan, objective_id, status, low, high, lim, side)
        CROSS JOIN LATERAL (
            SELECT q.id, q.current_version_id, q.objective_id, q.sample_key, q.case_id,
                   q.case_position
            FROM {question} q
            WHERE q.objective_id = part.objective_id AND q.status = part.status
              AND q.case_id IS NULL
              AND q.sample_key >= part.low AND q.sample_key < part.high
              AND q.current_version_id IS NOT NULL
              AND q.id NOT IN (SELECT s.question_id FROM {seen} s WHERE s.user_id = %s)
            ORDER BY q.sample_key, q.id
            LIMIT part.lim
        ) AS found
        JOIN {version} v ON v.id = found.current_version_id
    """  # noqa: S608 - table names from the models; every value is a parameter
    columns = [list(column) for column in zip(*parts, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*columns, user.pk])
        rows = cursor.fetchall()
    rows.sort(key=lambda row: row[:4])  # scan, head before wrap-round, sample key, id
    runs: list[list[tuple]] = [[] for _ in scans]
    for scan, _, _, _, *row in rows:
        runs[scan].append(tuple(row))
    return [run[: scans[number][3]] for number, run in enumerate(runs)]


SAMPLE_KEY_LIMIT = 2**31


def random_sample_key() -> int:
    """A random position for the question in its objective's sampling order (see assembly)."""
    return secrets.randbelow(SAMPLE_KEY_LIMIT)


def leave_case(collector, field, sub_objs, using) -> None:
    """``on_delete`` of ``Question.case``: a deleted case's questions leave it, position and
    all (plain SET_NULL would keep a stale position). The two columns are cleared by two
    updates, so the model's check asks only that a question in a case has a position."""
    collector.add_field_update(field, None, sub_objs)
    collector.add_field_update(sub_objs[0]._meta.get_field("case_position"), None, sub_objs)


class Question(models.Model):
    """A question as authors edit it. Candidates are served its immutable ``QuestionVersion``.

    Editing never changes what an attempt served: every change of content makes a new version
    (see ``snapshot()``), and attempts point at the version they served.
    """

    class Type(models.TextChoices):
        SINGLE = SINGLE, "Single response (1 of 4 or more)"
        MULTIPLE = MULTIPLE, "Multiple response (2 or more correct)"
        ORDERING = ORDERING, "Ordering (3 to 5 steps)"
        MATCHING = MATCHING, "Matching (3 to 7 prompts)"

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
    responses = models.TextField(
        blank=True,
        help_text="Matching only: the responses a candidate chooses from, one per line (every "
        "prompt's match, and one or two distractors).",
    )
    # A case study's questions share its scenario and are asked together, in case_position
    # order. A question belongs to at most one case: one foreign key says so.
    case = models.ForeignKey(
        "CaseStudy",
        on_delete=leave_case,
        null=True,
        blank=True,
        related_name="questions",
    )
    case_position = models.PositiveSmallIntegerField(null=True, blank=True)
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
        constraints = [
            models.UniqueConstraint(
                fields=["case", "case_position"], name="quiz_question_unique_case_position"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(case_position__isnull=False),
                name="quiz_question_case_has_position",
            ),
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
        self.responses = normalise_newlines(self.responses)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:quiz_question_change", args=[self.pk])

    @property
    def reference_list(self) -> list[str]:
        return [line.strip() for line in self.references.splitlines() if line.strip()]

    @property
    def response_list(self) -> list[str]:
        return [line.strip() for line in self.responses.splitlines() if line.strip()]

    def content(self, choices=None) -> QuestionData:
        """The authored content as plain values (what the rules and the exporters read)."""
        choices = self.choices.all() if choices is None else choices
        return QuestionData(
            type=self.type,
            stem=self.stem,
            choices=[
                ChoiceData(text=c.text, correct=c.is_correct, rationale=c.rationale, match=c.match)
                for c in choices
            ],
            explanation=self.explanation,
            references=self.reference_list,
            text_format=self.text_format,
            responses=self.response_list,
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
        # The scenario shown above a case's question is part of what it served: a change of the
        # scenario (or of the question's case) makes a new version of the question.
        case_version = self.case.case_version() if self.case is not None else None
        if case_version is not None:
            payload["case"] = case_version.content_hash
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
                        **(
                            {"match": match_index(content, c.match)}
                            if content.type == MATCHING
                            else {}
                        ),
                    }
                    for c in content.choices
                ],
                responses=[{"html": render_inline(r, fmt)} for r in content.responses],
                option_count=len(content.choices),
                case_version=case_version,
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
            {
                "text": c.text,
                "correct": c.correct,
                "rationale": c.rationale,
                **({"match": c.match} if content.type == MATCHING else {}),
            }
            for c in content.choices
        ],
    }
    # Markdown, the bank's own format, is left out, so versions made before formats existed
    # keep their hash (and re-importing them makes no new version); so are the parts only the
    # newer types have.
    if content.text_format != MARKDOWN:
        payload["format"] = content.text_format
    if content.responses:
        payload["responses"] = content.responses
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
    match = models.TextField(
        blank=True,
        help_text="Matching only: the text of the response this prompt matches.",
    )

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs) -> None:
        self.text = normalise_newlines(self.text)
        self.rationale = normalise_newlines(self.rationale)
        self.match = normalise_newlines(self.match).strip()
        super().save(*args, **kwargs)


class QuestionVersion(models.Model):
    """An immutable snapshot of a question's content, rendered to HTML once.

    ``choices`` is a list of ``{"html", "correct", "rationale_html"}`` in authoring order; an
    attempt stores indices into it. For ordering they are the steps in the right order; for
    matching the prompts, each with ``"match"``: the index of its response in ``responses``
    (a list of ``{"html"}``). ``case_version`` is the case study (scenario) shown above it.
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
    responses = models.JSONField(default=list, blank=True)
    case_version = models.ForeignKey(
        "CaseVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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
    def key(self) -> tuple[int, ...]:
        """The key as answers are compared with it (``quiz.exam.responses``): the correct
        options, sorted; for ordering every step in authoring order; for matching each
        prompt's response."""
        if self.type == ORDERING:
            return tuple(range(len(self.choices)))
        if self.type == MATCHING:
            return tuple(choice["match"] for choice in self.choices)
        return tuple(sorted(self.correct_indices))

    @property
    def choose_hint(self) -> str:
        """ "Choose TWO." for multiple response; empty for the other types."""
        if self.type != MULTIPLE:
            return ""
        return choose_hint(len(self.correct_indices))

    @property
    def max_selections(self) -> int:
        """How many entries a complete answer has (``AttemptItem.choose``): the key's size for
        multiple response, every step or prompt for ordering and matching, else 1."""
        if self.type in SEQUENCE_TYPES:
            return len(self.choices)
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

    def shown(
        self,
        option_order=None,
        *,
        selected=(),
        struck=(),
        reveal_key: bool = False,
        key: Iterable[int] | None = None,
    ) -> dict:
        """What a screen shows to answer (or review) the item, by type: ``options`` for single
        and multiple response (see ``options_shown``), ``steps`` for ordering, ``prompts`` and
        ``responses`` for matching. The same rule holds: no key, rationale or right place
        without ``reveal_key``."""
        order = list(range(len(self.choices))) if option_order is None else list(option_order)
        key = list(self.key if key is None else key)
        if self.type == ORDERING:
            return {"steps": self._steps(order, selected, reveal_key, key)}
        if self.type == MATCHING:
            return {
                "prompts": self._prompts(order, selected, reveal_key, key),
                "responses": self.responses_shown,
            }
        return {
            "options": self.options_shown(
                order, selected=selected, struck=struck, reveal_key=reveal_key, key=key
            )
        }

    def _steps(self, order, selected, reveal_key, key) -> list[dict]:
        """Each step as shown (its form field is ``step-<position>``), with its place in the
        candidate's order (1-based; None while unplaced), listed as the candidate arranged them:
        placed steps by place, then the rest as shown."""
        places = shown_answer(ORDERING, selected, option_order=order)
        steps = []
        for shown, original in enumerate(order):
            choice = self.choices[original]
            place = places[shown]
            steps.append(
                {
                    "position": shown,
                    "html": choice["html"],
                    "text": plain_text(choice["html"]),
                    "place": None if place is None else place + 1,
                    "key_place": key.index(original) + 1 if reveal_key else None,
                    "rationale_html": choice["rationale_html"] if reveal_key else "",
                }
            )
        steps.sort(key=lambda s: (s["place"] is None, s["place"] or 0, s["position"]))
        return steps

    def _prompts(self, order, selected, reveal_key, key) -> list[dict]:
        """Each prompt as shown (its form field is ``prompt-<position>``), with the index of the
        response the candidate chose (None: none yet)."""
        chosen = shown_answer(MATCHING, selected, option_order=order)
        responses = self.responses_shown
        prompts = []
        for shown, original in enumerate(order):
            choice = self.choices[original]
            right = key[original] if reveal_key else None
            prompts.append(
                {
                    "position": shown,
                    "html": choice["html"],
                    "chosen": chosen[shown],
                    "chosen_response": None if chosen[shown] is None else responses[chosen[shown]],
                    "key_response": None if right is None else responses[right],
                    "is_right": reveal_key and chosen[shown] == right,
                    "rationale_html": choice["rationale_html"] if reveal_key else "",
                }
            )
        return prompts

    @property
    def responses_shown(self) -> list[dict]:
        """A matching item's responses, lettered A, B, … in authoring order; ``text`` is the
        plain text a ``<select>``'s options can carry."""
        return [
            {
                "index": index,
                "letter": OPTION_LETTERS[index],
                "html": response["html"],
                "text": plain_text(response["html"]),
            }
            for index, response in enumerate(self.responses)
        ]


def plain_text(rendered: str) -> str:
    """What a reader sees of rendered inline HTML, as text (a ``<select>`` option holds no
    markup); escaped again when a template prints it."""
    return html.unescape(strip_tags(rendered)).strip()


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


class CaseStudy(models.Model):
    """A scenario shared by several questions of one blueprint, asked together and in order
    (``Question.case`` and ``case_position``); each question is scored on its own.

    Candidates are served the scenario of an immutable ``CaseVersion``, through the question
    versions that showed it.
    """

    external_id = models.CharField(
        max_length=MAX_ID_LENGTH,
        unique=True,
        validators=[validate_external_id],
        help_text="A stable id for import and export round-trips, e.g. mla-case-01.",
    )
    blueprint = models.ForeignKey(Blueprint, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=MAX_LENGTHS["case_title"])
    scenario = models.TextField(help_text="Shown above each of the case's questions.")
    text_format = models.CharField(
        "text format", max_length=10, choices=Question.TextFormat.choices, default=MARKDOWN
    )
    current_version = models.ForeignKey(
        "CaseVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Provenance, as for questions (quiz.bank.importers.load).
    source = models.CharField(max_length=255, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.external_id

    def save(self, *args, **kwargs) -> None:
        for problem in id_problems(self.external_id):
            raise ValidationError({"external_id": ValidationError(problem.message, problem.code)})
        self.title = normalise_newlines(self.title).strip()
        self.scenario = normalise_newlines(self.scenario)
        super().save(*args, **kwargs)

    def content(self, question_ids: list[str] | None = None) -> CaseData:
        if question_ids is None:
            question_ids = list(
                self.questions.order_by("case_position").values_list("external_id", flat=True)
            )
        return CaseData(
            external_id=self.external_id,
            title=self.title,
            scenario=self.scenario,
            question_ids=question_ids,
            text_format=self.text_format,
        )

    def state_hash(self, question_ids: list[str] | None = None) -> str:
        """A digest of everything an import writes of the case (title, scenario, questions)."""
        content = self.content(question_ids)
        return _digest({**_case_payload(content), "questions": content.question_ids})

    @transaction.atomic
    def case_version(self) -> CaseVersion:
        """The served version of the scenario as it reads now, made if it is new."""
        payload = _case_payload(self.content(question_ids=[]))
        digest = _digest(payload)
        version = self.versions.filter(content_hash=digest).first()
        if version is None:
            last = self.versions.order_by("-number").values_list("number", flat=True).first()
            version = CaseVersion.objects.create(
                case=self,
                number=(last or 0) + 1,
                content_hash=digest,
                title=self.title,
                scenario_html=render_text(self.scenario, self.text_format),
                source=payload,
            )
        if self.current_version_id != version.pk:
            self.current_version = version
            CaseStudy.objects.filter(pk=self.pk).update(current_version=version)
        return version

    @transaction.atomic
    def snapshot(self) -> CaseVersion:
        """Serve the scenario as it reads now: a new case version if it changed, and a new
        version of each of its questions that has not shown this one."""
        version = self.case_version()
        for question in self.questions.prefetch_related("choices"):
            question.case = self
            question.snapshot()
        return version


def _case_payload(case: CaseData) -> dict:
    payload = {"title": case.title, "scenario": case.scenario}
    if case.text_format != MARKDOWN:
        payload["format"] = case.text_format
    return payload


def _digest(payload: dict) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


class CaseVersion(models.Model):
    """An immutable snapshot of a case study's title and scenario, rendered once."""

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=MAX_LENGTHS["case_title"])
    scenario_html = models.TextField()
    source = models.JSONField(help_text="The authored text this version was rendered from.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"], name="quiz_caseversion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["case", "content_hash"], name="quiz_caseversion_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("A case version is immutable.", code="version_immutable")
        super().save(*args, **kwargs)
