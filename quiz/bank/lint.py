"""The bank lint (issue #18): statistical and editorial checks over the whole question bank.

A candidate who has not learnt the material must not be able to find the key from the item's
shape: its position, its length, its echo of the stem. The bank must also look like the real exam
(mostly single response, mostly not easy), cite AWS documentation, use current service names,
not reuse a scenario, and not let Markdown turn identifiers into emphasis.

Every check is a pure function over ``LintItem`` values, so it runs the same on YAML files (no
database: ``python -m quiz.bank.lint content/mls-c01``, or ``--shipped`` for every shipped bank,
each against its own exam's objectives) and on the database
(``python manage.py bank_lint``). Only published items are linted by default: drafts, pretest and
retired items are not what candidates are scored on.

Every threshold is a named constant below; a check's failure names the items at fault where
single items are at fault (a share that is too low has no single culprit: the finding says how
many items must change instead).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

from quiz.bank.blueprint import BLUEPRINTS, CONTENT_ROOT, BlueprintData
from quiz.bank.importers.parsed import FileProblem
from quiz.bank.importers.yaml_format import parse_yaml
from quiz.bank.rules import (
    MATCHING,
    MULTIPLE,
    ORDERING,
    SINGLE,
    STATUSES,
    ChoiceData,
    QuestionData,
    normalise_text,
    question_problems,
)

# --- Thresholds --------------------------------------------------------------------------------
# Key positions fail the chi-square goodness-of-fit test against uniform at this p or below.
KEY_POSITION_MAX_P = 0.01
# Single-response key positions are tested on items with exactly this many options.
SINGLE_OPTION_COUNT = 4
# Share of single-response items whose key is the strictly longest / strictly shortest option.
KEY_LENGTH_SHARE_MIN = 0.15
KEY_LENGTH_SHARE_MAX = 0.35
# Share of items whose key has the strictly highest overlap with the stem's distinctive words.
STEM_ECHO_SHARE_MAX = 0.40
# Share of multiple-response items among those linted.
MULTIPLE_SHARE_MIN = 0.20
MULTIPLE_SHARE_MAX = 0.30
# Difficulty mix (the author's estimate).
EASY_SHARE_MAX = 0.20
HARD_SHARE_MIN = 0.35
# Two stems are near-duplicates above this Jaccard similarity of their word sets.
NEAR_DUPLICATE_JACCARD = 0.6
# Statuses linted unless asked otherwise: what candidates are scored on.
DEFAULT_STATUSES = ("published",)

# --- References --------------------------------------------------------------------------------
# A reference is AWS documentation when its host is one of these or a subdomain of one
# (docs.aws.amazon.com, aws.amazon.com/blogs/..., ...).
AWS_DOC_HOSTS = ("aws.amazon.com",)
# ... or a page of amazon.com under /aws (for example www.amazon.com/aws/...).
AWS_DOC_AMAZON_PATH = "/aws"
WIKIPEDIA_HOST = "wikipedia.org"

# --- Service names -----------------------------------------------------------------------------
# Old name -> current name: the one table of renames. Each entry is confirmed by AWS's own
# documentation ("... was previously known as ...", "formerly ...", or the service's rename page).
# A mention is outdated only when no further capitalised word continues it ("Amazon SageMaker
# Canvas" is a current product, "Amazon SageMaker" on its own is the old name of SageMaker AI),
# and only when "formerly" or "previously" does not stand next to it.
# Not listed, because no AWS page found confirms it: "SageMaker Data Wrangler" -> "Data Wrangler
# in SageMaker Canvas".
RENAMED_SERVICES = {
    "Amazon Kinesis Data Firehose": "Amazon Data Firehose",
    "Kinesis Data Firehose": "Amazon Data Firehose",
    "Amazon Kinesis Data Analytics": "Amazon Managed Service for Apache Flink",
    "Kinesis Data Analytics": "Amazon Managed Service for Apache Flink",
    "Amazon Elasticsearch Service": "Amazon OpenSearch Service",
    "Amazon QuickSight": "Amazon Quick Sight",
    "QuickSight": "Quick Sight",
    "Amazon SageMaker": "Amazon SageMaker AI",
}
# How far (in characters) "formerly"/"previously" may stand from the old name.
RENAME_NOTE_WINDOW = 40
RENAME_NOTE_RE = re.compile(r"\b(formerly|previously)\b", re.IGNORECASE)

# --- Distinctive words -------------------------------------------------------------------------
# Words that say nothing about a scenario: English function words and the exam's boilerplate.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just may me might more most must my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with within without would you your yours
    choose company meet meets option options requirement requirements select solution solutions
    team teams use used uses using want wants needs need least best
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
WORD_RE = re.compile(r"[a-z0-9]+")

# --- Identifier emphasis (issue #14) ------------------------------------------------------------
CODE_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)
IDENTIFIER_EMPHASIS_PATTERNS = (
    # __label__, __init__: Markdown makes the word bold.
    ("dunder", re.compile(r"__\w+?__")),
    # *.csv ... *.json on one line: the text between the globs can turn italic.
    ("glob pair", re.compile(r"\*\.\w+[^*\n]*\*\.\w+")),
    # 2*3*4, 2*pi*x: asterisks between word characters turn the middle italic.
    ("product", re.compile(r"\w\*\w[^*\n]*?\*")),
)


# --- Items -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LintItem:
    """One question as the lint sees it: plain values, wherever it came from."""

    id: str
    blueprint: str
    objective: str
    type: str
    status: str
    difficulty: str
    stem: str
    choices: tuple[tuple[str, bool], ...]  # (text, correct) in authoring order
    references: tuple[str, ...] = ()
    explanation: str = ""
    rationales: tuple[str, ...] = ()
    source: str = ""  # the file it came from, when it came from one
    # Matching only: each prompt's match (in the order of ``choices``) and the responses.
    matches: tuple[str, ...] = ()
    responses: tuple[str, ...] = ()
    text_format: str = "markdown"

    @property
    def key_positions(self) -> list[int]:
        """1-based positions of the correct options."""
        return [i for i, (_, correct) in enumerate(self.choices, start=1) if correct]

    def texts(self) -> list[str]:
        """Everything a candidate or reviewer reads."""
        return [
            self.stem,
            *(text for text, _ in self.choices),
            *self.rationales,
            *self.responses,
            self.explanation,
        ]


class BankFileError(Exception):
    """A file could not be read as valid questions; ``problems`` says where and why."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the question files")


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, with folders expanded to their .yaml/.yml files, sorted."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in {".yaml", ".yml"})
        else:
            files.append(path)
    return files


