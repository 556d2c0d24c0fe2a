"""Factories for tests. The MLS-C01 blueprint comes from the data migration."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from quiz.models import Blueprint, CaseStudy, Choice, Domain, Objective, Question


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
    """A valid published question with a served version. ``choices=(count, correct)`` sets the
    options and the key's size; for ordering ``count`` steps (authored in the right order), for
    matching ``count`` prompts, prompt i matching response i % 3 of four responses (the fourth
    a distractor)."""

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
        count, correct = {
            Question.Type.SINGLE: (4, 1),
            Question.Type.MULTIPLE: (5, 2),
            Question.Type.ORDERING: (4, 0),
            Question.Type.MATCHING: (4, 0),
        }[obj.type]
        if extracted:
            count, correct = extracted
        responses = MATCHING_RESPONSES if obj.type == Question.Type.MATCHING else []
        if responses and not obj.responses:
            obj.responses = "\n".join(responses)
            obj.save(update_fields=["responses"])
        Choice.objects.bulk_create(
            Choice(
                question=obj,
                order=i,
                text=f"Option {i + 1} of {obj.external_id}",
                is_correct=i < correct,
                rationale=f"Rationale {i + 1}",
                match=responses[i % 3] if responses else "",
            )
            for i in range(count)
        )
        obj.snapshot()


MATCHING_RESPONSES = [
    "Amazon SageMaker Model Monitor",
    "AWS CloudTrail",
    "Amazon CloudWatch",
    "Amazon SageMaker Clarify",
]


def case_study(questions, *, external_id=None, title="Demand forecasting", scenario=None):
    """A case study asking ``questions`` in the order given, its versions served."""
    blueprint = questions[0].objective.domain.blueprint
    case = CaseStudy.objects.create(
        external_id=external_id or f"case-{questions[0].external_id}",
        blueprint=blueprint,
        title=title,
        scenario=scenario or f"A grocery chain forecasts demand ({questions[0].external_id}).",
    )
    for position, question in enumerate(questions, start=1):
        question.case, question.case_position = case, position
        question.save(update_fields=["case", "case_position"])
    case.snapshot()
    for question in questions:
        question.refresh_from_db()
    return case


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
    authoring order. An ordering or matching answer is given as stored (the step at each
    position; each prompt's response)."""
    from datetime import UTC, datetime, timedelta

    from quiz.bank.rules import SEQUENCE_TYPES
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
        item_count=len(answers),
    )
    AttemptItem.objects.bulk_create(
        AttemptItem(
            attempt=attempt,
            position=position,
            version=version,
            is_scored=is_scored,
            option_order=list(range(len(version.choices))),
            # An ordering or matching answer is a sequence: its order is the answer.
            selected=list(selected) if version.type in SEQUENCE_TYPES else sorted(selected),
            seconds_on_screen=seconds[0] if seconds else 0,
        )
        for position, (version, selected, is_scored, *seconds) in enumerate(answers, start=1)
    )
    return finish_attempt(attempt=attempt, now=now)


def item_types_blueprint(**fields):
    """A 10-item test exam whose bank is exactly one form, so every form serves every type:
    domain 1 (60%) holds an ordering, a matching and a single-response question and a case study
    of three (1.1, 1.2, 1.2); domain 2 (40%) four single and multiple-response questions."""
    blueprint = BlueprintFactory(question_count=10, max_unscored_items=2, **fields)
    first = DomainFactory(blueprint=blueprint, number=1, weight=60)
    second = DomainFactory(blueprint=blueprint, number=2, weight=40)
    o11 = ObjectiveFactory(domain=first, code="1.1")
    o12 = ObjectiveFactory(domain=first, code="1.2")
    o21 = ObjectiveFactory(domain=second, code="2.1")
    QuestionFactory(objective=o11, type=Question.Type.ORDERING, external_id="types-ordering")
    QuestionFactory(objective=o12, type=Question.Type.MATCHING, external_id="types-matching")
    QuestionFactory(objective=o11, external_id="types-single")
    case_study(
        [
            QuestionFactory(objective=objective, external_id=f"types-case-{n}")
            for n, objective in enumerate((o11, o12, o12), start=1)
        ],
        external_id="types-case",
    )
    for n in range(4):
        QuestionFactory(
            objective=o21,
            type=Question.Type.MULTIPLE if n % 2 else Question.Type.SINGLE,
            external_id=f"types-d2-{n}",
        )
    return blueprint


def practice_session(user, blueprint, external_ids, *, seed: int = 5):
    """A practice session serving the named questions' current versions, in order."""
    from django.utils import timezone

    from quiz.exam.assembly import Candidate
    from quiz.models import PracticeSession
    from quiz.practice.services import create_session

    chosen = []
    for external_id in external_ids:
        question = Question.objects.select_related("current_version").get(external_id=external_id)
        version = question.current_version
        chosen.append(
            Candidate(version.pk, question.pk, question.objective_id, 1, version.option_count)
        )
    return create_session(
        user=user,
        blueprint=blueprint,
        kind=PracticeSession.Kind.CHOSEN,
        description="Chosen questions",
        chosen=chosen,
        now=timezone.now(),
        seed=seed,
    )
