"""Scoring, as pure functions: raw to scaled, per-domain and per-objective results.

The scaled score is a piecewise-linear map through three points (AWS does not publish its own):

    0 correct            -> score_min  (100)
    cut_items correct    -> pass_score (750)
    all scored correct   -> score_max  (1000)

where ``cut_items = ceil(cut_fraction * scored)``: the fewest correct answers that pass. So a
candidate passes exactly when ``correct >= cut_items``, which is exactly when the scaled score is
at least the pass score.

Rounding: to the nearest whole number, halves up; a score below the cut is capped at
``pass_score - 1`` so rounding can never turn a fail into a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from quiz.bank.rules import SEQUENCE_TYPES, SINGLE

MEETS = "Meets Competencies"
NEEDS = "Needs Improvement"


@dataclass(frozen=True)
class Scale:
    score_min: int = 100
    pass_score: int = 750
    score_max: int = 1000
    cut_fraction: Decimal = Decimal("0.722")


def is_correct(selected: Iterable[int | None], key: Iterable[int], *, kind: str = SINGLE) -> bool:
    """The one rule of what counts as correct, for mocks and practice alike, all or nothing; an
    unanswered item is wrong.

    Single and multiple response: the chosen set equals the key. Ordering and matching (the
    answer and the key are sequences: the step at each position, the response of each prompt):
    the whole sequence equals the key, every position filled. No partial credit for either.
    """
    if kind in SEQUENCE_TYPES:
        answer, expected = list(selected), list(key)
        return bool(answer) and None not in answer and answer == expected
    chosen = frozenset(selected)
    return bool(chosen) and chosen == frozenset(key)


def stored_key(key: Iterable[int], *, kind: str) -> list[int]:
    """A key as items store it (``scored_key``): sorted for an option set, in order for a
    sequence (the order is the key)."""
    return list(key) if kind in SEQUENCE_TYPES else sorted(key)


@dataclass(frozen=True)
class ScoredItem:
    """One served item as scoring sees it."""

    selected: Sequence[int | None] | frozenset[int]
    key: Sequence[int] | frozenset[int]
    is_scored: bool
    domain_number: int
    domain_title: str
    objective_code: str
    objective_title: str
    kind: str = SINGLE

    @property
    def is_correct(self) -> bool:
        return is_correct(self.selected, self.key, kind=self.kind)


def cut_items(scored: int, cut_fraction: Decimal) -> int:
    """The fewest correct scored items that pass (at least 1, at most all)."""
    if scored <= 0:
        return 0
    needed = (Decimal(scored) * Decimal(cut_fraction)).to_integral_value(rounding=ROUND_CEILING)
    return min(max(int(needed), 1), scored)


def scaled_score(correct: int, scored: int, scale: Scale) -> int:
    """Raw score to the scaled score (see the module docstring for the map and rounding)."""
    if scored <= 0:
        return scale.score_min
    if not 0 <= correct <= scored:
        raise ValueError("correct must lie between 0 and the number of scored items")
    cut = cut_items(scored, scale.cut_fraction)
    if correct == scored:
        return scale.score_max
    if correct >= cut:
        value = Decimal(scale.pass_score) + Decimal(scale.score_max - scale.pass_score) * (
            Decimal(correct - cut) / Decimal(scored - cut)
        )
    else:
        value = Decimal(scale.score_min) + Decimal(scale.pass_score - scale.score_min) * (
            Decimal(correct) / Decimal(cut)
        )
    rounded = int(value.to_integral_value(rounding=ROUND_HALF_UP))
    if correct < cut:
        rounded = min(rounded, scale.pass_score - 1)
    return rounded


# One row of the score report (a domain or an objective), stored as JSON on the attempt.
Section = dict[str, object]


@dataclass(frozen=True)
class Result:
    scaled_score: int
    passed: bool
    correct: int
    scored: int
    cut_items: int
    domains: list[Section]
    objectives: list[Section]

    def as_json(self) -> dict[str, object]:
        return {"cut_items": self.cut_items, "domains": self.domains, "objectives": self.objectives}


def _section(
    key: int | str, title: str, correct: int, scored: int, cut_fraction: Decimal
) -> Section:
    percent = round(100 * correct / scored) if scored else 0
    meets = scored > 0 and Decimal(correct) >= Decimal(scored) * Decimal(cut_fraction)
    return {
        "key": key,
        "title": title,
        "correct": correct,
        "scored": scored,
        "percent": percent,
        "label": MEETS if meets else NEEDS,
    }


def score(items: Iterable[ScoredItem], scale: Scale) -> Result:
    """Score a finished attempt. Unscored (pretest) items never count."""
    scored_items = [item for item in items if item.is_scored]
    correct = sum(1 for item in scored_items if item.is_correct)
    by_domain: dict[int, list[ScoredItem]] = {}
    by_objective: dict[str, list[ScoredItem]] = {}
    titles: dict[int | str, str] = {}
    for item in scored_items:
        by_domain.setdefault(item.domain_number, []).append(item)
        by_objective.setdefault(item.objective_code, []).append(item)
        titles[item.domain_number] = item.domain_title
        titles[item.objective_code] = item.objective_title

    def sort_code(code: str) -> tuple[int | str, ...]:
        return tuple(int(part) if part.isdigit() else part for part in code.split("."))

    domains = [
        _section(
            number,
            titles[number],
            sum(i.is_correct for i in group),
            len(group),
            scale.cut_fraction,
        )
        for number, group in sorted(by_domain.items())
    ]
    objectives = [
        _section(
            code,
            titles[code],
            sum(i.is_correct for i in group),
            len(group),
            scale.cut_fraction,
        )
        for code, group in sorted(by_objective.items(), key=lambda kv: sort_code(kv[0]))
    ]
    scaled = scaled_score(correct, len(scored_items), scale)
    return Result(
        scaled_score=scaled,
        passed=scaled >= scale.pass_score,
        correct=correct,
        scored=len(scored_items),
        cut_items=cut_items(len(scored_items), scale.cut_fraction),
        domains=domains,
        objectives=objectives,
    )
