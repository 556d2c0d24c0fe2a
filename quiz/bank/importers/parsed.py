from __future__ import annotations

from dataclasses import dataclass, field

from quiz.bank.rules import CaseData, QuestionData


@dataclass
class ParsedCase:
    """A case study read from a file; its questions are in the same file."""

    source: str
    content: CaseData
    blueprint_code: str = ""


@dataclass
class ParsedQuestion:
    """One question read from a file, ready to validate against the database and write."""

    source: str  # the file, for reports and as the question's recorded source
    external_id: str
    objective_code: str
    status: str | None  # None: the file does not say (a foreign Moodle file); a new one is a draft
    content: QuestionData
    blueprint_code: str = ""
    difficulty: str | None = ""  # "", easy, medium or hard; None: the file does not say
    warnings: list[str] = field(default_factory=list)
    # Where the id came from when the file did not give one (a Moodle question's name), so a
    # clash can say so.
    id_origin: str = ""
    # The case study this question belongs to in its file (None: none), and its place there.
    case: ParsedCase | None = None
    case_position: int | None = None


@dataclass
class FileProblem:
    """A problem found in a file, located well enough for an author to fix it."""

    source: str
    external_id: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.external_id}" if self.external_id else self.source
        return f"{where}: {self.message} [{self.code}]"
