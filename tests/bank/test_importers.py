from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from quiz.bank.importers.export import export_moodle, export_yaml, questions_for_export
from quiz.bank.importers.files import import_files
from quiz.bank.importers.moodle import parse_moodle_xml
from quiz.models import Question, QuestionVersion

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db

VALID_YAML = """
blueprint: MLS-C01
questions:
  - id: t-1.1-001
    objective: "1.1"
    type: single
    status: published
    stem: |
      A team stores *training data*. Which storage fits with the LEAST overhead?
    choices:
      - text: Amazon S3
        correct: true
        rationale: Durable object storage.
      - text: Amazon EBS
      - text: Instance store
      - text: Amazon ElastiCache
    explanation: S3 is the usual data lake store.
    references:
      - https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html
  - id: t-2.2-001
    objective: "2.2"
    type: multiple
    status: pretest
    stem: Which two transformations suit skewed numeric features?
    choices:
      - text: Log transform
        correct: true
      - text: Box-Cox transform
        correct: true
      - text: One-hot encoding
      - text: Label encoding
      - text: Tokenisation
    references: [https://en.wikipedia.org/wiki/Power_transform]
"""


def run_import(text: str, name: str = "bank.yaml"):
    return import_files([(name, text.encode())])


def test_yaml_import_creates_questions_with_a_served_version():
    report = run_import(VALID_YAML)
    assert report.ok, report.problems
    assert sorted(report.created) == ["t-1.1-001", "t-2.2-001"]
    question = Question.objects.get(external_id="t-2.2-001")
    assert question.status == Question.Status.PRETEST
    assert question.current_version.type == "multiple"
    assert question.current_version.choose_hint == "Choose TWO."
    assert question.current_version.correct_indices == {0, 1}
    assert (
        "<em>training data</em>"
        in Question.objects.get(external_id="t-1.1-001").current_version.stem_html
    )


def test_reimporting_the_same_file_changes_nothing():
    run_import(VALID_YAML)
    before = list(QuestionVersion.objects.values_list("pk", "content_hash"))
    report = run_import(VALID_YAML)
    assert report.created == [] and report.changed == []
    assert len(report.unchanged) == 2
    assert list(QuestionVersion.objects.values_list("pk", "content_hash")) == before


def test_importing_an_edited_question_creates_a_new_version():
    run_import(VALID_YAML)
    old = Question.objects.get(external_id="t-1.1-001").current_version
    report = run_import(VALID_YAML.replace("Durable object storage.", "Durable, cheap storage."))
    assert report.changed == ["t-1.1-001"]
    question = Question.objects.get(external_id="t-1.1-001")
    assert question.current_version.number == 2
    old.refresh_from_db()
    assert old.choices[0]["rationale_html"] == "<p>Durable object storage.</p>"


def test_import_is_all_or_nothing_and_lists_every_problem():
    broken = VALID_YAML.replace("type: single", "type: multiple").replace(
        'objective: "2.2"', 'objective: "9.9"'
    )
    report = run_import(broken, name="broken.yaml")
    assert not report.ok
    found = {(p.source, p.external_id, p.code) for p in report.problems}
    assert ("broken.yaml", "t-1.1-001", "multiple_needs_two_correct") in found
    assert ("broken.yaml", "t-1.1-001", "multiple_needs_five_options") in found
    assert Question.objects.count() == 0


def test_an_unknown_objective_stops_the_whole_import():
    report = run_import(VALID_YAML.replace('objective: "2.2"', 'objective: "9.9"'))
    assert [p.code for p in report.problems] == ["unknown_objective"]
    assert Question.objects.count() == 0


def test_a_duplicate_id_across_files_is_reported():
    report = import_files([("a.yaml", VALID_YAML.encode()), ("b.yaml", VALID_YAML.encode())])
    assert {p.code for p in report.problems} == {"duplicate_id"}
    assert Question.objects.count() == 0


def test_malformed_yaml_is_a_clear_error():
    report = run_import("questions: [ {id: x")
    assert [p.code for p in report.problems] == ["malformed_file"]


def test_import_command_fails_with_the_problems_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(VALID_YAML.replace("correct: true\n        rationale", "rationale"))
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_questions", str(path))
    assert Question.objects.count() == 0


