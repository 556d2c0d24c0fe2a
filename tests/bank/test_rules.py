from __future__ import annotations

import pytest

from quiz.bank.rules import (
    MAX_OPTIONS,
    OPTION_LETTERS,
    SINGLE,
    ChoiceData,
    QuestionData,
    choose_hint,
    question_problems,
)


def make(type_="single", correct=(0,), count=4, stem="Which option fits?", texts=None, refs=()):
    texts = texts or [f"Option {i}" for i in range(count)]
    return QuestionData(
        type=type_,
        stem=stem,
        choices=[ChoiceData(text=t, correct=i in correct) for i, t in enumerate(texts)],
        references=list(refs),
    )


def codes(question, **kwargs) -> set[str]:
    return {problem.code for problem in question_problems(question, **kwargs)}


def test_a_valid_single_response_question_has_no_problems():
    assert codes(make()) == set()


def test_a_valid_multiple_response_question_has_no_problems():
    assert codes(make("multiple", correct=(0, 3), count=5)) == set()


@pytest.mark.parametrize("correct", [(), (0, 1)])
def test_single_response_needs_exactly_one_correct(correct):
    assert codes(make(correct=correct)) == {"single_needs_one_correct"}


def test_single_response_needs_four_options():
    assert codes(make(count=3)) == {"single_needs_four_options"}


@pytest.mark.parametrize("correct", [(0,), (0, 1, 2, 3, 4)])
def test_multiple_response_needs_two_correct_and_one_wrong(correct):
    assert codes(make("multiple", correct=correct, count=5)) == {"multiple_needs_two_correct"}


def test_multiple_response_needs_five_options():
    assert codes(make("multiple", correct=(0, 1), count=4)) == {"multiple_needs_five_options"}


def test_empty_stem_is_rejected():
    assert codes(make(stem="   ")) == {"empty_stem"}


def test_empty_option_is_rejected():
    assert codes(make(texts=["A", "B", " ", "D"])) == {"empty_option"}


def test_duplicate_option_texts_are_rejected_ignoring_case_and_spacing():
    assert codes(make(texts=["Use S3", "use  s3", "C", "D"])) == {"duplicate_option"}


@pytest.mark.parametrize(
    "stem", ["Which steps? (Choose TWO.)", "Which? Select three.", "(choose 2)"]
)
def test_a_typed_choose_hint_is_rejected(stem):
    assert "typed_choose_hint" in codes(make("multiple", correct=(0, 1), count=5, stem=stem))


def test_references_must_be_absolute_http_urls():
    assert codes(make(refs=["docs.aws.amazon.com/x", "javascript:alert(1)"])) == {"bad_reference"}
    assert codes(make(refs=["https://docs.aws.amazon.com/x"])) == set()


def test_a_reference_can_be_required():
    assert codes(make(), require_reference=True) == {"missing_reference"}


def test_unknown_type_is_rejected():
    assert "unknown_type" in codes(make("truefalse"))


def test_the_choose_hint_is_derived_from_the_number_correct():
    assert choose_hint(2) == "Choose TWO."
    assert choose_hint(3) == "Choose THREE."


def test_a_question_has_at_most_ten_options():
    choices = [ChoiceData(f"Option {n}", correct=n == 0) for n in range(MAX_OPTIONS + 1)]
    eleven = QuestionData(type=SINGLE, stem="Which?", choices=choices)
    assert [p.code for p in question_problems(eleven)] == ["too_many_options"]
    ten = QuestionData(type=SINGLE, stem="Which?", choices=choices[:MAX_OPTIONS])
    assert question_problems(ten) == []
    assert len(OPTION_LETTERS) == MAX_OPTIONS