def items_from_yaml(paths: Iterable[str | Path]) -> list[LintItem]:
    """Every question in the YAML files (folders expanded), all statuses.

    Raises ``BankFileError`` listing every problem when any file is invalid: a lint of a bank
    that does not import would mislead.
    """
    items: list[LintItem] = []
    problems: list[FileProblem] = []
    for path in yaml_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(FileProblem(str(path), "", "unreadable_file", str(error)))
            continue
        parsed, file_problems = parse_yaml(text, source=str(path))
        problems += file_problems
        for question in parsed:
            content = question.content
            items.append(
                LintItem(
                    id=question.external_id,
                    blueprint=question.blueprint_code,
                    objective=question.objective_code,
                    type=content.type,
                    status=question.status or "draft",
                    difficulty=question.difficulty or "",
                    stem=content.stem,
                    choices=tuple((c.text, c.correct) for c in content.choices),
                    references=tuple(content.references),
                    explanation=content.explanation,
                    rationales=tuple(c.rationale for c in content.choices if c.rationale),
                    source=str(path),
                    **_sequence_fields(content),
                )
            )
    if problems:
        raise BankFileError(problems)
    return items


def items_from_database(blueprint_code: str) -> list[LintItem]:
    """Every question of the blueprint in the database, all statuses."""
    from quiz.models import Question  # here, so the YAML path never needs Django set up

    questions = (
        Question.objects.filter(objective__domain__blueprint__code=blueprint_code)
        .select_related("objective__domain__blueprint")
        .prefetch_related("choices")
        .order_by("external_id")
    )
    return [
        LintItem(
            id=q.external_id,
            blueprint=q.objective.domain.blueprint.code,
            objective=q.objective.code,
            type=q.type,
            status=q.status,
            difficulty=q.difficulty,
            stem=q.stem,
            choices=tuple((c.text, c.is_correct) for c in q.choices.all()),
            references=tuple(q.reference_list),
            explanation=q.explanation,
            rationales=tuple(c.rationale for c in q.choices.all() if c.rationale),
            **_sequence_fields(q.content(q.choices.all())),
        )
        for q in questions
    ]


def _sequence_fields(content: QuestionData) -> dict:
    """What the lint needs beyond options: each prompt's match and the responses (matching)."""
    return {
        "matches": tuple(c.match for c in content.choices) if content.type == MATCHING else (),
        "responses": tuple(content.responses),
        "text_format": content.text_format,
    }


def _option_items(items: Sequence[LintItem]) -> list[LintItem]:
    """Single- and multiple-response items: the checks about keys among options apply to them
    only (an ordering or matching item marks no option correct)."""
    return [item for item in items if item.type in (SINGLE, MULTIPLE)]


# --- Report ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One thing to fix: the check it belongs to, a stable code, and the items at fault."""

    check: str
    code: str
    message: str
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    code: str
    title: str
    passed: bool
    figures: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass
