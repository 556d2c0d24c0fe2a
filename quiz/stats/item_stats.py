"""Item statistics, as pure functions over plain values: facility, discrimination, distractors.

One response is one candidate's answer to one item in a finished mock. A blank counts as a wrong
answer (as scoring counts it) and chooses no option. The figures, for an item with n responses:

- **facility p**: the share of responses that are correct.
- **point-biserial r**: the Pearson correlation between the item (1 correct, 0 not) and the
  rest score (the candidate's correct count on the attempt's *other* scored items, so the item
  does not correlate with itself). Undefined (None) when every response agrees or every rest
  score is equal.
- **upper–lower index D**: p in the upper group minus p in the lower group. The groups are the
  top and bottom ``round(27% × n)`` responses by rest score (halves up); ties at a boundary are
  broken by the respondent's id (lower first), so the groups are exact and repeatable.
  Undefined when the groups are empty (n < 2).
- **options**: for each option, the share of all responses, and of the upper, middle and lower
  groups, that chose it (a multiple-response answer chooses each of its options).
  Ordering (issue #19): a row per step, the share that put that step in its right position
  (every step is part of the key). Matching: a row per (prompt, response) pair, the share that
  gave that prompt that response; the key rows are each prompt's match.
- **median seconds** on the item, over the responses whose time is known: the server's
  ``AttemptItem.seconds_on_screen``, where 0 means no time was recorded (an item never on
  screen between two contacts, or an attempt from before time was recorded), so it is left out
  rather than read as an instant answer.

Flags (``THRESHOLDS``, the one place they are set) are raised only from ``min_n`` responses.
Facility, r and D depend only on right or wrong, so they mean the same for every type; the
option flags are defined per type in ``flags``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from quiz.bank.rules import MATCHING, ORDERING, SINGLE


@dataclass(frozen=True)
class Thresholds:
    min_n: int = 30
    too_easy: float = 0.95  # p above this
    too_hard: float = 0.20  # p below this
    weak: float = 0.10  # point-biserial below this
    non_functioning: float = 0.02  # a distractor chosen by fewer than this share
    group_share: Decimal = Decimal("0.27")  # upper and lower groups


THRESHOLDS = Thresholds()


class Flag:
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    WEAK = "weak"
    KEY_SUSPECT = "key_suspect"
    NON_FUNCTIONING = "non_functioning_distractor"


FLAG_LABELS = {
    Flag.TOO_EASY: "Too easy",
    Flag.TOO_HARD: "Too hard",
    Flag.WEAK: "Weak discrimination",
    Flag.KEY_SUSPECT: "Key suspect",
    Flag.NON_FUNCTIONING: "Non-functioning distractor",
}


class Response(NamedTuple):
    """One candidate's answer to the item. ``respondent`` orders ties (the attempt's id)."""

    respondent: int
    selected: frozenset[int]
    correct: bool
    rest_score: int
    seconds: float | None = None
    # Ordering and matching: the answer as stored (the step at each position; each prompt's
    # response), ``()`` when blank. Single and multiple response read ``selected``.
    answer: tuple[int | None, ...] = ()


class ItemRecord(NamedTuple):
    """An item of a finished attempt as the statistics read it."""

    item: int  # what the figures are grouped by: the question version's id
    selected: frozenset[int]
    correct: bool
    is_scored: bool
    seconds: float | None = None


@dataclass(frozen=True)
class OptionRow:
    index: int  # into the version's choices (authoring order): an option, step or prompt
    is_key: bool
    share: float
    upper: float | None
    middle: float | None
    lower: float | None
    # Matching only: the response (index into the version's responses) this row counts for
    # the prompt ``index``; ``distractor``: the response is no prompt's match.
    response: int | None = None
    distractor: bool = False


@dataclass(frozen=True)
class ItemFigures:
    n: int
    p: float | None
    point_biserial: float | None
    upper_lower: float | None
    options: tuple[OptionRow, ...]
    omitted: float | None  # share left blank
    median_seconds: float | None
    flags: frozenset[str]


def responses_by_item(
    attempts: Iterable[tuple[int, Sequence[ItemRecord]]],
) -> dict[int, list[Response]]:
    """Each item's responses, with rest scores, from ``(attempt id, records)`` pairs.

    The rest score of an item is the attempt's correct count on its scored items, less this
    item's own point when the item is scored. An unscored (pretest or voided) item is set
    against the whole scored score, since it is not part of it.
    """
    grouped: dict[int, list[Response]] = {}
    for attempt_id, records in attempts:
        total = sum(1 for r in records if r.is_scored and r.correct)
        for record in records:
            rest = total - (1 if record.is_scored and record.correct else 0)
            grouped.setdefault(record.item, []).append(
                Response(attempt_id, record.selected, record.correct, rest, record.seconds)
            )
    return grouped


def recorded_seconds(seconds_on_screen: int | None) -> float | None:
    """An item's time as the figures read it: None where none was recorded (0 or missing)."""
    return float(seconds_on_screen) if seconds_on_screen else None


