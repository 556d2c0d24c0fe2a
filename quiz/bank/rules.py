"""The rules every question must satisfy, as plain functions over plain values.

One home for them: the admin's forms, the YAML importer and the Moodle XML importer all call
``question_problems()``, so a question the admin refuses is refused by every importer too, with
the same code. Nothing here touches the database, so the rules can be tested (and a content
author's file can be checked) without Django's ORM.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SINGLE = "single"
MULTIPLE = "multiple"
# MLA-C01's item types (issue #19): put steps in order; match prompts to responses.
ORDERING = "ordering"
MATCHING = "matching"
QUESTION_TYPES = (SINGLE, MULTIPLE, ORDERING, MATCHING)
# Types whose answer is a sequence (a step per position, a response per prompt) rather than a
# set of options: order matters when it is compared with the key.
SEQUENCE_TYPES = (ORDERING, MATCHING)
ORDERING_STEPS = (3, 5)
MATCHING_PROMPTS = (3, 7)
# Responses a candidate chooses from: as many as the prompts need, and a few distractors.
MAX_RESPONSES = 10
# A case study shares one scenario between at least this many questions.
MIN_CASE_QUESTIONS = 3
STATUSES = ("draft", "pretest", "published", "retired")
# The author's estimate of an item's difficulty, until item statistics measure it.
DIFFICULTIES = ("easy", "medium", "hard")

# The one id rule (model, admin, both importers and the exporter): lowercase letters and digits,
# with single '.', '-' or '_' between them (so no '..', nothing a path or URL could misread), at
# most 80 characters.
MAX_ID_LENGTH = 80
EXTERNAL_ID_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
ID_RULE = (
    "An id is lowercase letters and digits, with single '.', '-' or '_' between them, "
    f"at most {MAX_ID_LENGTH} characters (for example mls-1.2-004)."
)

# How a question's texts are written. Markdown is the bank's own; HTML and plain text keep what
# a Moodle author wrote exactly (HTML is sanitised as HTML, plain text escaped), so the text a
# candidate sees is the text its author saw.
MARKDOWN = "markdown"
HTML = "html"
PLAIN = "plain"
TEXT_FORMATS = (MARKDOWN, HTML, PLAIN)

# Sizes every way into the bank shares (admin forms, YAML and Moodle imports, the command): a
# file no larger than the admin's upload limit, and each field within these many characters.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LENGTHS = {
    "stem": 10_000,
    "option": 2_000,
    "rationale": 5_000,
    "explanation": 20_000,
    "reference": 2_000,
    "response": 2_000,
    "scenario": 20_000,
    "case_title": 200,
}
MAX_REFERENCES = 20
# PostgreSQL cannot store NUL in text, and no other C0 control character belongs in a question.
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Authors must not type the "(Choose TWO.)" hint: it is derived from the key, so a typed one
# could contradict it after an edit. A hint is "(Choose TWO.)" or "Choose 2." as a sentence of
# its own; a number inside a scenario ("must choose 5 hyperparameters") is not one.
HINT_NUMBER = r"two|three|four|five|six|seven|eight|nine|\d+"
TYPED_HINT_RE = re.compile(
    rf"\(\s*(?:choose|select)\s+({HINT_NUMBER})\s*\.?\s*\)"
    rf"|\b(?:choose|select)\s+({HINT_NUMBER})\s*\.(?!\w)",
    re.IGNORECASE,
)
NUMBER_WORDS = {
    2: "TWO",
    3: "THREE",
    4: "FOUR",
    5: "FIVE",
    6: "SIX",
    7: "SEVEN",
    8: "EIGHT",
    9: "NINE",
}
# Options are lettered A, B, C, ... on every screen, and the taking screen's form accepts
# positions below this: a question may not have more.
MAX_OPTIONS = 10
OPTION_LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class Problem:
    """One breach of a rule: a stable ``code`` (tests assert it) and a message for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


@dataclass
class ChoiceData:
    """An option; for ordering a step (authored in the right order); for matching a prompt,
    whose ``match`` is the text of the response it matches."""

    text: str
    correct: bool = False
    rationale: str = ""
    match: str = ""


@dataclass
class QuestionData:
    """A question's content as authored, independent of where it came from."""

    type: str
    stem: str
    choices: list[ChoiceData]
    explanation: str = ""
    references: list[str] = field(default_factory=list)
    text_format: str = MARKDOWN
    # Matching only: the list a candidate picks each prompt's response from (one line each).
    responses: list[str] = field(default_factory=list)


@dataclass
class CaseData:
    """A case study as authored: one scenario above each of its questions, asked in order."""

    external_id: str
    title: str
    scenario: str
    question_ids: list[str]
    text_format: str = MARKDOWN


def visible_text(text: str, text_format: str = MARKDOWN) -> str:
    """Roughly what a reader sees of a text: HTML's tags removed and its entities decoded."""
    if text_format == HTML:
        text = html.unescape(re.sub(r"<[^>]*>", " ", text or "")).replace("\xa0", " ")
    return text or ""


