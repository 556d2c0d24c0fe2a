"""Moodle XML: import and export of ``multichoice``, ``match`` and ``ordering`` questions, read
the way Moodle reads them (``question/format/xml/format.php``, ``question/type/ordering``).

Import mapping:
- ``<single>``: missing, ``true``, ``yes`` or ``1`` is single response; ``false``, ``0`` or empty
  is multiple response (Moodle's ``trans_single``). The key of a multiple-response question is
  the options with a fraction above 0; of a single-response question, the option at 100%.
  A single-response question with partial credit (100/50/0/0) imports with the 100% option as
  its key and a warning: the bank gives no partial credit. A fraction that is not a number
  (``100%``, ``33,33333``) or lies outside -100..100 is refused.
- Each text keeps its format: ``html`` (and ``moodle_auto_format``) is stored as sanitised HTML,
  ``plain_text`` as plain text (escaped when shown), ``markdown`` as Markdown. A question whose
  texts mix formats is stored as HTML, each text converted as Moodle would show it.
- A multiple-response stem may end with the exact hint for its key ("(Choose TWO.)"): it is
  stripped (the app derives it). A hint that contradicts the key is refused.
- General feedback is the explanation. Its references are read from the block this exporter
  writes at its end; without one, the links it holds are the references (and stay in the text).
- ``<idnumber>`` is the external id and must follow the bank's id rule; without one, an id is
  made from the question's name (``moodle-<name>-<hash>``).
- The objective comes from a category path ending in the blueprint and an objective
  (``$course$/top/MLS-C01/1.2``), else from ``--objective``; a path naming another blueprint
  (``…/SAA-C03/1.2``) is an error.
- Tags ``examprep:status=…`` and ``examprep:difficulty=…`` (written by the exporter) carry the
  status and the author's difficulty; without them a new question arrives as a draft and an
  existing one keeps its status.
- The bank holds text only. A question whose text or option is only an image or other media
  (``<img>``, ``<video>``, ``<file>``, ``@@PLUGINFILE@@``, Moodle's old ``<image>``) is refused;
  media inside texts that remain are removed with one warning for the question.
- ``match`` is a matching question: each ``<subquestion>`` with text is a prompt, its
  ``<answer>`` the match; a subquestion with an answer and no text is a distractor response;
  the responses are the distinct answers in the order they first appear. ``ordering``
  (qtype_ordering) is an ordering question: its ``<answer>``s in the file's order are the steps
  in the right order (Moodle reads them so and ignores their fractions); a subset selection or
  partial-credit grading imports with a warning, since the bank asks every step, all or nothing.
- Other question types (truefalse, essay, cloze, ddwtos, …) are listed as skipped.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.text import slugify

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.bank.importers.parsed import FileProblem, ParsedQuestion
from quiz.bank.markdown import plain_to_html, render_markdown, sanitise_html
from quiz.bank.rules import (
    DIFFICULTIES,
    HTML,
    MARKDOWN,
    MATCHING,
    MULTIPLE,
    ORDERING,
    PLAIN,
    SINGLE,
    STATUSES,
    ChoiceData,
    QuestionData,
    choose_hint,
    id_problems,
    normalise_newlines,
    normalise_text,
    number_in_hint,
    question_problems,
    visible_text,
)

# Moodle's format names and ours. Moodle assumes HTML for a name it does not know.
FORMAT_OF_MOODLE = {
    "html": HTML,
    "moodle_auto_format": HTML,
    "markdown": MARKDOWN,
    "plain_text": PLAIN,
    "wiki_like": PLAIN,
}
MOODLE_FORMAT = {MARKDOWN: "markdown", HTML: "html", PLAIN: "plain_text"}
# Moodle's question types the bank reads: multiple choice, matching, and qtype_ordering (in
# Moodle's core since 4.4, a plugin before).
MOODLE_TYPES = ("multichoice", "match", "ordering")

# Encodings expat reads itself. Others (Shift_JIS, UTF-7, unknown names) are refused with a
# message rather than failing deep in the parser.
READABLE_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "iso-8859-1", "latin-1"}
READABLE_ENCODINGS |= {"latin1", "us-ascii", "ascii"}
DECLARED_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")

# The fractions Moodle accepts on import (question_bank::fraction_options_full), as percentages.
MOODLE_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20)
MOODLE_FRACTIONS += (16.66667, 14.28571, 12.5, 11.11111, 10, 5)
FRACTION_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")

OBJECTIVE_CODE_RE = re.compile(r"^\d+(\.\d+)+$")
BLUEPRINT_CODE_RE = re.compile(r"^[A-Za-z0-9]+-[A-Za-z0-9]+$")
CATEGORY_SEPARATOR_RE = re.compile(r"(?<!/)/(?!/)")

PLUGINFILE_RE = re.compile(r"<(img|a)\b[^>]*@@PLUGINFILE@@[^>]*>(?:</a>)?", re.IGNORECASE)
MEDIA_BLOCK_RE = re.compile(
    r"<(video|audio|object|iframe|svg|canvas|math|picture)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
MEDIA_TAG_RE = re.compile(
    r"<(img|embed|source|track|video|audio|object|iframe|svg|canvas|math|picture)\b[^>]*>",
    re.IGNORECASE,
)
HREF_RE = re.compile(r"""href\s*=\s*["'](https?://[^"']+)["']""", re.IGNORECASE)
URL_RE = re.compile(r"https?://[^\s<>()\[\]\"']+")

TAG_PREFIX = "examprep:"
REFERENCES_LABEL = "References:"
HINT_WORD = r"two|three|four|five|six|seven|eight|nine|\d+"
_HINT = (
    rf"(?:\(\s*(?:choose|select)\s+(?P<n1>{HINT_WORD})\s*\.?\s*\)"
    rf"|(?:choose|select)\s+(?P<n2>{HINT_WORD})\s*\.)"
)
TRAILING_HINT_RE = {
    HTML: re.compile(
        rf"(?P<lead><p>\s*|<br\s*/?>\s*|\s+|^){_HINT}\s*(?P<close></p>)?\s*$", re.IGNORECASE
    ),
    # Markdown and plain text: tags are text there, so only white space leads the hint.
    MARKDOWN: re.compile(rf"(?P<lead>\s+|^){_HINT}\s*(?P<close>)$", re.IGNORECASE),
}


def parse_moodle_xml(
    data: bytes,
    *,
    source: str,
    blueprint_code: str = DEFAULT_BLUEPRINT_CODE,
    objective_code: str = "",
) -> tuple[list[ParsedQuestion], list[FileProblem], list[str]]:
    """Parse a Moodle XML file into questions of ``blueprint_code``: (questions, problems,
    skipped descriptions)."""
    blueprint_code = blueprint_code or DEFAULT_BLUEPRINT_CODE
    declared = DECLARED_ENCODING_RE.match(data)
    if declared and declared.group(1).decode("ascii", "replace").lower() not in READABLE_ENCODINGS:
        name = declared.group(1).decode("ascii", "replace")[:40]
        return (
            [],
            [
                FileProblem(
                    source,
                    "",
                    "unsupported_encoding",
                    f"The file declares the encoding {name!r}; save it as UTF-8.",
                )
            ],
            [],
        )
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError, LookupError) as error:
        return [], [FileProblem(source, "", "malformed_file", f"Not valid XML: {error}")], []
    if root.tag != "quiz":
        return (
            [],
            [FileProblem(source, "", "malformed_file", "The root element is not <quiz>.")],
            [],
        )

    questions: list[ParsedQuestion] = []
    problems: list[FileProblem] = []
    skipped: list[str] = []
    category = ("", "")  # (path, objective code it names)
    for index, element in enumerate(root.findall("question"), start=1):
        kind = element.get("type", "")
        if kind == "category":
            path = _text(element, "category/text")
            category = (path, _objective_of_category(path, blueprint_code))
            continue
        name = _text(element, "name/text") or f"question #{index}"
        if kind not in MOODLE_TYPES:
            skipped.append(f"{source}: {name[:100]} (type {kind or 'unknown'} is not supported)")
            continue
        question, found = _parse_question(
            element,
            kind,
            source=source,
            name=name,
            blueprint_code=blueprint_code,
            category=category,
            objective_code=objective_code,
        )
        problems += found
        if question is not None:
            questions.append(question)
    return questions, problems, skipped


def _objective_of_category(path: str, blueprint_code: str) -> str:
    """The objective a category path names: ``…/<blueprint>/<objective>``; "" if none, and
    "!<code>" when it names another blueprint (an error, reported per question)."""
    segments = [s.replace("//", "/").strip() for s in CATEGORY_SEPARATOR_RE.split(path)]
    if len(segments) < 2 or not OBJECTIVE_CODE_RE.match(segments[-1]):
        return ""
    named = segments[-2]
    if named.casefold() == blueprint_code.casefold():
        return segments[-1]
    if BLUEPRINT_CODE_RE.match(named):
        return f"!{named}"  # another blueprint: reported per question
    return ""


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


class _Field:
    """One text of a question as the file has it: text, our format, and the media it held."""

    def __init__(self, element: Element | None, path: str, default_format: str, label: str):
        self.label = label
        container = element.find(path) if element is not None else None
        self.present = container is not None
        raw = normalise_newlines(_text(container, "text")) if container is not None else ""
        moodle_format = (
            container.get("format", default_format) if container is not None else default_format
        ).strip()
        self.moodle_format = moodle_format
        self.format = FORMAT_OF_MOODLE.get(moodle_format, HTML)
        if moodle_format == "moodle_auto_format":
            raw = raw.replace("\n", "<br>\n")
        self.media = len(container.findall("file")) if container is not None else 0
        if self.format == HTML:
            for pattern in (PLUGINFILE_RE, MEDIA_BLOCK_RE, MEDIA_TAG_RE):
                raw, found = pattern.subn("", raw)
                self.media += found
        self.media += raw.count("@@PLUGINFILE@@")
        self.text = raw.replace("@@PLUGINFILE@@", "")

    @property
    def only_media(self) -> bool:
        return self.media > 0 and not visible_text(self.text, self.format).strip()

    def as_format(self, target: str) -> str:
        """The text in ``target`` format (only HTML is ever a conversion target)."""
        if self.format == target:
            return sanitise_html(self.text).strip() if target == HTML else self.text
        if self.format == MARKDOWN:
            return render_markdown(self.text)
        return plain_to_html(self.text)


def _parse_question(
    element: Element,
    kind: str,
    *,
    source: str,
    name: str,
    blueprint_code: str,
    category: tuple[str, str],
    objective_code: str,
):
    warnings: list[str] = []
    problems: list[FileProblem] = []
    idnumber = _text(element, "idnumber")
    external_id = idnumber or _stable_id(name)
    label = external_id[:100]

    def problem(code: str, message: str) -> None:
        problems.append(FileProblem(source, label, code, message))

    if idnumber:
        for found in id_problems(idnumber):
            problem(found.code, f"<idnumber> {idnumber[:100]!r}: {found.message}")

    stem = _Field(element, "questiontext", "html", "the question text")
    # Moodle's old <image> element becomes an image after the question text.
    if _text(element, "image") or _text(element, "image_base64"):
        stem.media += 1
    default = stem.moodle_format  # Moodle's default for the other texts
    explanation = _Field(element, "generalfeedback", default, "the general feedback")
    if kind == "match":
        parts = _match_parts(element, default)
    else:
        parts = _answer_parts(element, default, kind=kind, problem=problem, warnings=warnings)
    fields = [stem, explanation, *parts.options, *parts.rationales, *parts.responses]

    for field in fields:
        if field.only_media:
            problem(
                "media_only",
                f"{field.label.capitalize()} is only an image or other media, and the bank "
                "holds text only: write it as text.",
            )
    media = [f"{f.label} ({f.media})" for f in fields if f.media and not f.only_media]
    if media and not any(f.only_media for f in fields):
        warnings.append(
            "images or other media removed (the bank holds text only) from "
            + ", ".join(media)
            + "; rewrite the question before publishing it"
        )

    # One format per question: the question text's, or HTML when its texts mix formats.
    formats = {f.format for f in fields if f.text}
    text_format = stem.format if formats <= {stem.format} else HTML

    stem_text = stem.as_format(text_format)
    if parts.type == MULTIPLE:
        stem_text = strip_trailing_hint(stem_text, sum(parts.correct), text_format)
    explanation_text, references = split_references(explanation.as_format(text_format), text_format)

    status, difficulty = None, None
    for tag in element.findall("tags/tag"):
        key, _, value = _text(tag, "text").removeprefix(TAG_PREFIX).partition("=")
        if not _text(tag, "text").startswith(TAG_PREFIX):
            continue
        if key == "status":
            status = value
            if value not in STATUSES:
                problem("unknown_status", f"Status must be one of {', '.join(STATUSES)}.")
        elif key == "difficulty":
            difficulty = value
            if value and value not in DIFFICULTIES:
                problem(
                    "unknown_difficulty", f"Difficulty must be one of {', '.join(DIFFICULTIES)}."
                )

    responses = [r.as_format(text_format) for r in parts.responses]
    content = QuestionData(
        type=parts.type,
        stem=stem_text,
        choices=[
            ChoiceData(
                text=option.as_format(text_format),
                correct=is_correct,
                rationale=rationale.as_format(text_format),
                match=match.as_format(text_format) if match is not None else "",
            )
            for option, is_correct, rationale, match in zip(
                parts.options, parts.correct, parts.rationales, parts.matches, strict=True
            )
        ],
        explanation=explanation_text,
        references=references,
        text_format=text_format,
        responses=_distinct(responses, text_format),
    )
    warnings += parts.warnings
    if not any(f.only_media for f in fields):
        problems += [
            FileProblem(source, label, p.code, p.message) for p in question_problems(content)
        ]
    category_path, category_objective = category
    if category_objective.startswith("!"):
        problem(
            "other_blueprint",
            f"The category {category_path[:200]!r} names blueprint {category_objective[1:]}; "
            f"this import is into {blueprint_code}.",
        )
    elif not (category_objective or objective_code):
        problem(
            "unknown_objective",
            f"No objective: end the category path with the blueprint and an objective "
            f"(…/{blueprint_code}/1.2) or pass --objective.",
        )
    if problems:
        return None, problems
    return (
        ParsedQuestion(
            source=source,
            external_id=external_id,
            objective_code=category_objective or objective_code,
            status=status,
            content=content,
            blueprint_code=blueprint_code,
            difficulty=difficulty,
            warnings=warnings,
            id_origin="" if idnumber else f"name {name[:100]!r}",
        ),
        [],
    )


@dataclass
class _Parts:
    """The type-specific texts of a question: its options (steps, prompts), whether each is
    correct, their rationales, each prompt's match, and the responses of a matching question."""

    type: str
    options: list[_Field]
    correct: list[bool]
    rationales: list[_Field]
    matches: list[_Field | None]
    responses: list[_Field] = dataclass_field(default_factory=list)
    warnings: list[str] = dataclass_field(default_factory=list)