def group_size(n: int, share: Decimal = THRESHOLDS.group_share) -> int:
    """The size of the upper (and of the lower) group: 27% of n, rounded half up."""
    return int((Decimal(n) * share).to_integral_value(rounding=ROUND_HALF_UP))


def score_groups(
    responses: Sequence[Response], share: Decimal = THRESHOLDS.group_share
) -> tuple[list[Response], list[Response], list[Response]]:
    """(upper, middle, lower): by rest score, highest first; ties by respondent id."""
    ordered = sorted(responses, key=lambda r: (-r.rest_score, r.respondent))
    size = group_size(len(ordered), share)
    if size == 0:
        return [], list(ordered), []
    return ordered[:size], ordered[size:-size], ordered[-size:]


def point_biserial(outcomes: Sequence[bool], rest_scores: Sequence[int]) -> float | None:
    """Pearson's r between 0/1 outcomes and rest scores; None where it is undefined."""
    n = len(outcomes)
    if n < 2:
        return None
    mean_x = sum(outcomes) / n
    mean_y = sum(rest_scores) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(outcomes, rest_scores, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in outcomes)
    var_y = sum((y - mean_y) ** 2 for y in rest_scores)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _chose(group: Sequence[Response], index: int) -> int:
    return sum(1 for r in group if index in r.selected)


def _rows(
    groups: tuple[Sequence[Response], ...],
    counts: Iterable[tuple[int, int | None, bool, bool]],
    chose,
) -> tuple[OptionRow, ...]:
    """The option table: for each (index, response, is key, distractor), the share of each
    group (all, upper, middle, lower) whose answer ``chose(answer, index, response)``."""
    everyone, upper, middle, lower = groups

    def share(group: Sequence[Response], index: int, response: int | None) -> float | None:
        return _share(sum(1 for r in group if chose(r, index, response)), len(group))

    return tuple(
        OptionRow(
            index=index,
            is_key=is_key,
            share=share(everyone, index, response) or 0.0,
            upper=share(upper, index, response),
            middle=share(middle, index, response),
            lower=share(lower, index, response),
            response=response,
            distractor=distractor,
        )
        for index, response, is_key, distractor in counts
    )


def option_rows(
    responses: Sequence[Response],
    groups: tuple[Sequence[Response], ...],
    *,
    kind: str,
    key: Sequence[int],
    option_count: int,
    response_count: int = 0,
) -> tuple[OptionRow, ...]:
    """The option table of one item, per type (see the module docstring)."""
    groups = (responses, *groups)
    if kind == ORDERING:
        # The key is the step at each position: a step is placed right when it sits there.
        position = {step: place for place, step in enumerate(key)}
        return _rows(
            groups,
            ((step, None, True, False) for step in range(option_count)),
            lambda r, step, _: len(r.answer) > position[step] and r.answer[position[step]] == step,
        )
    if kind == MATCHING:
        matched = set(key)
        return _rows(
            groups,
            (
                (prompt, response, key[prompt] == response, response not in matched)
                for prompt in range(option_count)
                for response in range(response_count)
            ),
            lambda r, prompt, response: len(r.answer) > prompt and r.answer[prompt] == response,
        )
    key_set = frozenset(key)
    return _rows(
        groups,
        ((index, None, index in key_set, False) for index in range(option_count)),
        lambda r, index, _: index in r.selected,
    )


