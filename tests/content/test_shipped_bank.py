"""The shipped MLS-C01 bank (content/mls-c01) is judged like code."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from quiz.bank.importers.files import import_paths
from quiz.bank.lint import format_report, items_from_yaml, lint
from quiz.bank.rules import normalise_text
from quiz.models import Question

BANK = Path(__file__).resolve().parents[2] / "content" / "mls-c01"
# Six full non-overlapping forms like the real exam's, 50 scored and 15 unscored items each: at
# least 450 servable items, and published (scored) items for six forms' 10/12/18/10 by domain.
SERVABLE_MINIMUM = 450
DOMAIN_MINIMUMS = {1: 60, 2: 72, 3: 108, 4: 60}
OBJECTIVE_MINIMUM = 20
# The three newest (highest-numbered) items of every objective ship as pretest: unscored until
# their figures say they work (README, "Pretest pipeline").
PRETEST_PER_OBJECTIVE = 3


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            from django.apps import apps

            from quiz.bank.blueprint import install_mls_c01

            install_mls_c01(apps)  # present unless a transactional test flushed it
            report = import_paths([str(BANK)])
            questions = list(
                Question.objects.filter(external_id__in=report.created + report.unchanged)
                .select_related("objective__domain", "current_version")
                .prefetch_related("choices")
            )
            transaction.set_rollback(True)
    return report, questions


def test_every_shipped_item_passes_the_model_rules(bank):
    report, questions = bank
    assert report.ok, "\n".join(str(p) for p in report.problems)
    assert len(questions) == len(report.created) + len(report.unchanged)


def test_at_least_450_servable_questions_scored_ones_by_domain_weight_and_20_per_objective(bank):
    _, questions = bank
    published = [q for q in questions if q.status == Question.Status.PUBLISHED]
    pretest = [q for q in questions if q.status == Question.Status.PRETEST]
    assert len(published) + len(pretest) >= SERVABLE_MINIMUM
    per_domain = Counter(q.objective.domain.number for q in published)
    for number, minimum in DOMAIN_MINIMUMS.items():
        assert per_domain[number] >= minimum, (number, per_domain[number])
    per_objective = Counter(q.objective.code for q in published)
    assert len(per_objective) == 15
    assert min(per_objective.values()) >= OBJECTIVE_MINIMUM, per_objective


def test_the_newest_three_items_of_each_objective_ship_as_pretest(bank):
    _, questions = bank
    by_objective: dict[str, list] = {}
    for question in questions:
        by_objective.setdefault(question.objective.code, []).append(question)
    for code, items in by_objective.items():
        newest = sorted(items, key=lambda q: q.external_id)[-PRETEST_PER_OBJECTIVE:]
        pretest = [q for q in items if q.status == Question.Status.PRETEST]
        assert pretest == newest, code
    # Enough for a full form's 15 unscored items, with room to vary between sittings.
    assert sum(len(items) for items in by_objective.values()) - 45 >= 400


def test_20_to_30_percent_multiple_response_in_every_domain(bank):
    _, questions = bank
    published = [q for q in questions if q.status == Question.Status.PUBLISHED]
    multiple = [q for q in published if q.type == Question.Type.MULTIPLE]
    assert 0.20 <= len(multiple) / len(published) <= 0.30
    for number in DOMAIN_MINIMUMS:
        in_domain = [q for q in published if q.objective.domain.number == number]
        share = sum(q.type == Question.Type.MULTIPLE for q in in_domain) / len(in_domain)
        assert 0.20 <= share <= 0.30, (number, share)
    # Some "Choose THREE." items, as the exam has.
    assert any(len(q.current_version.correct_indices) == 3 for q in multiple)


def test_the_bank_lint_passes_on_the_shipped_files():
    """Key position and length patterns, stem echo, multiple-response share, difficulty mix,
    references, renamed services, duplicates and identifier emphasis (quiz/bank/lint.py)."""
    report = lint(items_from_yaml([BANK]))
    assert report.passed, format_report(report)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", normalise_text(text)))


def test_every_item_has_an_explanation_of_60_to_200_words_and_a_reference(bank):
    _, questions = bank
    for question in questions:
        words = len(question.explanation.split())
        assert 60 <= words <= 200, (question.external_id, words)
        assert question.reference_list, question.external_id
        for url in question.reference_list:
            parts = urlsplit(url)
            assert parts.scheme == "https" and "." in parts.netloc, (question.external_id, url)


def test_every_option_has_a_rationale(bank):
    _, questions = bank
    missing = [q.external_id for q in questions for c in q.choices.all() if not c.rationale]
    assert missing == []


def test_no_stem_uses_all_or_none_of_the_above_or_a_trick_negative(bank):
    _, questions = bank
    pattern = re.compile(r"\b(all|none) of the above\b|\bwhich .{0,40}\b(NOT|EXCEPT)\b")
    offenders = [
        q.external_id
        for q in questions
        if pattern.search(q.stem) or any(pattern.search(c.text) for c in q.choices.all())
    ]
    assert offenders == []