class LintReport:
    checks: list[CheckResult]
    linted: int
    excluded: Counter = field(default_factory=Counter)  # status -> items left out
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    title: str = ""

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def findings(self) -> list[Finding]:
        return [finding for check in self.checks for finding in check.findings]

    def check(self, code: str) -> CheckResult:
        return next(check for check in self.checks if check.code == code)


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _band(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low * 100:g}–{high * 100:g}%"
    if high is not None:
        return f"≤ {high * 100:g}%"
    if low is not None:
        return f"≥ {low * 100:g}%"
    return "any"


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


# --- Chi-square --------------------------------------------------------------------------------
def _regularized_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function.

    Series for P below a + 1, continued fraction (modified Lentz) above, as in Numerical Recipes.
    """
    if x <= 0:
        return 1.0
    log_prefactor = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        denominator = a
        for _ in range(1000):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefactor))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefactor) * h)


def chi_square_sf(chi2: float, df: int) -> float:
    """P(X >= chi2) for X chi-square distributed with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("A chi-square distribution needs at least 1 degree of freedom.")
    return _regularized_gamma_q(df / 2, chi2 / 2)


def chi_square_statistic(observed: Sequence[float], expected: Sequence[float]) -> float:
    return sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)


# --- Checks ------------------------------------------------------------------------------------
def check_key_position(items: Sequence[LintItem]) -> CheckResult:
    """Key positions, per type, against uniform (chi-square goodness of fit, p > 0.01).

    Single response: the key's position among 4-option items, expected n/4 per position.
    Multiple response: every correct option's position; an item with k keys among m options
    expects k/m at each of its positions. A failure names the items whose key sits in the most
    over-represented position.
    """
    code = "key_position"
    figures: list[str] = []
    findings: list[Finding] = []
    for kind in (SINGLE, MULTIPLE):
        if kind == SINGLE:
            pool = [i for i in items if i.type == SINGLE and len(i.choices) == SINGLE_OPTION_COUNT]
        else:
            pool = [i for i in items if i.type == MULTIPLE]
        observed: Counter = Counter()
        expected: defaultdict[int, float] = defaultdict(float)
        holders: defaultdict[int, list[str]] = defaultdict(list)
        for item in pool:
            keys = item.key_positions
            for position in keys:
                observed[position] += 1
                holders[position].append(item.id)
            for position in range(1, len(item.choices) + 1):
                expected[position] += len(keys) / len(item.choices)
        positions = sorted(p for p in expected if expected[p] > 0)
        if len(positions) < 2:
            figures.append(f"{kind}: no items")
            continue
        chi2 = chi_square_statistic(
            [observed[p] for p in positions], [expected[p] for p in positions]
        )
        p_value = chi_square_sf(chi2, len(positions) - 1)
        counts = " ".join(f"{p}:{observed[p]}" for p in positions)
        figures.append(
            f"{kind} ({len(pool)} items): keys at {counts}; "
            f"chi2 {chi2:.2f}, df {len(positions) - 1}, p {p_value:.3f} (> {KEY_POSITION_MAX_P})"
        )
        if p_value <= KEY_POSITION_MAX_P:
            worst = max(positions, key=lambda p: observed[p] - expected[p])
            findings.append(
                Finding(
                    code,
                    "key_position_unbalanced",
                    f"{kind}-response keys are not spread evenly (p {p_value:.4f}): position "
                    f"{worst} holds {observed[worst]} keys, {expected[worst]:.1f} expected. "
                    "Move some of these keys:",
                    tuple(holders[worst]),
                )
            )
    return CheckResult(code, "Key position balance", not findings, tuple(figures), tuple(findings))


def _length(text: str) -> int:
    return len(normalise_text(text))


def check_key_length(items: Sequence[LintItem]) -> CheckResult:
    """Single response: the key is the strictly longest option in 15–35% of items, and the
    strictly shortest in 15–35% (chance is about a quarter; far off either way is a pattern)."""
    code = "key_length"
    single = [i for i in items if i.type == SINGLE and len(i.key_positions) == 1]
    longest: list[str] = []
    shortest: list[str] = []
    for item in single:
        key = item.key_positions[0] - 1
        lengths = [_length(text) for text, _ in item.choices]
        others = lengths[:key] + lengths[key + 1 :]
        if others and lengths[key] > max(others):
            longest.append(item.id)
        if others and lengths[key] < min(others):
            shortest.append(item.id)
    figures: list[str] = []
    findings: list[Finding] = []
    for label, ids in (("longest", longest), ("shortest", shortest)):
        share = _share(len(ids), len(single))
        band = _band(KEY_LENGTH_SHARE_MIN, KEY_LENGTH_SHARE_MAX)
        figures.append(f"key {label} {_pct(share)} ({band}; {len(ids)} of {len(single)})")
        if not single:
            continue
        if share > KEY_LENGTH_SHARE_MAX:
            excess = len(ids) - math.floor(KEY_LENGTH_SHARE_MAX * len(single))
            findings.append(
                Finding(
                    code,
                    f"key_{label}_too_often",
                    f"The key is the {label} option in {_pct(share)} of single-response items; "
                    f"change at least {excess} of these:",
                    tuple(ids),
                )
            )
        elif share < KEY_LENGTH_SHARE_MIN:
            missing = math.ceil(KEY_LENGTH_SHARE_MIN * len(single)) - len(ids)
            findings.append(
                Finding(
                    code,
                    f"key_{label}_too_rarely",
                    f"The key is the {label} option in only {_pct(share)} of single-response "
                    f"items: a pattern too. Make the key the {label} option in at least "
                    f"{missing} more.",
                )
            )
    return CheckResult(code, "Key length", not findings, tuple(figures), tuple(findings))


