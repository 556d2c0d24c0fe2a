"""Practice rules as pure functions: mastery per objective and which questions to drill.

Mastery is a smoothed estimate of the chance of answering an objective's next question right:
a Beta(2, 2) prior (so two right answers read as 67%, not 100%) updated with the candidate's
answers, each weighted by recency (the most recent counts 1, one ``HALF_LIFE`` answers older
counts 0.5), so improvement shows without forgetting the record.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.exam.assembly import Candidate

PRIOR_CORRECT = 2.0
PRIOR_WRONG = 2.0
HALF_LIFE = 10  # answers


@dataclass(frozen=True)
class PastAnswer:
    question_id: int
    objective_id: int
    correct: bool
    at: datetime


@dataclass(frozen=True)
class Mastery:
    objective_id: int
    estimate: float  # 0..1
    answers: int

    @property
    def percent(self) -> int:
        return round(100 * self.estimate)


def mastery_estimate(outcomes_newest_first: Sequence[bool]) -> float:
    """Posterior mean of a Beta prior updated with recency-weighted outcomes."""
    right = wrong = 0.0
    for age, correct in enumerate(outcomes_newest_first):
        weight = 0.5 ** (age / HALF_LIFE)
        if correct:
            right += weight
        else:
            wrong += weight
    return (PRIOR_CORRECT + right) / (PRIOR_CORRECT + PRIOR_WRONG + right + wrong)


def mastery_by_objective(
    answers: Iterable[PastAnswer], objective_ids: Iterable[int]
) -> list[Mastery]:
    """One estimate per objective (objectives without answers sit at the prior, 50%)."""
    by_objective: dict[int, list[PastAnswer]] = defaultdict(list)
    for answer in answers:
        by_objective[answer.objective_id].append(answer)
    result = []
    for objective_id in objective_ids:
        history = sorted(by_objective[objective_id], key=lambda a: a.at, reverse=True)
        result.append(
            Mastery(objective_id, mastery_estimate([a.correct for a in history]), len(history))
        )
    return result


def weakest_first(masteries: Iterable[Mastery]) -> list[Mastery]:
    """Lowest estimate first; among equals, the objective with fewer answers (less known)."""
    return sorted(masteries, key=lambda m: (m.estimate, m.answers, m.objective_id))


def latest_by_question(answers: Iterable[PastAnswer]) -> dict[int, PastAnswer]:
    latest: dict[int, PastAnswer] = {}
    for answer in answers:
        known = latest.get(answer.question_id)
        if known is None or answer.at >= known.at:
            latest[answer.question_id] = answer
    return latest


def missed_question_ids(answers: Iterable[PastAnswer]) -> set[int]:
    """Questions answered wrongly and not answered correctly since."""
    return {q for q, answer in latest_by_question(answers).items() if not answer.correct}


@dataclass(frozen=True)
class Drill:
    """What a practice session of one kind draws from: only these questions (None: the whole
    pool) and the objectives in this order (None: taking turns)."""

    question_ids: frozenset[int] | None = None
    objective_order: list[int] | None = None


def missed_drill(answers: Iterable[PastAnswer]) -> Drill:
    """ "Retry what I missed": the questions missed and not answered correctly since."""
    return Drill(question_ids=frozenset(missed_question_ids(answers)))


def weak_drill(answers: Iterable[PastAnswer], objective_ids: Iterable[int]) -> Drill:
    """ "Weak spots": every question, the weakest objectives first."""
    weakest = weakest_first(mastery_by_objective(answers, objective_ids))
    return Drill(objective_order=[m.objective_id for m in weakest])


def _rank(
    candidate: Candidate, latest: dict[int, PastAnswer], rng_key: float
) -> tuple[int, float, float]:
    """Unseen first, then missed, then the least recently answered."""
    answer = latest.get(candidate.question_id)
    if answer is None:
        return (0, 0.0, rng_key)
    if not answer.correct:
        return (1, 0.0, rng_key)
    return (2, answer.at.timestamp(), rng_key)


def choose(
    *,
    pool: Iterable[Candidate],
    answers: Iterable[PastAnswer],
    length: int,
    seed: int,
    objective_order: Sequence[int] | None = None,
) -> list[Candidate]:
    """Pick ``length`` questions from ``pool``.

    Without ``objective_order`` the objectives take turns (shuffled), so a drill over several
    objectives covers them evenly. With it (weak spots), unseen and missed questions of the first
    objective come first, then those of the next, and only then questions already answered
    correctly, least recently answered first, in the same objective order.
    """
    rng = random.Random(seed)
    latest = latest_by_question(answers)
    by_objective: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in pool:
        by_objective[candidate.objective_id].append(candidate)
    # Deterministic for a seed whatever order the pool came in.
    for objective in sorted(by_objective):
        items = sorted(by_objective[objective], key=lambda c: c.version_id)
        keys = {c.version_id: rng.random() for c in items}

        def rank(candidate: Candidate, keys: dict[int, float] = keys) -> tuple[int, float, float]:
            return _rank(candidate, latest, keys[candidate.version_id])

        items.sort(key=rank)
        by_objective[objective] = items

    if objective_order is not None:
        order = [o for o in objective_order if o in by_objective]
        fresh = [c for o in order for c in by_objective[o] if _rank(c, latest, 0)[0] < 2]
        known = [c for o in order for c in by_objective[o] if _rank(c, latest, 0)[0] == 2]
        return (fresh + known)[:length]

    objectives = sorted(by_objective)
    rng.shuffle(objectives)
    chosen: list[Candidate] = []
    while len(chosen) < length and any(by_objective[o] for o in objectives):
        for objective in objectives:
            if by_objective[objective] and len(chosen) < length:
                chosen.append(by_objective[objective].pop(0))
    return chosen


def shuffled_options(option_count: int, rng: random.Random) -> list[int]:
    order = list(range(option_count))
    rng.shuffle(order)
    return order
