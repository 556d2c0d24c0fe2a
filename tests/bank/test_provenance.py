"""Authors' changes stick: a file import never overwrites a change made in the app."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from quiz.bank.importers.files import import_files
from quiz.models import Question, QuestionVersion
from tests.bank.test_importers import VALID_YAML, run_import

# One file of the shipped bank, imported as bin/serve imports the bank (a path relative to the
# project's root): the whole bank behaves the same and takes longer.
BANK_FILE = "content/mls-c01/1.1-data-repositories.yaml"
pytestmark = pytest.mark.django_db


def startup_import(*args: str) -> str:
    """What ``bin/serve`` runs at every start, returning what it printed."""
    out = StringIO()
    call_command("import_questions", BANK_FILE, *args, stdout=out)
    return out.getvalue()


def edit_as_the_admin_does(question: Question, stem: str) -> None:
    question.stem = stem
    question.save()
    question.snapshot()


def test_restart_keeps_a_retired_and_an_edited_question_and_says_why():
    startup_import()
    retired = Question.objects.get(external_id="mls-1.1-001")
    Question.objects.filter(pk=retired.pk).update(status=Question.Status.RETIRED)  # admin action
    edited = Question.objects.get(external_id="mls-1.1-002")
    edit_as_the_admin_does(edited, edited.stem + " (Reworded by an author.)")
    versions = QuestionVersion.objects.count()

    printed = startup_import()

    retired.refresh_from_db()
    edited.refresh_from_db()
    assert retired.status == Question.Status.RETIRED
    assert edited.stem.endswith("(Reworded by an author.)")
    assert edited.current_version.number == 2
    assert QuestionVersion.objects.count() == versions
    assert f"kept: {BANK_FILE}: mls-1.1-001" in printed
    assert "mls-1.1-001: it was set to retired in the app" in printed
    assert "mls-1.1-002: it was edited in the app" in printed
    assert "0 changed (new version)" in printed and "2 kept" in printed


def test_force_applies_the_files_version():
    startup_import()
    edited = Question.objects.get(external_id="mls-1.1-002")
    edit_as_the_admin_does(edited, edited.stem + " (Reworded by an author.)")
    startup_import("--force")
    edited.refresh_from_db()
    assert not edited.stem.endswith("(Reworded by an author.)")
    assert edited.current_version.number == 1  # the file's version is served again


def test_a_file_still_updates_questions_nobody_changed_in_the_app():
    run_import(VALID_YAML)
    report = run_import(VALID_YAML.replace("Durable object storage.", "Durable, cheap storage."))
    assert report.changed == ["t-1.1-001"] and report.kept == []


def test_a_file_that_changed_what_an_author_also_changed_is_a_reported_conflict():
    run_import(VALID_YAML)
    question = Question.objects.get(external_id="t-1.1-001")
    edit_as_the_admin_does(question, "An author's own scenario: which storage fits?")
    report = run_import(VALID_YAML.replace("Durable object storage.", "Durable, cheap storage."))
    assert report.ok and report.changed == []
    assert "a conflict" in report.kept[0]
    question.refresh_from_db()
    assert question.stem == "An author's own scenario: which storage fits?"


def test_another_file_does_not_overwrite_a_question_it_did_not_write():
    run_import(VALID_YAML, name="shipped.yaml")
    edited = VALID_YAML.replace("Durable object storage.", "Durable, cheap storage.")
    report = import_files([("other.yaml", edited.encode())])
    assert report.changed == []
    assert "last written by shipped.yaml" in report.kept[0]


def test_a_question_made_in_the_app_is_not_replaced_by_a_file():
    run_import(VALID_YAML)
    Question.objects.filter(external_id="t-1.1-001").update(source="", source_hash="")
    question = Question.objects.get(external_id="t-1.1-001")
    edit_as_the_admin_does(question, "Written in the admin: which storage fits?")
    report = run_import(VALID_YAML)
    assert "no file is recorded as writing it" in report.kept[0]


def test_an_unchanged_question_without_a_record_is_adopted_by_its_file():
    run_import(VALID_YAML)
    Question.objects.update(source="", source_hash="")  # as migrated from before 0007
    report = run_import(VALID_YAML)
    assert len(report.unchanged) == 2 and report.kept == []
    assert set(Question.objects.values_list("source", flat=True)) == {"bank.yaml"}
