"""The shipped banks (content/<exam>/, one per shipped blueprint) are judged like code.

Every bank: it imports under the model rules, passes the bank lint against its own exam's
objectives, cites references and uses no trick negatives. MLS-C01's bank, which is complete, is
also held to its size and mix (six forms, pretest items). The MLA-C01 bank may be empty or
partial while it is written; these tests hold for whatever it has.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command

from quiz.bank.blueprint import BLUEPRINTS, CONTENT_ROOT, MLS_C01, shipped_banks
from quiz.bank.importers.files import import_paths
from quiz.bank.lint import format_report, items_from_yaml, lint
from quiz.bank.markdown import render_markdown
from quiz.bank.rules import MULTIPLE, SINGLE, normalise_text
from quiz.models import Question

BANK = CONTENT_ROOT / MLS_C01.bank
EXAMS = {data.code: data for data in BLUEPRINTS}
# Six full non-overlapping forms: at least 450 published (scored) items, each domain at least its
# weight's share of them (issue #18).
PUBLISHED_MINIMUM = 450
DOMAIN_MINIMUMS = {1: 90, 2: 108, 3: 162, 4: 90}
OBJECTIVE_MINIMUM = 20
# Where the bank has room above those needs (domains 3 and 4), its newest items ship as pretest:
# unscored until their figures say they work (README, "Pretest pipeline").
SHIPPED_PRETEST = {
    "mls-3.1-033",
    "mls-3.3-033",
    "mls-3.5-033",
    "mls-4.1-023",
    "mls-4.1-024",
    "mls-4.2-024",
    "mls-4.3-024",
    "mls-4.4-023",
    "mls-4.4-024",
}


def _imported(folder: Path, django_db_blocker):
    """Import one bank folder in a transaction rolled back afterwards: (report, questions)."""
    with django_db_blocker.unblock():
        from django.apps import apps
        from django.db import transaction

        from quiz.bank.blueprint import install_blueprints

        with transaction.atomic():
            install_blueprints(apps)  # present unless a transactional test flushed them
            report = import_paths([str(folder)])
            questions = list(
                Question.objects.filter(external_id__in=report.created + report.unchanged)
                .select_related("objective__domain__blueprint", "current_version")
                .prefetch_related("choices")
            )
            transaction.set_rollback(True)
    return report, questions


@pytest.fixture(scope="module", params=sorted(EXAMS))
def bank(request, django_db_setup, django_db_blocker):
    """Each shipped exam's bank in turn (an exam whose folder is not there yet has none)."""
    folder = CONTENT_ROOT / EXAMS[request.param].bank
    if not folder.is_dir():
        return request.param, None, []
    report, questions = _imported(folder, django_db_blocker)
    return request.param, report, questions


@pytest.fixture(scope="module")
def mls_bank(django_db_setup, django_db_blocker):
    return _imported(BANK, django_db_blocker)


def test_every_shipped_item_passes_the_model_rules_and_belongs_to_its_folder_s_exam(bank):
    code, report, questions = bank
    if report is None:
        return
    assert report.ok, "\n".join(str(p) for p in report.problems)
    # The report names case studies too (they are imported under the same provenance rule).
    cases = {
        case["id"]
        for path in (CONTENT_ROOT / EXAMS[code].bank).glob("*.yaml")
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or []
    }
    imported = [i for i in [*report.created, *report.unchanged] if i not in cases]
    assert len(questions) == len(imported)
    assert {q.objective.domain.blueprint.code for q in questions} <= {code}


def test_every_folder_of_questions_under_content_is_a_shipped_exam_s_bank():
    """bin/setup imports the shipped blueprints' folders: a bank anywhere else would be skipped."""
    with_questions = {
        path.parent for path in CONTENT_ROOT.rglob("*") if path.suffix in {".yaml", ".yml"}
    }
    assert with_questions <= set(shipped_banks())
    assert CONTENT_ROOT / MLS_C01.bank in shipped_banks()


@pytest.mark.django_db
def test_import_questions_shipped_imports_every_shipped_bank(capsys):
    """What bin/setup (and so make run and the Compose migrate service) runs."""
    call_command("import_questions", "--shipped")
    published = Counter(
        Question.objects.filter(status=Question.Status.PUBLISHED).values_list(
            "objective__domain__blueprint__code", flat=True
        )
    )
    assert published["MLS-C01"] >= PUBLISHED_MINIMUM
    for data in BLUEPRINTS:
        folder = CONTENT_ROOT / data.bank
        expected = len(items_from_yaml([folder])) if folder.is_dir() else 0
        assert (
            Question.objects.filter(objective__domain__blueprint__code=data.code).count()
            == expected
        ), data.code


def test_at_least_450_published_questions_by_domain_weight_and_20_per_objective(mls_bank):
    _, questions = mls_bank
    published = [q for q in questions if q.status == Question.Status.PUBLISHED]
    assert len(published) >= PUBLISHED_MINIMUM
    per_domain = Counter(q.objective.domain.number for q in published)
    for number, minimum in DOMAIN_MINIMUMS.items():
        assert per_domain[number] >= minimum, (number, per_domain[number])
    per_objective = Counter(q.objective.code for q in published)
    assert len(per_objective) == 15
    assert min(per_objective.values()) >= OBJECTIVE_MINIMUM, per_objective


