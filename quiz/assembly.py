"""Assembling a blueprint-true form: which questions a mock exam serves, in which order.

The rules live in ``assemble()``, a pure function over plain values (testable without a
database). ``load_candidates()`` feeds it from the bank with a fixed number of queries that
return a bounded number of rows, however large the bank: per objective, only the best few
candidates (unseen first, then least recently seen, then a seeded shuffle) leave the database.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber

from quiz.blueprint_math import largest_remainder, spread_evenly

# A multiplicative hash that turns (id, seed) into a pseudo-random sort key in SQL. It works on
# SQLite and PostgreSQL alike (plain integer arithmetic) and never overflows 64 bits for ids
# below 2**31.
_HASH_MULTIPLIER = 2654435761
_HASH_MODULUS = 2**32


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


@dataclass(frozen=True)
class FormItem:
    version_id: int
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

    chosen: list[Candidate] = []
    for number in sorted(needed):
        # Shuffle which objectives get the extra item when the count does not divide evenly.
        objectives = sorted(objectives_of_domain[number])
        rng.shuffle(objectives)
        capacities = {o: len(by_objective[o]) for o in objectives}  # in shuffled order
        counts = spread_evenly(needed[number], capacities)
        for objective in objectives:
            chosen += sorted(by_objective[objective], key=preference)[: counts[objective]]

    items = [(c, True) for c in chosen] + [(c, False) for c in pretest]
    rng.shuffle(items)
    form = []
    for candidate, is_scored in items:
        order = list(range(candidate.option_count))
        rng.shuffle(order)
        form.append(FormItem(candidate.version_id, is_scored, tuple(order)))
    return form


def shuffle_key(pk_field: str, seed: int):
    """SQL for a seeded pseudo-random order of rows (same arithmetic in every database)."""
    return (F(pk_field) * _HASH_MULTIPLIER + Value(seed % _HASH_MODULUS)) % _HASH_MODULUS


def recency_case(seen_question_ids_by_recency: Sequence[Sequence[int]]):
    """0 for unseen questions, k for questions last seen in the k-th oldest attempt."""
    whens = [
        When(question_id__in=list(ids), then=Value(rank))
        for rank, ids in enumerate(seen_question_ids_by_recency, start=1)
        if ids
    ]
    if not whens:
        return Value(0, output_field=IntegerField())
    return Case(*whens, default=Value(0), output_field=IntegerField())


def load_candidates(*, blueprint, user, seed: int) -> tuple[list[Candidate], list[Candidate]]:
    """The best few candidates per objective from the bank: (scored pool, pretest pool).

    Three queries whatever the bank's size: the candidate's history, the scored candidates
    (at most the largest domain need per objective, picked in SQL with a window function), and
    the pretest candidates (at most ``max_unscored``).
    """
    from quiz.models import Attempt, AttemptItem, Question, QuestionVersion

    history: dict[int, list[int]] = defaultdict(list)
    rows = (
        AttemptItem.objects.filter(attempt__user=user, attempt__blueprint=blueprint)
        .order_by("attempt__started_at")
        .values_list("attempt_id", "version__question_id")
    )
    attempt_order: list[int] = []
    for attempt_id, question_id in rows:
        if attempt_id not in history:
            attempt_order.append(attempt_id)
        history[attempt_id].append(question_id)
    # A question seen in several attempts counts at its most recent one.
    last_rank: dict[int, int] = {}
    for rank, attempt_id in enumerate(attempt_order):
        for question_id in history[attempt_id]:
            last_rank[question_id] = rank
    buckets: list[list[int]] = [[] for _ in attempt_order]
    for question_id, rank in last_rank.items():
        buckets[rank].append(question_id)
    recency = recency_case(buckets)
    del Attempt  # imported for readers: history is per user and blueprint

    cap = blueprint.question_count  # no objective ever needs more than a whole form
    versions = QuestionVersion.objects.filter(
        question__current_version=F("pk"),
        question__objective__domain__blueprint=blueprint,
    ).annotate(
        recency=recency,
        shuffle_key=shuffle_key("pk", seed),
        domain_number=F("question__objective__domain__number"),
        question_status=F("question__status"),
    )
    fields = (
        "pk",
        "question_id",
        "question__objective_id",
        "domain_number",
        "option_count",
        "recency",
        "shuffle_key",
    )
    scored_rows = (
        versions.filter(question__status=Question.Status.PUBLISHED)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("question__objective_id")],
                order_by=[F("recency").asc(), F("shuffle_key").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=cap)
        .values_list(*fields)
    )
    pretest_rows = (
        versions.filter(question__status=Question.Status.PRETEST)
        .order_by("recency", "shuffle_key", "pk")
        .values_list(*fields)[: blueprint.max_unscored_items]
    )
    return [Candidate(*row) for row in scored_rows], [Candidate(*row) for row in pretest_rows]
