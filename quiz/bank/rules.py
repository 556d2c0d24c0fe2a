"""The rules every question must satisfy, as plain functions over plain values.

One home for them: the admin's forms, the YAML importer and the Moodle XML importer all call
``question_problems()``, so a question the admin refuses is refused by every importer too, with
the same code. Nothing here touches the database, so the rules can be tested (and a content
author's file can be checked) without Django's ORM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SINGLE = "single"
MULTIPLE = "multiple"
QUESTION_TYPES = (SINGLE, MULTIPLE)
STATUSES = ("draft", "pretest", "published", "retired")
# The author's estimate of an item's difficulty, until item statistics measure it.
DIFFICULTIES = ("easy", "medium", "hard")

EXTERNAL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
# Authors must not type the "(Choose TWO.)" hint: it is derived from the key, so a typed one
# could contradict it after an edit.
TYPED_HINT_RE = re.compile(
    r"\(?\s*(choose|select)\s+(two|three|four|five|\d)\s*\.?\s*\)?", re.IGNORECASE
)
# Options are lettered A, B, C, ... on every screen, and the taking screen's form accepts
# positions below this: a question may not have more.
MAX_OPTIONS = 10
OPTION_LETTERS = "ABCDEFGHIJ"
NUMBER_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX"}


@dataclass(frozen=True)
class Problem:
    """One breach of a rule: a stable ``code`` (tests assert it) and a message for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


@dataclass
class ChoiceData:
    text: str
    correct: bool = False
    rationale: str = ""


@dataclass
class QuestionData:
    """A question's content as authored, independent of where it came from."""

    type: str
    stem: str
    choices: list[ChoiceData]
    explanation: str = ""
    references: list[str] = field(default_factory=list)


def normalise_text(text: str) -> str:
    """Text compared for duplicates: case, Markdown emphasis and white space do not count."""
    text = re.sub(r"[*_`]", "", text or "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def choose_hint(number_correct: int) -> str:
    """The "Choose TWO." hint a multiple-response stem carries, derived from its key."""
    return f"Choose {NUMBER_WORDS.get(number_correct, str(number_correct))}."


def is_valid_reference(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url.strip()


def question_problems(question: QuestionData, *, require_reference: bool = False) -> list[Problem]:
    """Every rule the question breaks (an empty list means it is valid)."""
    problems: list[Problem] = []
    if question.type not in QUESTION_TYPES:
        problems.append(
            Problem("unknown_type", f"Type must be one of {', '.join(QUESTION_TYPES)}.")
        )
    if not (question.stem or "").strip():
        problems.append(Problem("empty_stem", "The stem is empty."))
    elif TYPED_HINT_RE.search(question.stem):
        problems.append(
            Problem(
                "typed_choose_hint",
                'The stem types a "Choose N" hint; remove it: it is derived from the key.',
            )
        )

    choices = question.choices
    for position, choice in enumerate(choices, start=1):
        if not (choice.text or "").strip():
            problems.append(Problem("empty_option", f"Option {position} has no text."))
    seen: dict[str, int] = {}
    for position, choice in enumerate(choices, start=1):
        key = normalise_text(choice.text)
        if key and key in seen:
            problems.append(
                Problem(
                    "duplicate_option",
                    f"Option {position} repeats the text of option {seen[key]}.",
                )
            )
        seen.setdefault(key, position)

    if len(choices) > MAX_OPTIONS:
        problems.append(
            Problem(
                "too_many_options",
                f"A question has at most {MAX_OPTIONS} options; it has {len(choices)}.",
            )
        )
    correct = sum(1 for choice in choices if choice.correct)
    if question.type == SINGLE:
        if len(choices) < 4:
            problems.append(
                Problem(
                    "single_needs_four_options",
                    f"A single-response question needs at least 4 options; it has {len(choices)}.",
                )
            )
        if correct != 1:
            problems.append(
                Problem(
                    "single_needs_one_correct",
                    f"A single-response question needs exactly 1 correct option; it has {correct}.",
                )
            )
    elif question.type == MULTIPLE:
        if len(choices) < 5:
            problems.append(
                Problem(
                    "multiple_needs_five_options",
                    "A multiple-response question needs at least 5 options; "
                    f"it has {len(choices)}.",
                )
            )
        if correct < 2 or correct >= len(choices):
            problems.append(
                Problem(
                    "multiple_needs_two_correct",
                    "A multiple-response question needs at least 2 correct options and at "
                    f"least 1 wrong one; it has {correct} correct of {len(choices)}.",
                )
            )

    if require_reference and not question.references:
        problems.append(Problem("missing_reference", "At least one reference URL is required."))
    for url in question.references:
        if not is_valid_reference(url):
            problems.append(
                Problem("bad_reference", f"Reference {url!r} is not an absolute http(s) URL.")
            )
    return problems
