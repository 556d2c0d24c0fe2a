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


PAST_CANDIDATES = 200
STAFF = "benchstaff"  # the author who reads the item analysis under load


def seed_staff() -> None:
    User.objects.update_or_create(
        username=STAFF,
        defaults={
            "email": f"{STAFF}@example.com",
            "password": make_password(PASSWORD),
            "is_staff": True,
            "is_superuser": True,
        },
    )


@transaction.atomic
def seed_answers(blueprint: Blueprint, items: int) -> int:
    """Finished 65-item mocks, ``items`` answered items in all (50 scored and 15 unscored each),
    written by INSERT … SELECT statements (PostgreSQL).

    They belong to past candidates (``benchpast…``), not to the accounts locust logs in as: a
    login lands on the dashboard, which reads the candidate's history, and the scenarios measure
    the exam's pages, not that.

    Each attempt has an ability; an item is answered right with probability 0.3 + 0.6 × ability,
    so the figures vary as real ones do. Stored scores are not computed (no page here reads
    them); outcomes and scored keys are, as finishing an attempt stores them.
    """
    per_attempt = blueprint.question_count
    attempts = items // per_attempt
    User.objects.bulk_create(
        [
            User(username=f"benchpast{n:04d}", email=f"benchpast{n:04d}@example.com")
            for n in range(PAST_CANDIDATES)
        ],
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE bench_attempt ON COMMIT DROP AS
            WITH users AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user
                WHERE username LIKE 'benchpast%%'
            )
            SELECT g AS n, users.ids[1 + g %% array_length(users.ids, 1)] AS user_id,
                   random() AS ability
            FROM generate_series(0, %s - 1) AS g, users
            """,
            [attempts],
        )
        cursor.execute(
            """
            INSERT INTO quiz_attempt (user_id, blueprint_id, status, seed, started_at,
                deadline, duration_minutes, finished_at, finish_reason, current_position,
                cut_fraction, results, format, item_count)
            SELECT user_id, %s, 'finished', n, now() - interval '3 hours',
                now() - interval '10 minutes', 190, now() - interval '1 hour',
                'submitted', 1, 0.722, '{}'::jsonb, 'full', %s
            FROM bench_attempt
            """,
            [blueprint.pk, per_attempt],
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_version ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY v.id) - 1 AS k, v.id, v.type
            FROM quiz_questionversion v JOIN quiz_question q ON q.current_version_id = v.id
            WHERE q.external_id LIKE 'bench-%%'
            """
        )
        cursor.execute(
            f"""
            INSERT INTO quiz_attemptitem (attempt_id, position, version_id, is_scored,
                option_order, selected, struck, flagged, revision, answered_at, outcome_correct,
                scored_key, voided, choose, seconds_on_screen)
            SELECT a.id, p, v.id, p <= {per_attempt - blueprint.max_unscored_items},
                CASE WHEN v.type = 'multiple' THEN '[0, 1, 2, 3, 4]' ELSE '[0, 1, 2, 3]' END::jsonb,
                s.selected, '[]'::jsonb, false, 1, a.finished_at, s.selected = s.key, s.key, false,
                CASE WHEN v.type = 'multiple' THEN 2 ELSE 1 END, (15 + floor(random() * 150))::int
            FROM quiz_attempt a
            JOIN bench_attempt b ON b.n = a.seed AND b.user_id = a.user_id
            CROSS JOIN generate_series(1, %s) AS p
            JOIN bench_version v
              ON v.k = (a.seed * %s + p) %% (SELECT count(*) FROM bench_version)
            CROSS JOIN LATERAL (
                SELECT
                  CASE WHEN v.type = 'multiple' THEN '[0, 1]' ELSE '[0]' END::jsonb AS key,
                  CASE
                    WHEN random() < 0.3 + 0.6 * b.ability
                      THEN CASE WHEN v.type = 'multiple' THEN '[0, 1]' ELSE '[0]' END
                    WHEN random() < 0.05 THEN '[]'
                    ELSE CASE WHEN v.type = 'multiple' THEN '[0, 2]'
                              ELSE '[' || (1 + floor(random() * 3))::int || ']' END
                  END::jsonb AS selected
            ) AS s
            WHERE a.status = 'finished' AND a.blueprint_id = %s
            """,  # noqa: S608 - integers from the blueprint, not input
            [per_attempt, per_attempt, blueprint.pk],
        )
        return cursor.rowcount
