"""How ordering, matching and case-study questions are stored and versioned."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quiz.models import CaseVersion, Question, QuestionVersion
from tests.factories import MATCHING_RESPONSES, QuestionFactory, case_study

pytestmark = pytest.mark.django_db


def test_an_ordering_version_keeps_its_steps_in_the_right_order_as_its_key():
    question = QuestionFactory(type=Question.Type.ORDERING, choices=(5, 0))
    version = question.current_version
    assert [c["html"] for c in version.choices] == [
        f"Option {i} of {question.external_id}" for i in range(1, 6)
    ]
    assert version.key == (0, 1, 2, 3, 4)
    assert version.max_selections == 5
    assert version.choose_hint == ""
    assert version.responses == []


def test_a_matching_version_stores_its_responses_and_each_prompts_match():
    question = QuestionFactory(type=Question.Type.MATCHING)
    version = question.current_version
    assert [r["html"] for r in version.responses] == MATCHING_RESPONSES
    assert [c["match"] for c in version.choices] == [0, 1, 2, 0]
    assert version.key == (0, 1, 2, 0)
    assert version.max_selections == 4


def test_changing_a_match_makes_a_new_version_and_the_served_one_keeps_its_key():
    question = QuestionFactory(type=Question.Type.MATCHING)
    served = question.current_version
    prompt = question.choices.get(order=3)
    prompt.match = "Amazon SageMaker Clarify"
    prompt.save()
    question.snapshot()
    question.refresh_from_db()
    assert question.current_version.key == (0, 1, 2, 3)
    served.refresh_from_db()
    assert served.key == (0, 1, 2, 0)


def test_reordering_responses_makes_a_new_version():
    question = QuestionFactory(type=Question.Type.MATCHING)
    served = question.current_version
    question.responses = "\n".join(reversed(MATCHING_RESPONSES))
    question.save()
    assert question.snapshot().pk != served.pk
    assert question.current_version.key == (3, 2, 1, 3)


def test_single_and_multiple_payloads_carry_none_of_the_new_types_fields():
    """Versions made before the new types keep their hashes: re-importing changes nothing."""
    version = QuestionFactory(type=Question.Type.MULTIPLE).current_version
    assert "responses" not in version.source
    assert all(set(c) == {"text", "correct", "rationale"} for c in version.source["choices"])
    assert version.key == (0, 1)


def case_questions(n=3):
    return [QuestionFactory() for _ in range(n)]


def test_a_case_studys_questions_serve_its_scenario():
    questions = case_questions()
    case = case_study(questions, scenario="A grocery chain has **300** stores.")
    for position, question in enumerate(questions, start=1):
        assert question.case_position == position
        assert question.current_version.case_version == case.current_version
    assert "<strong>300</strong>" in case.current_version.scenario_html
    assert case.current_version.title == "Demand forecasting"


def test_editing_the_scenario_makes_new_versions_and_served_ones_keep_the_old_scenario():
    questions = case_questions()
    case = case_study(questions, scenario="The first scenario.")
    served = [q.current_version for q in questions]
    case.scenario = "The second scenario."
    case.save()
    case.snapshot()
    for question, old in zip(questions, served, strict=True):
        question.refresh_from_db()
        assert question.current_version.pk != old.pk
        assert "second" in question.current_version.case_version.scenario_html
        old.refresh_from_db()
        assert "first" in old.case_version.scenario_html
    assert case.versions.count() == 2


def test_snapshotting_an_unchanged_case_makes_no_version():
    questions = case_questions()
    case = case_study(questions)
    before = QuestionVersion.objects.count(), CaseVersion.objects.count()
    case.snapshot()
    assert (QuestionVersion.objects.count(), CaseVersion.objects.count()) == before


def test_a_question_taken_out_of_its_case_serves_no_scenario_again():
    questions = case_questions()
    alone = questions[0].current_version  # its version from before the case
    case_study(questions)
    question = questions[0]
    question.case, question.case_position = None, None
    question.save()
    assert question.snapshot() == alone
    assert alone.case_version is None


def test_a_case_question_has_a_position_and_positions_do_not_repeat():
    questions = case_questions()
    case = case_study(questions)
    extra = QuestionFactory()
    extra.case = case
    with pytest.raises(IntegrityError), transaction.atomic():
        extra.save()
    extra.case_position = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        extra.save()


def test_a_case_version_is_immutable():
    case = case_study(case_questions())
    version = case.current_version
    version.title = "Changed"
    with pytest.raises(ValidationError) as error:
        version.save()
    assert error.value.code == "version_immutable"


def test_a_case_id_follows_the_id_rule():
    case = case_study(case_questions())
    case.external_id = "Not an id"
    with pytest.raises(ValidationError):
        case.save()


def test_deleting_an_unserved_case_takes_its_questions_out_of_it():
    questions = case_questions()
    case = case_study(questions)
    # Versions that showed the scenario protect it; these were never served, so remove them.
    for question in questions:
        question.versions.filter(case_version__isnull=False).delete()
    case.delete()
    for question in questions:
        question.refresh_from_db()
        assert (question.case, question.case_position) == (None, None)
