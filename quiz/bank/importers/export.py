"""Export the bank as YAML (our format) or Moodle XML (multichoice, match, ordering); both
round-trip exactly."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import yaml

from quiz.bank.importers.moodle import (
    MOODLE_FORMAT,
    TAG_PREFIX,
    hint_text,
    moodle_fraction,
    references_text,
)
from quiz.bank.rules import (
    MARKDOWN,
    MATCHING,
    MULTIPLE,
    ORDERING,
    SINGLE,
    QuestionData,
    id_problems,
    normalise_text,
)
from quiz.models import CaseStudy, Question


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, so exported files read like hand-written ones."""


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def questions_for_export(blueprint_code: str | None = None):
    questions = Question.objects.select_related(
        "objective__domain__blueprint", "current_version", "case"
    ).prefetch_related("choices")
    if blueprint_code:
        questions = questions.filter(objective__domain__blueprint__code=blueprint_code)
    return questions.order_by("objective__domain__number", "objective__code", "external_id")


def export_yaml(questions, *, blueprint_code: str) -> str:
    """The bank as its own YAML format: importing it back gives the same bank. Raises
    ``ExportError``."""
    questions = list(questions)
    problems = export_problems(questions)
    if problems:
        raise ExportError(problems)
    items = []
    for question in questions:
        item = {
            "id": question.external_id,
            "objective": question.objective.code,
            "type": question.type,
            "status": question.status,
            **({"difficulty": question.difficulty} if question.difficulty else {}),
            **({"format": question.text_format} if question.text_format != MARKDOWN else {}),
            "stem": question.stem,
        }
        if question.type == MATCHING:
            item["prompts"] = [
                {
                    "text": choice.text,
                    "match": choice.match,
                    **({"rationale": choice.rationale} if choice.rationale else {}),
                }
                for choice in question.choices.all()
            ]
            item["responses"] = question.response_list
        else:
            item["choices"] = [
                {
                    "text": choice.text,
                    **({"correct": True} if choice.is_correct else {}),
                    **({"rationale": choice.rationale} if choice.rationale else {}),
                }
                for choice in question.choices.all()
            ]
        if question.explanation:
            item["explanation"] = question.explanation
        if question.reference_list:
            item["references"] = question.reference_list
        items.append(item)
    document: dict = {"blueprint": blueprint_code}
    cases = _cases_of(questions)
    if cases:
        document["cases"] = cases
    document["questions"] = items
    return yaml.dump(
        document,
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )


def _cases_of(questions: list[Question]) -> list[dict]:
    """The case studies of the exported questions, each listing its questions in order."""
    members: dict[int, list[Question]] = {}
    for question in questions:
        if question.case_id is not None:
            members.setdefault(question.case_id, []).append(question)
    cases = []
    for case in CaseStudy.objects.filter(pk__in=list(members)).order_by("external_id"):
        cases.append(
            {
                "id": case.external_id,
                "title": case.title,
                **({"format": case.text_format} if case.text_format != MARKDOWN else {}),
                "scenario": case.scenario,
                "questions": [
                    q.external_id
                    for q in sorted(members[case.pk], key=lambda q: q.case_position or 0)
                ],
            }
        )
    return cases


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class ExportError(ValueError):
    """The bank holds something the format cannot carry; ``problems`` says what, per question."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def export_problems(questions) -> list[str]:
    """What stops an export: ids that break the id rule (rows written before it existed)."""
    return [
        f"{question.external_id[:100]!r}: {problem.message} [{problem.code}]"
        for question in questions
        for problem in id_problems(question.external_id)
    ]


def moodle_differences(questions) -> list[str]:
    """How Moodle will treat the exported questions differently from the app (for the summary)."""
    multiple = sum(1 for q in questions if q.type == MULTIPLE)
    if not multiple:
        return []
    return [
        f"{multiple} multiple-response question(s): Moodle gives partial credit (each key "
        "earns 1/N of the mark, a wrong option -100% of it, never below 0); the app gives "
        "credit only for exactly the key. Exported with the closest Moodle setting."
    ]


def moodle_case_problems(questions) -> list[str]:
    """Questions of a case study: Moodle has no case study (one scenario above several
    questions, asked together), so rather than exporting them as unrelated questions without
    their scenario the export refuses them, naming the case and its questions."""
    members: dict[str, list[str]] = {}
    for question in questions:
        if question.case_id is not None:
            members.setdefault(question.case.external_id, []).append(question.external_id)
    return [
        f"case {case_id} ({', '.join(ids)}): Moodle XML has no case studies; export these "
        "questions as YAML, or take them out of the case first [case_not_in_moodle]"
        for case_id, ids in sorted(members.items())
    ]


def export_moodle(questions) -> str:
    """Moodle XML: one category per objective (…/<blueprint>/<objective code>).

    Texts are written in the question's own format (Markdown, HTML or plain text), a
    multiple-response stem ends with its "(Choose TWO.)" hint, the references follow the
    explanation in a block of their own, and status and difficulty travel as tags, so that
    ``parse_moodle_xml`` reads back exactly what was exported. Raises ``ExportError``.
    """
    questions = list(questions)
    problems = export_problems(questions) + moodle_case_problems(questions)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category = None
    for question in questions:
        content = question.content()
        fmt = content.text_format
        moodle_format = quoteattr(MOODLE_FORMAT[fmt])
        path = f"$course$/top/{question.objective.domain.blueprint.code}/{question.objective.code}"
        if path != category:
            category = path
            lines += [
                '  <question type="category">',
                f"    <category><text>{escape(path)}</text></category>",
                "  </question>",
            ]
        stem = content.stem
        if content.type == MULTIPLE:
            stem += hint_text(sum(1 for choice in content.choices if choice.correct), fmt)
        explanation = content.explanation + references_text(content.references, fmt)
        tags = [f"{TAG_PREFIX}status={question.status}"]
        if question.difficulty:
            tags.append(f"{TAG_PREFIX}difficulty={question.difficulty}")
        lines += [
            f"  <question type={quoteattr(MOODLE_TYPE[content.type])}>",
            f"    <name><text>{escape(question.external_id)}</text></name>",
            f"    <idnumber>{escape(question.external_id)}</idnumber>",
            f"    <questiontext format={moodle_format}><text>{_cdata(stem)}</text></questiontext>",
            f"    <generalfeedback format={moodle_format}><text>{_cdata(explanation)}</text>"
            "</generalfeedback>",
        ]
        if content.type == ORDERING:
            lines += _ordering_lines(content)
        elif content.type == MATCHING:
            lines += _matching_lines(content)
        else:
            try:
                lines += _multichoice_lines(content)
            except ValueError as error:
                problems.append(f"{question.external_id}: {error}")
        lines.append("    <tags>")
        lines += [f"      <tag><text>{escape(tag)}</text></tag>" for tag in tags]
        lines += ["    </tags>", "  </question>"]
    if problems:
        raise ExportError(problems)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


MOODLE_TYPE = {SINGLE: "multichoice", MULTIPLE: "multichoice", ORDERING: "ordering"}
MOODLE_TYPE[MATCHING] = "match"


def _multichoice_lines(content: QuestionData) -> list[str]:
    """Raises ``ValueError`` when Moodle has no fraction for the key's size."""
    moodle_format = quoteattr(MOODLE_FORMAT[content.text_format])
    key_fraction = "100"
    if content.type == MULTIPLE:
        key_fraction = moodle_fraction(sum(1 for choice in content.choices if choice.correct))
    lines = [
        f"    <single>{'true' if content.type == SINGLE else 'false'}</single>",
        "    <shuffleanswers>true</shuffleanswers>",
        "    <answernumbering>abc</answernumbering>",
    ]
    for choice in content.choices:
        if content.type == MULTIPLE:
            fraction = key_fraction if choice.correct else "-100"
        else:
            fraction = "100" if choice.correct else "0"
        lines += [
            f"    <answer fraction={quoteattr(fraction)} format={moodle_format}>",
            f"      <text>{_cdata(choice.text)}</text>",
            f"      <feedback format={moodle_format}><text>{_cdata(choice.rationale)}</text>"
            "</feedback>",
            "    </answer>",
        ]
    return lines


