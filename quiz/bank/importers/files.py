"""Read question files of any supported format and import them in one transaction."""

from __future__ import annotations

from pathlib import Path

from quiz.bank.importers.load import ImportReport, files_under, import_parsed
from quiz.bank.importers.moodle import parse_moodle_xml
from quiz.bank.importers.parsed import FileProblem, ParsedQuestion
from quiz.bank.importers.yaml_format import parse_yaml


def parse_file(
    name: str, data: bytes, *, objective_code: str = ""
) -> tuple[list[ParsedQuestion], list[FileProblem], list[str]]:
    """Parse one file by its extension: (questions, problems, skipped)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xml":
        return parse_moodle_xml(data, source=name, objective_code=objective_code)
    if suffix in {".yaml", ".yml"}:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return [], [FileProblem(name, "", "malformed_file", "The file is not UTF-8.")], []
        questions, problems = parse_yaml(text, source=name)
        return questions, problems, []
    return [], [FileProblem(name, "", "unknown_format", "Use a .yaml, .yml or .xml file.")], []


def import_files(
    named_data: list[tuple[str, bytes]],
    *,
    blueprint_code: str = "",
    objective_code: str = "",
    author=None,
) -> ImportReport:
    questions: list[ParsedQuestion] = []
    problems: list[FileProblem] = []
    skipped: list[str] = []
    for name, data in named_data:
        file_questions, file_problems, file_skipped = parse_file(
            name, data, objective_code=objective_code
        )
        questions += file_questions
        problems += file_problems
        skipped += file_skipped
    report = import_parsed(
        questions, problems=problems, blueprint_code=blueprint_code, author=author
    )
    report.skipped += skipped
    return report


def import_paths(paths: list[str], **options) -> ImportReport:
    return import_files([(str(p), p.read_bytes()) for p in files_under(paths)], **options)