def _answer_parts(element: Element, default: str, *, kind: str, problem, warnings) -> _Parts:
    """multichoice and ordering: the ``<answer>`` elements, in the file's order."""
    answers = element.findall("answer")
    options = [_Field(a, ".", default, f"option {n}") for n, a in enumerate(answers, 1)]
    rationales = [
        _Field(a, "feedback", default, f"option {n}'s feedback") for n, a in enumerate(answers, 1)
    ]
    if kind == "ordering":
        return _Parts(
            type=ORDERING,
            options=options,
            correct=[False] * len(options),
            rationales=rationales,
            matches=[None] * len(options),
            warnings=_ordering_warnings(element, len(options)),
        )
    single_text = element.find("single")
    single_value = (single_text.text or "").strip() if single_text is not None else "true"
    single = not (single_value == "false" or single_value in ("", "0"))

    fractions: list[float] = []
    for position, answer in enumerate(answers, start=1):
        raw = answer.get("fraction", "0")
        if not FRACTION_RE.match(raw) or not -100 <= float(raw) <= 100:
            problem(
                "bad_fraction",
                f"Option {position}'s fraction {raw[:20]!r} is not a percentage from -100 to "
                "100 (Moodle writes 100, 50, 33.33333, -100).",
            )
            fractions.append(0.0)
        else:
            fractions.append(float(raw))
    if single:
        correct = [abs(f - 100) < 1e-4 for f in fractions]
        partial = [n for n, f in enumerate(fractions, 1) if 0 < f < 100 - 1e-4]
        if partial and any(correct):
            warnings.append(
                "Moodle gives partial credit for option(s) "
                + ", ".join(map(str, partial))
                + "; the bank gives none: only the 100% option is the key"
            )
    else:
        correct = [f > 0 for f in fractions]
    return _Parts(
        type=SINGLE if single else MULTIPLE,
        options=options,
        correct=correct,
        rationales=rationales,
        matches=[None] * len(options),
    )


