"""Answers of the ordering and matching types: storage, state, and all-or-nothing scoring."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from quiz.exam.responses import shown_answer, stored_answer
from quiz.exam.scoring import ScoredItem, is_correct, stored_key
from quiz.models import ItemState, item_state


@st.composite
def orders(draw, low=3, high=5):
    """A served ordering item: (its option order, a candidate's full order of its steps)."""
    n = draw(st.integers(low, high))
    return draw(st.permutations(range(n))), draw(st.permutations(range(n)))


@given(orders())
def test_an_order_scores_only_when_it_is_exactly_the_key(case):
    _, answer = case
    key = list(range(len(answer)))
    assert is_correct(answer, key, kind="ordering") == (list(answer) == key)


@given(st.integers(3, 5), st.data())
def test_an_order_with_an_empty_position_never_scores(n, data):
    answer: list[int | None] = list(range(n))
    answer[data.draw(st.integers(0, n - 1))] = None
    assert not is_correct(answer, list(range(n)), kind="ordering")
    assert item_state(answer, n) == ItemState.INCOMPLETE


@st.composite
def matchings(draw):
    """(key, answer): each of 3-7 prompts matched to one of up to 10 responses, or to none."""
    prompts = draw(st.integers(3, 7))
    responses = draw(st.integers(2, 10))
    key = draw(st.lists(st.integers(0, responses - 1), min_size=prompts, max_size=prompts))
    answer = draw(
        st.lists(
            st.one_of(st.none(), st.integers(0, responses - 1)),
            min_size=prompts,
            max_size=prompts,
        )
    )
    return key, answer


@given(matchings())
def test_a_matching_scores_only_when_every_prompt_has_its_key(case):
    key, answer = case
    assert is_correct(answer, key, kind="matching") == (answer == key)


@given(matchings())
def test_the_key_itself_always_scores_and_one_change_never_does(case):
    key, _ = case
    assert is_correct(key, key, kind="matching")
    wrong = [*key]
    wrong[0] = None
    assert not is_correct(wrong, key, kind="matching")


def test_an_unanswered_item_of_any_type_is_wrong():
    for kind, key in (("single", [0]), ("ordering", [0, 1, 2]), ("matching", [0, 1, 0])):
        assert not is_correct([], key, kind=kind)


def test_option_sets_still_ignore_order_but_sequences_do_not():
    assert is_correct([3, 1], [1, 3], kind="multiple")
    assert not is_correct([1, 0, 2], [0, 1, 2], kind="ordering")


def test_scored_keys_keep_a_sequences_order_and_sort_a_set():
    assert stored_key((2, 0, 1), kind="matching") == [2, 0, 1]
    assert stored_key(frozenset({3, 1}), kind="multiple") == [1, 3]


def test_a_scored_item_scores_by_its_type():
    entry = ScoredItem((1, 0, 2), (0, 1, 2), True, 1, "D", "1.1", "O", kind="ordering")
    assert not entry.is_correct


@given(orders(), st.data())
def test_an_order_stored_is_shown_back_as_the_screen_sent_it(case, data):
    option_order, answer = case
    shown = list(answer)
    if data.draw(st.booleans()):  # a partly placed order
        shown[data.draw(st.integers(0, len(shown) - 1))] = None
    stored = stored_answer("ordering", shown, option_order=option_order)
    # Stored by choice index: the step at each position is the one shown there.
    assert stored == [None if p is None else option_order[p] for p in shown]
    positions = shown_answer("ordering", stored, option_order=option_order)
    for position, p in enumerate(shown):
        if p is not None:
            assert positions[p] == position


@given(matchings(), st.data())
def test_a_matching_stored_is_shown_back_as_the_screen_sent_it(case, data):
    _, answer = case
    option_order = data.draw(st.permutations(range(len(answer))))
    stored = stored_answer("matching", answer, option_order=option_order, response_count=10)
    if all(r is None for r in answer):
        assert stored == []
        return
    assert [stored[original] for original in option_order] == answer
    assert shown_answer("matching", stored, option_order=option_order) == answer


def codes_of(kind, shown, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        stored_answer(kind, shown, **kwargs)
    return error.value.code


def test_an_order_giving_a_step_two_positions_is_refused():
    assert codes_of("ordering", [0, 0, 1], option_order=[2, 0, 1]) == "repeated_step"


def test_an_order_of_the_wrong_length_or_steps_is_refused():
    assert codes_of("ordering", [0, 1], option_order=[2, 0, 1]) == "invalid_answer"
    assert codes_of("ordering", [0, 1, 3], option_order=[2, 0, 1]) == "invalid_option"
    assert codes_of("ordering", [0, 1, -1], option_order=[2, 0, 1]) == "invalid_option"


def test_a_matching_of_the_wrong_length_or_response_is_refused():
    assert codes_of("matching", [0, 1], option_order=[2, 0, 1], response_count=4) == (
        "invalid_answer"
    )
    assert codes_of("matching", [0, 1, 4], option_order=[2, 0, 1], response_count=4) == (
        "invalid_option"
    )


def test_option_sets_refuse_what_they_always_refused():
    assert codes_of("single", [4], option_order=[0, 1, 2, 3]) == "invalid_option"
    assert codes_of("multiple", [0, 1, 2], option_order=[0, 1, 2, 3, 4], max_selections=2) == (
        "too_many_selections"
    )


def test_an_empty_order_or_matching_is_stored_as_unanswered():
    assert stored_answer("ordering", [None, None, None], option_order=[0, 1, 2]) == []
    assert stored_answer("matching", [], option_order=[0, 1, 2], response_count=4) == []
    assert item_state([], 3) == ItemState.UNANSWERED


def test_the_state_of_a_sequence_counts_its_filled_entries():
    assert item_state([None, 2, None], 3) == ItemState.INCOMPLETE
    assert item_state([1, 2, 0], 3) == ItemState.ANSWERED
