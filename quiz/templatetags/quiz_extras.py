from __future__ import annotations

from django import template
from django.utils.html import format_html_join
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


@register.simple_tag
def navigator_buttons(entries: list[dict]) -> str:
    """The navigator's buttons (65 on a full exam). Rendered in one call: as a template loop it
    was half of the question page's time. Every value is escaped by format_html."""
    return format_html_join(
        "",
        '<li><button type="submit" name="go" value="{}" class="{}"{} aria-label="{}">{}</button>'
        "</li>",
        (
            (
                entry["position"],
                entry["css"],
                # A constant string: nothing of the user's is marked safe here.
                mark_safe(' aria-current="step"') if entry["current"] else "",
                entry["label"],
                entry["position"],
            )
            for entry in entries
        ),
    )
