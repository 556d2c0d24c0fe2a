"""The pretest pipeline: status changes are recorded, and imports respect an author's decision."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quiz.bank import pipeline
from quiz.models import Question, QuestionStatusChange
from tests.bank.test_importers import VALID_YAML, run_import
from tests.conftest import NOW
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_import_records_each_status_it_sets_as_made_by_no_one():
    run_import(VALID_YAML)
    changes = QuestionStatusChange.objects.order_by("question__external_id")
    assert [(c.from_status, c.to_status, c.changed_by) for c in changes] == [
        ("", "published", None),
        ("", "pretest", None),
    ]
    run_import(VALID_YAML)
    assert QuestionStatusChange.objects.count() == 2  # re-importing changes nothing


def test_a_reimport_keeps_the_status_an_author_set_by_hand():
    run_import(VALID_YAML)
    question = Question.objects.get(external_id="t-2.2-001")
    pipeline.change_status(
        questions=[question], to_status=Question.Status.PUBLISHED, by=UserFactory(), now=NOW
    )
    report = run_import(VALID_YAML)  # the file still says pretest
    question.refresh_from_db()
    assert question.status == Question.Status.PUBLISHED
    # Kept, and said so (the question's state is no longer what the file last wrote).
    assert [line.split(": ")[1] for line in report.kept] == ["t-2.2-001"]


def test_a_reimport_applies_a_changed_file_status_when_no_author_decided():
    run_import(VALID_YAML)
    report = run_import(VALID_YAML.replace("status: pretest", "status: draft"))
    assert Question.objects.get(external_id="t-2.2-001").status == Question.Status.DRAFT
    assert report.changed == ["t-2.2-001"]
    latest = QuestionStatusChange.objects.filter(question__external_id="t-2.2-001").first()
    assert (latest.from_status, latest.to_status) == ("pretest", "draft")


def test_change_status_never_puts_a_question_without_a_version_live():
    served = QuestionFactory(status=Question.Status.DRAFT)
    unserved = QuestionFactory(status=Question.Status.DRAFT)
    Question.objects.filter(pk=unserved.pk).update(current_version=None)
    unserved.refresh_from_db()
    count = pipeline.change_status(
        questions=[served, unserved], to_status=Question.Status.PRETEST, by=None, now=NOW
    )
    assert count == 1
    assert Question.objects.get(pk=unserved.pk).status == Question.Status.DRAFT


def test_promotion_without_figures_is_refused_with_a_code():
    question = QuestionFactory(status=Question.Status.PRETEST)
    with pytest.raises(ValidationError) as refused:
        pipeline.promote(question=question, by=None, now=NOW)
    assert refused.value.code == "not_ready"
    published = QuestionFactory()
    with pytest.raises(ValidationError) as refused:
        pipeline.promote(question=published, by=None, now=NOW)
    assert refused.value.code == "not_pretest"


def test_sending_back_a_draft_or_without_a_note_is_refused_with_a_code():
    question = QuestionFactory(status=Question.Status.DRAFT)
    for note, code in (("", "note_required"), ("Fix it.", "already_draft")):
        with pytest.raises(ValidationError) as refused:
            pipeline.send_back(question=question, by=None, now=NOW, note=note)
        assert refused.value.code == code


def test_the_admins_bulk_actions_and_edits_record_who_changed_the_status(client):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    question = QuestionFactory(status=Question.Status.PUBLISHED)
    client.post(
        reverse("admin:quiz_question_changelist"),
        {"action": "mark_pretest", "_selected_action": [question.pk]},
    )
    change = QuestionStatusChange.objects.get(question=question)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "published",
        "pretest",
        boss,
    )
