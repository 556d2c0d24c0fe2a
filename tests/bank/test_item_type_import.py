"""YAML import and export of ordering, matching and case-study questions (content/FORMAT.md)."""

from __future__ import annotations

import pytest
import yaml

from quiz.bank.importers.export import (
    export_yaml,
    questions_for_export,
)
from quiz.bank.importers.files import import_files
from quiz.models import CaseStudy, CaseVersion, Question, QuestionVersion

pytestmark = pytest.mark.django_db

TYPES_YAML = """
blueprint: MLS-C01
cases:
  - id: t-case-01
    title: Demand forecasting at a grocery chain
    scenario: |
      A grocery chain with **300** stores wants daily demand forecasts.
    questions:
      - t-4.1-030
      - t-4.2-031
      - t-4.1-032
questions:
  - id: t-4.1-001
    objective: "4.1"
    type: ordering
    status: published
    difficulty: medium
    stem: In which order should the team register and deploy the model?
    choices:
      - text: Create the model package group.
        rationale: The group must exist first.
      - text: Register the model version.
      - text: Approve the version.
      - text: Deploy the approved version.
    explanation: Registration precedes approval, which precedes deployment.
    references:
      - https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry.html
  - id: t-4.2-002
    objective: "4.2"
    type: matching
    status: published
    stem: Match each monitoring requirement to the service that meets it.
    prompts:
      - text: Alert when an input feature drifts from the training baseline.
        match: Amazon SageMaker Model Monitor
        rationale: Model Monitor compares with a baseline.
      - text: Record which principal called UpdateEndpoint.
        match: AWS CloudTrail
      - text: Alarm when ModelLatency exceeds 300 ms.
        match: Amazon CloudWatch
    responses:
      - Amazon SageMaker Model Monitor
      - AWS CloudTrail
      - Amazon CloudWatch
      - Amazon SageMaker Clarify
    explanation: Each service does one of these jobs.
    references:
      - https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor.html
  - id: t-4.1-030
    objective: "4.1"
    type: single
    status: published
    stem: Which store suits the chain's raw sales files?
    choices:
      - text: Amazon S3
        correct: true
      - text: Amazon EBS
      - text: Instance store
      - text: Amazon ElastiCache
    references: [https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html]
  - id: t-4.2-031
    objective: "4.2"
    type: ordering
    status: published
    stem: In which order should the chain prepare its data?
    choices:
      - Collect the sales files.
      - Clean the records.
      - Build the features.
    references: [https://docs.aws.amazon.com/sagemaker/latest/dg/data-prep.html]
  - id: t-4.1-032
    objective: "4.1"
    type: matching
    status: published
    stem: Match each need to a store.
    prompts:
      - {text: Raw files, match: Amazon S3}
      - {text: Features for online inference, match: SageMaker Feature Store}
      - {text: Reports, match: Amazon S3}
    responses: [Amazon S3, SageMaker Feature Store, Amazon EFS]
    references: [https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store.html]
"""


def run_import(text: str, name: str = "types.yaml", **options):
    return import_files([(name, text.encode())], **options)


def yaml_export() -> str:
    return export_yaml(questions_for_export("MLS-C01"), blueprint_code="MLS-C01")


def test_ordering_matching_and_a_case_study_import_with_served_versions():
    report = run_import(TYPES_YAML)
    assert report.ok, report.problems
    assert sorted(report.created) == [
        "t-4.1-001",
        "t-4.1-030",
        "t-4.1-032",
        "t-4.2-002",
        "t-4.2-031",
        "t-case-01",
    ]
    ordering = Question.objects.get(external_id="t-4.1-001").current_version
    assert ordering.type == "ordering" and ordering.key == (0, 1, 2, 3)
    assert "must exist first" in ordering.choices[0]["rationale_html"]
    matching = Question.objects.get(external_id="t-4.2-002").current_version
    assert matching.key == (0, 1, 2)
    assert len(matching.responses) == 4
    case = CaseStudy.objects.get(external_id="t-case-01")
    members = list(case.questions.order_by("case_position"))
    assert [q.external_id for q in members] == ["t-4.1-030", "t-4.2-031", "t-4.1-032"]
    assert [q.case_position for q in members] == [1, 2, 3]
    for question in members:
        assert question.versions.count() == 1  # served with its scenario from the first version
        assert question.current_version.case_version == case.current_version
    assert "<strong>300</strong>" in case.current_version.scenario_html
    assert case.source == "types.yaml"


def test_reimporting_the_same_file_changes_nothing():
    run_import(TYPES_YAML)
    counts = QuestionVersion.objects.count(), CaseVersion.objects.count()
    report = run_import(TYPES_YAML)
    assert report.ok and report.created == [] and report.changed == [] and report.kept == []
    assert len(report.unchanged) == 6
    assert (QuestionVersion.objects.count(), CaseVersion.objects.count()) == counts


def test_export_then_import_is_the_identity_in_the_same_database_and_an_empty_one():
    run_import(TYPES_YAML)
    exported = yaml_export()
    document = yaml.safe_load(exported)
    assert document["cases"][0]["questions"] == ["t-4.1-030", "t-4.2-031", "t-4.1-032"]
    versions = QuestionVersion.objects.count(), CaseVersion.objects.count()
    report = run_import(exported, name="types.yaml")
    assert report.ok and report.changed == [] and report.kept == [] and report.created == []
    assert (QuestionVersion.objects.count(), CaseVersion.objects.count()) == versions
    Question.objects.all().delete()
    CaseStudy.objects.all().delete()
    report = run_import(exported, name="types.yaml")
    assert report.ok, report.problems
    assert yaml_export() == exported