def test_the_newest_items_of_the_domains_with_room_ship_as_pretest(mls_bank):
    _, questions = mls_bank
    pretest = {q.external_id for q in questions if q.status == Question.Status.PRETEST}
    assert pretest == SHIPPED_PRETEST
    newest: dict[str, list[str]] = {}
    for question in questions:
        newest.setdefault(question.objective.code, []).append(question.external_id)
    for external_id in pretest:
        ids = sorted(newest[external_id.split("-")[1]])
        assert external_id in ids[-2:], external_id  # the objective's newest items


def test_20_to_30_percent_multiple_response_in_every_domain(mls_bank):
    _, questions = mls_bank
    published = [q for q in questions if q.status == Question.Status.PUBLISHED]
    multiple = [q for q in published if q.type == Question.Type.MULTIPLE]
    assert 0.20 <= len(multiple) / len(published) <= 0.30
    for number in DOMAIN_MINIMUMS:
        in_domain = [q for q in published if q.objective.domain.number == number]
        share = sum(q.type == Question.Type.MULTIPLE for q in in_domain) / len(in_domain)
        assert 0.20 <= share <= 0.30, (number, share)
    # Some "Choose THREE." items, as the exam has.
    assert any(len(q.current_version.correct_indices) == 3 for q in multiple)


@pytest.mark.parametrize("code", sorted(EXAMS))
def test_the_bank_lint_passes_on_each_shipped_bank_against_its_own_objectives(code):
    """Key position and length patterns, stem echo, multiple-response share, difficulty mix,
    references, renamed services, duplicates and identifier emphasis (quiz/bank/lint.py), and
    every item names one of its own exam's objectives."""
    data = EXAMS[code]
    folder = CONTENT_ROOT / data.bank
    items = items_from_yaml([folder]) if folder.is_dir() else []
    report = lint(items, blueprint=data)
    assert report.passed, format_report(report)
    assert report.check("blueprint").passed


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", normalise_text(text)))


def test_every_item_has_an_explanation_of_60_to_200_words_and_a_reference(bank):
    _, _, questions = bank
    for question in questions:
        words = len(question.explanation.split())
        assert 60 <= words <= 200, (question.external_id, words)
        assert question.reference_list, question.external_id
        for url in question.reference_list:
            parts = urlsplit(url)
            assert parts.scheme == "https" and "." in parts.netloc, (question.external_id, url)


def test_every_option_has_a_rationale(bank):
    _, _, questions = bank
    # Single and multiple response; an ordering step's rationale is optional (MLA-FORMAT.md).
    missing = [
        q.external_id
        for q in questions
        if q.type in {SINGLE, MULTIPLE}
        for c in q.choices.all()
        if not c.rationale
    ]
    assert missing == []


def test_no_stem_uses_all_or_none_of_the_above_or_a_trick_negative(bank):
    _, _, questions = bank
    pattern = re.compile(r"\b(all|none) of the above\b|\bwhich .{0,40}\b(NOT|EXCEPT)\b")
    offenders = [
        q.external_id
        for q in questions
        if pattern.search(q.stem) or any(pattern.search(c.text) for c in q.choices.all())
    ]
    assert offenders == []


# An identifier written bare in Markdown turns into emphasis: `__label__` renders as a bold
# "label", `*.csv … *.json` and `2*3*4` as italics. Such text belongs in backticks.
IDENTIFIER_EMPHASIS_RE = re.compile(r"(?<![\w\\])__\w+__(?!\w)|(?<![\w\\])\*\.\w|\w\*\w")
CODE_RE = re.compile(r"```.*?```|`[^`]*`", re.DOTALL)


def identifier_emphasis(text: str) -> list[str]:
    """The identifiers in a Markdown text that its rendering turns into emphasis."""
    found = IDENTIFIER_EMPHASIS_RE.findall(CODE_RE.sub("", text))
    rendered = render_markdown(text)
    return found if found and ("<em>" in rendered or "<strong>" in rendered) else []


def test_identifier_emphasis_is_detected():
    assert identifier_emphasis("Prefix each line with __label__ and the tokens.") == ["__label__"]
    assert identifier_emphasis("Multiply 2*3*4.") == ["2*3"]
    assert identifier_emphasis("Read *.csv and *.json files.") == []  # renders as typed
    assert identifier_emphasis("Prefix with `__label__`; a *real* emphasis; snake_case.") == []


def test_no_identifier_is_rendered_as_emphasis(bank):
    _, _, questions = bank
    offenders = [
        (q.external_id, field, found)
        for q in questions
        if q.text_format == Question.TextFormat.MARKDOWN
        for field, text in [
            ("stem", q.stem),
            ("explanation", q.explanation),
            *((f"option {n}", c.text) for n, c in enumerate(q.choices.all(), 1)),
            *((f"rationale {n}", c.rationale) for n, c in enumerate(q.choices.all(), 1)),
        ]
        if (found := identifier_emphasis(text))
    ]
    assert offenders == []
