"""The rules of MLA-C01's item types: ordering, matching, and case studies."""

from __future__ import annotations

import pytest

from quiz.bank.rules import (
    CaseData,
    ChoiceData,
    QuestionData,
    case_problems,
    cases_problems,
    match_index,
    question_problems,
)


def ordering(count=4, **fields) -> QuestionData:
    return QuestionData(
        type="ordering",
        stem="In which order should the team act?",
        choices=[ChoiceData(text=f"Step {i}") for i in range(count)],
        **fields,
    )


def matching(prompts=3, responses=None, matches=None, **fields) -> QuestionData:
    responses = (
        ["Model Monitor", "CloudTrail", "CloudWatch", "Clarify"] if responses is None else responses
    )
    matches = matches or [responses[i % 3] for i in range(prompts)]
    return QuestionData(
        type="matching",
        stem="Match each requirement to the service that meets it.",
        choices=[ChoiceData(text=f"Requirement {i}", match=m) for i, m in enumerate(matches)],
        responses=responses,
        **fields,
    )


def codes(question: QuestionData) -> set[str]:
    return {problem.code for problem in question_problems(question)}


@pytest.mark.parametrize("count", [3, 4, 5])
def test_an_ordering_question_of_three_to_five_steps_is_valid(count):
    assert codes(ordering(count)) == set()


@pytest.mark.parametrize("count", [2, 6])
def test_an_ordering_question_has_three_to_five_steps(count):
    assert codes(ordering(count)) == {"ordering_step_count"}


def test_an_ordering_question_marks_no_step_correct():
    question = ordering()
    question.choices[0].correct = True
    assert codes(question) == {"ordering_marks_correct"}


def test_ordering_steps_are_distinct_and_not_empty():
    question = ordering()
    question.choices[1].text = "step 0"
    question.choices[2].text = " "
    assert codes(question) == {"duplicate_option", "empty_option"}


def test_only_a_matching_question_has_responses_and_matches():
    question = ordering()
    question.responses = ["A thing"]
    question.choices[0].match = "A thing"
    assert codes(question) == {"responses_not_allowed", "match_not_allowed"}


@pytest.mark.parametrize("prompts", [3, 7])
def test_a_matching_question_of_three_to_seven_prompts_is_valid(prompts):
    assert codes(matching(prompts)) == set()


@pytest.mark.parametrize("prompts", [2, 8])
def test_a_matching_question_has_three_to_seven_prompts(prompts):
    assert codes(matching(prompts)) == {"matching_prompt_count"}


def test_each_prompt_names_its_match():
    question = matching()
    question.choices[1].match = ""
    assert codes(question) == {"missing_match"}


def test_a_match_names_one_of_the_responses():
    assert codes(matching(matches=["Model Monitor", "CloudTrail", "SageMaker"])) == {
        "unknown_match"
    }


def test_a_match_is_compared_like_option_texts_case_and_spacing_ignored():
    question = matching(matches=["model  monitor", "CLOUDTRAIL", "CloudWatch"])
    assert codes(question) == set()
    assert [match_index(question, p.match) for p in question.choices] == [0, 1, 2]


def test_responses_are_distinct_case_and_spacing_ignored():
    question = matching(responses=["CloudTrail", "cloudtrail ", "CloudWatch", "Model Monitor"])
    assert codes(question) == {"duplicate_response"}


def test_responses_are_not_empty_and_fit_on_one_line():
    question = matching(responses=["Model Monitor", "CloudTrail", "CloudWatch", " ", "Two\nlines"])
    assert codes(question) == {"empty_response", "multiline_response"}


def test_a_response_may_match_several_prompts():
    question = matching(prompts=4, matches=["CloudTrail", "CloudTrail", "CloudWatch", "Clarify"])
    assert codes(question) == set()


def test_a_matching_question_needs_responses_to_choose_between():
    question = matching(responses=["CloudTrail"], matches=["CloudTrail"] * 3)
    assert codes(question) == {"matching_needs_responses"}


def test_a_matching_prompt_is_not_marked_correct():
    question = matching()
    question.choices[0].correct = True
    assert codes(question) == {"matching_marks_correct"}


def test_a_matching_question_has_at_most_ten_responses():
    responses = [f"Service {i}" for i in range(11)]
    assert codes(matching(responses=responses)) == {"too_many_responses"}


def test_responses_share_the_size_and_character_limits():
    question = matching(
        responses=["Model Monitor", "CloudTrail", "CloudWatch", "x" * 2001 + "\x00"]
    )
    assert codes(question) == {"too_long", "control_character"}


def case(**fields) -> CaseData:
    values = {
        "external_id": "mla-case-01",
        "title": "Demand forecasting at a grocery chain",
        "scenario": "A grocery chain wants to forecast demand.",
        "question_ids": ["q-1", "q-2", "q-3"],
    }
    return CaseData(**{**values, **fields})


def case_codes(data: CaseData) -> set[str]:
    return {problem.code for problem in case_problems(data)}


def test_a_case_study_of_three_questions_is_valid():
    assert case_codes(case()) == set()


def test_a_case_study_has_at_least_three_questions():
    assert case_codes(case(question_ids=["q-1", "q-2"])) == {"case_needs_three_questions"}


def test_a_case_study_lists_each_question_once():
    assert case_codes(case(question_ids=["q-1", "q-2", "q-1", "q-3"])) == {
        "duplicate_case_question"
    }


def test_a_case_study_has_a_title_and_a_scenario_within_limits():
    assert case_codes(case(title=" ", scenario="")) == {"empty_case_title", "empty_scenario"}
    assert case_codes(case(title="x" * 201, scenario="y" * 20_001)) == {"too_long"}
    assert case_codes(case(title="Two\nlines", scenario="NUL\x00")) == {
        "multiline_title",
        "control_character",
    }


def test_a_case_id_follows_the_id_rule():
    assert case_codes(case(external_id="Case 1")) == {"bad_id"}


def pairs_codes(cases, blueprint_of) -> set[tuple[str, str]]:
    return {(case_id, p.code) for case_id, p in cases_problems(cases, blueprint_of=blueprint_of)}


BLUEPRINT_OF = {f"q-{n}": "MLA-C01" for n in range(1, 8)}


def test_cases_name_known_questions_of_one_blueprint_each_in_at_most_one_case():
    first = case()
    second = case(external_id="mla-case-02", question_ids=["q-4", "q-5", "q-6"])
    assert pairs_codes([first, second], BLUEPRINT_OF) == set()


def test_a_question_belongs_to_at_most_one_case():
    second = case(external_id="mla-case-02", question_ids=["q-3", "q-4", "q-5"])
    assert pairs_codes([case(), second], BLUEPRINT_OF) == {("mla-case-02", "question_in_two_cases")}


def test_a_case_names_questions_that_exist():
    assert pairs_codes([case(question_ids=["q-1", "q-2", "nope"])], BLUEPRINT_OF) == {
        ("mla-case-01", "unknown_case_question")
    }


def test_the_questions_of_a_case_belong_to_one_blueprint():
    blueprint_of = {**BLUEPRINT_OF, "q-3": "MLS-C01"}
    assert pairs_codes([case()], blueprint_of) == {("mla-case-01", "case_mixed_blueprints")}
