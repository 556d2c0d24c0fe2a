"""Assembly with case studies: each case a contiguous block in its order, domain counts kept."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.blueprint import largest_remainder
from quiz.exam.assembly import (
    CASE_SETS_PER_FORM,
    BankTooSmall,
    BlueprintSpec,
    Candidate,
    assemble,
)

MLA = BlueprintSpec(
    question_count=65,
    max_unscored=15,
    domain_weights={1: 28, 2: 26, 3: 22, 4: 24},
    domain_titles={1: "Data", 2: "Models", 3: "Deployment", 4: "Monitoring"},
)
OBJECTIVES = {1: [11, 12, 13, 14], 2: [21, 22, 23], 3: [31, 32, 33], 4: [41, 42, 43]}


def standalone(per_objective: int, *, start: int = 0) -> list[Candidate]:
    pool, pk = [], start
    for domain, objectives in OBJECTIVES.items():
        for objective in objectives:
            for _ in range(per_objective):
                pk += 1
                pool.append(Candidate(pk, pk, objective, domain, 4, shuffle_key=pk * 7 % 101))
    return pool


def case(case_id: int, objectives: list[int], *, start: int, recency: int = 0) -> list[Candidate]:
    """A case's questions, listed out of their case order (assembly must restore it)."""
    members = [
        Candidate(
            start + n,
            start + n,
            objective,
            objective // 10,
            4,
            recency=recency,
            shuffle_key=(start + n) * 13 % 97,
            case_id=case_id,
            case_position=n + 1,
        )
        for n, objective in enumerate(objectives)
    ]
    return list(reversed(members))


def blocks_in(form, pool) -> dict[int, list[int]]:
    """Each case's form positions, in case order."""
    by_version = {c.version_id: c for c in pool}
    found: dict[int, list[tuple[int, int]]] = {}
    for position, item in enumerate(form):
        candidate = by_version[item.version_id]
        if candidate.case_id is not None:
            found.setdefault(candidate.case_id, []).append((candidate.case_position, position))
    return {case_id: [p for _, p in sorted(rows)] for case_id, rows in found.items()}


def test_a_case_is_asked_as_one_block_in_its_order_and_counts_toward_its_own_domain():
    cases = case(1, [11, 12, 13], start=1000) + case(2, [21, 21, 22, 23], start=2000)
    pool = standalone(6) + cases
    form = assemble(spec=MLA, scored_pool=pool, pretest_pool=[], seed=5)
    blocks = blocks_in(form, pool)
    assert set(blocks) == {1, 2}
    for positions in blocks.values():
        assert positions == list(range(positions[0], positions[0] + len(positions)))
    by_version = {c.version_id: c for c in pool}
    counts = Counter(by_version[i.version_id].domain_number for i in form)
    assert counts == largest_remainder(65, MLA.domain_weights)


def test_at_most_the_set_number_of_cases_join_a_form_unseen_first():
    cases = [case(n, [41, 42, 43], start=1000 * n, recency=n % 2) for n in range(1, 6)]
    pool = standalone(8) + [c for block in cases for c in block]
    form = assemble(spec=MLA, scored_pool=pool, pretest_pool=[], seed=2)
    asked = blocks_in(form, pool)
    assert len(asked) == CASE_SETS_PER_FORM
    assert all(case_id % 2 == 0 for case_id in asked)  # the unseen ones (recency 0)


def test_more_cases_join_when_a_domain_cannot_be_filled_without_them():
    # Domain 4 needs 16 (24% of 65); it has 3 standalone questions and five cases of three.
    pool = [c for c in standalone(8) if c.domain_number != 4]
    pool += [Candidate(9000 + n, 9000 + n, 41, 4, 4) for n in range(3)]
    pool += [c for n in range(1, 6) for c in case(n, [41, 42, 43], start=1000 * n)]
    form = assemble(spec=MLA, scored_pool=pool, pretest_pool=[], seed=3)
    assert len(blocks_in(form, pool)) == 5
    by_version = {c.version_id: c for c in pool}
    assert Counter(by_version[i.version_id].domain_number for i in form)[4] == 16


def test_a_bank_whose_questions_are_locked_in_too_large_cases_is_too_small():
    # Domain 4 needs 16: no standalone questions, and cases of 3 never sum to 16.
    pool = [c for c in standalone(8) if c.domain_number != 4]
    pool += [c for n in range(1, 7) for c in case(n, [41, 42, 43], start=1000 * n)]
    with pytest.raises(BankTooSmall) as error:
        assemble(spec=MLA, scored_pool=pool, pretest_pool=[], seed=3)
    assert [s.domain_number for s in error.value.shortfalls] == [4]
    assert error.value.shortfalls[0].available == 15


def test_a_case_questions_pretest_copy_is_not_served_alone():
    pretest = [*case(7, [11, 12, 13], start=7000), Candidate(8000, 8000, 11, 1, 4)]
    form = assemble(spec=MLA, scored_pool=standalone(6), pretest_pool=pretest, seed=1)
    unscored = [i.version_id for i in form if not i.is_scored]
    assert unscored == [8000]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(3, 5), min_size=0, max_size=6),
    domains=st.data(),
    per_objective=st.integers(6, 8),
    seed=st.integers(0, 2**32),
)
def test_any_bank_with_cases_gives_blueprint_counts_and_contiguous_ordered_blocks(
    sizes, domains, per_objective, seed
):
    pool = standalone(per_objective)
    for n, size in enumerate(sizes, start=1):
        domain = domains.draw(st.sampled_from(sorted(OBJECTIVES)))
        objectives = [domains.draw(st.sampled_from(OBJECTIVES[domain])) for _ in range(size)]
        pool += case(n, objectives, start=1000 * n)
    form = assemble(spec=MLA, scored_pool=pool, pretest_pool=[], seed=seed)
    assert len(form) == 65
    assert len({i.version_id for i in form}) == 65
    by_version = {c.version_id: c for c in pool}
    counts = Counter(by_version[i.version_id].domain_number for i in form)
    assert counts == largest_remainder(65, MLA.domain_weights)
    for case_id, positions in blocks_in(form, pool).items():
        members = sum(1 for c in pool if c.case_id == case_id)
        assert len(positions) == members  # a case is asked whole or not at all
        assert positions == list(range(positions[0], positions[0] + members))
    # Standalone questions fill every domain here, so no more cases than the set number join.
    assert len(blocks_in(form, pool)) <= CASE_SETS_PER_FORM
