"""Assembling a blueprint-true form: which questions a mock exam serves, in which order.

The rules live in ``assemble()``, a pure function over plain values (testable without a
database). ``Question.objects.assembly_pools()`` feeds it from the bank with a fixed number of
index range scans that return a bounded number of rows, however large the bank.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from quiz.bank.blueprint import largest_remainder, spread_evenly

# A multiplicative hash that turns (id, seed) into a pseudo-random tie-break key.
_HASH_MULTIPLIER = 2654435761
_HASH_MODULUS = 2**32
SAMPLE_KEY_SPACE = 2**31  # Question.sample_key is drawn from [0, 2**31)
# The real exam is mostly single response: a form keeps its multiple-response items within this
# share of its items whenever the bank allows (swapping within an objective, so the domain and
# objective counts never change).
MULTIPLE_SHARE = (0.20, 0.30)


@dataclass(frozen=True)
class BlueprintSpec:
    """What assembly needs to know of a blueprint."""

    question_count: int
    max_unscored: int
    domain_weights: Mapping[int, int]  # domain number -> weight (% of scored items)
    domain_titles: Mapping[int, str]


@dataclass(frozen=True)
class Candidate:
    """A question that may be served. ``recency`` 0 means never seen by this candidate;
    higher numbers were seen more recently. ``shuffle_key`` orders ties (seeded)."""

    version_id: int
    question_id: int
    objective_id: int
    domain_number: int
    option_count: int
    recency: int = 0
    shuffle_key: int = 0
    is_multiple: bool = False


@dataclass(frozen=True)
class FormItem:
    version_id: int
    question_id: int
    is_scored: bool
    option_order: tuple[int, ...]  # indices into the version's choices, in display order


@dataclass(frozen=True)
class Shortfall:
    domain_number: int
    domain_title: str
    needed: int
    available: int

    def __str__(self) -> str:
        return (
            f"Domain {self.domain_number} ({self.domain_title}) needs {self.needed} published "
            f"questions; the bank has {self.available}."
        )


class BankTooSmall(Exception):
    """The bank cannot fill the blueprint; ``shortfalls`` says where."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        super().__init__("; ".join(str(s) for s in shortfalls))


def preference(candidate: Candidate) -> tuple[int, int, int]:
    """Unseen first, then least recently seen; the seeded key breaks ties."""
    return (candidate.recency, candidate.shuffle_key, candidate.version_id)


def assemble(
    *,
    spec: BlueprintSpec,
    scored_pool: Iterable[Candidate],
    pretest_pool: Iterable[Candidate],
    seed: int,
) -> list[FormItem]:
    """Pick and order a form.

    - Unscored items: up to ``spec.max_unscored`` pretest questions (as many as the bank has).
    - Scored items: the rest, split across domains by weight with largest-remainder rounding,
      and within a domain across its objectives as evenly as the bank allows.
    - Within an objective: unseen questions first, then the least recently seen.
    - Multiple-response items make up ``MULTIPLE_SHARE`` of the form (20-30%) when the bank
      allows: a multiple-response item is swapped for a single-response one of the same
      objective (or the other way round), the least preferred chosen for the most preferred left.
    - Item order is shuffled, and so is each item's option order; the same seed and pools
      give the same form.

    Raises ``BankTooSmall`` naming every domain that lacks published questions.
    """
    rng = random.Random(seed)
    pretest = sorted(pretest_pool, key=preference)[: spec.max_unscored]
    scored_total = spec.question_count - len(pretest)
    needed = largest_remainder(scored_total, spec.domain_weights)

    by_objective: dict[int, list[Candidate]] = defaultdict(list)
    objectives_of_domain: dict[int, set[int]] = defaultdict(set)
    for candidate in scored_pool:
        by_objective[candidate.objective_id].append(candidate)
        objectives_of_domain[candidate.domain_number].add(candidate.objective_id)

    shortfalls = []
    for number, need in needed.items():
        available = sum(len(by_objective[o]) for o in objectives_of_domain[number])
        if available < need:
            shortfalls.append(
                Shortfall(number, spec.domain_titles.get(number, ""), need, available)
            )
    if shortfalls:
        raise BankTooSmall(shortfalls)

    chosen_by_objective: dict[int, list[Candidate]] = {}
    left_by_objective: dict[int, list[Candidate]] = {}
    for number in sorted(needed):
        # Shuffle which objectives get the extra item when the count does not divide evenly.
        objectives = sorted(objectives_of_domain[number])
        rng.shuffle(objectives)
        capacities = {o: len(by_objective[o]) for o in objectives}  # in shuffled order
        counts = spread_evenly(needed[number], capacities)
        for objective in objectives:
            ranked = sorted(by_objective[objective], key=preference)
            chosen_by_objective[objective] = ranked[: counts[objective]]
            left_by_objective[objective] = ranked[counts[objective] :]
    _balance_types(
        chosen_by_objective,
        left_by_objective,
        total=spec.question_count,
        fixed_multiple=sum(c.is_multiple for c in pretest),
    )
    chosen = [c for objective in chosen_by_objective for c in chosen_by_objective[objective]]

    items = [(c, True) for c in chosen] + [(c, False) for c in pretest]
    rng.shuffle(items)
    form = []
    for candidate, is_scored in items:
        order = list(range(candidate.option_count))
        rng.shuffle(order)
        form.append(FormItem(candidate.version_id, candidate.question_id, is_scored, tuple(order)))
    return form


