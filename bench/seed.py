"""Seed a large bank and candidate accounts quickly (bulk inserts; no Markdown rendering)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from accounts.models import User
from quiz.bank.blueprint import largest_remainder
from quiz.models import Blueprint, Domain, Objective, Question, QuestionVersion

PASSWORD = "bench-pass-2026"  # noqa: S105 - a local benchmark account


def copy_blueprint(code: str, source: str = "MLS-C01") -> Blueprint:
    """A blueprint with MLS-C01's format, domains and objectives (for separate bank sizes)."""
    original = Blueprint.objects.get(code=source)
    blueprint, created = Blueprint.objects.get_or_create(
        code=code,
        defaults={
            field: getattr(original, field)
            for field in (
                "question_count",
                "duration_minutes",
                "accommodation_minutes",
                "score_min",
                "score_max",
                "pass_score",
                "cut_fraction",
                "max_unscored_items",
            )
        }
        | {"name": f"{original.name} ({code})"},
    )
    if created:
        for domain in original.domains.prefetch_related("objectives"):
            copy = Domain.objects.create(
                blueprint=blueprint, number=domain.number, title=domain.title, weight=domain.weight
            )
            Objective.objects.bulk_create(
                Objective(domain=copy, code=o.code, title=o.title) for o in domain.objectives.all()
            )
    return blueprint


@transaction.atomic
def seed_bank(blueprint: Blueprint, total: int, *, prefix: str) -> int:
    objectives = list(
        Objective.objects.filter(domain__blueprint=blueprint).select_related("domain")
    )
    weights = {
        o.pk: o.domain.weight * 1000 // sum(1 for p in objectives if p.domain_id == o.domain_id)
        for o in objectives
    }
    per_objective = largest_remainder(total, weights)
    questions = []
    n = 0
    for objective in objectives:
        for _ in range(per_objective[objective.pk]):
            n += 1
            questions.append(
                Question(
                    objective=objective,
                    external_id=f"{prefix}-{n:07d}",
                    type="multiple" if n % 3 == 0 else "single",
                    stem=f"Benchmark scenario {n}: which option fits?",
                    status="published",
                    references="https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html",
                )
            )
    Question.objects.bulk_create(questions, batch_size=5000)
    versions = []
    for question in questions:
        count, correct = (5, 2) if question.type == "multiple" else (4, 1)
        versions.append(
            QuestionVersion(
                question=question,
                number=1,
                content_hash=f"bench-{question.pk}",
                objective_id=question.objective_id,
                type=question.type,
                stem_html=f"<p>{question.stem}</p>",
                explanation_html="<p>Because the first options fit.</p>",
                references=[question.references],
                choices=[
                    {"html": f"Option {i + 1}", "correct": i < correct, "rationale_html": ""}
                    for i in range(count)
                ],
                option_count=count,
                source={},
            )
        )
    QuestionVersion.objects.bulk_create(versions, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quiz_question q SET current_version_id = v.id FROM quiz_questionversion v "
            "WHERE v.question_id = q.id AND q.external_id LIKE %s",
            [f"{prefix}-%"],
        )
    return len(questions)


def analyze() -> None:
    """Planner statistics, as autovacuum keeps them in production (a bulk load has none)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed_users(count: int) -> None:
    password = make_password(PASSWORD)
    User.objects.bulk_create(
        [
            User(username=f"bench{n:04d}", email=f"bench{n:04d}@example.com", password=password)
            for n in range(count)
        ],
        ignore_conflicts=True,
    )