def _ordering_lines(content: QuestionData) -> list[str]:
    """qtype_ordering as its own export writes it: the steps in the right order (the fraction
    is the position, as Moodle stores it), every step shown (ALL), all-or-nothing grading like
    the exam; a step's rationale is its feedback."""
    moodle_format = quoteattr(MOODLE_FORMAT[content.text_format])
    lines = [
        "    <layouttype>VERTICAL</layouttype>",
        "    <selecttype>ALL</selecttype>",
        f"    <selectcount>{len(content.choices)}</selectcount>",
        "    <gradingtype>ALL_OR_NOTHING</gradingtype>",
        "    <showgrading>SHOW</showgrading>",
        "    <numberingstyle>none</numberingstyle>",
    ]
    for position, step in enumerate(content.choices, start=1):
        lines += [
            f'    <answer fraction="{position}" format={moodle_format}>',
            f"      <text>{_cdata(step.text)}</text>",
            f"      <feedback format={moodle_format}><text>{_cdata(step.rationale)}</text>"
            "</feedback>",
            "    </answer>",
        ]
    return lines


def _matching_lines(content: QuestionData) -> list[str]:
    """Moodle's ``match``: a subquestion per prompt with its match as the answer, then a
    subquestion without text per distractor response, as Moodle writes them. The importer
    reads the responses in the order they first appear; when that is not the authored order
    (or spelling), every response is first declared by a subquestion without text, in order
    (Moodle merges answers of the same text, and shuffles its list anyway). A prompt's
    rationale goes in a ``<feedback>`` inside its subquestion, which Moodle ignores."""
    fmt = content.text_format
    moodle_format = quoteattr(MOODLE_FORMAT[fmt])

    def declared(texts: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for text in texts:
            seen.setdefault(normalise_text(text, fmt), text)
        return list(seen.values())

    matched = {normalise_text(c.match, fmt) for c in content.choices}
    distractors = [r for r in content.responses if normalise_text(r, fmt) not in matched]
    first = (
        []
        if declared([c.match for c in content.choices] + distractors) == content.responses
        else list(content.responses)
    )
    lines = ["    <shuffleanswers>true</shuffleanswers>"]
    for response in first:
        lines += _subquestion("", response, "", moodle_format)
    for prompt in content.choices:
        lines += _subquestion(prompt.text, prompt.match, prompt.rationale, moodle_format)
    if not first:
        for response in distractors:
            lines += _subquestion("", response, "", moodle_format)
    return lines


def _subquestion(text: str, answer: str, rationale: str, moodle_format: str) -> list[str]:
    lines = [
        f"    <subquestion format={moodle_format}>",
        f"      <text>{_cdata(text)}</text>",
        f"      <answer><text>{_cdata(answer)}</text></answer>",
    ]
    if rationale:
        lines.append(
            f"      <feedback format={moodle_format}><text>{_cdata(rationale)}</text></feedback>"
        )
    return [*lines, "    </subquestion>"]