def _balance_types(
    chosen: dict[int, list[Candidate]],
    left: dict[int, list[Candidate]],
    *,
    total: int,
    fixed_multiple: int,
) -> None:
    """Swap items within objectives (in place) until the form's multiple-response share lies in
    ``MULTIPLE_SHARE``, or no swap can move it further. Objectives take turns, so the swaps
    spread across the blueprint instead of draining one objective's items of a type."""
    low = math.ceil(MULTIPLE_SHARE[0] * total)
    high = math.floor(MULTIPLE_SHARE[1] * total)
    multiple = fixed_multiple + sum(c.is_multiple for items in chosen.values() for c in items)
    while multiple > high or multiple < low:
        drop_multiple = multiple > high
        swapped = False
        for objective, items in chosen.items():
            if multiple <= high and multiple >= low:
                break
            out = [c for c in items if c.is_multiple == drop_multiple]
            if not out:
                continue
            # The least preferred chosen item gives way to the most preferred one left, but
            # never to one seen more recently: unseen-first outranks the type mix.
            leaving = out[-1]
            into = [
                c
                for c in left[objective]
                if c.is_multiple != drop_multiple and c.recency <= leaving.recency
            ]
            if not into:
                continue
            entering = into[0]
            items[items.index(leaving)] = entering
            left[objective].remove(entering)
            left[objective].append(leaving)
            left[objective].sort(key=preference)
            multiple += -1 if drop_multiple else 1
            swapped = True
        if not swapped:
            return


def shuffle_key(pk: int, seed: int) -> int:
    """A seeded pseudo-random sort key for ties among equally preferred questions."""
    return (pk * _HASH_MULTIPLIER + seed) % _HASH_MODULUS


def ranked_for_candidate(
    pool: Iterable[Candidate], *, last_seen: Mapping[int, datetime], seed: int
) -> list[Candidate]:
    """The pool as this candidate and seed rank it: each question's ``recency`` (0 unseen,
    then 1 for the questions of the candidate's oldest sitting up to the latest sitting's; a
    sitting is one instant of ``last_seen``, by question id) and its seeded ``shuffle_key``."""
    sittings = {at: rank for rank, at in enumerate(sorted(set(last_seen.values())), 1)}
    return [
        replace(
            c,
            recency=sittings[last_seen[c.question_id]] if c.question_id in last_seen else 0,
            shuffle_key=shuffle_key(c.version_id, seed),
        )
        for c in pool
    ]