def _ordering_warnings(element: Element, steps: int) -> list[str]:
    """What the bank does differently from the file's qtype_ordering settings (read with
    Moodle's defaults when missing: RANDOM selection of 6, RELATIVE grading)."""
    warnings = []
    select = (_text(element, "selecttype") or "RANDOM").upper()
    count = _text(element, "selectcount") or "6"
    if select not in ("ALL", "EXACT") and (not count.isdigit() or int(count) < steps):
        warnings.append(
            f"Moodle shows a subset of the steps ({select} {count[:10]}); the bank asks every step"
        )
    grading = (_text(element, "gradingtype") or "RELATIVE").upper()
    if grading != "ALL_OR_NOTHING":
        warnings.append(
            f"Moodle gives partial credit ({grading[:40]}); the bank gives credit only for the "
            "whole order"
        )
    return warnings


def _match_parts(element: Element, default: str) -> _Parts:
    """match: each ``<subquestion>`` with text is a prompt and its ``<answer>`` the match; one
    without text only adds its answer to the responses (a distractor, as Moodle writes them);
    one with neither is skipped, as Moodle skips it. The responses are the distinct answers in
    the order they first appear. A ``<feedback>`` inside a subquestion (which Moodle ignores:
    its matching has no per-prompt feedback) is the prompt's rationale."""
    options, rationales, matches, responses = [], [], [], []
    warnings = []
    for n, sub in enumerate(element.findall("subquestion"), 1):
        prompt = _Field(sub, ".", default, f"prompt {n}")
        answer = _Field(sub.find("answer"), ".", default, f"prompt {n}'s answer")
        if not (prompt.text or prompt.media or answer.text or answer.media):
            continue
        if answer.text or answer.media:
            responses.append(answer)
        if prompt.text or prompt.media:
            options.append(prompt)
            matches.append(answer)
            rationales.append(_Field(sub, "feedback", default, f"prompt {n}'s feedback"))
    shuffle = _text(element, "shuffleanswers") or "1"
    if shuffle in ("false", "0"):
        warnings.append("Moodle keeps the prompts in order; the exam shuffles them")
    return _Parts(
        type=MATCHING,
        options=options,
        correct=[False] * len(options),
        rationales=rationales,
        matches=list(matches),
        responses=responses,
        warnings=warnings,
    )