def test_an_exported_matching_question_names_matches_and_responses_and_an_ordering_no_key():
    run_import(TYPES_YAML)
    items = {q["id"]: q for q in yaml.safe_load(yaml_export())["questions"]}
    assert "choices" not in items["t-4.2-002"]
    assert items["t-4.2-002"]["prompts"][1] == {
        "text": "Record which principal called UpdateEndpoint.",
        "match": "AWS CloudTrail",
    }
    assert items["t-4.2-002"]["responses"][3] == "Amazon SageMaker Clarify"
    assert all("correct" not in step for step in items["t-4.1-001"]["choices"])


def test_editing_the_scenario_in_the_file_serves_new_versions_and_keeps_the_old_ones():
    run_import(TYPES_YAML)
    served = QuestionVersion.objects.get(question__external_id="t-4.1-030", number=1)
    report = run_import(TYPES_YAML.replace("**300** stores", "**400** stores"))
    assert report.ok and report.changed == ["t-case-01"]
    question = Question.objects.get(external_id="t-4.1-030")
    assert "400" in question.current_version.case_version.scenario_html
    served.refresh_from_db()
    assert "300" in served.case_version.scenario_html


def test_a_question_dropped_from_its_case_in_the_file_leaves_the_case():
    run_import(
        TYPES_YAML.replace("      - t-4.1-032\n", "      - t-4.1-032\n      - t-4.1-001\n", 1)
    )
    assert Question.objects.get(external_id="t-4.1-001").case_position == 4
    report = run_import(TYPES_YAML)
    assert report.ok and "t-case-01" in report.changed
    question = Question.objects.get(external_id="t-4.1-001")
    assert question.case is None and question.case_position is None
    assert question.current_version.case_version is None


def test_a_case_edited_in_the_app_is_kept_and_force_applies_the_file():
    run_import(TYPES_YAML)
    case = CaseStudy.objects.get(external_id="t-case-01")
    case.title = "Edited by an author"
    case.save()
    changed = TYPES_YAML.replace("**300** stores", "**500** stores")
    report = run_import(changed)
    assert report.ok
    assert any(line.startswith("types.yaml: t-case-01: ") for line in report.kept)
    case.refresh_from_db()
    assert case.title == "Edited by an author"
    report = run_import(changed, force=True)
    case.refresh_from_db()
    assert case.title == "Demand forecasting at a grocery chain"
    assert "500" in case.scenario


def problems_of(text: str) -> set[tuple[str, str]]:
    report = run_import(text)
    assert not report.ok
    assert Question.objects.count() == 0 and CaseStudy.objects.count() == 0  # all or nothing
    return {(p.external_id, p.code) for p in report.problems}


def test_every_breach_of_the_new_types_has_its_code_and_nothing_is_written():
    broken = (
        TYPES_YAML.replace("      - Amazon SageMaker Clarify\n", "")  # still valid
        .replace("        match: AWS CloudTrail\n", "        match: AWS Config\n")
        .replace(
            "      - text: Deploy the approved version.\n",
            "      - text: Deploy the approved version.\n        correct: true\n",
        )
        .replace("responses: [Amazon S3, SageMaker Feature Store, Amazon EFS]", "responses: Oops")
    )
    assert problems_of(broken) == {
        ("t-4.2-002", "unknown_match"),
        ("t-4.1-001", "ordering_marks_correct"),
        ("t-4.1-032", "malformed_file"),
        ("t-4.1-032", "matching_needs_responses"),
        ("t-4.1-032", "unknown_match"),
    }


def test_a_matching_question_uses_prompts_and_responses_not_choices():
    broken = TYPES_YAML.replace(
        "    prompts:\n      - text: Alert", "    choices:\n      - text: Alert"
    )
    assert problems_of(broken) == {
        ("t-4.2-002", "missing_field"),
        ("t-4.2-002", "unknown_field"),
        ("t-4.2-002", "matching_prompt_count"),
    }


def test_case_breaches_have_their_codes():
    too_few = TYPES_YAML.replace("      - t-4.1-032\n", "", 1)
    assert problems_of(too_few) == {("t-case-01", "case_needs_three_questions")}
    unknown = TYPES_YAML.replace("      - t-4.1-032\n", "      - t-9.9-999\n", 1)
    assert problems_of(unknown) == {("t-case-01", "unknown_case_question")}
    second = TYPES_YAML.replace(
        "questions:\n  - id: t-4.1-001",
        "  - id: t-case-02\n    title: Again\n    scenario: Again.\n"
        "    questions: [t-4.1-030, t-4.1-001, t-4.2-002]\n"
        "questions:\n  - id: t-4.1-001",
    )
    assert problems_of(second) == {("t-case-02", "question_in_two_cases")}
    long = TYPES_YAML.replace("A grocery chain with", "x" * 20_001)
    assert problems_of(long) == {("t-case-01", "too_long")}
    extra = TYPES_YAML.replace("    title: Demand", "    owner: me\n    title: Demand")
    assert problems_of(extra) == {("t-case-01", "unknown_field")}


def test_a_question_in_another_files_case_cannot_join_a_second_one():
    run_import(TYPES_YAML)
    other = TYPES_YAML.replace("t-case-01", "t-case-09")
    report = run_import(other, name="other.yaml")
    assert {(p.external_id, p.code) for p in report.problems} == {
        ("t-case-09", "question_in_two_cases")
    }
    assert not CaseStudy.objects.filter(external_id="t-case-09").exists()
