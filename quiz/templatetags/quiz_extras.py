from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def hms(seconds: int | None) -> str:
    """Seconds as h:mm:ss (the countdown's format)."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@register.filter
def minutes_text(seconds: int | None) -> str:
    """A duration for people: "2 h 05 min", "14 min", "45 s"."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


@register.filter
def minutes_secs(seconds: int | None) -> str:
    """A short duration to the second: "2 min 05 s", "45 s"."""
    seconds = max(0, int(seconds or 0))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


CURRENT_STEP = ' aria-current="step"'


@register.simple_tag
def navigator_buttons(entries: list[dict]) -> str:
    """The navigator's buttons (65 on a full exam), in one call: as a template loop it was half
    of the question page's time, and format_html per button still a tenth. The position is a
    number the view made; the class and label are escaped."""
    return mark_safe(  # noqa: S308 - every interpolated string is escaped just above
        "".join(
            f'<li><button type="submit" name="go" value="{entry["position"]}" '
            f'class="{escape(entry["css"])}"{CURRENT_STEP if entry["current"] else ""} '
            f'aria-label="{escape(entry["label"])}">{entry["position"]}</button></li>'
            for entry in entries
        )
    )


@register.simple_tag
def text_size_choices() -> list[tuple[str, str]]:
    """The text sizes a candidate can choose (the exam screens' zoom)."""
    from accounts.models import User

    return User.TextSize.choices
