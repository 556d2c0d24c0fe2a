"""Export the bank as YAML (our format, round-trips exactly) or Moodle XML (multichoice)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import yaml

from quiz.models import Question


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks, so exported files read like hand-written ones."""


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def questions_for_export(blueprint_code: str | None = None):
    questions = Question.objects.select_related(
        "objective__domain__blueprint", "current_version"
    ).prefetch_related("choices")
    if blueprint_code:
        questions = questions.filter(objective__domain__blueprint__code=blueprint_code)
    return questions.order_by("objective__domain__number", "objective__code", "external_id")


def export_yaml(questions, *, blueprint_code: str) -> str:
    items = []
    for question in questions:
        item = {
            "id": question.external_id,
            "objective": question.objective.code,
            "type": question.type,
            "status": question.status,
            **({"difficulty": question.difficulty} if question.difficulty else {}),
            "stem": question.stem,
            "choices": [
                {
                    "text": choice.text,
                    **({"correct": True} if choice.is_correct else {}),
                    **({"rationale": choice.rationale} if choice.rationale else {}),
                }
                for choice in question.choices.all()
            ],
        }
        if question.explanation:
            item["explanation"] = question.explanation
        if question.reference_list:
            item["references"] = question.reference_list
        items.append(item)
    return yaml.dump(
        {"blueprint": blueprint_code, "questions": items},
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )


def _cdata(html: str) -> str:
    return "<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def export_moodle(questions) -> str:
    """Moodle XML: one category per objective (…/<blueprint>/<objective code>), HTML text."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category = None
    for question in questions:
        version = question.current_version
        if version is None:
            continue
        path = f"$course$/top/{question.objective.domain.blueprint.code}/{question.objective.code}"
        if path != category:
            category = path
            lines += [
                '  <question type="category">',
                f"    <category><text>{escape(path)}</text></category>",
                "  </question>",
            ]
        correct = len(version.correct_indices)
        explanation = version.explanation_html + "".join(
            f'<p><a href="{escape(url)}">{escape(url)}</a></p>' for url in version.references
        )
        lines += [
            '  <question type="multichoice">',
            f"    <name><text>{escape(question.external_id)}</text></name>",
            f"    <idnumber>{escape(question.external_id)}</idnumber>",
            f'    <questiontext format="html"><text>{_cdata(version.stem_html)}</text>'
            "</questiontext>",
            f'    <generalfeedback format="html"><text>{_cdata(explanation)}</text>'
            "</generalfeedback>",
            f"    <single>{'true' if version.type == 'single' else 'false'}</single>",
            "    <shuffleanswers>true</shuffleanswers>",
            "    <answernumbering>abc</answernumbering>",
        ]
        for choice in version.choices:
            if version.type == "single":
                fraction = "100" if choice["correct"] else "0"
            else:
                fraction = f"{100 / correct:.5g}" if choice["correct"] else "-100"
            lines += [
                f'    <answer fraction={quoteattr(fraction)} format="html">',
                f"      <text>{_cdata(choice['html'])}</text>",
                f'      <feedback format="html"><text>{_cdata(choice["rationale_html"])}</text>'
                "</feedback>",
                "    </answer>",
            ]
        lines.append("  </question>")
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"
