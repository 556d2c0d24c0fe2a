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


@dataclass
class PacingChart:
    width: int
    height: int
    bars: list[tuple[float, float, float, float, str, bool]]  # x, y, width, height, title, over
    budget_y: float
    budget_label: str
    y_ticks: list[tuple[float, str]]
    plot_left: int
    plot_right: int
    plot_bottom: int
    x_labels: list[tuple[float, str]]


def pacing_chart(seconds: list[int], *, budget_seconds: float) -> PacingChart:
    """Time on screen per item as bars, against the exam's budget per item (a dashed line)."""
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    top_value = max([*seconds, budget_seconds * 1.5, 60])
    step = 60 if top_value <= 360 else 120 if top_value <= 720 else 300
    top_value = step * -(-top_value // step)

    def y(value: float) -> float:
        return round(plot_bottom - (plot_bottom - plot_top) * value / top_value, 1)

    slot = (plot_right - plot_left) / max(len(seconds), 1)
    bars = []
    for index, value in enumerate(seconds):
        x = round(plot_left + index * slot + slot * 0.15, 1)
        minutes, secs = divmod(value, 60)
        title = f"Question {index + 1}: {minutes} min {secs:02d} s"
        bars.append(
            (
                x,
                y(value),
                round(slot * 0.7, 1),
                round(plot_bottom - y(value), 1),
                title,
                value > budget_seconds,
            )
        )
    every = max(1, len(seconds) // 13)
    x_labels = [
        (round(plot_left + i * slot + slot / 2, 1), str(i + 1))
        for i in range(0, len(seconds), every)
    ]
    ticks = [(y(v), f"{v // 60} min") for v in range(0, int(top_value) + 1, step)]
    minutes, secs = divmod(round(budget_seconds), 60)
    return PacingChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        budget_y=y(budget_seconds),
        budget_label=f"Budget {minutes} min {secs:02d} s",
        y_ticks=ticks,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_bottom=plot_bottom,
        x_labels=x_labels,
    )
