"""Read question files of any supported format and import them in one transaction."""

from __future__ import annotations

from pathlib import Path

from quiz.bank.importers.load import ImportReport, files_under, import_parsed
from quiz.bank.importers.moodle import parse_moodle_xml
from quiz.bank.importers.parsed import FileProblem, ParsedQuestion
from quiz.bank.importers.yaml_format import parse_yaml
from quiz.bank.rules import MAX_FILE_BYTES


def too_large(name: str, size: int) -> FileProblem | None:
    """The admin's upload limit, for every way in."""
    if size <= MAX_FILE_BYTES:
        return None
    return FileProblem(
        name,
        "",
        "file_too_large",
        f"The file has {size:,} bytes; at most {MAX_FILE_BYTES // (1024 * 1024)} MB is allowed.",
    )


def parse_file(
    name: str, data: bytes, *, blueprint_code: str = "", objective_code: str = ""
) -> tuple[list[ParsedQuestion], list[FileProblem], list[str]]:
    """Parse one file by its extension: (questions, problems, skipped)."""
    problem = too_large(name, len(data))
    if problem:
        return [], [problem], []
    suffix = Path(name).suffix.lower()
    if suffix == ".xml":
        return parse_moodle_xml(
            data, source=name, blueprint_code=blueprint_code, objective_code=objective_code
        )
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
    force: bool = False,
    problems: list[FileProblem] | None = None,
) -> ImportReport:
    questions: list[ParsedQuestion] = []
    problems = list(problems or [])
    skipped: list[str] = []
    for name, data in named_data:
        file_questions, file_problems, file_skipped = parse_file(
            name, data, blueprint_code=blueprint_code, objective_code=objective_code
        )
        questions += file_questions
        problems += file_problems
        skipped += file_skipped
    report = import_parsed(
        questions, problems=problems, blueprint_code=blueprint_code, author=author, force=force
    )
    report.skipped += skipped
    return report


def import_paths(paths: list[str], **options) -> ImportReport:
    """Import files and folders; a missing path or an oversized file is a problem, not a crash.

    A file is never read past the size limit, so a huge file costs no memory.
    """
    named_data, problems = [], []
    for name in paths:
        if not Path(name).exists():
            problems.append(FileProblem(name, "", "missing_file", "No such file or folder."))
    for path in files_under([name for name in paths if Path(name).exists()]):
        problem = too_large(str(path), path.stat().st_size)
        if problem:
            problems.append(problem)
        else:
            named_data.append((path.as_posix(), path.read_bytes()))
    return import_files(named_data, problems=problems, **options)