def normalise_text(text: str, text_format: str = MARKDOWN) -> str:
    """Text compared for duplicates: case, Markdown emphasis and white space do not count."""
    text = re.sub(r"[*_`]", "", visible_text(text, text_format))
    return re.sub(r"\s+", " ", text).strip().casefold()


def normalise_newlines(text: str) -> str:
    """Line ends as "\\n": browsers post "\\r\\n" and XML parsers turn it into "\\n", so a
    question saved in the admin would otherwise differ from its own exported file."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def id_problems(external_id: str) -> list[Problem]:
    """The id rule, shared by the model, the admin, the importers and the exporter."""
    if len(external_id) > MAX_ID_LENGTH or not EXTERNAL_ID_RE.match(external_id):
        return [Problem("bad_id", ID_RULE)]
    return []


def number_in_hint(word: str) -> int | None:
    word = word.upper()
    if word.isdigit():
        return int(word)
    return next((n for n, name in NUMBER_WORDS.items() if name == word), None)


def choose_hint(number_correct: int) -> str:
    """The "Choose TWO." hint a multiple-response stem carries, derived from its key."""
    return f"Choose {NUMBER_WORDS.get(number_correct, str(number_correct))}."


def is_valid_reference(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url.strip()


def question_problems(question: QuestionData, *, require_reference: bool = False) -> list[Problem]:
    """Every rule the question breaks (an empty list means it is valid)."""
    problems: list[Problem] = []
    if question.text_format not in TEXT_FORMATS:
        problems.append(
            Problem("unknown_format", f"Format must be one of {', '.join(TEXT_FORMATS)}.")
        )
    problems += _size_and_character_problems(question)
    if question.type not in QUESTION_TYPES:
        problems.append(
            Problem("unknown_type", f"Type must be one of {', '.join(QUESTION_TYPES)}.")
        )
    fmt = question.text_format
    if not visible_text(question.stem, fmt).strip():
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
        if not visible_text(choice.text, fmt).strip():
            problems.append(Problem("empty_option", f"Option {position} has no text."))
    seen: dict[str, int] = {}
    for position, choice in enumerate(choices, start=1):
        key = normalise_text(choice.text, fmt)
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
    if question.type in SEQUENCE_TYPES and correct:
        problems.append(
            Problem(
                f"{question.type}_marks_correct",
                f"A {question.type} question marks no option correct: "
                + (
                    "its steps are written in the right order."
                    if question.type == ORDERING
                    else "each prompt names its match."
                ),
            )
        )
    if question.type == ORDERING:
        problems += _ordering_problems(question)
    elif question.type == MATCHING:
        problems += _matching_problems(question)
    if question.type != MATCHING:
        if question.responses:
            problems.append(
                Problem("responses_not_allowed", "Only a matching question has responses.")
            )
        if any(choice.match for choice in choices):
            problems.append(
                Problem("match_not_allowed", "Only a matching question's prompts name a match.")
            )
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


def _ordering_problems(question: QuestionData) -> list[Problem]:
    low, high = ORDERING_STEPS
    if low <= len(question.choices) <= high:
        return []
    return [
        Problem(
            "ordering_step_count",
            f"An ordering question has {low} to {high} steps; it has {len(question.choices)}.",
        )
    ]


def _matching_problems(question: QuestionData) -> list[Problem]:
    """Prompts within bounds, each naming exactly one of the distinct responses."""
    problems = []
    fmt = question.text_format
    low, high = MATCHING_PROMPTS
    prompts, responses = question.choices, question.responses
    if not low <= len(prompts) <= high:
        problems.append(
            Problem(
                "matching_prompt_count",
                f"A matching question has {low} to {high} prompts; it has {len(prompts)}.",
            )
        )
    seen: dict[str, int] = {}
    for position, response in enumerate(responses, start=1):
        if "\n" in response:
            problems.append(
                Problem("multiline_response", f"Response {position} must fit on one line.")
            )
        key = normalise_text(response, fmt)
        if not key:
            problems.append(Problem("empty_response", f"Response {position} has no text."))
        elif key in seen:
            problems.append(
                Problem(
                    "duplicate_response",
                    f"Response {position} repeats the text of response {seen[key]}.",
                )
            )
        seen.setdefault(key, position)
    if len(responses) > MAX_RESPONSES:
        problems.append(
            Problem(
                "too_many_responses",
                f"A matching question has at most {MAX_RESPONSES} responses; "
                f"it has {len(responses)}.",
            )
        )
    for position, prompt in enumerate(prompts, start=1):
        if not prompt.match.strip():
            problems.append(Problem("missing_match", f"Prompt {position} does not name its match."))
        elif normalise_text(prompt.match, fmt) not in seen:
            problems.append(
                Problem(
                    "unknown_match",
                    f"Prompt {position}'s match {prompt.match[:80]!r} is not one of the responses.",
                )
            )
    needed = len({normalise_text(p.match, fmt) for p in prompts if p.match.strip()})
    if len(responses) < max(needed, 2):
        problems.append(
            Problem(
                "matching_needs_responses",
                f"A matching question needs at least {max(needed, 2)} responses (every match, "
                f"and something to choose between); it has {len(responses)}.",
            )
        )
    return problems


def match_index(question: QuestionData, match: str) -> int:
    """The position in ``responses`` of a prompt's match (compared as the rules compare)."""
    key = normalise_text(match, question.text_format)
    return next(
        i
        for i, response in enumerate(question.responses)
        if normalise_text(response, question.text_format) == key
    )


