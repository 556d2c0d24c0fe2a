"""Write parsed questions to the bank: all or nothing, idempotent, versioning edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from quiz.bank.importers.parsed import FileProblem, ParsedCase, ParsedQuestion
from quiz.models import Blueprint, CaseStudy, Choice, Objective, Question, QuestionStatusChange
from quiz.models.bank import state_hash


@dataclass
class ImportReport:
    """What an import did, by id (of questions, and of case studies: ``mla-case-01``)."""

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
    cases = _resolve_cases(parsed, blueprint_code=blueprint_code, report=report)
    if report.problems:
        return report
    with transaction.atomic():
        written = _write(resolved, report=report, author=author, force=force)
        members = _write_cases(cases, report=report, force=force)
        # Snapshot once every membership is written, so a question joining a case is served
        # with its scenario from its first version on.
        for question in {q.pk: q for q in (*(q for q, _ in written), *members)}.values():
            question.snapshot()
        for question, source in written:
            _record_source(question, source, question.state_hash())
    return report


def _resolve_cases(
    parsed: list[ParsedQuestion], *, blueprint_code: str, report: ImportReport
) -> list[tuple[ParsedCase, Blueprint]]:
    """The distinct cases the questions belong to, each with its blueprint; a question that a
    case of this import names but that belongs to another case in the bank is a problem (a
    question belongs to at most one case)."""
    cases: dict[str, ParsedCase] = {}
    for question in parsed:
        if question.case is not None:
            cases.setdefault(question.case.content.external_id, question.case)
    if not cases:
        return []
    blueprints = {b.code: b for b in Blueprint.objects.all()}
    named = [i for case in cases.values() for i in case.content.question_ids]
    elsewhere = dict(
        Question.objects.filter(external_id__in=named, case__isnull=False)
        .exclude(case__external_id__in=list(cases))
        .values_list("external_id", "case__external_id")
    )
    existing = dict(
        CaseStudy.objects.filter(external_id__in=list(cases)).values_list(
            "external_id", "blueprint__code"
        )
    )
    resolved = []
    for external_id, case in cases.items():
        code = case.blueprint_code or blueprint_code
        for question_id in case.content.question_ids:
            if question_id in elsewhere:
                report.problems.append(
                    FileProblem(
                        case.source,
                        external_id,
                        "question_in_two_cases",
                        f"Question {question_id} belongs to case {elsewhere[question_id]} in "
                        "the bank; a question belongs to at most one case (take it out there "
                        "first).",
                    )
                )
        if external_id in existing and existing[external_id] != code:
            report.problems.append(
                FileProblem(
                    case.source,
                    external_id,
                    "case_in_other_blueprint",
                    f"This case id belongs to a case of {existing[external_id]} in the bank.",
                )
            )
        if code in blueprints:
            resolved.append((case, blueprints[code]))
    return resolved


def _write_cases(
    cases: list[tuple[ParsedCase, Blueprint]], *, report: ImportReport, force: bool
) -> list[Question]:
    """Write the cases under the same provenance rule as questions; return every question whose
    case membership changed (to be snapshotted)."""
    existing = {
        c.external_id: c
        for c in CaseStudy.objects.filter(external_id__in=[p.content.external_id for p, _ in cases])
    }
    touched: list[Question] = []
    for parsed, blueprint in cases:
        content = parsed.content
        case = existing.get(content.external_id)
        incoming = CaseStudy(
            external_id=content.external_id,
            title=content.title,
            scenario=content.scenario,
            text_format=content.text_format,
        ).state_hash(content.question_ids)
        if case is None:
            case = CaseStudy(external_id=content.external_id, blueprint=blueprint)
            report.created.append(content.external_id)
        else:
            current = case.state_hash()
            if current == incoming and case.current_version_id is not None:
                report.unchanged.append(content.external_id)
                if not case.source_hash:
                    _record_case_source(case, parsed.source, current)
                continue
            written_here = case.source == parsed.source and case.source_hash == current
            if not (written_here or force):
                why = (
                    f"it was last written by {case.source}, not by this file"
                    if case.source_hash and case.source != parsed.source
                    else "it was changed in the app since this file last wrote it"
                )
                report.kept.append(
                    f"{parsed.source}: {content.external_id}: {why}; kept "
                    "(--force applies the file's version)"
                )
                continue
            report.changed.append(content.external_id)
        case.title, case.scenario = content.title, content.scenario
        case.text_format = content.text_format
        case.save()
        before = list(case.questions.all())
        # Clear first: positions are unique within a case, so they cannot be moved in place.
        case.questions.update(case=None, case_position=None)
        members = {
            q.external_id: q for q in Question.objects.filter(external_id__in=content.question_ids)
        }
        for position, external_id in enumerate(content.question_ids, start=1):
            question = members[external_id]
            question.case, question.case_position = case, position
            Question.objects.filter(pk=question.pk).update(case=case, case_position=position)
        for question in before:
            if question.external_id not in members:
                question.case, question.case_position = None, None
        touched += [*before, *members.values()]
        case.case_version()
        _record_case_source(case, parsed.source, case.state_hash())
    return touched


def _record_case_source(case: CaseStudy, source: str, digest: str) -> None:
    case.source, case.source_hash = source[:255], digest
    CaseStudy.objects.filter(pk=case.pk).update(source=source[:255], source_hash=digest)


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


def _write(resolved, *, report: ImportReport, author, force: bool) -> list[tuple[Question, str]]:
    """Write the questions' content (not yet snapshotted: the caller does, once cases are
    written); return the questions written, each with the file that wrote it."""
    existing = {
        q.external_id: q
        for q in Question.objects.filter(
            external_id__in=[p.external_id for p, _ in resolved]
        ).prefetch_related("choices")
    }
    # An author's status decision (promoted, sent back, retired by hand) outlives re-imports of
    # the file: it changes the question's state, so the file's version is kept out (above).
    status_changes = []
    written = []
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
        question.responses = "\n".join(content.responses)
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
                match=choice.match,
            )
            for order, choice in enumerate(content.choices)
        )
        written.append((question, parsed.source))
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
    return written


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