def test_yaml_export_then_import_round_trips_to_identical_content(tmp_path):
    run_import(VALID_YAML)
    exported = export_yaml(questions_for_export("MLS-C01"), blueprint_code="MLS-C01")
    original = {
        q.external_id: (q.content(), q.status, q.objective_id) for q in Question.objects.all()
    }
    Question.objects.all().delete()
    report = run_import(exported, name="exported.yaml")
    assert report.ok and len(report.created) == 2
    again = {q.external_id: (q.content(), q.status, q.objective_id) for q in Question.objects.all()}
    assert again == original
    # And exporting again gives the same text.
    assert export_yaml(questions_for_export("MLS-C01"), blueprint_code="MLS-C01") == exported


def test_export_command_writes_yaml_and_moodle(tmp_path):
    run_import(VALID_YAML)
    call_command("export_questions", str(tmp_path / "out.yaml"))
    assert len(yaml.safe_load((tmp_path / "out.yaml").read_text())["questions"]) == 2
    call_command("export_questions", "--format", "moodle", str(tmp_path / "out.xml"))
    questions, problems, skipped = parse_moodle_xml(
        (tmp_path / "out.xml").read_bytes(), source="out.xml"
    )
    assert problems == [] and skipped == []
    assert {q.external_id for q in questions} == {"t-1.1-001", "t-2.2-001"}


def test_moodle_export_round_trips_keys_and_objectives():
    run_import(VALID_YAML)
    xml = export_moodle(questions_for_export("MLS-C01"))
    questions, problems, _ = parse_moodle_xml(xml.encode(), source="x.xml")
    assert problems == []
    by_id = {q.external_id: q for q in questions}
    assert by_id["t-2.2-001"].objective_code == "2.2"
    assert [c.correct for c in by_id["t-2.2-001"].content.choices] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert by_id["t-1.1-001"].content.references == [
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html"
    ]


def test_moodle_import_maps_single_multi_feedback_and_skips_other_types():
    questions, problems, skipped = parse_moodle_xml(
        (DATA / "moodle_mixed.xml").read_bytes(), source="moodle_mixed.xml"
    )
    assert problems == []
    assert len(skipped) == 4
    assert {re.search(r"type (\w+)", s).group(1) for s in skipped} == {
        "truefalse",
        "essay",
        "cloze",
        "matching",
    }
    single, multi = questions
    assert single.external_id == "moodle-ingest-001"
    assert single.objective_code == "1.2"
    assert single.content.type == "single"
    assert "<strong>clickstream</strong>" in single.content.stem
    assert single.content.choices[0].correct and single.content.choices[0].rationale
    assert single.content.references == [
        "https://docs.aws.amazon.com/firehose/latest/dev/what-is-this-service.html"
    ]
    assert multi.content.type == "multiple"
    assert [c.correct for c in multi.content.choices] == [True, True, False, False, False]
    # Embedded files are stripped, with a warning for the question.
    assert "@@PLUGINFILE@@" not in multi.content.stem and "<img" not in multi.content.stem
    assert multi.warnings


def test_moodle_import_writes_drafts_and_reports_skips(tmp_path):
    report = import_files(
        [("m.xml", (DATA / "moodle_mixed.xml").read_bytes())], blueprint_code="MLS-C01"
    )
    assert report.ok
    assert len(report.created) == 2 and len(report.skipped) == 4 and report.warnings
    assert set(Question.objects.values_list("status", flat=True)) == {"draft"}


def test_moodle_category_without_objective_uses_the_option_or_fails():
    data = (DATA / "moodle_invalid.xml").read_bytes()
    _, problems, _ = parse_moodle_xml(data, source="bad.xml")
    assert {p.code for p in problems} == {"single_needs_one_correct", "unknown_objective"}
    _, problems, _ = parse_moodle_xml(data, source="bad.xml", objective_code="1.1")
    assert {p.code for p in problems} == {"single_needs_one_correct"}


def test_malformed_moodle_xml_is_a_clear_error():
    report = import_files([("m.xml", (DATA / "moodle_malformed.xml").read_bytes())])
    assert [p.code for p in report.problems] == ["malformed_file"]


def test_moodle_xml_entity_bombs_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        b"<quiz>&b;</quiz>"
    )
    report = import_files([("bomb.xml", bomb)])
    assert [p.code for p in report.problems] == ["malformed_file"]
