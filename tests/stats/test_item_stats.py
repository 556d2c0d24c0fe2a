"""Item statistics: hand-computed examples, every flag's threshold, and a reference check."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.stats.item_stats import (
    THRESHOLDS,
    Flag,
    ItemFigures,
    ItemRecord,
    OptionRow,
    Response,
    facility,
    flags,
    group_size,
    item_figures,
    point_biserial,
    recorded_seconds,
    responses_by_item,
    score_groups,
)


def r(respondent, selected, correct, rest, seconds=None) -> Response:
    return Response(respondent, frozenset(selected), correct, rest, seconds)


# Four candidates, key A (index 0): two right (rest 3 and 2), one chose B (rest 1), one blank
# (rest 2). By hand: p = 2/4; rest mean 2; cov = .5·1 + .5·0 − .5·(−1) − .5·0 = 1; Σ(x−x̄)² = 1;
# Σ(y−ȳ)² = 2; r = 1/√2. Groups of round(0.27·4) = 1: upper {1}, lower {3}; D = 1 − 0.
FOUR = [r(1, {0}, True, 3, 40), r(2, {0}, True, 2, 50), r(3, {1}, False, 1, 90), r(4, (), False, 2)]


def test_facility_point_biserial_and_upper_lower_index_of_a_hand_computed_item():
    figures = item_figures(FOUR, key={0}, option_count=4)
    assert figures.n == 4
    assert figures.p == 0.5
    assert figures.point_biserial == pytest.approx(1 / math.sqrt(2))
    assert figures.upper_lower == 1.0
    assert figures.omitted == 0.25
    assert figures.median_seconds == 50


def test_the_option_table_gives_each_groups_share_choosing_each_option():
    figures = item_figures(FOUR, key={0}, option_count=4)
    table = [(o.index, o.is_key, o.share, o.upper, o.middle, o.lower) for o in figures.options]
    assert table == [
        (0, True, 0.5, 1.0, 0.5, 0.0),  # middle: respondents 2 (chose A) and 4 (blank)
        (1, False, 0.25, 0.0, 0.0, 1.0),
        (2, False, 0.0, 0.0, 0.0, 0.0),
        (3, False, 0.0, 0.0, 0.0, 0.0),
    ]


def test_a_multiple_response_answer_chooses_each_of_its_options():
    responses = [r(1, {0, 1}, True, 5), r(2, {0, 2}, False, 3), r(3, {1, 2}, False, 1)]
    figures = item_figures(responses, key={0, 1}, option_count=5)
    assert [o.share for o in figures.options] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 0, 0])


def test_the_rest_score_leaves_out_the_item_itself_and_pretest_items_see_the_whole_score():
    attempts = [
        (
            7,
            [
                ItemRecord(101, frozenset({0}), True, True),
                ItemRecord(102, frozenset({1}), False, True),
                ItemRecord(103, frozenset({2}), True, True),
                ItemRecord(900, frozenset({0}), True, False),  # pretest: not in the score
            ],
        )
    ]
    grouped = responses_by_item(attempts)
    assert grouped[101][0].rest_score == 1  # 2 correct scored items, less its own
    assert grouped[102][0].rest_score == 2  # wrong: nothing to take away
    assert grouped[900][0].rest_score == 2  # unscored: the whole scored score
    assert grouped[101][0].respondent == 7


def test_groups_are_27_percent_rounded_half_up_with_ties_broken_by_respondent():
    assert [group_size(n) for n in (1, 2, 10, 50, 100)] == [0, 1, 3, 14, 27]
    tied = [r(id_, (), False, 4) for id_ in (5, 3, 9, 1)]
    upper, middle, lower = score_groups(tied)
    assert [x.respondent for x in upper] == [1]
    assert [x.respondent for x in middle] == [3, 5]
    assert [x.respondent for x in lower] == [9]


def test_undefined_figures_are_none_not_zero():
    assert point_biserial([True, True], [3, 1]) is None  # every response correct
    assert point_biserial([True, False], [2, 2]) is None  # every rest score equal
    single = item_figures([r(1, {0}, True, 3)], key={0}, option_count=4)
    assert single.upper_lower is None and single.point_biserial is None
    empty = item_figures([], key={0}, option_count=4)
    assert (empty.n, empty.p, empty.median_seconds) == (0, None, None)


def test_the_median_time_is_over_the_recorded_times_only_and_averages_the_middle_pair():
    # Times 40, 50, 90 and one unknown: the median of three is 50 (the FOUR example above).
    # Adding 70 makes four: the middle pair 50 and 70 gives 60. A 0 from the database is no
    # recorded time, not an instant answer.
    five = [*FOUR, r(5, {0}, True, 4, recorded_seconds(70))]
    assert item_figures(five, key={0}, option_count=4).median_seconds == 60
    assert [recorded_seconds(s) for s in (0, None, 7)] == [None, None, 7.0]
    unknown = [r(1, {0}, True, 1, recorded_seconds(0)), r(2, {1}, False, 0)]
    assert item_figures(unknown, key={0}, option_count=4).median_seconds is None


def test_practice_first_attempts_are_summarised_as_n_and_p():
    assert facility([True, False, True, True]) == (4, 0.75)
    assert facility([]) == (0, None)


def figures_with(*, n=30, p=0.5, r_pb=0.3, options=None) -> ItemFigures:
    options = options or (
        OptionRow(0, True, 0.5, 0.8, 0.5, 0.2),
        OptionRow(1, False, 0.2, 0.1, 0.2, 0.3),
        OptionRow(2, False, 0.2, 0.1, 0.2, 0.3),
        OptionRow(3, False, 0.1, 0.0, 0.1, 0.2),
    )
    return ItemFigures(n, p, r_pb, 0.6, options, 0.0, None, frozenset())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, set()),
        ({"p": 0.95}, set()),
        ({"p": 0.951}, {Flag.TOO_EASY}),
        ({"p": 0.20}, set()),
        ({"p": 0.199}, {Flag.TOO_HARD}),
        ({"r_pb": 0.10}, set()),
        ({"r_pb": 0.099}, {Flag.WEAK}),
        ({"r_pb": -0.01}, {Flag.WEAK, Flag.KEY_SUSPECT}),
        ({"r_pb": None}, set()),
        ({"n": 29, "p": 0.99, "r_pb": -0.5}, set()),  # below the minimum n: no flags at all
    ],
)
def test_each_flag_is_raised_just_past_its_threshold(changes, expected):
    assert flags(figures_with(**changes)) == expected


def test_a_distractor_chosen_by_more_of_the_upper_group_than_the_key_makes_the_key_suspect():
    options = (
        OptionRow(0, True, 0.4, 0.30, 0.4, 0.5),
        OptionRow(1, False, 0.4, 0.31, 0.4, 0.4),
        OptionRow(2, False, 0.1, 0.2, 0.1, 0.05),
        OptionRow(3, False, 0.1, 0.19, 0.1, 0.05),
    )
    assert flags(figures_with(options=options)) == {Flag.KEY_SUSPECT}
    level = (options[0], OptionRow(1, False, 0.4, 0.30, 0.4, 0.4), *options[2:])
    assert flags(figures_with(options=level)) == set()


def test_a_distractor_chosen_by_fewer_than_2_percent_does_not_function():
    options = (
        OptionRow(0, True, 0.6, 0.9, 0.6, 0.3),
        OptionRow(1, False, 0.2, 0.05, 0.2, 0.35),
        OptionRow(2, False, 0.18, 0.05, 0.2, 0.35),
        OptionRow(3, False, 0.019, 0.0, 0.0, 0.0),
    )
    assert flags(figures_with(options=options)) == {Flag.NON_FUNCTIONING}
    kept = (*options[:3], OptionRow(3, False, 0.02, 0.0, 0.0, 0.0))
    assert flags(figures_with(options=kept)) == set()


def test_the_thresholds_are_those_the_readme_documents():
    assert (THRESHOLDS.min_n, THRESHOLDS.too_easy, THRESHOLDS.too_hard) == (30, 0.95, 0.20)
    assert (THRESHOLDS.weak, THRESHOLDS.non_functioning) == (0.10, 0.02)


# The reference: the textbook formulas written out the long way, sharing no code with the module.
def reference(responses, key, option_count):
    n = len(responses)
    xs = [1.0 if x.correct else 0.0 for x in responses]
    ys = [float(x.rest_score) for x in responses]
    try:
        r_pb = statistics.correlation(xs, ys)
    except statistics.StatisticsError:
        r_pb = None
    ranked = sorted(range(n), key=lambda i: (-responses[i].rest_score, responses[i].respondent))
    g = (n * 27 + 50) // 100  # 27% of n, rounded half up, in integers
    upper = [responses[i] for i in ranked[:g]]
    lower = [responses[i] for i in ranked[n - g :]] if g else []
    d = None
    if g:
        d = sum(x.correct for x in upper) / g - sum(x.correct for x in lower) / g
    shares = [sum(o in x.selected for x in responses) / n for o in range(option_count)]
    times = sorted(x.seconds for x in responses if x.seconds is not None)
    median = None
    if times:
        half = len(times) // 2
        median = times[half] if len(times) % 2 else (times[half - 1] + times[half]) / 2
    return sum(xs) / n, r_pb, d, shares, median


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sets(st.integers(0, 3), max_size=2),
            st.integers(0, 20),
            st.one_of(st.none(), st.integers(1, 600)),
        ),
        min_size=1,
        max_size=80,
    ),
    st.sets(st.integers(0, 3), min_size=1, max_size=2),
)
def test_the_figures_agree_with_a_straightforward_reference_computation(rows, key):
    responses = [
        Response(i, frozenset(sel), frozenset(sel) == frozenset(key), rest, seconds)
        for i, (sel, rest, seconds) in enumerate(rows)
    ]
    figures = item_figures(responses, key=key, option_count=4)
    p, r_pb, d, shares, median = reference(responses, key, 4)
    assert figures.p == pytest.approx(p)
    if r_pb is None or figures.point_biserial is None:
        # statistics.correlation refuses a constant input, as the module returns None for it.
        assert r_pb is None and figures.point_biserial is None
    else:
        assert figures.point_biserial == pytest.approx(r_pb, abs=1e-9)
    assert figures.upper_lower == (None if d is None else pytest.approx(d))
    assert [o.share for o in figures.options] == pytest.approx(shares)
    assert figures.median_seconds == median