def distinctive_words(stem: str) -> set[str]:
    """The stem's words that are not stopwords (nor single characters)."""
    return {
        word
        for word in WORD_RE.findall(normalise_text(stem))
        if len(word) > 1 and word not in STOPWORDS
    }


def stem_overlaps(item: LintItem) -> list[int]:
    """For each option, how many of the stem's distinctive words it repeats."""
    distinctive = distinctive_words(item.stem)
    return [
        len(distinctive & set(WORD_RE.findall(normalise_text(text)))) for text, _ in item.choices
    ]


def key_echoes_stem(item: LintItem) -> bool:
    """The key repeats more of the stem's distinctive words than any distractor (strictly):
    every correct option beats every wrong one, so picking by echo finds the whole key."""
    overlaps = stem_overlaps(item)
    correct = [o for o, (_, is_key) in zip(overlaps, item.choices, strict=True) if is_key]
    wrong = [o for o, (_, is_key) in zip(overlaps, item.choices, strict=True) if not is_key]
    return bool(correct and wrong) and min(correct) > max(wrong)


def check_stem_overlap(items: Sequence[LintItem]) -> CheckResult:
    """At most 40% of items may have a key that echoes the stem's distinctive words most."""
    code = "stem_overlap"
    items = _option_items(items)
    echoing = [item.id for item in items if key_echoes_stem(item)]
    share = _share(len(echoing), len(items))
    figures = (
        f"key echoes stem most {_pct(share)} ({_band(None, STEM_ECHO_SHARE_MAX)}; "
        f"{len(echoing)} of {len(items)})",
    )
    findings: tuple[Finding, ...] = ()
    if share > STEM_ECHO_SHARE_MAX:
        findings = (
            Finding(
                code,
                "key_echoes_stem",
                f"In {_pct(share)} of items the key repeats more of the stem's distinctive words "
                "than any distractor; reword the key or give distractors the stem's terms:",
                tuple(echoing),
            ),
        )
    return CheckResult(code, "Key echoes the stem", not findings, figures, findings)


def check_multiple_share(items: Sequence[LintItem]) -> CheckResult:
    """Multiple-response items are 20–30% of the single- and multiple-response items, as on the
    real exam (ordering and matching items are neither)."""
    code = "multiple_share"
    items = _option_items(items)
    count = sum(item.type == MULTIPLE for item in items)
    total = len(items)
    share = _share(count, total)
    figures = (
        f"multiple response {_pct(share)} "
        f"({_band(MULTIPLE_SHARE_MIN, MULTIPLE_SHARE_MAX)}; {count} of {total})",
    )
    findings: tuple[Finding, ...] = ()
    if total and share > MULTIPLE_SHARE_MAX:
        # Converting x multiple items to single: (count - x) / total <= max.
        excess = count - math.floor(MULTIPLE_SHARE_MAX * total)
        findings = (
            Finding(
                code,
                "too_many_multiple",
                f"{_pct(share)} of items are multiple response; turn about {excess} into "
                "single response (or add single-response items).",
            ),
        )
    elif total and share < MULTIPLE_SHARE_MIN:
        missing = math.ceil(MULTIPLE_SHARE_MIN * total) - count
        findings = (
            Finding(
                code,
                "too_few_multiple",
                f"Only {_pct(share)} of items are multiple response; about {missing} more needed.",
            ),
        )
    return CheckResult(code, "Multiple-response share", not findings, figures, findings)


