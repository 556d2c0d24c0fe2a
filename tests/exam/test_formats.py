"""Mock formats beside the full exam: the mini mock and the single-domain mock, sized from the
blueprint by pure functions, assembled by the same rules, scored on the same scale."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.blueprint import largest_remainder
from quiz.exam.assembly import (
    DOMAIN,
    FULL,
    MINI,
    BlueprintSpec,
    Candidate,
    assemble,
    format_minutes,
    format_spec,
)
from tests.exam.test_assembly import MLS, bank, domain_counts, multiple_count, typed_bank

# The second exam as data (exam-facts.md): nothing in the formats may assume MLS-C01.
MLA = BlueprintSpec(
    question_count=65,
    max_unscored=15,
    domain_weights={1: 28, 2: 26, 3: 22, 4: 24},
    domain_titles={1: "Data Preparation", 2: "Model Development", 3: "Deployment", 4: "Monitoring"},
)


def test_a_full_exam_is_the_blueprints_own_form():
    assert format_spec(MLS, form=FULL) is MLS


def test_a_mini_mock_is_20_items_over_every_domain_with_its_share_of_pretest_items():
    spec = format_spec(MLS, form=MINI)
    assert spec.question_count == 20
    assert spec.domain_weights == MLS.domain_weights
    # 15 of 65 pretest items is 4.6 of 20: rounded down, a short form keeps its scored items.
    assert spec.max_unscored == 4


def test_a_single_domain_mock_has_the_domains_full_form_share():
    spec = format_spec(MLS, form=DOMAIN, domain_number=3)
    assert spec.question_count == 23  # 13 / 16 / 23 / 13 on a full form
    assert spec.domain_weights == {3: 36}
    assert spec.max_unscored == 5
    assert format_spec(MLA, form=DOMAIN, domain_number=1).question_count == 18


def test_a_mini_mock_of_a_blueprint_shorter_than_20_items_is_the_whole_form():
    short = BlueprintSpec(10, 2, {1: 60, 2: 40}, {1: "A", 2: "B"})
    assert format_spec(short, form=MINI).question_count == 10


def test_unknown_formats_and_domains_are_refused():
    with pytest.raises(ValueError):
        format_spec(MLS, form="marathon")
    with pytest.raises(ValueError):
        format_spec(MLS, form=DOMAIN, domain_number=9)
    with pytest.raises(ValueError):
        format_spec(MLS, form=DOMAIN)


def test_time_is_in_proportion_to_the_items_rounded_up():
    assert format_minutes(190, items=20, of=65) == 59  # 58.5 min at the real exam's pace
    assert format_minutes(190, items=23, of=65) == 68
    assert format_minutes(130, items=20, of=65) == 40  # MLA-C01 divides exactly
    assert format_minutes(220, items=20, of=65) == 68  # with the 30-minute accommodation
    assert format_minutes(190, items=65, of=65) == 190


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(1, 60), min_size=1, max_size=6),
    items=st.integers(5, 120),
    unscored=st.integers(0, 4),
    minutes=st.integers(1, 300),
    data=st.data(),
)
def test_every_format_fits_inside_the_full_form_at_no_faster_a_pace(
    weights, items, unscored, minutes, data
):
    spec = BlueprintSpec(
        items,
        min(unscored, items - 1),
        dict(enumerate(weights, 1)),
        {n: f"D{n}" for n in range(1, len(weights) + 1)},
    )
    domain = data.draw(st.sampled_from(sorted(spec.domain_weights)))
    for form in (
        format_spec(spec, form=MINI),
        format_spec(spec, form=DOMAIN, domain_number=domain),
    ):
        assert 1 <= form.question_count <= spec.question_count
        assert 0 <= form.max_unscored < form.question_count
        granted = format_minutes(minutes, items=form.question_count, of=spec.question_count)
        assert granted / form.question_count >= minutes / spec.question_count


def test_a_mini_mock_splits_its_scored_items_across_domains_by_weight():
    pool = bank(6)
    spec = format_spec(MLS, form=MINI)
    form = assemble(spec=spec, scored_pool=pool, pretest_pool=[], seed=3)
    assert len(form) == 20
    assert (
        domain_counts(form, pool)
        == largest_remainder(20, MLS.domain_weights)
        == {
            1: 4,
            2: 5,
            3: 7,
            4: 4,
        }
    )


def test_a_mini_mock_with_pretest_items_splits_the_rest_by_weight():
    pool = bank(6)
    pretest = bank(1, start=1000)
    form = assemble(
        spec=format_spec(MLS, form=MINI), scored_pool=pool, pretest_pool=pretest, seed=3
    )
    assert len(form) == 20
    assert sum(not i.is_scored for i in form) == 4
    assert domain_counts(form, pool) == largest_remainder(16, MLS.domain_weights)


@settings(max_examples=30, deadline=None)
@given(share=st.sampled_from([0.1, 0.41, 0.6]), seed=st.integers(0, 10_000))
def test_a_mini_mock_keeps_multiple_response_within_20_to_30_percent(share, seed):
    pool = typed_bank(12, share, seed)
    form = assemble(spec=format_spec(MLS, form=MINI), scored_pool=pool, pretest_pool=[], seed=seed)
    by_objective = Counter(c.objective_id for c in pool if c.is_multiple)
    singles = Counter(c.objective_id for c in pool if not c.is_multiple)
    if min(by_objective.values()) >= 2 and min(singles.values()) >= 2:
        assert 4 <= multiple_count(form, pool) <= 6


@pytest.mark.parametrize("domain", [1, 2, 3, 4])
def test_a_single_domain_mock_serves_that_domain_only_pretest_items_included(domain):
    pool = bank(6)
    pretest = bank(2, start=1000)
    spec = format_spec(MLS, form=DOMAIN, domain_number=domain)
    form = assemble(spec=spec, scored_pool=pool, pretest_pool=pretest, seed=11)
    by_version = {c.version_id: c for c in (*pool, *pretest)}
    assert len(form) == spec.question_count
    assert {by_version[i.version_id].domain_number for i in form} == {domain}
    assert sum(not i.is_scored for i in form) == spec.max_unscored


def test_a_single_domain_mock_spreads_its_items_over_the_domains_objectives():
    pool = bank(10)
    form = assemble(
        spec=format_spec(MLS, form=DOMAIN, domain_number=3),
        scored_pool=pool,
        pretest_pool=[],
        seed=2,
    )
    by_version: dict[int, Candidate] = {c.version_id: c for c in pool}
    per_objective = Counter(by_version[i.version_id].objective_id for i in form)
    assert sorted(per_objective) == [31, 32, 33, 34, 35]
    assert max(per_objective.values()) - min(per_objective.values()) <= 1
