"""Assembling a blueprint-true form: which questions a mock exam serves, in which order.

The rules live in ``assemble()``, a pure function over plain values (testable without a
database). ``Question.objects.assembly_pools()`` feeds it from the bank with a fixed number of
index range scans that return a bounded number of rows, however large the bank.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
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
# A form holds up to this many case-study sets when the bank has them (more only if the bank
# cannot fill a domain otherwise), so case studies stay a part of the form, not most of it.
CASE_SETS_PER_FORM = 2


@dataclass(frozen=True)
class BlueprintSpec:
    """What assembly needs to know of a blueprint."""

    question_count: int
    max_unscored: int
    domain_weights: Mapping[int, int]  # domain number -> weight (% of scored items)
    domain_titles: Mapping[int, str]
    max_case_sets: int = CASE_SETS_PER_FORM


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
    # A case study's question: asked in a block with the rest of its case, in case_position order.
    case_id: int | None = None
    case_position: int = 0


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


# The formats a mock can take (the values of ``Attempt.Format``). A full exam is the blueprint's
# form; the others are smaller forms drawn by the same rules, sized by ``format_spec``.
FULL, MINI, DOMAIN = "full", "mini", "domain"
# A mini mock's length: about a third of a 65-item form, long enough to sample every domain.
MINI_MOCK_ITEMS = 20


def format_spec(
    spec: BlueprintSpec, *, form: str, domain_number: int | None = None
) -> BlueprintSpec:
    """The spec of a form of the given format, derived from the blueprint's own spec.

    - ``FULL``: the blueprint's spec unchanged.
    - ``MINI``: ``MINI_MOCK_ITEMS`` items (the whole form for a blueprint with fewer) over every
      domain by weight.
    - ``DOMAIN``: one domain, with as many items as it has on a full form (largest-remainder
      rounding of the form by weight, the same split the full form's domains get).

    A smaller form keeps the full form's share of unscored pretest items (rounded down, so a
    short form never trades scored items for one more pretest item). Raises ``ValueError`` for
    an unknown format or a domain the blueprint does not have.
    """
    if form == FULL:
        return spec
    if form == MINI:
        items = min(MINI_MOCK_ITEMS, spec.question_count)
        weights = dict(spec.domain_weights)
    elif form == DOMAIN:
        if domain_number is None or domain_number not in spec.domain_weights:
            raise ValueError(f"no domain {domain_number} in this blueprint")
        split = largest_remainder(spec.question_count, spec.domain_weights)
        items = max(1, split[domain_number])
        weights = {domain_number: spec.domain_weights[domain_number]}
    else:
        raise ValueError(f"unknown format {form!r}")
    return BlueprintSpec(
        question_count=items,
        max_unscored=spec.max_unscored * items // spec.question_count,
        domain_weights=weights,
        domain_titles=spec.domain_titles,
        max_case_sets=spec.max_case_sets,
    )


def format_minutes(minutes: int, *, items: int, of: int) -> int:
    """Time for ``items`` items at the full form's pace (``minutes`` for ``of`` items), rounded
    up to a whole minute: a short form never gives less time per item than the real exam."""
    return -(-minutes * items // of)


class BankTooSmall(Exception):
    """The bank cannot fill the blueprint; ``shortfalls`` says where."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        super().__init__("; ".join(str(s) for s in shortfalls))