def check_difficulty_mix(items: Sequence[LintItem]) -> CheckResult:
    """At most 20% easy and at least 35% hard; every item states its difficulty."""
    code = "difficulty_mix"
    total = len(items)
    by_level: defaultdict[str, list[str]] = defaultdict(list)
    for item in items:
        by_level[item.difficulty or ""].append(item.id)
    easy = _share(len(by_level["easy"]), total)
    hard = _share(len(by_level["hard"]), total)
    figures = (
        f"easy {_pct(easy)} ({_band(None, EASY_SHARE_MAX)}), "
        f"medium {_pct(_share(len(by_level['medium']), total))}, "
        f"hard {_pct(hard)} ({_band(HARD_SHARE_MIN, None)}), "
        f"no difficulty {len(by_level[''])}",
    )
    findings: list[Finding] = []
    if by_level[""]:
        findings.append(
            Finding(
                code,
                "missing_difficulty",
                f"{len(by_level[''])} item(s) state no difficulty (easy, medium or hard):",
                tuple(by_level[""]),
            )
        )
    if total and easy > EASY_SHARE_MAX:
        findings.append(
            Finding(
                code,
                "too_many_easy",
                f"{_pct(easy)} of items are easy; make about "
                f"{len(by_level['easy']) - math.floor(EASY_SHARE_MAX * total)} of these harder:",
                tuple(by_level["easy"]),
            )
        )
    if total and hard < HARD_SHARE_MIN:
        findings.append(
            Finding(
                code,
                "too_few_hard",
                f"Only {_pct(hard)} of items are hard; about "
                f"{math.ceil(HARD_SHARE_MIN * total) - len(by_level['hard'])} more needed.",
            )
        )
    return CheckResult(code, "Difficulty mix", not findings, figures, tuple(findings))


def _host_is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def is_aws_documentation(url: str) -> bool:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if any(_host_is(host, domain) for domain in AWS_DOC_HOSTS):
        return True
    return _host_is(host, "amazon.com") and (
        parts.path == AWS_DOC_AMAZON_PATH or parts.path.startswith(AWS_DOC_AMAZON_PATH + "/")
    )


def is_wikipedia(url: str) -> bool:
    return _host_is((urlsplit(url.strip()).hostname or "").lower(), WIKIPEDIA_HOST)


def check_references(items: Sequence[LintItem]) -> CheckResult:
    """Every item cites at least one AWS documentation page, and never Wikipedia alone."""
    code = "references"
    wikipedia_only = [
        item.id for item in items if item.references and all(map(is_wikipedia, item.references))
    ]
    no_aws = [
        item.id
        for item in items
        if item.id not in wikipedia_only and not any(map(is_aws_documentation, item.references))
    ]
    with_aws = len(items) - len(no_aws) - len(wikipedia_only)
    figures = (
        f"AWS documentation cited by {with_aws} of {len(items)}; "
        f"Wikipedia only {len(wikipedia_only)}",
    )
    findings: list[Finding] = []
    if wikipedia_only:
        findings.append(
            Finding(
                code,
                "wikipedia_only",
                "These items cite only Wikipedia; cite the AWS documentation page (and, for "
                "fundamentals, a primary source):",
                tuple(wikipedia_only),
            )
        )
    if no_aws:
        findings.append(
            Finding(
                code,
                "no_aws_reference",
                "These items cite no AWS documentation page:",
                tuple(no_aws),
            )
        )
    return CheckResult(code, "References", not findings, figures, tuple(findings))


# A further capitalised word on the same line, or wrapped onto the next one (not a new paragraph).
CONTINUED_NAME = r"(?:[ \t]+|[ \t]*\n[ \t]*)[A-Z0-9]"


def _rename_patterns() -> list[tuple[str, str, re.Pattern]]:
    # Longest names first, so "Amazon Kinesis Data Firehose" is reported once, not twice.
    names = sorted(RENAMED_SERVICES, key=len, reverse=True)
    return [
        (
            old,
            RENAMED_SERVICES[old],
            re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])(?!{CONTINUED_NAME})"),
        )
        for old in names
    ]


RENAME_PATTERNS = _rename_patterns()


def outdated_names(text: str) -> list[tuple[str, str]]:
    """(old, current) for each outdated service name in the text (outside code), once each."""
    text = CODE_RE.sub(" ", text or "")
    found: list[tuple[str, str]] = []
    covered: list[tuple[int, int]] = []
    for old, current, pattern in RENAME_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s <= start and end <= e for s, e in covered):
                continue  # part of a longer old name already reported
            covered.append((start, end))
            window = text[max(0, start - RENAME_NOTE_WINDOW) : end + RENAME_NOTE_WINDOW]
            if RENAME_NOTE_RE.search(window):
                continue
            if (old, current) not in found:
                found.append((old, current))
    return found


