"""Assembling a blueprint-true form: which questions a mock exam serves, in which order.

The rules live in ``assemble()``, a pure function over plain values (testable without a
database). ``load_candidates()`` feeds it from the bank with a fixed number of index range
scans that return a bounded number of rows, however large the bank.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quiz.blueprint_math import largest_remainder, spread_evenly

# A multiplicative hash that turns (id, seed) into a pseudo-random tie-break key.
_HASH_MULTIPLIER = 2654435761
_HASH_MODULUS = 2**32
SAMPLE_KEY_SPACE = 2**31  # Question.sample_key is drawn from [0, 2**31)


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
        form.append(FormItem(candidate.version_id, candidate.question_id, is_scored, tuple(order)))
    return form


def shuffle_key(pk: int, seed: int) -> int:
    """A seeded pseudo-random sort key for ties among equally preferred questions."""
    return (pk * _HASH_MULTIPLIER + seed) % _HASH_MODULUS


def load_candidates(*, blueprint, user, seed: int) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates assembly needs from the bank: (scored pool, pretest pool).

    Never reads or sorts the whole bank. Per objective, two index range scans take a run of up to
    a whole form's worth of unseen published questions from a seeded random point of the
    questions' ``sample_key`` order (wrapping round); on PostgreSQL all scans go in one UNION ALL
    query. The questions this candidate has seen (``SeenQuestion``) come in one more query,
    ranked by how recently. Neither the number nor the size of the queries depends on the size
    of the bank or of the candidate's history, and at most
    ``2 × objectives × question_count + questions seen`` rows leave the database.
    """
    from quiz.models import Objective, Question, SeenQuestion

    rng = random.Random(seed)
    fields = (
        "current_version_id",
        "pk",
        "objective_id",
        "objective__domain__number",
        "current_version__option_count",
    )
    servable = Question.objects.filter(
        objective__domain__blueprint=blueprint, current_version__isnull=False
    )
    # NOT IN a subquery, which PostgreSQL hashes once per scan, rather than NOT EXISTS: a
    # planner that underestimates a candidate's history turns NOT EXISTS into a nested loop
    # that compares every question read with every question seen (80 ms a scan, seen here).
    seen = SeenQuestion.objects.filter(user=user).values("question_id")
    seen_rows = list(
        SeenQuestion.objects.filter(
            user=user,
            question__objective__domain__blueprint=blueprint,
            question__current_version__isnull=False,
            question__status__in=[Question.Status.PUBLISHED, Question.Status.PRETEST],
        ).values_list(
            *(f"question__{field}" for field in fields), "question__status", "last_seen_at"
        )
    )
    # Recency: 1 for the questions of the oldest sitting, up to the latest sitting's.
    sittings = {at: rank for rank, at in enumerate(sorted({row[-1] for row in seen_rows}), 1)}
    recency = {row[1]: sittings[row[-1]] for row in seen_rows}

    def candidate(row) -> Candidate:
        version_id, question_id, objective_id, domain, options = row
        return Candidate(
            version_id,
            question_id,
            objective_id,
            domain,
            options,
            recency.get(question_id, 0),
            shuffle_key(version_id, seed),
        )

    def scans(queryset, limit: int) -> tuple:
        """From a random point of the sample-key order: the run up to the end, and the run from
        the start (the wrap-round). Both are index range scans of at most ``limit`` rows."""
        start = rng.randrange(SAMPLE_KEY_SPACE)
        ordered = queryset.order_by("sample_key", "pk").values_list(*fields)
        return (
            ordered.filter(sample_key__gte=start)[:limit],
            ordered.filter(sample_key__lt=start)[:limit],
            limit,
        )

    unseen = servable.exclude(pk__in=seen)
    objectives = Objective.objects.filter(domain__blueprint=blueprint).order_by("pk")
    groups = [
        scans(
            unseen.filter(objective_id=objective_id, status=Question.Status.PUBLISHED),
            blueprint.question_count,
        )
        for objective_id in objectives.values_list("pk", flat=True)
    ]
    groups.append(
        scans(unseen.filter(status=Question.Status.PRETEST), blueprint.max_unscored_items)
    )
    results = _run_scans([part for head, tail, _ in groups for part in (head, tail)])
    runs = [
        (results[2 * number] + results[2 * number + 1])[:limit]
        for number, (_, _, limit) in enumerate(groups)
    ]
    scored_rows = [row for rows in runs[:-1] for row in rows]
    pretest_rows = list(runs[-1])
    for *row, status, _ in seen_rows:
        target = scored_rows if status == Question.Status.PUBLISHED else pretest_rows
        target.append(tuple(row))
    return [candidate(r) for r in scored_rows], [candidate(r) for r in pretest_rows]


def _run_scans(querysets: list) -> list[list]:
    """Run the scans: in one UNION ALL query where the database allows ordered, limited parts
    (PostgreSQL), else one query each (SQLite). Returns each scan's rows, in order."""
    from django.db import connection
    from django.db.models import IntegerField, Value

    if not connection.features.supports_slicing_ordering_in_compound:
        return [list(queryset) for queryset in querysets]
    tagged = [
        queryset.annotate(scan=Value(number, output_field=IntegerField()))
        for number, queryset in enumerate(querysets)
    ]
    results: list[list] = [[] for _ in querysets]
    for *row, number in tagged[0].union(*tagged[1:], all=True):
        results[number].append(tuple(row))
    return results
