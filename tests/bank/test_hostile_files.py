"""Hostile files are refused with a message, and nothing is written."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from quiz.bank.importers.files import import_files
from quiz.bank.rules import MAX_FILE_BYTES, MAX_LENGTHS
from quiz.models import Question
from tests.bank.test_admin import admin_client  # noqa: F401 (fixture)
from tests.bank.test_importers import VALID_YAML, run_import
from tests.bank.test_moodle import multichoice, quiz
from tests.factories import mls_objective

pytestmark = pytest.mark.django_db

ALIAS_BOMB = """
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
questions: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
"""


def test_yaml_aliases_are_refused_before_anything_is_built():
    started = time.monotonic()
    report = run_import(ALIAS_BOMB)
    assert time.monotonic() - started < 2
    assert [p.code for p in report.problems] == ["malformed_file"]
    assert "aliases" in report.problems[0].message


@pytest.mark.parametrize("encoding", ["Shift_JIS", "UTF-7", "x-no-such-encoding"])
def test_a_moodle_file_in_an_unreadable_encoding_is_a_clean_error(encoding):
    data = quiz(multichoice()).replace(b"UTF-8", encoding.encode())
    report = import_files([("m.xml", data)], blueprint_code="MLS-C01")
    assert [p.code for p in report.problems] == ["unsupported_encoding"]
    assert Question.objects.count() == 0


def test_the_admin_upload_answers_an_unreadable_encoding_with_a_400_form_error(
    admin_client,  # noqa: F811
):
    data = quiz(multichoice()).replace(b"UTF-8", b"Shift_JIS")
    response = admin_client.post(
        reverse("admin:quiz_question_import"),
        {
            "files": SimpleUploadedFile("m.xml", data),
            "blueprint": mls_objective().domain.blueprint.pk,
        },
    )
    assert response.status_code == 400
    assert [p.code for p in response.context["report"].problems] == ["unsupported_encoding"]


def test_the_command_reports_an_unreadable_encoding_without_a_traceback(tmp_path):
    path = tmp_path / "m.xml"
    path.write_bytes(quiz(multichoice()).replace(b"UTF-8", b"UTF-7"))
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_questions", str(path))


def test_the_command_has_the_admins_file_size_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(VALID_YAML + "#" * MAX_FILE_BYTES)
    errors = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_questions", str(path), stderr=errors)
    assert "[file_too_large]" in errors.getvalue()
    assert Question.objects.count() == 0


def test_every_field_has_the_same_size_limit_on_every_way_in(tmp_path):
    long_stem = "A scenario. " * (MAX_LENGTHS["stem"] // 12 + 1)
    text = VALID_YAML.replace(
        "Which two transformations suit skewed numeric features?", long_stem.strip()
    )
    report = run_import(text)
    assert {p.code for p in report.problems} == {"too_long"}
    assert Question.objects.count() == 0


def test_a_missing_path_is_a_command_error_not_a_traceback():
    errors = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_questions", "no/such/folder", stderr=errors)
    assert "no/such/folder: No such file or folder. [missing_file]" in errors.getvalue()


def test_a_nul_byte_in_a_yaml_stem_is_refused_with_a_message():
    text = VALID_YAML.replace(
        "stem: Which two transformations suit skewed numeric features?",
        'stem: "Which two transformations\\0 suit skewed numeric features?"',
    )
    report = run_import(text)
    assert {p.code for p in report.problems} == {"control_character"}
    assert Question.objects.count() == 0