def check_service_names(items: Sequence[LintItem]) -> CheckResult:
    """No outdated service name, unless "formerly"/"previously" stands next to it."""
    code = "service_names"
    findings: list[Finding] = []
    for item in items:
        names: list[tuple[str, str]] = []
        for text in item.texts():
            names += [name for name in outdated_names(text) if name not in names]
        # "QuickSight" alone adds nothing when the item already says "Amazon QuickSight".
        names = [n for n in names if not any(n[0] != o[0] and n[0] in o[0] for o in names)]
        for old, current in names:
            findings.append(
                Finding(
                    code,
                    "outdated_service_name",
                    f'"{old}" is now "{current}" (or write "{current} (formerly {old})")',
                    (item.id,),
                )
            )
    flagged = len({f.ids[0] for f in findings})
    figures = (f"items with an outdated service name: {flagged}",)
    return CheckResult(code, "Service names", not findings, figures, tuple(findings))


def stem_words(stem: str) -> frozenset[str]:
    return frozenset(WORD_RE.findall(normalise_text(stem)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def check_duplicates(items: Sequence[LintItem]) -> CheckResult:
    """No two stems the same (case, emphasis and spacing ignored) or nearly the same (word-set
    Jaccard similarity above 0.6): the same scenario must not come back in another form."""
    code = "duplicates"
    stems = [(item.id, normalise_text(item.stem), stem_words(item.stem)) for item in items]
    findings: list[Finding] = []
    for (id_a, text_a, words_a), (id_b, text_b, words_b) in combinations(stems, 2):
        if text_a == text_b:
            findings.append(Finding(code, "duplicate_stem", "Same stem:", (id_a, id_b)))
            continue
        similarity = jaccard(words_a, words_b)
        if similarity > NEAR_DUPLICATE_JACCARD:
            findings.append(
                Finding(
                    code,
                    "near_duplicate_stem",
                    f"Near-duplicate stems (Jaccard {similarity:.2f} > {NEAR_DUPLICATE_JACCARD}):",
                    (id_a, id_b),
                )
            )
    exact = sum(f.code == "duplicate_stem" for f in findings)
    figures = (f"duplicate stems {exact}, near-duplicate pairs {len(findings) - exact}",)
    return CheckResult(code, "Duplicates", not findings, figures, tuple(findings))


def identifier_emphasis(text: str) -> list[str]:
    """The snippets of the text (outside code) that Markdown may turn into emphasis."""
    text = CODE_RE.sub(" ", text or "")
    return [
        match.group(0)
        for _, pattern in IDENTIFIER_EMPHASIS_PATTERNS
        for match in pattern.finditer(text)
    ]


def check_identifier_emphasis(items: Sequence[LintItem]) -> CheckResult:
    """No identifier outside backticks that Markdown turns into bold or italics (issue #14):
    `__label__`, `*.csv ... *.json`, `2*3*4`. Put it in backticks."""
    code = "identifier_emphasis"
    findings: list[Finding] = []
    for item in items:
        snippets: list[str] = []
        for text in item.texts():
            snippets += [s for s in identifier_emphasis(text) if s not in snippets]
        if snippets:
            findings.append(
                Finding(
                    code,
                    "identifier_emphasis",
                    "Put in backticks (Markdown makes emphasis of it): "
                    + ", ".join(repr(s) for s in snippets),
                    (item.id,),
                )
            )
    figures = (f"items with identifier emphasis: {len(findings)}",)
    return CheckResult(code, "Identifier emphasis", not findings, figures, tuple(findings))


def check_blueprint(items: Sequence[LintItem], blueprint: BlueprintData) -> CheckResult:
    """Every item of an exam's bank folder is that exam's and names one of its objectives (the
    exam guide's task statements, from ``quiz/bank/blueprint.py``): an MLS-C01 question in the
    MLA-C01 folder, or an objective the exam does not have, would fail only at import. Every
    status is checked: a draft with a wrong objective is as unimportable as a published one."""
    code = "blueprint"
    objectives = blueprint.objective_codes()
    other_exam = [item.id for item in items if item.blueprint != blueprint.code]
    unknown = [
        item.id
        for item in items
        if item.blueprint == blueprint.code and item.objective not in objectives
    ]
    findings: list[Finding] = []
    if other_exam:
        findings.append(
            Finding(
                code,
                "other_blueprint",
                f"Not a {blueprint.code} question: move it to its own exam's folder.",
                tuple(other_exam),
            )
        )
    if unknown:
        findings.append(
            Finding(
                code,
                "unknown_objective",
                f"Names an objective {blueprint.code} does not have "
                f"(it has {', '.join(sorted(objectives))}).",
                tuple(unknown),
            )
        )
    figures = (
        f"{blueprint.code}: {len(items)} items; of another exam {len(other_exam)}, "
        f"with an unknown objective {len(unknown)}",
    )
    return CheckResult(
        code, f"Objectives of {blueprint.code}", not findings, figures, tuple(findings)
    )


# --- Ordering and matching (issue #19) ----------------------------------------------------------
# A step that opens with one of these gives its place in the order away.
ORDER_CUE_RE = re.compile(
    r"^\s*(?:\d+[.)]|step\s+\d+\b|(?:first|firstly|second|secondly|third|then|next|"
    r"afterwards?|finally|lastly|last|before\s+that|after\s+that)\b)",
    re.IGNORECASE,
)


def check_item_rules(items: Sequence[LintItem]) -> CheckResult:
    """Every item keeps the bank's rules (``quiz.bank.rules``), each breach with its rule's
    code: a YAML file that breaks them does not load at all, so this speaks for items read
    from the database (rows written before a rule existed)."""
    code = "item_rules"
    findings = []
    for item in items:
        content = QuestionData(
            type=item.type,
            stem=item.stem,
            choices=[
                ChoiceData(text=text, correct=correct, match=match)
                for (text, correct), match in zip(
                    item.choices, item.matches or [""] * len(item.choices), strict=True
                )
            ],
            explanation=item.explanation,
            references=list(item.references),
            text_format=item.text_format,
            responses=list(item.responses),
        )
        findings += [
            Finding(code, problem.code, problem.message, (item.id,))
            for problem in question_problems(content)
        ]
    figures = (f"rule breaches: {len(findings)}",)
    return CheckResult(code, "Item rules", not findings, figures, tuple(findings))


def check_matching_distractors(items: Sequence[LintItem]) -> CheckResult:
    """A matching item lists at least one response that is no prompt's match: without one the
    last prompt is answered by elimination."""
    code = "matching_distractors"
    matching = [item for item in items if item.type == MATCHING]
    without = []
    for item in matching:
        matched = {normalise_text(m, item.text_format) for m in item.matches}
        if all(normalise_text(r, item.text_format) in matched for r in item.responses):
            without.append(item.id)
    figures = (f"matching items without a distractor response: {len(without)} of {len(matching)}",)
    findings: tuple[Finding, ...] = ()
    if without:
        findings = (
            Finding(
                code,
                "matching_without_distractor",
                "Add a response that matches no prompt (the last pair is found by elimination):",
                tuple(without),
            ),
        )
    return CheckResult(code, "Matching distractors", not findings, figures, findings)


def check_matching_echo(items: Sequence[LintItem]) -> CheckResult:
    """A prompt does not name its own match: a prompt containing its response's text is
    matched by reading, not knowing."""
    code = "matching_echo"
    echoing = []
    for item in items:
        if item.type != MATCHING:
            continue
        for (prompt, _), match in zip(item.choices, item.matches, strict=True):
            needle = normalise_text(match, item.text_format)
            if needle and needle in normalise_text(prompt, item.text_format):
                echoing.append(item.id)
                break
    figures = (f"matching items whose prompt names its match: {len(echoing)}",)
    findings: tuple[Finding, ...] = ()
    if echoing:
        findings = (
            Finding(
                code,
                "prompt_names_match",
                "A prompt contains the text of its own match; reword the prompt:",
                tuple(echoing),
            ),
        )
    return CheckResult(code, "Matching prompts name their match", not findings, figures, findings)


def check_ordering_steps(items: Sequence[LintItem]) -> CheckResult:
    """Ordering steps give no cue to their place ("First", "Then", "Finally", "2."): the order
    must come from knowing the workflow. The figures show how many steps the items have."""
    code = "ordering_steps"
    ordering = [item for item in items if item.type == ORDERING]
    counts = Counter(len(item.choices) for item in ordering)
    cued = [
        item.id
        for item in ordering
        if any(
            ORDER_CUE_RE.match(normalise_text(text, item.text_format)) for text, _ in item.choices
        )
    ]
    figures = (
        "ordering items by step count: "
        + (" ".join(f"{n}:{counts[n]}" for n in sorted(counts)) or "none"),
        f"steps that cue their place: {len(cued)} item(s)",
    )
    findings: tuple[Finding, ...] = ()
    if cued:
        findings = (
            Finding(
                code,
                "step_cues_order",
                "A step opens with a word or number that gives its place away; reword it:",
                tuple(cued),
            ),
        )
    return CheckResult(code, "Ordering steps", not findings, figures, findings)


CHECKS = (
    check_item_rules,
    check_key_position,
    check_key_length,
    check_stem_overlap,
    check_multiple_share,
    check_difficulty_mix,
    check_references,
    check_service_names,
    check_duplicates,
    check_identifier_emphasis,
    check_matching_distractors,
    check_matching_echo,
    check_ordering_steps,
)


def lint(
    items: Iterable[LintItem],
    *,
    statuses: Sequence[str] = DEFAULT_STATUSES,
    title: str = "",
    blueprint: BlueprintData | None = None,
) -> LintReport:
    """Run every check on the items whose status is one of ``statuses`` (published by default:
    drafts, pretest and retired items are left out and counted). With ``blueprint``, also check
    that every item, whatever its status, belongs to that exam and its objectives."""
    items = list(items)
    linted = [item for item in items if item.status in statuses]
    excluded = Counter(item.status for item in items if item.status not in statuses)
    exam = [check_blueprint(items, blueprint)] if blueprint else []
    return LintReport(
        checks=exam + [check(linted) for check in CHECKS],
        linted=len(linted),
        excluded=excluded,
        statuses=tuple(statuses),
        title=title,
    )


def format_report(report: LintReport, *, findings: bool = True) -> str:
    """The report as text: one block per check (figures, PASS/FAIL), then its findings."""
    lines: list[str] = []
    left_out = ", ".join(f"{n} {status}" for status, n in sorted(report.excluded.items()))
    heading = f"Bank lint{': ' + report.title if report.title else ''}"
    lines.append(
        f"{heading} — {report.linted} {'/'.join(report.statuses)} items"
        + (f" (left out: {left_out})" if left_out else "")
    )
    for check in report.checks:
        lines.append(f"[{'PASS' if check.passed else 'FAIL'}] {check.title}")
        lines += [f"    {figure}" for figure in check.figures]
        if findings:
            for finding in check.findings:
                lines.append(f"    - {finding.message} [{finding.code}]")
                if finding.ids:
                    lines.append(f"      {', '.join(finding.ids)}")
    failed = sum(not check.passed for check in report.checks)
    lines.append(
        "Bank lint passed."
        if report.passed
        else f"Bank lint failed: {failed} of {len(report.checks)} checks."
    )
    return "\n".join(lines)


def reports_per_file(
    items: Sequence[LintItem], *, statuses: Sequence[str] = DEFAULT_STATUSES
) -> list[LintReport]:
    """One report per source file, for writers working on one file at a time."""
    by_file: defaultdict[str, list[LintItem]] = defaultdict(list)
    for item in items:
        by_file[item.source].append(item)
    return [lint(group, statuses=statuses, title=name) for name, group in by_file.items()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m quiz.bank.lint",
        description="Lint YAML question files or folders as one bank (no database needed).",
    )
    parser.add_argument("paths", nargs="*", help="YAML files or folders.")
    parser.add_argument(
        "--shipped",
        action="store_true",
        help="Lint every shipped bank (content/<exam>/), each against its own exam's "
        "objectives (what make lint runs).",
    )
    parser.add_argument(
        "--status",
        action="append",
        dest="statuses",
        choices=STATUSES,
        help="Lint items with this status (repeatable). Default: published only.",
    )
    parser.add_argument(
        "--per-file",
        action="store_true",
        help="Also print each file's figures (guidance only: the whole bank decides the exit).",
    )
    return parser


def run_yaml(
    paths: Sequence[str],
    *,
    statuses: Sequence[str] | None,
    per_file: bool,
    blueprint: str = "",
    exam: BlueprintData | None = None,
    write=print,
) -> bool:
    """Lint YAML files as one bank and write the report; True when the lint passes.

    ``blueprint`` keeps only that exam's items; ``exam`` checks every item against that exam's
    objectives (a shipped bank's folder)."""
    statuses = tuple(statuses or DEFAULT_STATUSES)
    try:
        items = items_from_yaml(paths)
    except BankFileError as error:
        for problem in error.problems:
            write(str(problem))
        write(f"Bank lint failed: {len(error.problems)} problem(s) in the files.")
        return False
    if blueprint:
        items = [item for item in items if item.blueprint == blueprint]
    if per_file:
        for report in reports_per_file(items, statuses=statuses):
            write(format_report(report, findings=False))
            write("")
    report = lint(items, statuses=statuses, title=", ".join(map(str, paths)), blueprint=exam)
    write(format_report(report))
    return report.passed


def run_shipped(
    *, statuses: Sequence[str] | None, per_file: bool, root: Path = CONTENT_ROOT, write=print
) -> bool:
    """Lint each shipped bank folder as its own bank, against its own exam's objectives. An
    exam whose folder does not exist yet is said, not failed: its bank is still to be written."""
    passed = True
    for exam in BLUEPRINTS:
        folder = root / exam.bank
        if not folder.is_dir():
            write(f"Bank lint: {exam.code} — no folder {folder} yet; nothing to lint.")
            continue
        passed &= run_yaml(
            [str(folder)], statuses=statuses, per_file=per_file, exam=exam, write=write
        )
        write("")
    return passed


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.shipped == bool(options.paths):
        parser.error("name YAML files or folders, or --shipped (not both)")
    if options.shipped:
        passed = run_shipped(statuses=options.statuses, per_file=options.per_file)
    else:
        passed = run_yaml(options.paths, statuses=options.statuses, per_file=options.per_file)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
