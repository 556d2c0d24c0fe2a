"""The option-choice chart of the item-analysis page: grouped bars as plain geometry."""

from __future__ import annotations

from dataclasses import dataclass

from quiz.bank.rules import OPTION_LETTERS

WIDTH, HEIGHT = 420, 180
LEFT, BOTTOM, TOP = 36, 28, 8
GROUPS = (
    ("upper", "Upper 27%", "#176b2c"),
    ("middle", "Middle", "#4a5260"),
    ("lower", "Lower 27%", "#a5221b"),
)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


def option_chart(options: list[dict]) -> dict:
    """Bars of each option's share chosen by the upper, middle and lower groups (0–100%)."""
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(options), 1)
    bar_width = slot / (len(GROUPS) + 1)
    bars, labels = [], []
    for number, option in enumerate(options):
        letter = OPTION_LETTERS[option["index"]]
        start = LEFT + number * slot + bar_width / 2
        labels.append(
            (start + bar_width * len(GROUPS) / 2, letter + (" (key)" if option["is_key"] else ""))
        )
        for offset, (group, label, colour) in enumerate(GROUPS):
            share = option[group] or 0.0
            height = plot_height * share
            bars.append(
                Bar(
                    x=round(start + offset * bar_width, 1),
                    y=round(TOP + plot_height - height, 1),
                    width=round(bar_width * 0.9, 1),
                    height=round(height, 1),
                    colour=colour,
                    title=f"{letter}, {label}: {share:.0%}",
                )
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "labels": [(round(x, 1), text) for x, text in labels],
        "axis_y": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 16,
        "left": LEFT,
        "legend": [(label, colour) for _, label, colour in GROUPS],
        "ticks": [(round(TOP + plot_height * (1 - t / 100), 1), f"{t}%") for t in (0, 50, 100)],
    }
