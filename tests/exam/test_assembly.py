from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.blueprint import largest_remainder, spread_evenly
from quiz.exam.assembly import BankTooSmall, BlueprintSpec, Candidate, assemble

MLS = BlueprintSpec(
    question_count=65,
    max_unscored=15,
    domain_weights={1: 20, 2: 24, 3: 36, 4: 20},
    domain_titles={1: "Data Engineering", 2: "EDA", 3: "Modeling", 4: "MLOps"},
)
OBJECTIVES = {1: [11, 12, 13], 2: [21, 22, 23], 3: [31, 32, 33, 34, 35], 4: [41, 42, 43, 44]}


def bank(per_objective: int, *, start: int = 0, recency=lambda pk: 0) -> list[Candidate]:
    pool = []
    pk = start
    for domain, objectives in OBJECTIVES.items():
        for objective in objectives:
            for _ in range(per_objective):
                pk += 1
                pool.append(
                    Candidate(
                        pk, pk, objective, domain, 4, recency=recency(pk), shuffle_key=pk * 7 % 101
                    )
                )
    return pool


def domain_counts(form, pool) -> Counter:
    by_version = {c.version_id: c for c in pool}
    return Counter(by_version[i.version_id].domain_number for i in form if i.is_scored)


def test_largest_remainder_gives_13_16_23_13_for_65_items():
    assert largest_remainder(65, {1: 20, 2: 24, 3: 36, 4: 20}) == {1: 13, 2: 16, 3: 23, 4: 13}


@given(
    total=st.integers(0, 200),
    weights=st.dictionaries(st.integers(1, 8), st.integers(1, 100), min_size=1, max_size=8),
)
def test_largest_remainder_sums_to_total_and_stays_within_one_of_the_share(total, weights):
    counts = largest_remainder(total, weights)
    assert sum(counts.values()) == total
    weight_sum = sum(weights.values())
    for key, count in counts.items():
        assert abs(count - total * weights[key] / weight_sum) < 1


@given(
    capacities=st.dictionaries(st.integers(1, 6), st.integers(0, 30), min_size=1, max_size=6),
    data=st.data(),
)
def test_spread_evenly_respects_capacities_and_differs_by_at_most_one_where_possible(
    capacities, data
):
    total = data.draw(st.integers(0, sum(capacities.values())))
    counts = spread_evenly(total, capacities)
    assert sum(counts.values()) == total
    assert all(counts[k] <= capacities[k] for k in capacities)
    # Keys not at capacity differ by at most one from each other.
    unfilled = [counts[k] for k in capacities if counts[k] < capacities[k]]
    if unfilled:
        assert max(unfilled) - min(unfilled) <= 1
        assert all(counts[k] <= max(unfilled) + 1 for k in capacities)


def test_a_form_follows_the_blueprint_with_no_pretest_items():
    pool = bank(10)
    form = assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=1)
    assert len(form) == 65
    assert all(item.is_scored for item in form)
    assert domain_counts(form, pool) == {1: 13, 2: 16, 3: 23, 4: 13}
    assert len({item.version_id for item in form}) == 65


def test_within_a_domain_items_spread_evenly_across_objectives():
    pool = bank(10)
    form = assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=3)
    by_version = {c.version_id: c for c in pool}
    per_objective = Counter(by_version[i.version_id].objective_id for i in form)
    for domain, objectives in OBJECTIVES.items():
        counts = [per_objective[o] for o in objectives]
        assert max(counts) - min(counts) <= 1, (domain, counts)


def test_pretest_items_are_capped_and_the_rest_follow_the_weights():
    pool = bank(10)
    pretest = bank(2, start=10_000)
    form = assemble(spec=MLS, scored_pool=pool, pretest_pool=pretest, seed=5)
    unscored = [i for i in form if not i.is_scored]
    assert len(form) == 65
    assert len(unscored) == 15
    assert {i.version_id for i in unscored} <= {c.version_id for c in pretest}
    assert domain_counts(form, pool) == largest_remainder(50, MLS.domain_weights)


def test_unseen_questions_come_first_then_the_least_recently_seen():
    # Objective 11 has 6 questions: 2 unseen, 2 seen long ago (1), 2 seen recently (2).
    recency = {1: 2, 2: 2, 3: 1, 4: 1, 5: 0, 6: 0}
    pool = [Candidate(pk, pk, 11, 1, 4, recency=recency[pk], shuffle_key=pk) for pk in range(1, 7)]
    spec = BlueprintSpec(4, 0, {1: 100}, {1: "Only"})
    form = assemble(spec=spec, scored_pool=pool, pretest_pool=[], seed=9)
    assert {i.version_id for i in form} == {5, 6, 3, 4}


