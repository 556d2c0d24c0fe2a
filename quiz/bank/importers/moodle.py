"""Moodle XML: import and export of ``multichoice`` questions.

Import mapping:
- ``<single>true</single>`` is single response; otherwise multiple response, the options with a
  fraction above 0 being the key.
- Question text (HTML, usually in CDATA) becomes the stem; general feedback the explanation (its
  links also become the references); per-answer feedback the option's rationale.
- The objective comes from the category path when its last segment is an objective code
  (``$course$/top/MLS-C01/1.2``), else from ``--objective``.
- ``<idnumber>`` is the external id; without one, a stable id is derived from the question name.
- Other question types (truefalse, essay, cloze, matching, …) are listed as skipped.
- Embedded files (``<file>`` elements, ``@@PLUGINFILE@@`` references) are **stripped**, with one
  warning per question: the bank stores text only, so an image-dependent question needs an author's
  rewrite before it is published. Imported questions arrive as drafts for that review.
"""

from __future__ import annotations

import hashlib
import re
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.text import slugify

from quiz.bank.importers.parsed import FileProblem, ParsedQuestion
from quiz.bank.markdown import sanitise_html
from quiz.bank.rules import MULTIPLE, SINGLE, ChoiceData, QuestionData, question_problems

OBJECTIVE_AT_END_RE = re.compile(r"(\d+\.\d+)\s*$")
PLUGINFILE_RE = re.compile(r"<(img|a)\b[^>]*@@PLUGINFILE@@[^>]*>(?:</a>)?", re.IGNORECASE)
HREF_RE = re.compile(r"""href\s*=\s*["'](https?://[^"']+)["']""", re.IGNORECASE)


def parse_moodle_xml(
    data: bytes, *, source: str, objective_code: str = ""
) -> tuple[list[ParsedQuestion], list[FileProblem], list[str]]:
    """Parse a Moodle XML file: (questions, problems, skipped descriptions)."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as error:
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
    category_objective = ""
    for index, element in enumerate(root.findall("question"), start=1):
        kind = element.get("type", "")
        if kind == "category":
            path = _text(element, "category/text")
            match = OBJECTIVE_AT_END_RE.search(path)
            category_objective = match.group(1) if match else ""
            continue
        name = _text(element, "name/text") or f"question #{index}"
        if kind != "multichoice":
            skipped.append(f"{source}: {name} (type {kind or 'unknown'} is not supported)")
            continue
        question, question_problems_found = _parse_multichoice(
            element,
            source=source,
            name=name,
            objective_code=category_objective or objective_code,
        )
        problems += question_problems_found
        if question is not None:
            questions.append(question)
    return questions, problems, skipped


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


def _html_field(element: Element, path: str, warnings: list[str]) -> str:
    """The field's text as sanitised HTML (plain-text formats are escaped by the sanitiser)."""
    container = element.find(path)
    if container is None:
        return ""
    text = _text(container, "text")
    if container.findall("file") or "@@PLUGINFILE@@" in text:
        warnings.append(f"embedded file(s) in {path} were stripped")
        text = PLUGINFILE_RE.sub("", text)
    if container.get("format", "html") in {"html", "moodle_auto_format"}:
        return sanitise_html(text)
    return text


def _parse_multichoice(element: Element, *, source: str, name: str, objective_code: str):
    warnings: list[str] = []
    external_id = _text(element, "idnumber") or _stable_id(name)
    stem = _html_field(element, "questiontext", warnings)
    explanation = _html_field(element, "generalfeedback", warnings)
    single = _text(element, "single").lower() in {"true", "1"}
    choices = []
    for answer in element.findall("answer"):
        try:
            fraction = float(answer.get("fraction", "0"))
        except ValueError:
            fraction = 0.0
        choices.append(
            ChoiceData(
                text=_html_field(answer, ".", warnings),
                correct=fraction > 0,
                rationale=_html_field(answer, "feedback", warnings),
            )
        )
    references = list(dict.fromkeys(HREF_RE.findall(explanation)))
    content = QuestionData(
        type=SINGLE if single else MULTIPLE,
        stem=stem,
        choices=choices,
        explanation=explanation,
        references=references,
    )
    problems = [
        FileProblem(source, external_id, problem.code, problem.message)
        for problem in question_problems(content)
    ]
    if not objective_code:
        problems.append(
            FileProblem(
                source,
                external_id,
                "unknown_objective",
                "No objective: end the category path with an objective code (…/1.2) "
                "or pass --objective.",
            )
        )
    if problems:
        return None, problems
    return (
        ParsedQuestion(
            source=source,
            external_id=external_id,
            objective_code=objective_code,
            status="draft",
            content=content,
            warnings=warnings,
        ),
        [],
    )


def _stable_id(name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"moodle-{slugify(name)[:60]}-{digest}"
