"""Rendered Markdown is sanitised: a corpus of XSS payloads comes out inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from quiz.bank.markdown import ALLOWED_TAGS as ALLOWED_TAGS_OF_SANITISER
from quiz.bank.markdown import render_markdown, sanitise_html

# From the OWASP XSS filter evasion cheat sheet, plus Markdown-specific vectors.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<img src=x onerror=alert(1)>",
    '<svg/onload=alert("XSS")>',
    '<BODY ONLOAD=alert("XSS")>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1)  )",
    '![x](x" onerror="alert(1))',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>"
    "</mglyph></table></mtext></math>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "```\n</code><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
]

ALLOWED_TAGS = ALLOWED_TAGS_OF_SANITISER


class _Audit(HTMLParser):
    """Collects what a browser would act on: tags, attributes, URL schemes (not text)."""

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.findings.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcdoc", "formaction"}:
                self.findings.append(f"attribute {name}")
            if name == "href" and not re.match(r"^(https?:|mailto:|#|/)", (value or "").strip()):
                self.findings.append(f"href {value!r}")


def dangerous(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    return audit.findings


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_rendering_strips_xss_payloads(payload):
    html = render_markdown(f"Some text {payload} and more")
    assert dangerous(html) == [], html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_sanitising_strips_xss_payloads(payload):
    html = sanitise_html(f"<p>Text {payload}</p>")
    assert dangerous(html) == [], html


def test_the_audit_itself_catches_live_payloads():
    """Guard against a test that cannot fail: unsanitised payloads are flagged."""
    assert dangerous("<img src=x onerror=alert(1)>")
    assert dangerous('<a href="javascript:alert(1)">x</a>')
    assert dangerous("<script>alert(1)</script>")


def test_allowed_markdown_survives():
    html = render_markdown(
        "Some *emphasis*, **strong**, `code` and a [link](https://docs.aws.amazon.com/).\n\n"
        "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nprint(1)\n```"
    )
    for tag in ("<em>", "<strong>", "<code>", "<ul>", "<li>", "<table>", "<td>", "<pre>"):
        assert tag in html
    assert 'href="https://docs.aws.amazon.com/"' in html
    assert 'rel="noopener noreferrer"' in html
