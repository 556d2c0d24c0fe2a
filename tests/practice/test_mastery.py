from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.exam.assembly import Candidate
from quiz.practice.mastery import (
    PastAnswer,
    choose,
    mastery_by_objective,
    mastery_estimate,
    missed_question_ids,
    weakest_first,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def answer(question, objective, correct, minutes) -> PastAnswer:
    return PastAnswer(question, objective, correct, T0 + timedelta(minutes=minutes))


def pool(objective: int, questions: range) -> list[Candidate]:
    return [Candidate(q * 10, q, objective, 1, 4) for q in questions]


def test_no_answers_sit_at_the_prior_of_50_percent():
    assert mastery_estimate([]) == 0.5


def test_two_right_answers_do_not_read_as_100_percent():
    assert 0.6 < mastery_estimate([True, True]) < 0.7


def test_recent_answers_weigh_more_than_old_ones():
    improving = mastery_estimate([True] * 5 + [False] * 5)  # newest first
    declining = mastery_estimate([False] * 5 + [True] * 5)
    assert improving > 0.5 > declining


@given(st.lists(st.booleans(), max_size=60))
def test_the_estimate_stays_strictly_between_0_and_1_and_rises_with_a_right_answer(outcomes):
    estimate = mastery_estimate(outcomes)
    assert 0 < estimate < 1
    assert mastery_estimate([True, *outcomes]) > estimate > mastery_estimate([False, *outcomes])


def test_weakest_objectives_come_first_with_fewer_answers_breaking_ties():
    answers = [answer(1, 11, False, 1), answer(2, 12, True, 2), answer(3, 13, True, 3)]
    order = [m.objective_id for m in weakest_first(mastery_by_objective(answers, [11, 12, 13, 14]))]
    assert order == [11, 14, 12, 13]


def test_missed_means_wrong_and_not_answered_correctly_since():
    answers = [
        answer(1, 11, False, 1),  # missed, still missed
        answer(2, 11, False, 1),
        answer(2, 11, True, 5),  # corrected since
        answer(3, 11, True, 1),
        answer(3, 11, False, 9),  # right once, wrong most recently
    ]
    assert missed_question_ids(answers) == {1, 3}


def test_chosen_practice_spreads_over_objectives_and_serves_unseen_then_missed_first():
    candidates = pool(11, range(1, 6)) + pool(12, range(6, 11))
    answers = [answer(1, 11, True, 1), answer(2, 11, False, 2), answer(6, 12, True, 3)]
    chosen = choose(pool=candidates, answers=answers, length=6, seed=1)
    assert sorted(c.objective_id for c in chosen) == [11, 11, 11, 12, 12, 12]
    from_11 = [c.question_id for c in chosen if c.objective_id == 11]
    assert set(from_11) == {3, 4, 5}  # the three unseen ones before missed 2 and known 1
    more = choose(pool=candidates, answers=answers, length=10, seed=1)
    assert [c.question_id for c in more if c.objective_id == 11][3:] == [2, 1]


def test_weak_spot_order_takes_fresh_items_of_the_weakest_objective_first():
    candidates = pool(11, range(1, 4)) + pool(12, range(4, 7))
    answers = [answer(4, 12, False, 1), answer(1, 11, True, 1)]
    chosen = choose(pool=candidates, answers=answers, length=5, seed=3, objective_order=[12, 11])
    assert [c.objective_id for c in chosen[:3]] == [12, 12, 12]
    assert chosen[2].question_id == 4  # the missed one after the unseen ones
    assert 1 not in [c.question_id for c in chosen[3:]]  # known-correct comes last


def test_choice_is_deterministic_for_a_seed_whatever_the_pool_order():
    candidates = pool(11, range(1, 20)) + pool(12, range(20, 40))
    first = choose(pool=candidates, answers=[], length=10, seed=7)
    again = choose(pool=list(reversed(candidates)), answers=[], length=10, seed=7)
    assert first == again


def test_a_short_pool_gives_what_it_has():
    assert len(choose(pool=pool(11, range(1, 4)), answers=[], length=10, seed=1)) == 3
    assert choose(pool=[], answers=[], length=10, seed=1) == []


@pytest.mark.parametrize("length", [1, 7])
def test_length_is_respected(length):
    assert len(choose(pool=pool(11, range(1, 30)), answers=[], length=length, seed=2)) == length
