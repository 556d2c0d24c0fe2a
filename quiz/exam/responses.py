"""What an answer is, per item type, as pure functions: from the screen to storage and back.

The screen speaks in display positions (the order the item's options, steps or prompts are shown
in); storage speaks in indices into the version's ``choices`` (see ``AttemptItem``), so scoring
compares an answer with the version's key directly, whatever order it was shown in.

- single / multiple: the options chosen, as a sorted list of choice indices.
- ordering: the step at each position, a list as long as the steps (``None``: nobody put a step
  there yet). The screen sends, position by position, the display position of the step there.
- matching: for each prompt in authoring order, the index of its chosen response in the
  version's ``responses`` (``None``: not chosen yet). The screen sends, prompt by shown prompt,
  the chosen response's index (responses are shown in authoring order).

Whatever the type, an answer with nothing in it is stored as ``[]`` (unanswered).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError

from quiz.bank.rules import MATCHING, ORDERING

Shown = Sequence[int | None]


def stored_answer(
    kind: str,
    shown: Shown,
    *,
    option_order: Sequence[int],
    response_count: int = 0,
    max_selections: int = 1,
) -> list[int | None]:
    """The answer as stored, from the screen's display positions.

    Raises ``ValidationError`` and stores nothing when the answer cannot be one of this item's:
    ``invalid_option`` (a position or response out of range), ``invalid_answer`` (an ordering
    or matching answer of the wrong length), ``repeated_step`` (one step at two positions),
    ``too_many_selections``.
    """
    if kind == ORDERING:
        return _ordering(shown, option_order)
    if kind == MATCHING:
        return _matching(shown, option_order, response_count)
    if any(p is None or not 0 <= p < len(option_order) for p in shown):
        raise ValidationError("That option is not part of this question.", code="invalid_option")
    selected = sorted({option_order[p] for p in shown if p is not None})
    if len(selected) > max_selections:
        raise ValidationError(
            f"This question asks for {max_selections} option(s). "
            "Clear one before choosing another.",
            code="too_many_selections",
        )
    return selected


def _ordering(shown: Shown, option_order: Sequence[int]) -> list[int | None]:
    if not any(p is not None for p in shown):
        return []
    if len(shown) != len(option_order):
        raise ValidationError(f"An order has {len(option_order)} positions.", code="invalid_answer")
    placed = [p for p in shown if p is not None]
    if any(not 0 <= p < len(option_order) for p in placed):
        raise ValidationError("That step is not part of this question.", code="invalid_option")
    if len(set(placed)) != len(placed):
        raise ValidationError(
            "A step can take only one position: give each step a different position.",
            code="repeated_step",
        )
    return [None if p is None else option_order[p] for p in shown]


def _matching(shown: Shown, option_order: Sequence[int], response_count: int) -> list[int | None]:
    if not any(r is not None for r in shown):
        return []
    if len(shown) != len(option_order):
        raise ValidationError(
            f"This question has {len(option_order)} prompts.", code="invalid_answer"
        )
    if any(r is not None and not 0 <= r < response_count for r in shown):
        raise ValidationError("That response is not part of this question.", code="invalid_option")
    stored: list[int | None] = [None] * len(option_order)
    for position, response in enumerate(shown):
        stored[option_order[position]] = response
    return stored


def slots_from_places(places: Sequence[int | None]) -> list[int | None]:
    """An ordering answer as the screen sends it (for each step as shown, its place, 1-based,
    or ``None``) as ``stored_answer`` reads it (for each position, the step shown there).

    Raises ``ValidationError``: ``invalid_option`` (a place outside 1..steps), ``repeated_step``
    (two steps given one place)."""
    slots: list[int | None] = [None] * len(places)
    for step, place in enumerate(places):
        if place is None:
            continue
        if not 1 <= place <= len(places):
            raise ValidationError(
                f"A position is a number from 1 to {len(places)}.", code="invalid_option"
            )
        if slots[place - 1] is not None:
            raise ValidationError(
                f"Two steps are at position {place}: give each step a different position.",
                code="repeated_step",
            )
        slots[place - 1] = step
    return slots


def shown_answer(kind: str, stored: Sequence[int | None], *, option_order: Sequence[int]) -> list:
    """The stored answer in the screen's terms (the inverse of ``stored_answer``).

    ordering: for each step as shown, its position (0-based) or ``None``; matching: for each
    prompt as shown, its chosen response or ``None``; single / multiple: the display positions
    chosen, sorted.
    """
    display = {original: shown for shown, original in enumerate(option_order)}
    if kind == ORDERING:
        positions: list[int | None] = [None] * len(option_order)
        for position, original in enumerate(stored):
            if original is not None:
                positions[display[original]] = position
        return positions
    if kind == MATCHING:
        if not stored:
            return [None] * len(option_order)
        return [stored[original] for original in option_order]
    return sorted(display[original] for original in stored)
