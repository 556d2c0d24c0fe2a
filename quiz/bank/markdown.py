"""Markdown to safe HTML, done once when content is saved (never per request)."""

from __future__ import annotations

import re
from html import escape

import markdown as markdown_lib
import nh3

from quiz.bank.rules import HTML, MARKDOWN, PLAIN

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
    return render_inline(text, MARKDOWN)


def plain_to_html(text: str) -> str:
    """Plain text as Moodle shows it: escaped, blank lines making paragraphs, line ends kept."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "".join(
        "<p>" + "<br>\n".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def render_text(text: str, text_format: str = MARKDOWN) -> str:
    """A stem, explanation or rationale as safe HTML, read in the format it was written in."""
    if text_format == HTML:
        return sanitise_html(text)
    if text_format == PLAIN:
        return plain_to_html(text)
    return render_markdown(text)


def render_inline(text: str, text_format: str = MARKDOWN) -> str:
    """An option's text as safe HTML for its ``<label>``: a lone paragraph is unwrapped."""
    html = render_text(text, text_format)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
