"""Arithmetic of a blueprint, as pure functions: how many items each domain gets on a form.

Used by the assembler (to build a form) and by the admin's coverage view (to tell how many
forms the bank can fill), so both agree by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import floor


def largest_remainder(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``total`` items across keys in proportion to ``weights`` (Hamilton's method).

    Each key gets the whole part of its share; the items left over go to the largest
    fractional parts (ties broken by the smaller key, so the result is deterministic).
    The counts always sum to ``total``. 65 items at 20/24/36/20 give 13/16/23/13.
    """
    weight_sum = sum(weights.values())
    if total < 0 or weight_sum <= 0:
        raise ValueError("total must be >= 0 and the weights must sum to more than 0")
    shares = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: floor(share) for key, share in shares.items()}
    left = total - sum(counts.values())
    by_remainder = sorted(shares, key=lambda key: (-(shares[key] - counts[key]), key))
    for key in by_remainder[:left]:
        counts[key] += 1
    return counts


def forms_available(available: Mapping[int, int], needed: Mapping[int, int]) -> int:
    """How many forms with no shared item the per-domain ``available`` counts can fill."""
    return min(
        (available.get(key, 0) // need for key, need in needed.items() if need > 0),
        default=0,
    )


def spread_evenly(total: int, capacities: Mapping[int, int]) -> dict[int, int]:
    """Spread ``total`` items over keys as evenly as their ``capacities`` allow.

    One item at a time to the key with the fewest so far that still has room (ties to the key
    listed first, so callers shuffle the keys to shuffle who gets the extra one). Keys with room
    left end within one of each other. Raises ``ValueError`` if the capacities are too small.
    """
    if sum(capacities.values()) < total:
        raise ValueError("not enough capacity")
    counts = dict.fromkeys(capacities, 0)
    order = {key: index for index, key in enumerate(capacities)}
    for _ in range(total):
        key = min(
            (k for k in capacities if counts[k] < capacities[k]),
            key=lambda k: (counts[k], order[k]),
        )
        counts[key] += 1
    return counts