def case_problems(case: CaseData) -> list[Problem]:
    """The rules of one case study on its own (see ``cases_problems`` for the rules between a
    case and the questions it names)."""
    problems = list(id_problems(case.external_id))
    if case.text_format not in TEXT_FORMATS:
        problems.append(
            Problem("unknown_format", f"Format must be one of {', '.join(TEXT_FORMATS)}.")
        )
    fields = [("case_title", "The title", case.title), ("scenario", "The scenario", case.scenario)]
    for kind, label, text in fields:
        if not visible_text(text, case.text_format).strip():
            problems.append(Problem(f"empty_{kind}", f"{label} is empty."))
    problems += _field_problems(fields)
    if "\n" in case.title.strip():
        problems.append(Problem("multiline_title", "The title must fit on one line."))
    if len(case.question_ids) < MIN_CASE_QUESTIONS:
        problems.append(
            Problem(
                "case_needs_three_questions",
                f"A case study has at least {MIN_CASE_QUESTIONS} questions; "
                f"it has {len(case.question_ids)}.",
            )
        )
    repeated = sorted({i for i in case.question_ids if case.question_ids.count(i) > 1})
    for external_id in repeated:
        problems.append(
            Problem("duplicate_case_question", f"Question {external_id} is listed twice.")
        )
    return problems


def cases_problems(
    cases: list[CaseData], *, blueprint_of: dict[str, str]
) -> list[tuple[str, Problem]]:
    """The rules between cases and their questions, as (case id, problem) pairs: each case
    names questions that exist (``blueprint_of`` maps every known question id to its
    blueprint's code), all of one blueprint, and a question belongs to at most one case."""
    problems: list[tuple[str, Problem]] = []
    owner: dict[str, str] = {}
    for case in cases:
        blueprints = set()
        for external_id in dict.fromkeys(case.question_ids):
            if external_id not in blueprint_of:
                problems.append(
                    (
                        case.external_id,
                        Problem(
                            "unknown_case_question",
                            f"Question {external_id} is not among the questions it may name.",
                        ),
                    )
                )
                continue
            blueprints.add(blueprint_of[external_id])
            if external_id in owner:
                problems.append(
                    (
                        case.external_id,
                        Problem(
                            "question_in_two_cases",
                            f"Question {external_id} already belongs to case "
                            f"{owner[external_id]}; a question belongs to at most one case.",
                        ),
                    )
                )
            owner.setdefault(external_id, case.external_id)
        if len(blueprints) > 1:
            problems.append(
                (
                    case.external_id,
                    Problem(
                        "case_mixed_blueprints",
                        "The questions of a case study belong to one blueprint; these belong to "
                        f"{', '.join(sorted(blueprints))}.",
                    ),
                )
            )
    return problems


def _size_and_character_problems(question: QuestionData) -> list[Problem]:
    fields = [
        ("stem", "The stem", question.stem),
        ("explanation", "The explanation", question.explanation),
    ]
    for position, choice in enumerate(question.choices, start=1):
        fields += [
            ("option", f"Option {position}", choice.text),
            ("rationale", f"Option {position}'s rationale", choice.rationale),
        ]
    fields += [("reference", f"Reference {n}", url) for n, url in enumerate(question.references, 1)]
    fields += [("response", f"Response {n}", text) for n, text in enumerate(question.responses, 1)]
    problems = _field_problems(fields)
    if len(question.references) > MAX_REFERENCES:
        problems.append(
            Problem("too_many_references", f"At most {MAX_REFERENCES} references are allowed.")
        )
    return problems


def _field_problems(fields: list[tuple[str, str, str]]) -> list[Problem]:
    """The size limit and the control-character rule, for (kind, label, text) fields."""
    problems = []
    for kind, label, text in fields:
        if len(text or "") > MAX_LENGTHS[kind]:
            problems.append(
                Problem(
                    "too_long",
                    f"{label} has {len(text)} characters; at most {MAX_LENGTHS[kind]} are allowed.",
                )
            )
        if CONTROL_CHARACTER_RE.search(text or ""):
            problems.append(
                Problem(
                    "control_character",
                    f"{label} contains a control character (such as NUL); remove it.",
                )
            )
    return problems
