"""Write parsed questions to the bank: all or nothing, idempotent, versioning edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from quiz.bank.importers.parsed import FileProblem, ParsedQuestion
from quiz.bank.pipeline import author_decided
from quiz.models import Blueprint, Choice, Objective, Question, QuestionStatusChange


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
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
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped, "
            f"{len(self.warnings)} warning(s)."
        )


def import_parsed(
    parsed: list[ParsedQuestion],
    *,
    problems: list[FileProblem] | None = None,
    blueprint_code: str = "",
    author=None,
) -> ImportReport:
    """Validate every question against the database, then write them all or none.

    A question whose id exists and whose content (objective, type, stem, options, explanation,
    references) differs gets a new version; one whose content is identical is left alone, so
    re-importing a file changes nothing.
    """
    report = ImportReport(problems=list(problems or []))
    for question in parsed:
        report.warnings += [
            f"{question.source}: {question.external_id}: {w}" for w in question.warnings
        ]
    objectives = _objectives_by_blueprint()
    seen: dict[str, str] = {}
    resolved: list[tuple[ParsedQuestion, Objective]] = []
    for question in parsed:
        code = question.blueprint_code or blueprint_code
        if question.external_id in seen:
            report.problems.append(
                FileProblem(
                    question.source,
                    question.external_id,
                    "duplicate_id",
                    f"This id is also used in {seen[question.external_id]}.",
                )
            )
            continue
        seen[question.external_id] = question.source
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
        _write(resolved, report=report, author=author)
    return report


def _objectives_by_blueprint() -> dict[str, dict[str, Objective]]:
    result: dict[str, dict[str, Objective]] = {b.code: {} for b in Blueprint.objects.all()}
    for objective in Objective.objects.select_related("domain__blueprint"):
        result[objective.domain.blueprint.code][objective.code] = objective
    return result


def _write(resolved, *, report: ImportReport, author) -> None:
    existing = {
        q.external_id: q
        for q in Question.objects.filter(
            external_id__in=[p.external_id for p, _ in resolved]
        ).prefetch_related("choices")
    }
    # An author's status decision (promoted, sent back, retired by hand) outlives re-imports of
    # the file, which carries the status the question shipped with.
    decided = author_decided(existing)
    status_changes = []
    for parsed, objective in resolved:
        question = existing.get(parsed.external_id)
        status = question.status if parsed.external_id in decided else parsed.status
        if question is None:
            question = Question(external_id=parsed.external_id, author=author)
            report.created.append(parsed.external_id)
        elif (
            question.objective_id == objective.pk
            and question.content() == parsed.content
            and question.status == status
            and question.difficulty == parsed.difficulty
            and question.current_version_id is not None
        ):
            report.unchanged.append(parsed.external_id)
            continue
        else:
            report.changed.append(parsed.external_id)
        content = parsed.content
        question.objective = objective
        question.type = content.type
        question.stem = content.stem
        question.explanation = content.explanation
        question.references = "\n".join(content.references)
        if question.status != status or question.pk is None:
            status_changes.append((question, "" if question.pk is None else question.status))
        question.status = status
        question.difficulty = parsed.difficulty
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
