"""The item-analysis table as rows: what the admin's CSV and ``manage.py item_stats`` print."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from quiz.models import ItemStatistics

HEADER = (
    "question",
    "version",
    "blueprint",
    "objective",
    "status",
    "n",
    "p",
    "point_biserial",
    "upper_lower",
    "median_seconds",
    "practice_n",
    "practice_p",
    "flags",
)


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def analysis_rows(statistics: Iterable[ItemStatistics]) -> list[tuple[str, ...]]:
    """One row per ItemStatistics; expects ``question`` and ``objective__domain__blueprint``
    selected (see ``for_export``)."""
    return [
        (
            s.external_id,
            str(s.version.number),
            s.objective.domain.blueprint.code,
            s.objective.code,
            s.question.status,
            str(s.n),
            _figure(s.p),
            _figure(s.point_biserial),
            _figure(s.upper_lower),
            "" if s.median_seconds is None else f"{s.median_seconds:g}",
            str(s.practice_n),
            _figure(s.practice_p),
            " ".join(s.flags),
        )
        for s in statistics
    ]


def for_export(queryset):
    return queryset.select_related("question", "version", "objective__domain__blueprint").only(
        "question__status",
        "version__number",
        "objective__code",
        "objective__domain__blueprint__code",
        *(f.name for f in ItemStatistics._meta.concrete_fields if f.name != "options"),
    )


def as_csv(rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def as_table(rows: list[tuple[str, ...]]) -> str:
    """Aligned columns for a terminal."""
    table = [HEADER, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    return (
        "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in table
        )
        + "\n"
    )
