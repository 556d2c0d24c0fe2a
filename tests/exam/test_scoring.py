from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.exam.scoring import MEETS, NEEDS, Scale, ScoredItem, cut_items, scaled_score, score

SCALE = Scale()


def item(correct: bool, *, scored=True, domain=1, objective="1.1", answered=True) -> ScoredItem:
    key = frozenset({0})
    selected = key if correct else (frozenset({1}) if answered else frozenset())
    return ScoredItem(selected, key, scored, domain, f"D{domain}", objective, f"O{objective}")


def test_the_cut_for_65_scored_items_is_47_and_gives_750():
    assert cut_items(65, Decimal("0.722")) == 47
    assert scaled_score(47, 65, SCALE) == 750
    assert scaled_score(46, 65, SCALE) < 750


def test_known_points_of_the_map():
    assert scaled_score(0, 50, SCALE) == 100
    assert scaled_score(50, 50, SCALE) == 1000
    assert scaled_score(37, 50, SCALE) == 750  # ceil(0.722 * 50) = 37


@given(scored=st.integers(1, 400), data=st.data())
def test_scaled_score_is_within_the_scale_and_monotone(scored, data):
    fraction = data.draw(st.decimals(Decimal("0.05"), Decimal("0.95"), places=3))
    scale = Scale(cut_fraction=fraction)
    scores = [scaled_score(c, scored, scale) for c in range(scored + 1)]
    assert all(100 <= s <= 1000 for s in scores)
    assert scores == sorted(scores)
    assert scores[0] == 100 and scores[-1] == 1000
    cut = cut_items(scored, fraction)
    assert scores[cut] == (750 if cut < scored else 1000)
    # Pass exactly from the cut on: rounding never turns a fail into a pass.
    assert all((s >= 750) == (c >= cut) for c, s in enumerate(scores))


@given(
    outcomes=st.lists(st.booleans(), min_size=1, max_size=80),
    pretest=st.lists(st.booleans(), max_size=15),
)
def test_pretest_items_never_change_the_score_and_scoring_is_repeatable(outcomes, pretest):
    items = [item(ok) for ok in outcomes]
    with_pretest = items + [item(ok, scored=False) for ok in pretest]
    first = score(items, SCALE)
    assert score(with_pretest, SCALE) == first
    assert score(with_pretest, SCALE) == score(with_pretest, SCALE)
    assert first.correct == sum(outcomes)


def test_no_partial_credit_and_unanswered_is_wrong():
    key = frozenset({0, 2})
    partial = ScoredItem(frozenset({0}), key, True, 1, "D", "1.1", "O")
    superset = ScoredItem(frozenset({0, 1, 2}), key, True, 1, "D", "1.1", "O")
    exact = ScoredItem(frozenset({2, 0}), key, True, 1, "D", "1.1", "O")
    blank = ScoredItem(frozenset(), key, True, 1, "D", "1.1", "O")
    assert [i.is_correct for i in (partial, superset, exact, blank)] == [False, False, True, False]


def test_domain_and_objective_results_carry_labels_at_the_cut_fraction():
    items = [item(True, domain=1, objective="1.1")] * 3 + [item(False, domain=1, objective="1.2")]
    items += [item(True, domain=2, objective="2.1"), item(False, domain=2, objective="2.1")]
    result = score(items, SCALE)
    assert [
        (d["key"], d["correct"], d["scored"], d["percent"], d["label"]) for d in result.domains
    ] == [
        (1, 3, 4, 75, MEETS),
        (2, 1, 2, 50, NEEDS),
    ]
    assert [o["key"] for o in result.objectives] == ["1.1", "1.2", "2.1"]


def test_objective_codes_sort_numerically():
    items = [item(True, objective="3.10"), item(True, objective="3.2")]
    assert [o["key"] for o in score(items, SCALE).objectives] == ["3.2", "3.10"]


def test_correct_outside_range_is_an_error():
    with pytest.raises(ValueError):
        scaled_score(11, 10, SCALE)