def test_the_same_seed_gives_the_same_form_and_another_seed_another_order():
    pool = bank(10)
    first = assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=42)
    again = assemble(spec=MLS, scored_pool=list(reversed(pool)), pretest_pool=[], seed=42)
    other = assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=43)
    assert first == again
    assert [i.version_id for i in first] != [i.version_id for i in other]


def test_option_order_is_a_permutation_of_every_option():
    form = assemble(spec=MLS, scored_pool=bank(10), pretest_pool=[], seed=7)
    assert all(sorted(item.option_order) == [0, 1, 2, 3] for item in form)
    assert len({item.option_order for item in form}) > 1


def test_a_bank_too_small_names_every_short_domain():
    pool = [c for c in bank(10) if c.domain_number != 3] + [
        c for c in bank(2) if c.domain_number == 3
    ]
    with pytest.raises(BankTooSmall) as error:
        assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=1)
    (shortfall,) = error.value.shortfalls
    assert (shortfall.domain_number, shortfall.needed, shortfall.available) == (3, 23, 10)
    assert "Domain 3 (Modeling) needs 23" in str(error.value)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 12), min_size=15, max_size=15),
    pretest=st.integers(0, 20),
    seed=st.integers(0, 2**62),
)
def test_any_bank_that_can_fill_the_blueprint_gets_the_right_counts_and_no_duplicates(
    sizes, pretest, seed
):
    pool = []
    pk = 0
    flat = [(d, o) for d, objs in OBJECTIVES.items() for o in objs]
    for (domain, objective), size in zip(flat, sizes, strict=True):
        for _ in range(size):
            pk += 1
            pool.append(Candidate(pk, pk, objective, domain, 5, shuffle_key=(pk * seed) % 997))
    pretest_pool = [Candidate(10_000 + n, 10_000 + n, 11, 1, 4) for n in range(pretest)]
    unscored = min(pretest, 15)
    needed = largest_remainder(65 - unscored, MLS.domain_weights)
    available = Counter(c.domain_number for c in pool)
    try:
        form = assemble(spec=MLS, scored_pool=pool, pretest_pool=pretest_pool, seed=seed)
    except BankTooSmall as error:
        assert {s.domain_number for s in error.shortfalls} == {
            d for d in needed if available[d] < needed[d]
        }
        return
    assert all(available[d] >= needed[d] for d in needed)
    assert len(form) == 65
    assert len({i.version_id for i in form}) == 65
    assert sum(not i.is_scored for i in form) == unscored
    assert domain_counts(form, pool) == needed


def typed_bank(per_objective: int, multiple_share: float, seed: int) -> list[Candidate]:
    """A bank whose items are multiple response with the given probability, like a bank that
    was written with too many (or too few) of them."""
    rng = random.Random(seed)
    return [
        Candidate(
            c.version_id,
            c.question_id,
            c.objective_id,
            c.domain_number,
            5,
            shuffle_key=c.shuffle_key,
            is_multiple=rng.random() < multiple_share,
        )
        for c in bank(per_objective)
    ]


def multiple_count(form, pool) -> int:
    by_version = {c.version_id: c for c in pool}
    return sum(by_version[i.version_id].is_multiple for i in form)


@settings(max_examples=40, deadline=None)
@given(share=st.sampled_from([0.0, 0.1, 0.41, 0.6, 1.0]), seed=st.integers(0, 10_000))
def test_a_form_keeps_multiple_response_within_20_to_30_percent_when_the_bank_allows(share, seed):
    pool = typed_bank(12, share, seed)
    form = assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=seed)
    multiple = multiple_count(form, pool)
    # Swaps stay within an objective, so the blueprint's counts are untouched.
    assert domain_counts(form, pool) == {1: 13, 2: 16, 3: 23, 4: 13}
    by_objective = Counter(c.objective_id for c in pool if c.is_multiple)
    singles = Counter(c.objective_id for c in pool if not c.is_multiple)
    if (
        0 < share < 1
        and min(by_objective.values(), default=0) >= 4
        and min(singles.values(), default=0) >= 4
    ):
        # Every objective has enough of both types: the band is reachable and reached.
        assert 13 <= multiple <= 19, multiple
    elif share == 0.0:
        assert multiple == 0
    elif share == 1.0:
        assert multiple == 65


def test_the_type_mix_never_brings_back_a_seen_question_for_an_unseen_one():
    pool = [
        Candidate(
            c.version_id,
            c.question_id,
            c.objective_id,
            c.domain_number,
            5,
            # Only multiple-response items are unseen; the singles were seen recently.
            recency=0 if c.version_id % 2 else 3,
            shuffle_key=c.shuffle_key,
            is_multiple=bool(c.version_id % 2),
        )
        for c in bank(14)  # 7 unseen per objective: enough for any objective's share
    ]
    form = assemble(spec=MLS, scored_pool=pool, pretest_pool=[], seed=5)
    by_version = {c.version_id: c for c in pool}
    assert all(by_version[i.version_id].recency == 0 for i in form)