def _distinct(responses: list[str], text_format: str) -> list[str]:
    """Each response once, in first-appearance order (compared as the rules compare them);
    Moodle merges answers with the same text into one choice too."""
    seen: dict[str, str] = {}
    for response in responses:
        seen.setdefault(normalise_text(response, text_format), response)
    return list(seen.values())


def _stable_id(name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    slug = re.sub(r"[-_]+", "-", slugify(name)).strip("-")[:60].strip("-")
    return f"moodle-{slug}-{digest}" if slug else f"moodle-{digest}"


# Export helpers, shared with quiz.bank.importers.export so that import reads exactly what export
# writes.


def hint_text(number_correct: int, text_format: str) -> str:
    hint = f"({choose_hint(number_correct)})"
    return f"<p>{hint}</p>" if text_format == HTML else f"\n\n{hint}"


def strip_trailing_hint(stem: str, number_correct: int, text_format: str) -> str:
    """The stem without a trailing "(Choose TWO.)" that matches the key; anything else stays
    (a hint that contradicts the key is then refused by the rules)."""
    match = TRAILING_HINT_RE[HTML if text_format == HTML else MARKDOWN].search(stem)
    if not match:
        return stem
    if number_in_hint(match.group("n1") or match.group("n2")) != number_correct:
        return stem
    opened = match.group("lead").startswith("<p>")
    keep = match.group("close") if match.group("close") and not opened else ""
    return (stem[: match.start()].rstrip() + (keep or "")).strip()


def references_text(references: list[str], text_format: str) -> str:
    """The block the export appends to the explanation (``split_references`` reads it back)."""
    if not references:
        return ""
    if text_format == HTML:
        items = "".join(
            f'<li><a href="{html.escape(url)}">{html.escape(url)}</a></li>' for url in references
        )
        return f"<p>{REFERENCES_LABEL}</p><ul>{items}</ul>"
    return f"\n\n{REFERENCES_LABEL}\n\n" + "\n".join(f"- <{url}>" for url in references)


_HTML_REFERENCES_RE = re.compile(
    rf"<p>{REFERENCES_LABEL}</p>\s*<ul>(?P<items>(?:\s*<li><a [^>]*>[^<]*</a></li>)+)\s*</ul>\s*$"
)
_TEXT_REFERENCES_RE = re.compile(
    rf"(?:^|\n\n){REFERENCES_LABEL}\n\n(?P<items>(?:- <[^>\s]+>\n?)+)$"
)


def split_references(explanation: str, text_format: str) -> tuple[str, list[str]]:
    """(explanation, references): the exporter's block when present, else the links it holds."""
    if text_format == HTML:
        match = _HTML_REFERENCES_RE.search(explanation)
        if match:
            urls = [html.unescape(u) for u in HREF_RE.findall(match.group("items"))]
            return explanation[: match.start()].rstrip(), urls
        found = [html.unescape(u) for u in HREF_RE.findall(explanation)]
    else:
        match = _TEXT_REFERENCES_RE.search(explanation)
        if match:
            urls = re.findall(r"- <([^>\s]+)>", match.group("items"))
            return explanation[: match.start()].rstrip(), urls
        found = URL_RE.findall(explanation)
    return explanation, list(dict.fromkeys(found))


def moodle_fraction(number_correct: int) -> str:
    """The fraction of each key of a multiple-response question, as Moodle accepts it.

    Raises ``ValueError`` when 100/n is not one of Moodle's fractions (n = 11 or more).
    """
    share = 100 / number_correct
    for allowed in MOODLE_FRACTIONS:
        if abs(share - allowed) < 1e-3:
            return str(allowed)
    raise ValueError(f"Moodle has no fraction for {number_correct} correct options.")
