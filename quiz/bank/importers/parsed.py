from __future__ import annotations

from dataclasses import dataclass, field

from quiz.bank.rules import QuestionData


@dataclass
class ParsedQuestion:
    """One question read from a file, ready to validate against the database and write."""

    source: str  # file name, for reports
    external_id: str
    objective_code: str
    status: str
    content: QuestionData
    blueprint_code: str = ""
    difficulty: str = ""  # the author's estimate: "", easy, medium or hard
    warnings: list[str] = field(default_factory=list)


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
