"""Factories for tests. The MLS-C01 blueprint comes from the data migration."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from quiz.models import Blueprint, Choice, Domain, Objective, Question


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"candidate{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BlueprintFactory(DjangoModelFactory):
    class Meta:
        model = Blueprint

    code = factory.Sequence(lambda n: f"TST-{n:03d}")
    name = "Test certification"
    question_count = 10
    duration_minutes = 20
    accommodation_minutes = 5
    max_unscored_items = 2


class DomainFactory(DjangoModelFactory):
    class Meta:
        model = Domain

    blueprint = factory.SubFactory(BlueprintFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Domain {n}")
    weight = 50


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    domain = factory.SubFactory(DomainFactory)
    code = factory.Sequence(lambda n: f"9.{n}")
    title = factory.Sequence(lambda n: f"Objective {n}")


def mls_objective(code: str = "1.1") -> Objective:
    return Objective.objects.get(domain__blueprint__code="MLS-C01", code=code)


class QuestionFactory(DjangoModelFactory):
    """A valid published question with a served version. ``correct`` sets the key's size."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    objective = factory.LazyFunction(mls_objective)
    external_id = factory.Sequence(lambda n: f"test-q-{n:05d}")
    type = Question.Type.SINGLE
    stem = factory.Sequence(lambda n: f"Scenario number {n}: which option is right?")
    explanation = "Because the first option fits the constraint."
    references = "https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html"
    status = Question.Status.PUBLISHED

    @factory.post_generation
    def choices(obj, create, extracted, **kwargs):
        if not create:
            return
        count, correct = (4, 1) if obj.type == Question.Type.SINGLE else (5, 2)
        if extracted:
            count, correct = extracted
        Choice.objects.bulk_create(
            Choice(
                question=obj,
                order=i,
                text=f"Option {i + 1} of {obj.external_id}",
                is_correct=i < correct,
                rationale=f"Rationale {i + 1}",
            )
            for i in range(count)
        )
        obj.snapshot()


def small_blueprint(*, per_objective: int = 4, question_count: int = 10, **fields):
    """A short test exam: 2 domains (60/40), 2 objectives each, single and multiple items."""
    blueprint = BlueprintFactory(question_count=question_count, **fields)
    domains = [
        DomainFactory(blueprint=blueprint, number=1, weight=60),
        DomainFactory(blueprint=blueprint, number=2, weight=40),
    ]
    for domain in domains:
        for n in (1, 2):
            objective = ObjectiveFactory(domain=domain, code=f"{domain.number}.{n}")
            for i in range(per_objective):
                QuestionFactory(
                    objective=objective,
                    type=Question.Type.MULTIPLE if i % 2 else Question.Type.SINGLE,
                )
    return blueprint


def mls_bank(per_objective: int = 6) -> None:
    """Enough published questions for a full MLS-C01 form (13/16/23/13)."""
    for objective in Objective.objects.filter(domain__blueprint__code="MLS-C01"):
        for i in range(per_objective):
            QuestionFactory(
                objective=objective,
                type=Question.Type.MULTIPLE if i % 3 == 0 else Question.Type.SINGLE,
            )


def finished_attempt(user, blueprint, answers, *, now=None, seed: int = 0):
    """A finished mock scored by the real scoring: ``answers`` lists (version, selected indices
    into its choices, is_scored[, seconds on screen]) in position order; options are shown in
    authoring order."""
    from datetime import UTC, datetime, timedelta

    from quiz.exam.services import finish_attempt
    from quiz.models import Attempt, AttemptItem

    now = now or datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    attempt = Attempt.objects.create(
        user=user,
        blueprint=blueprint,
        seed=seed,
        started_at=now - timedelta(minutes=30),
        deadline=now + timedelta(minutes=60),
        duration_minutes=90,
        cut_fraction=blueprint.cut_fraction,
    )
    AttemptItem.objects.bulk_create(
        AttemptItem(
            attempt=attempt,
            position=position,
            version=version,
            is_scored=is_scored,
            option_order=list(range(len(version.choices))),
            selected=sorted(selected),
            seconds_on_screen=seconds[0] if seconds else 0,
        )
        for position, (version, selected, is_scored, *seconds) in enumerate(answers, start=1)
    )
    return finish_attempt(attempt=attempt, now=now)
