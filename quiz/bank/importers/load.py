"""Write parsed questions to the bank: all or nothing, idempotent, versioning edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from quiz.bank.importers.parsed import FileProblem, ParsedQuestion
from quiz.models import Blueprint, Choice, Objective, Question, QuestionStatusChange
from quiz.models.bank import state_hash


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Questions the import left alone because the bank holds a change the file did not make
    # (an author's edit or status change, or another file's version): "file: id: why".
    kept: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"Nothing imported: {len(self.problems)} problem(s)."
        return (
            f"{len(self.created)} created, {len(self.changed)} changed (new version), "
            f"{len(self.unchanged)} unchanged, {len(self.kept)} kept (changed in the app), "
            f"{len(self.skipped)} skipped, {len(self.warnings)} warning(s)."
        )


def import_parsed(
    parsed: list[ParsedQuestion],
    *,
    problems: list[FileProblem] | None = None,
    blueprint_code: str = "",
    author=None,
    force: bool = False,
) -> ImportReport:
    """Validate every question against the database, then write them all or none.

    The rule that keeps authors' work: a file seeds the bank, it never overwrites a change made
    in the app. Each question records the file that last wrote it and the state it wrote
    (``Question.source`` and ``source_hash``: content, objective, status, difficulty). A file
    replaces a question only while the bank still holds exactly what this same file last wrote;
    otherwise the question is kept and listed in ``report.kept`` with the reason. ``force``
    applies the file's version anyway.

    A question whose content differs gets a new version; one whose whole state is identical is
    left alone, so re-importing a file (or the bank's own export) changes nothing.
    """
    report = ImportReport(problems=list(problems or []))
    for question in parsed:
        report.warnings += [
            f"{question.source}: {question.external_id}: {w}" for w in question.warnings
        ]
    objectives = _objectives_by_blueprint()
    seen: dict[str, ParsedQuestion] = {}
    resolved: list[tuple[ParsedQuestion, Objective]] = []
    for question in parsed:
        code = question.blueprint_code or blueprint_code
        if question.external_id in seen:
            report.problems.append(_duplicate(question, seen[question.external_id]))
            continue
        seen[question.external_id] = question
        if code not in objectives:
            report.problems.append(
                FileProblem(
                    question.source,
                    question.external_id,
                    "unknown_blueprint",
                    f"No blueprint with code {code!r}.",
                )
            )
            continue
        objective = objectives[code].get(question.objective_code)
        if objective is None:
            report.problems.append(
                FileProblem(
                    question.source,
                    question.external_id,
                    "unknown_objective",
                    f"Blueprint {code} has no objective {question.objective_code!r}.",
                )
            )
            continue
        resolved.append((question, objective))
    if report.problems:
        return report
    with transaction.atomic():
        _write(resolved, report=report, author=author, force=force)
    return report


def _duplicate(question: ParsedQuestion, first: ParsedQuestion) -> FileProblem:
    message = f"This id is also used in {first.source}."
    origins = [q.id_origin for q in (first, question) if q.id_origin]
    if origins:
        message += (
            f" The id was made from the question's name ({origins[0]}), and names repeat: "
            "give each question an <idnumber> (or a name of its own)."
        )
    return FileProblem(question.source, question.external_id, "duplicate_id", message)


def _objectives_by_blueprint() -> dict[str, dict[str, Objective]]:
    result: dict[str, dict[str, Objective]] = {b.code: {} for b in Blueprint.objects.all()}
    for objective in Objective.objects.select_related("domain__blueprint"):
        result[objective.domain.blueprint.code][objective.code] = objective
    return result


def _why_kept(question: Question, parsed: ParsedQuestion, current: str, incoming: str) -> str:
    if not question.source_hash:
        why = "no file is recorded as writing it (made in the app, or imported before 0007)"
    elif question.source != parsed.source:
        why = f"it was last written by {question.source}, not by this file"
    else:
        what = "edited"
        if parsed.status is not None and question.status != parsed.status:
            what = f"set to {question.status}"
        why = f"it was {what} in the app since this file last wrote it"
        if incoming != question.source_hash:
            why += ", and the file changed it too (a conflict)"
    return f"{why}; kept (--force applies the file's version)"


def _write(resolved, *, report: ImportReport, author, force: bool) -> None:
    existing = {
        q.external_id: q
        for q in Question.objects.filter(
            external_id__in=[p.external_id for p, _ in resolved]
        ).prefetch_related("choices")
    }
    # An author's status decision (promoted, sent back, retired by hand) outlives re-imports of
    # the file: it changes the question's state, so the file's version is kept out (above).
    status_changes = []
    for parsed, objective in resolved:
        question = existing.get(parsed.external_id)
        status, difficulty = parsed.status, parsed.difficulty
        if question is None:
            question = Question(external_id=parsed.external_id, author=author)
            report.created.append(parsed.external_id)
        else:
            # A file that does not say (a foreign Moodle file) leaves these as they are.
            status = question.status if status is None else status
            difficulty = question.difficulty if difficulty is None else difficulty
            incoming = state_hash(
                parsed.content, objective_id=objective.pk, status=status, difficulty=difficulty
            )
            current = question.state_hash()
            if current == incoming and question.current_version_id is not None:
                report.unchanged.append(parsed.external_id)
                if not question.source_hash:  # adopt it: the file holds what the bank holds
                    _record_source(question, parsed.source, current)
                continue
            written_here = question.source == parsed.source and question.source_hash == current
            if not (written_here or force):
                report.kept.append(
                    f"{parsed.source}: {parsed.external_id}: "
                    + _why_kept(question, parsed, current, incoming)
                )
                continue
            report.changed.append(parsed.external_id)
        content = parsed.content
        question.objective = objective
        question.type = content.type
        question.text_format = content.text_format
        question.stem = content.stem
        question.explanation = content.explanation
        question.references = "\n".join(content.references)
        status = status or Question.Status.DRAFT
        if question.pk is None or question.status != status:
            status_changes.append((question, "" if question.pk is None else question.status))
        question.status = status
        question.difficulty = difficulty or ""
        question.save()
        question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(
                question=question,
                order=order,
                text=choice.text,
                is_correct=choice.correct,
                rationale=choice.rationale,
            )
            for order, choice in enumerate(content.choices)
        )
        question.snapshot()
        _record_source(question, parsed.source, question.state_hash(question.choices.all()))
    now = timezone.now()
    QuestionStatusChange.objects.bulk_create(
        QuestionStatusChange(
            question=question,
            from_status=before,
            to_status=question.status,
            changed_at=now,
            note="Set by an import.",
        )
        for question, before in status_changes
    )
    # A status-only change counts as changed but makes no new version (content is the same).


def _record_source(question: Question, source: str, digest: str) -> None:
    question.source, question.source_hash = source[:255], digest
    Question.objects.filter(pk=question.pk).update(source=source[:255], source_hash=digest)


def files_under(paths: list[str]) -> list[Path]:
    """The files named, with folders expanded to their .yaml/.yml/.xml files, sorted."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in {".yaml", ".yml", ".xml"}
            )
        else:
            files.append(path)
    return files
