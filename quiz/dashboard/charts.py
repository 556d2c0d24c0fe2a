"""Server-rendered SVG charts: geometry as plain values, drawn by templates.

Each chart has a text alternative (a table beside it in the template), so nothing here has to
carry meaning by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36
SERIES_STYLES = [
    ("#0b5cad", ""),
    ("#a5221b", "6 4"),
    ("#176b2c", "2 3"),
    ("#7a4d00", "10 3 2 3"),
    ("#5b3e96", "1 0"),
    ("#4a5260", "4 2"),
]


@dataclass
class Series:
    label: str
    colour: str
    dash: str
    points: str  # "x,y x,y ..."
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title


@dataclass
class LineChart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    threshold_y: float | None
    threshold_label: str
    plot_left: int = LEFT
    plot_right: float = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: float = HEIGHT - BOTTOM


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + span / 2
    return LEFT + span * index / (count - 1)


def _y(value: float, low: float, high: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return TOP + span * (1 - (value - low) / (high - low))


def line_chart(
    *,
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    low: float,
    high: float,
    ticks: list[float],
    threshold: float | None = None,
    threshold_label: str = "",
    value_format: str = "{:.0f}",
) -> LineChart:
    count = len(x_labels)
    drawn = []
    for number, (label, values) in enumerate(series):
        colour, dash = SERIES_STYLES[number % len(SERIES_STYLES)]
        coords = [
            (_x(i, count), _y(v, low, high), f"{label}: {value_format.format(v)} ({x_labels[i]})")
            for i, v in enumerate(values)
            if v is not None
        ]
        drawn.append(
            Series(
                label=label,
                colour=colour,
                dash=dash,
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords),
                dots=[(round(x, 1), round(y, 1), title) for x, y, title in coords],
            )
        )
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        series=drawn,
        x_labels=[(round(_x(i, count), 1), text) for i, text in enumerate(x_labels)],
        y_ticks=[(round(_y(t, low, high), 1), value_format.format(t)) for t in ticks],
        threshold_y=None if threshold is None else round(_y(threshold, low, high), 1),
        threshold_label=threshold_label,
    )


def gauge_position(score: int, low: int, high: int) -> float:
    """Where a score sits on a 0–100% bar."""
    return round(100 * (score - low) / (high - low), 2)
