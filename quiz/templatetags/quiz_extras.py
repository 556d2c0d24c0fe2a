from __future__ import annotations

from django import template

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