def item_figures(
    responses: Sequence[Response],
    *,
    key: Iterable[int],
    option_count: int,
    kind: str = SINGLE,
    response_count: int = 0,
    thresholds: Thresholds = THRESHOLDS,
) -> ItemFigures:
    """Every figure of one item from its responses (see the module docstring). ``key`` is the
    version's key as scoring compares it: the correct options; for ordering the step at each
    position; for matching each prompt's response (of ``response_count``)."""
    key = tuple(key)
    n = len(responses)
    upper, middle, lower = score_groups(responses, thresholds.group_share)
    p = _share(sum(r.correct for r in responses), n)
    r_pb = point_biserial([r.correct for r in responses], [r.rest_score for r in responses])
    p_upper = _share(sum(r.correct for r in upper), len(upper))
    p_lower = _share(sum(r.correct for r in lower), len(lower))
    d = None if p_upper is None or p_lower is None else p_upper - p_lower
    options = option_rows(
        responses,
        (upper, middle, lower),
        kind=kind,
        key=key,
        option_count=option_count,
        response_count=response_count,
    )
    times = [r.seconds for r in responses if r.seconds is not None]
    figures = ItemFigures(
        n=n,
        p=p,
        point_biserial=r_pb,
        upper_lower=d,
        options=options,
        omitted=_share(sum(1 for r in responses if not (r.selected or r.answer)), n),
        median_seconds=statistics.median(times) if times else None,
        flags=frozenset(),
    )
    return ItemFigures(**{**figures.__dict__, "flags": flags(figures, thresholds, kind=kind)})


def flags(
    figures: ItemFigures, thresholds: Thresholds = THRESHOLDS, *, kind: str = SINGLE
) -> frozenset[str]:
    """The item's flags; none below ``min_n`` responses.

    Key suspect, for every type: a negative point-biserial, or
    - single / multiple: a distractor chosen by more of the upper group than the key (for
      multiple response, than the key option the upper group chose least);
    - ordering: a step put in its keyed position by fewer of the upper group than of the lower
      group (the stronger candidates disagree with the key about that step);
    - matching: for some prompt, a wrong response chosen by more of the upper group than its
      keyed match.
    Non-functioning distractor: an option that is no key chosen by fewer than 2% (single /
    multiple); a response that is no prompt's match given fewer than 0.02 times per response,
    summed over the prompts (matching); ordering has no distractors, so never.
    """
    if figures.n < thresholds.min_n or figures.p is None:
        return frozenset()
    raised = set()
    if figures.p > thresholds.too_easy:
        raised.add(Flag.TOO_EASY)
    if figures.p < thresholds.too_hard:
        raised.add(Flag.TOO_HARD)
    r_pb = figures.point_biserial
    if r_pb is not None and r_pb < thresholds.weak:
        raised.add(Flag.WEAK)
    if kind == ORDERING:
        beaten = any(
            o.upper is not None and o.lower is not None and o.upper < o.lower
            for o in figures.options
        )
        non_functioning = False
    elif kind == MATCHING:
        beaten, non_functioning = _matching_option_flags(figures.options, thresholds)
    else:
        keys = [o for o in figures.options if o.is_key]
        distractors = [o for o in figures.options if not o.is_key]
        upper_key = min((o.upper for o in keys if o.upper is not None), default=None)
        beaten = upper_key is not None and any(
            o.upper is not None and o.upper > upper_key for o in distractors
        )
        non_functioning = any(o.share < thresholds.non_functioning for o in distractors)
    if (r_pb is not None and r_pb < 0) or beaten:
        raised.add(Flag.KEY_SUSPECT)
    if non_functioning:
        raised.add(Flag.NON_FUNCTIONING)
    return frozenset(raised)


def _matching_option_flags(
    options: Sequence[OptionRow], thresholds: Thresholds
) -> tuple[bool, bool]:
    """(key suspect, non-functioning distractor) from a matching item's (prompt, response)
    rows. A distractor's use is the sum of its rows' shares: how often, per response, some
    prompt was given it."""
    beaten = False
    for prompt in {o.index for o in options}:
        rows = [o for o in options if o.index == prompt]
        key_upper = next((o.upper for o in rows if o.is_key), None)
        if key_upper is not None and any(
            o.upper is not None and o.upper > key_upper for o in rows if not o.is_key
        ):
            beaten = True
    chosen: dict[int, float] = {}
    for o in options:
        if o.distractor and o.response is not None:
            chosen[o.response] = chosen.get(o.response, 0.0) + o.share
    non_functioning = any(share < thresholds.non_functioning for share in chosen.values())
    return beaten, non_functioning


def facility(outcomes: Iterable[bool]) -> tuple[int, float | None]:
    """(n, p) of plain outcomes: how practice first attempts are summarised."""
    outcomes = list(outcomes)
    return len(outcomes), _share(sum(outcomes), len(outcomes))
