"""Markdown to safe HTML, done once when content is saved (never per request)."""

from __future__ import annotations

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "hr",
    "sub",
    "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> str:
    """Render Markdown and keep only an allowlist of tags; links get ``rel="noopener"``.

    Raw HTML in the source is escaped by the sanitiser's allowlist, not trusted: script, style,
    iframe, event attributes and ``javascript:`` URLs never survive.
    """
    html = markdown_lib.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def sanitise_html(html: str) -> str:
    """Sanitise HTML that arrives as HTML (Moodle XML question text) with the same allowlist."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_inline_markdown(text: str) -> str:
    """Like ``render_markdown`` but without the wrapping paragraph of a one-paragraph text, so
    an option's text can sit inside its ``<label>``."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