def bank_shortfalls(
    spec: BlueprintSpec, *, published: Mapping[int, int], pretest: int
) -> list[Shortfall]:
    """Where a bank cannot fill one form: each domain with fewer published questions than the
    form's scored items need there. ``published`` counts them per domain number; ``pretest``
    pretest questions fill up to ``spec.max_unscored`` of the form, leaving fewer to score.

    A blueprint without domains cannot fill a form at all: one shortfall says so.
    """
    if not spec.domain_weights:
        return [Shortfall(0, "no domains defined", spec.question_count, 0)]
    scored_total = spec.question_count - min(pretest, spec.max_unscored)
    needed = largest_remainder(scored_total, spec.domain_weights)
    return [
        Shortfall(number, spec.domain_titles.get(number, ""), need, published.get(number, 0))
        for number, need in sorted(needed.items())
        if published.get(number, 0) < need
    ]


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

    - Only the domains ``spec.domain_weights`` names are served (all of them on a full form).
    - Unscored items: up to ``spec.max_unscored`` pretest questions (as many as the bank has).
      A case study's pretest question is not served in mocks (its case is asked as a block of
      published questions; a lone pretest question would show a scenario without its set).
    - Scored items: the rest, split across domains by weight with largest-remainder rounding,
      and within a domain across its objectives as evenly as the bank allows.
    - Case studies: a case's published questions form one block, asked together and in the
      case's order, each counting toward its own objective and domain. Up to
      ``spec.max_case_sets`` blocks join the form (unseen first), each only where it fits
      within every domain's count; further blocks only when a domain cannot be filled
      without them. Standalone questions fill the rest of each domain's count.
    - Within an objective: unseen questions first, then the least recently seen.
    - Multiple-response items make up ``MULTIPLE_SHARE`` of the form (20-30%) when the bank
      allows: a multiple-response item is swapped for a single-response one of the same
      objective (or the other way round), the least preferred chosen for the most preferred left.
      Case-study questions are never swapped.
    - Item order is shuffled (a case block moves as one), and so is each item's option order;
      the same seed and pools give the same form.

    Raises ``BankTooSmall`` naming every domain that lacks published questions.
    """
    rng = random.Random(seed)
    # A form of some domains only (a single-domain mock) serves nothing from the others.
    in_form = spec.domain_weights.keys()
    pretest = sorted(
        (c for c in pretest_pool if c.domain_number in in_form and c.case_id is None),
        key=preference,
    )[: spec.max_unscored]

    by_objective: dict[int, list[Candidate]] = defaultdict(list)
    objectives_of_domain: dict[int, set[int]] = defaultdict(set)
    by_case: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in scored_pool:
        if candidate.case_id is not None:
            by_case[candidate.case_id].append(candidate)
            continue
        if candidate.domain_number not in in_form:
            continue
        by_objective[candidate.objective_id].append(candidate)
        objectives_of_domain[candidate.domain_number].add(candidate.objective_id)
    standalone = {
        number: sum(len(by_objective[o]) for o in objectives_of_domain[number])
        for number in spec.domain_weights
    }
    # A case is asked whole: one reaching outside the form's domains stays out of the form.
    blocks = [
        sorted(members, key=lambda c: (c.case_position, c.version_id))
        for members in by_case.values()
        if all(c.domain_number in in_form for c in members)
    ]

    in_cases = Counter(c.domain_number for block in blocks for c in block)
    available = {number: standalone[number] + in_cases[number] for number in standalone}
    if shortfalls := bank_shortfalls(spec, published=available, pretest=len(pretest)):
        raise BankTooSmall(shortfalls)
    needed = largest_remainder(spec.question_count - len(pretest), spec.domain_weights)

    chosen_blocks, remaining = _choose_blocks(blocks, needed, standalone, spec.max_case_sets)
    for number, need in remaining.items():
        if standalone[number] < need:
            usable = standalone[number] + needed[number] - need
            shortfalls.append(
                Shortfall(number, spec.domain_titles.get(number, ""), needed[number], usable)
            )
    if shortfalls:
        # The bank has the questions, but in case studies too large for what is left.
        raise BankTooSmall(shortfalls)

    chosen_by_objective: dict[int, list[Candidate]] = {}
    left_by_objective: dict[int, list[Candidate]] = {}
    for number in sorted(needed):
        # Shuffle which objectives get the extra item when the count does not divide evenly.
        objectives = sorted(objectives_of_domain[number])
        rng.shuffle(objectives)
        capacities = {o: len(by_objective[o]) for o in objectives}  # in shuffled order
        counts = spread_evenly(remaining[number], capacities)
        for objective in objectives:
            ranked = sorted(by_objective[objective], key=preference)
            chosen_by_objective[objective] = ranked[: counts[objective]]
            left_by_objective[objective] = ranked[counts[objective] :]
    _balance_types(
        chosen_by_objective,
        left_by_objective,
        total=spec.question_count,
        fixed_multiple=sum(c.is_multiple for c in pretest)
        + sum(c.is_multiple for block in chosen_blocks for c in block),
    )
    chosen = [c for objective in chosen_by_objective for c in chosen_by_objective[objective]]

    units = [[(c, True)] for c in chosen] + [[(c, False)] for c in pretest]
    units += [[(c, True) for c in block] for block in chosen_blocks]
    rng.shuffle(units)
    form = []
    for candidate, is_scored in (item for unit in units for item in unit):
        order = list(range(candidate.option_count))
        rng.shuffle(order)
        form.append(FormItem(candidate.version_id, candidate.question_id, is_scored, tuple(order)))
    return form


def _choose_blocks(
    blocks: list[list[Candidate]],
    needed: Mapping[int, int],
    standalone: Mapping[int, int],
    max_sets: int,
) -> tuple[list[list[Candidate]], dict[int, int]]:
    """The case blocks a form asks, and each domain's count left for standalone questions.

    Blocks are taken unseen first (a block is as recently seen as its most recent question),
    each only if its questions fit within every domain's remaining count: up to ``max_sets``,
    then more only while some domain has fewer standalone questions than its remaining count.
    """

    def rank(block: list[Candidate]) -> tuple[int, int, int]:
        first = block[0]
        return (max(c.recency for c in block), first.shuffle_key, first.version_id)

    remaining = dict(needed)

    def fits(block: list[Candidate]) -> bool:
        counts = Counter(c.domain_number for c in block)
        return all(count <= remaining.get(number, 0) for number, count in counts.items())

    def take(block: list[Candidate]) -> None:
        chosen.append(block)
        for c in block:
            remaining[c.domain_number] -= 1

    chosen: list[list[Candidate]] = []
    ranked = sorted(blocks, key=rank)
    for block in ranked:
        if len(chosen) < max_sets and fits(block):
            take(block)
    for block in ranked:
        short = {number for number, need in remaining.items() if standalone[number] < need}
        if not short:
            break
        helps = any(c.domain_number in short for c in block)
        if block not in chosen and helps and fits(block):
            take(block)
    return chosen, remaining


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
