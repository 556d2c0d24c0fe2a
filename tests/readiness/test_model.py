"""The readiness model on hand-worked cases: no data, one objective perfect, all wrong, repeats
only; and the arithmetic that makes it follow the blueprint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from quiz.exam.scoring import Scale
from quiz.practice.mastery import PastAnswer
from quiz.readiness import model

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# MLS-C01's layout: 4 domains at 20/24/36/20 over 3/3/5/4 objectives, 50 scored items.
MLS = model.FormSpec(
    scored=50,
    scale=Scale(),
    objectives={1: (1, 2, 3), 2: (4, 5, 6), 3: (7, 8, 9, 10, 11), 4: (12, 13, 14, 15)},
    weights={1: 20, 2: 24, 3: 36, 4: 20},
)


def answers(spec, per_objective: int, correct: bool, start: int = 0) -> list[PastAnswer]:
    """``per_objective`` distinct questions answered in every objective."""
    result = []
    n = start
    for ids in spec.objectives.values():
        for objective in ids:
            for _ in range(per_objective):
                result.append(PastAnswer(n, objective, correct, T0 + timedelta(minutes=n)))
                n += 1
    return result


def test_a_fresh_form_follows_the_blueprint():
    """50 scored items by largest remainder (10/12/18/10); the cut is ceil(0.722 × 50) = 37."""
    assert MLS.domain_items() == {1: 10, 2: 12, 3: 18, 4: 10}
    assert MLS.cut == 37
    assert sum(MLS.expected_items().values()) == pytest.approx(50)
    assert MLS.expected_items()[7] == pytest.approx(18 / 5)


def test_no_data_gives_no_number_and_says_how_much_more():
    evidence = model.weigh([])
    short = model.shortfall(evidence, MLS)
    assert short is not None
    assert short.more_answers == 30
    assert short.more_by_domain == {1: 3, 2: 3, 3: 3, 4: 3}


def test_no_data_sits_at_the_prior_symmetrically():
    """With nothing answered every objective reads 50%, and the number right on a fresh form is
    symmetric about 25 of 50."""
    evidence = model.weigh([])
    estimates = model.objective_estimates(evidence, MLS)
    assert all(e.estimate == pytest.approx(0.5) for e in estimates)
    pmf = model.right_answers_pmf(evidence, MLS)
    assert sum(pmf) == pytest.approx(1)
    assert all(pmf[k] == pytest.approx(pmf[50 - k]) for k in range(51))


def test_the_form_distribution_has_the_mean_of_its_objectives():
    """Expected right answers = Σ items per objective × the objective's estimate: the exact
    convolution over extra-item placements and the level mixture loses nothing."""
    evidence = model.weigh(answers(MLS, 3, True) + answers(MLS, 2, False, start=1000))
    pmf = model.right_answers_pmf(evidence, MLS)
    expected = MLS.expected_items()
    by_hand = sum(
        expected[e.objective_id] * e.estimate for e in model.objective_estimates(evidence, MLS)
    )
    assert sum(k * p for k, p in enumerate(pmf)) == pytest.approx(by_hand, rel=1e-9)


def test_one_objective_perfect_is_not_enough_and_lifts_the_others_a_little():
    """40 right in objective 1 alone: no number (the other domains are unknown: 9 more, 3 in
    each), objective 1 reads high, the others borrow a little from the shared level."""
    history = [PastAnswer(n, 1, True, T0 + timedelta(minutes=n)) for n in range(40)]
    evidence = model.weigh(history)
    short = model.shortfall(evidence, MLS)
    assert short is not None
    assert short.more_answers == 9
    assert short.more_by_domain == {2: 3, 3: 3, 4: 3}
    estimates = {e.objective_id: e for e in model.objective_estimates(evidence, MLS)}
    assert estimates[1].estimate > 0.9
    others = [estimates[o].estimate for o in range(2, 16)]
    assert all(0.5 < value < estimates[1].estimate for value in others)
    # The unseen objectives stay the uncertain ones.
    assert all(
        estimates[o].high - estimates[o].low > estimates[1].high - estimates[1].low
        for o in range(2, 16)
    )


def test_all_wrong_gives_almost_no_chance_and_a_low_band():
    evidence = model.weigh(answers(MLS, 4, False))
    assert model.shortfall(evidence, MLS) is None
    readiness = model.predict(evidence, MLS)
    assert readiness.pass_probability < 0.001
    assert readiness.high_score < 400
    assert all(e.estimate < 0.2 for e in readiness.objectives)


def test_all_right_mirrors_all_wrong():
    right = model.predict(model.weigh(answers(MLS, 4, True)), MLS)
    wrong = model.predict(model.weigh(answers(MLS, 4, False)), MLS)
    assert right.pass_probability > 0.99
    assert right.low_score > 750
    for r, w in zip(right.objectives, wrong.objectives, strict=True):
        assert r.estimate == pytest.approx(1 - w.estimate)


def test_repeats_only_count_once_as_first_sightings_and_a_quarter_after():
    """One question answered right 4 times, then wrong on its first sighting order: the first
    answer weighs 1 (times recency), each repeat a quarter."""
    history = [PastAnswer(7, 1, True, T0 + timedelta(days=d)) for d in range(4)]
    evidence = model.weigh(history)
    decay = [0.5 ** (age / model.HALF_LIFE) for age in range(4)]
    # Newest first: three repeats (ages 0..2) at a quarter, the first sighting (age 3) in full.
    assert evidence.right[1] == pytest.approx(0.25 * (decay[0] + decay[1] + decay[2]) + decay[3])
    assert evidence.wrong[1] == 0
    assert (evidence.first_answers, evidence.first_right) == (1, 1)
    assert model.shortfall(evidence, MLS).more_answers == 29


def test_repeats_move_the_estimate_less_than_new_questions():
    repeats = [PastAnswer(1, 1, True, T0 + timedelta(minutes=n)) for n in range(10)]
    fresh = [PastAnswer(n, 1, True, T0 + timedelta(minutes=n)) for n in range(10)]
    estimate = {
        name: model.objective_estimates(model.weigh(history), MLS)[0].estimate
        for name, history in (("repeats", repeats), ("fresh", fresh))
    }
    assert 0.5 < estimate["repeats"] < estimate["fresh"]


def test_recent_answers_weigh_more():
    """Half weight 30 answers back in the same objective."""
    history = [PastAnswer(n, 1, n >= 30, T0 + timedelta(minutes=n)) for n in range(31)]
    evidence = model.weigh(history)
    # Newest (right) has age 0; the 30 wrong ones have ages 1..30.
    assert evidence.right[1] == pytest.approx(1.0)
    assert evidence.wrong[1] == pytest.approx(sum(0.5 ** (a / 30) for a in range(1, 31)))


def test_score_on_fresh_items_leaves_repeats_out():
    """10 first sightings, 5 right (50% -> 25 of 50 -> 100 + 650 × 25/37 = 539) beside 10 right
    repeats (plain: 75% -> 38 of 50 -> 750 + 250 × 1/13 = 769)."""
    first = [PastAnswer(n, 1, n < 5, T0 + timedelta(minutes=n)) for n in range(10)]
    repeats = [PastAnswer(n, 1, True, T0 + timedelta(hours=1, minutes=n)) for n in range(10)]
    fresh = model.fresh_score(model.weigh(first + repeats), MLS)
    assert (fresh.fresh_score, fresh.fresh_percent, fresh.fresh_answers) == (539, 50, 10)
    assert (fresh.plain_score, fresh.plain_percent, fresh.plain_answers) == (769, 75, 20)


def test_no_answers_have_no_fresh_score():
    fresh = model.fresh_score(model.weigh([]), MLS)
    assert fresh.fresh_score is None and fresh.plain_score is None


def test_central_interval_takes_the_mass_closest_to_80_percent():
    """Ten equally likely values: 1..8 holds exactly 80%."""
    low, high, mass = model.central_interval([0.1] * 10)
    assert (low, high) == (1, 8)
    assert mass == pytest.approx(0.8)


def test_the_interval_and_pass_line_use_the_scoring_map():
    """A candidate at the cut: the pass probability is near a half, and the band spans 750."""
    evidence = model.weigh(answers(MLS, 15, True)[:0] + _mixed(MLS, 0.74))
    readiness = model.predict(evidence, MLS)
    assert 0.3 < readiness.pass_probability < 0.7
    assert readiness.low_score < 750 <= readiness.high_score
    assert 0.7 <= readiness.interval_mass <= 0.9


def _mixed(spec, share: float) -> list[PastAnswer]:
    result = []
    n = 0
    for ids in spec.objectives.values():
        for objective in ids:
            for i in range(20):
                result.append(
                    PastAnswer(
                        n, objective, (i * share) % 1 + share >= 1, T0 + timedelta(minutes=n)
                    )
                )
                n += 1
    return result


def test_the_recommendation_is_the_least_known_heaviest_objective():
    """Everything known well except 3.x's objective 7 (unseen, in the heaviest domain): drilling
    it moves the pass probability most."""
    history = [a for a in _mixed(MLS, 0.74) if a.objective_id != 7]
    evidence = model.weigh(history)
    recommendation = model.recommend(evidence, MLS)
    assert recommendation.objective_id == 7
    assert recommendation.pass_after > recommendation.pass_now


def test_a_higher_cut_lowers_the_pass_probability():
    evidence = model.weigh(_mixed(MLS, 0.74))
    strict = model.FormSpec(
        scored=50,
        scale=Scale(cut_fraction=Decimal("0.8")),
        objectives=MLS.objectives,
        weights=MLS.weights,
    )
    assert model.pass_probability(evidence, strict) < model.pass_probability(evidence, MLS)
