"""Item statistics of ordering and matching items (issue #19), computed by hand."""

from __future__ import annotations

import math

import pytest

from quiz.stats.item_stats import THRESHOLDS, Flag, Response, item_figures


def seq(respondent, answer, correct, rest) -> Response:
    return Response(respondent, frozenset(), correct, rest, answer=tuple(answer))


# Ordering with 3 steps, key (0, 1, 2). Four candidates by rest score 3, 2, 2, 1:
#   1: (0, 1, 2) right; 2: (1, 0, 2) wrong, step 2 placed right; 3: blank; 4: (2, 1, 0) wrong,
#   step 1 placed right. Groups of round(0.27·4) = 1: upper {1}, middle {2, 3}, lower {4}.
# p = 1/4. r: outcomes (1, 0, 0, 0), rests (3, 2, 2, 1): x̄ = .25, ȳ = 2,
# cov = .75·1 − .25·0 − .25·0 − .25·(−1) = 1, Σ(x−x̄)² = .75, Σ(y−ȳ)² = 2, r = 1/√1.5. D = 1 − 0.
ORDERING = [
    seq(1, (0, 1, 2), True, 3),
    seq(2, (1, 0, 2), False, 2),
    seq(3, (), False, 2),
    seq(4, (2, 1, 0), False, 1),
]


def test_facility_and_discrimination_of_an_ordering_item_depend_only_on_right_or_wrong():
    figures = item_figures(ORDERING, key=(0, 1, 2), option_count=3, kind="ordering")
    assert figures.p == 0.25
    assert figures.point_biserial == pytest.approx(1 / math.sqrt(1.5))
    assert figures.upper_lower == 1.0
    assert figures.omitted == 0.25


def test_the_ordering_table_gives_each_groups_share_placing_each_step_right():
    figures = item_figures(ORDERING, key=(0, 1, 2), option_count=3, kind="ordering")
    table = [(o.index, o.is_key, o.share, o.upper, o.middle, o.lower) for o in figures.options]
    assert table == [
        (0, True, 0.25, 1.0, 0.0, 0.0),  # only candidate 1 put step 0 first
        (1, True, 0.5, 1.0, 0.0, 1.0),  # candidates 1 and 4 put step 1 second
        (2, True, 0.5, 1.0, 0.5, 0.0),  # candidates 1 and 2 put step 2 last
    ]


# Matching: 3 prompts, 4 responses, key (0, 1, 2): response 3 is the distractor.
#   1 (rest 3): (0, 1, 2) right; 2 (rest 2): (0, 2, 1) wrong; 3 (rest 2): (3, 1, 2) wrong;
#   4 (rest 1): (1, 1, 2) wrong. Groups: upper {1}, middle {2, 3}, lower {4}.
MATCHING = [
    seq(1, (0, 1, 2), True, 3),
    seq(2, (0, 2, 1), False, 2),
    seq(3, (3, 1, 2), False, 2),
    seq(4, (1, 1, 2), False, 1),
]


def test_the_matching_table_gives_per_prompt_each_groups_share_choosing_each_response():
    figures = item_figures(
        MATCHING, key=(0, 1, 2), option_count=3, kind="matching", response_count=4
    )
    assert figures.p == 0.25 and figures.upper_lower == 1.0
    prompt0 = [
        (o.response, o.is_key, o.distractor, o.share, o.upper, o.middle, o.lower)
        for o in figures.options
        if o.index == 0
    ]
    assert prompt0 == [
        (0, True, False, 0.5, 1.0, 0.5, 0.0),  # candidates 1 and 2
        (1, False, False, 0.25, 0.0, 0.0, 1.0),  # candidate 4
        (2, False, False, 0.0, 0.0, 0.0, 0.0),
        (3, False, True, 0.25, 0.0, 0.5, 0.0),  # candidate 3 took the distractor
    ]
    assert len(figures.options) == 3 * 4


def many(answers_and_rests, correct_of) -> list[Response]:
    """30 or more responses, so flags may be raised."""
    return [
        seq(n, answer, correct_of(answer), rest)
        for n, (answer, rest) in enumerate(answers_and_rests, start=1)
    ]


def test_an_ordering_step_the_upper_group_places_wrongly_more_often_makes_the_key_suspect():
    # 15 strong candidates swap steps 1 and 2; 15 weak ones give the key's order. The key is
    # then what weak candidates answer: r < 0, and step 1 is placed right by the lower group only.
    data = [((0, 2, 1), 10)] * 15 + [((0, 1, 2), 1)] * 15
    figures = item_figures(
        many(data, lambda a: a == (0, 1, 2)), key=(0, 1, 2), option_count=3, kind="ordering"
    )
    assert figures.n == 30
    assert Flag.KEY_SUSPECT in figures.flags
    assert Flag.NON_FUNCTIONING not in figures.flags  # ordering has no distractors


def test_an_ordering_item_discriminating_well_raises_no_flag():
    data = [((0, 1, 2), 10)] * 15 + [((1, 0, 2), 1)] * 15
    figures = item_figures(
        many(data, lambda a: a == (0, 1, 2)), key=(0, 1, 2), option_count=3, kind="ordering"
    )
    assert figures.flags == frozenset()


def test_a_matching_distractor_chosen_by_the_strong_over_the_key_makes_the_key_suspect():
    data = [((0, 1, 3), 10)] * 15 + [((0, 1, 2), 1)] * 15
    figures = item_figures(
        many(data, lambda a: a == (0, 1, 2)),
        key=(0, 1, 2),
        option_count=3,
        kind="matching",
        response_count=4,
    )
    assert Flag.KEY_SUSPECT in figures.flags


def test_a_matching_distractor_nobody_chooses_is_non_functioning_and_one_chosen_is_not():
    right = [((0, 1, 2), 10)] * 20 + [((1, 0, 2), 1)] * 10
    figures = item_figures(
        many(right, lambda a: a == (0, 1, 2)),
        key=(0, 1, 2),
        option_count=3,
        kind="matching",
        response_count=4,
    )
    assert Flag.NON_FUNCTIONING in figures.flags
    assert Flag.KEY_SUSPECT not in figures.flags
    # One response of 30 giving the distractor to a prompt is 1/30 > 2%: it functions.
    used = [((0, 1, 2), 10)] * 20 + [((1, 0, 2), 1)] * 9 + [((3, 0, 2), 1)]
    figures = item_figures(
        many(used, lambda a: a == (0, 1, 2)),
        key=(0, 1, 2),
        option_count=3,
        kind="matching",
        response_count=4,
    )
    assert Flag.NON_FUNCTIONING not in figures.flags
    assert THRESHOLDS.non_functioning < 1 / 30
