"""The bank's own YAML format (documented in content/FORMAT.md and the README).

Run ``python -m quiz.bank.importers.yaml_format FILE...`` to check files without a database.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from quiz.bank.importers.parsed import FileProblem, ParsedCase, ParsedQuestion
from quiz.bank.rules import (
    DIFFICULTIES,
    MARKDOWN,
    MATCHING,
    STATUSES,
    TEXT_FORMATS,
    CaseData,
    ChoiceData,
    QuestionData,
    case_problems,
    cases_problems,
    id_problems,
    normalise_newlines,
    question_problems,
)

QUESTION_FIELDS = {
    "id",
    "objective",
    "type",
    "status",
    "stem",
    "choices",
    "explanation",
    "references",
    "difficulty",
    "format",
}
REQUIRED_FIELDS = ("id", "objective", "type", "stem", "choices")
CHOICE_FIELDS = {"text", "correct", "rationale"}
# A matching question has prompts (each naming its match) and responses instead of choices.
MATCHING_FIELDS = QUESTION_FIELDS - {"choices"} | {"prompts", "responses"}
MATCHING_REQUIRED_FIELDS = ("id", "objective", "type", "stem", "prompts", "responses")
PROMPT_FIELDS = {"text", "match", "rationale"}
CASE_FIELDS = {"id", "title", "scenario", "questions", "format"}
CASE_REQUIRED_FIELDS = ("id", "title", "scenario", "questions")


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: a few bytes of nested aliases expand into millions of items (the
    "billion laughs"), so an alias is refused when it is met, before anything is built."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed in question files; write the text out",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


def parse_yaml(text: str, *, source: str) -> tuple[list[ParsedQuestion], list[FileProblem]]:
    """Parse one YAML document into questions and every problem found (rules included)."""
    try:
        document = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        return [], [FileProblem(source, "", "malformed_file", f"Not valid YAML: {error}")]
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        return [], [
            FileProblem(source, "", "malformed_file", "Expected a mapping with a 'questions' list.")
        ]
    blueprint = str(document.get("blueprint") or "")
    parsed: list[ParsedQuestion] = []
    problems: list[FileProblem] = []
    seen_ids: set[str] = set()
    for index, item in enumerate(document["questions"], start=1):
        question, item_problems = _parse_question(item, source=source, index=index)
        problems += item_problems
        if question is None:
            continue
        if question.external_id in seen_ids:
            problems.append(
                FileProblem(source, question.external_id, "duplicate_id", "This id is used twice.")
            )
            continue
        seen_ids.add(question.external_id)
        question.blueprint_code = blueprint
        parsed.append(question)
    # A case names questions of this file, valid or not (an invalid one is reported already).
    named = {
        str(item.get("id") or "").strip()
        for item in document["questions"]
        if isinstance(item, dict)
    }
    cases, case_file_problems = _parse_cases(
        document.get("cases"), source=source, blueprint=blueprint, named=named - {""}
    )
    problems += case_file_problems
    by_id = {question.external_id: question for question in parsed}
    for case in cases:
        for position, external_id in enumerate(case.content.question_ids, start=1):
            if external_id in by_id:
                by_id[external_id].case, by_id[external_id].case_position = case, position
    return parsed, problems


def _parse_cases(
    raw_cases, *, source: str, blueprint: str, named: set[str]
) -> tuple[list[ParsedCase], list[FileProblem]]:
    """The file's case studies, checked on their own and against the file's questions."""
    if raw_cases is None:
        return [], []
    if not isinstance(raw_cases, list):
        return [], [FileProblem(source, "", "malformed_file", "'cases' must be a list.")]
    cases: list[ParsedCase] = []
    problems: list[FileProblem] = []
    seen_ids: set[str] = set()
    for index, item in enumerate(raw_cases, start=1):
        label = f"case #{index}"
        if not isinstance(item, dict):
            problems.append(
                FileProblem(source, label, "malformed_file", "A case must be a mapping.")
            )
            continue
        external_id = str(item.get("id") or "").strip()
        label = external_id[:100] or label
        item_problems = [
            FileProblem(source, label, "missing_field", f"Field '{name}' is missing.")
            for name in CASE_REQUIRED_FIELDS
            if item.get(name) in (None, "", [])
        ]
        item_problems += [
            FileProblem(
                source, label, "unknown_field", f"Field '{name}' is not part of the format."
            )
            for name in sorted(set(item) - CASE_FIELDS)
        ]
        question_ids = item.get("questions") or []
        if not isinstance(question_ids, list):
            item_problems.append(
                FileProblem(source, label, "malformed_file", "'questions' must be a list of ids.")
            )
            question_ids = []
        content = CaseData(
            external_id=external_id,
            title=_text(item.get("title")),
            scenario=_text(item.get("scenario")),
            question_ids=[str(i).strip() for i in question_ids],
            text_format=str(item.get("format") or MARKDOWN),
        )
        if external_id:
            item_problems += [
                FileProblem(source, label, problem.code, problem.message)
                for problem in case_problems(content)
            ]
        if external_id in seen_ids:
            item_problems.append(
                FileProblem(source, label, "duplicate_id", "This case id is used twice.")
            )
        seen_ids.add(external_id)
        problems += item_problems
        if not item_problems:
            cases.append(ParsedCase(source=source, content=content, blueprint_code=blueprint))
    problems += [
        FileProblem(source, case_id, problem.code, problem.message)
        for case_id, problem in cases_problems(
            [case.content for case in cases], blueprint_of=dict.fromkeys(named, blueprint)
        )
    ]
    return cases, problems


def _parse_question(item, *, source: str, index: int):
    label = f"question #{index}"
    if not isinstance(item, dict):
        return None, [FileProblem(source, label, "malformed_file", "A question must be a mapping.")]
    external_id = str(item.get("id") or "").strip()
    label = external_id[:100] or label
    kind = str(item.get("type") or "")
    is_matching = kind == MATCHING
    problems = [
        FileProblem(source, label, "missing_field", f"Field '{name}' is missing.")
        for name in (MATCHING_REQUIRED_FIELDS if is_matching else REQUIRED_FIELDS)
        if item.get(name) in (None, "", [])
    ]
    problems += [
        FileProblem(source, label, "unknown_field", f"Field '{name}' is not part of the format.")
        for name in sorted(set(item) - (MATCHING_FIELDS if is_matching else QUESTION_FIELDS))
    ]
    if external_id:
        problems += [
            FileProblem(source, label, problem.code, problem.message)
            for problem in id_problems(external_id)
        ]
    text_format = str(item.get("format") or MARKDOWN)
    if text_format not in TEXT_FORMATS:
        problems.append(
            FileProblem(
                source,
                label,
                "unknown_format",
                f"Format must be one of {', '.join(TEXT_FORMATS)}.",
            )
        )
    status = str(item.get("status") or "draft")
    if status not in STATUSES:
        problems.append(
            FileProblem(
                source, label, "unknown_status", f"Status must be one of {', '.join(STATUSES)}."
            )
        )
    difficulty = str(item.get("difficulty") or "")
    if difficulty and difficulty not in DIFFICULTIES:
        problems.append(
            FileProblem(
                source,
                label,
                "unknown_difficulty",
                f"Difficulty must be one of {', '.join(DIFFICULTIES)}.",
            )
        )
    field_name, label_word = ("prompts", "Prompt") if is_matching else ("choices", "Option")
    raw_choices = item.get(field_name) or []
    choices = []
    if not isinstance(raw_choices, list):
        problems.append(
            FileProblem(source, label, "malformed_file", f"'{field_name}' must be a list.")
        )
        raw_choices = []
    for position, raw in enumerate(raw_choices, start=1):
        if isinstance(raw, str):
            raw = {"text": raw}
        if not isinstance(raw, dict):
            problems.append(
                FileProblem(
                    source, label, "malformed_file", f"{label_word} {position} is not a mapping."
                )
            )
            continue
        for name in sorted(set(raw) - (PROMPT_FIELDS if is_matching else CHOICE_FIELDS)):
            problems.append(
                FileProblem(
                    source,
                    label,
                    "unknown_field",
                    f"{label_word} {position}: field '{name}' is not part of the format.",
                )
            )
        choices.append(
            ChoiceData(
                text=_text(raw.get("text")),
                correct=raw.get("correct") is True,
                rationale=_text(raw.get("rationale")),
                match=_text(raw.get("match")),
            )
        )
    responses = item.get("responses") or []
    if not isinstance(responses, list) or any(isinstance(r, dict | list) for r in responses):
        problems.append(
            FileProblem(source, label, "malformed_file", "'responses' must be a list of texts.")
        )
        responses = []
    references = item.get("references") or []
    if isinstance(references, str):
        references = [references]
    content = QuestionData(
        type=str(item.get("type") or ""),
        stem=_text(item.get("stem")),
        choices=choices,
        explanation=_text(item.get("explanation")),
        references=[str(url).strip() for url in references],
        text_format=text_format,
        responses=[_text(response) for response in responses],
    )
    if text_format in TEXT_FORMATS:
        problems += [
            FileProblem(source, label, problem.code, problem.message)
            for problem in question_problems(content)
        ]
    if problems:
        return None, problems
    return (
        ParsedQuestion(
            source=source,
            external_id=external_id,
            objective_code=str(item["objective"]).strip(),
            status=status,
            content=content,
            difficulty=difficulty,
        ),
        [],
    )


def _text(value) -> str:
    return normalise_newlines(str(value or "")).strip()


def main(paths: list[str]) -> int:
    total, failed = 0, 0
    for path in paths:
        questions, problems = parse_yaml(Path(path).read_text(encoding="utf-8"), source=path)
        total += len(questions)
        failed += len(problems)
        for problem in problems:
            print(problem)
    print(f"{total} valid questions, {failed} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
