"""Moodle XML carries matching (Moodle's ``match``) and ordering (qtype_ordering) questions;
case studies, which Moodle has no type for, are refused by name."""

from __future__ import annotations

import pytest

from quiz.bank.importers.export import (
    ExportError,
    export_moodle,
    export_yaml,
    questions_for_export,
)
from quiz.bank.importers.files import import_files
from quiz.bank.importers.moodle import parse_moodle_xml
from quiz.models import Question, QuestionVersion
from tests.bank.test_item_type_import import TYPES_YAML

pytestmark = pytest.mark.django_db

# The ordering and matching questions of TYPES_YAML, without its case study.
NO_CASE_YAML = TYPES_YAML.split("  - id: t-4.1-030")[0].replace(
    TYPES_YAML[TYPES_YAML.index("cases:") : TYPES_YAML.index("questions:\n")], ""
)


def quiz(*questions: str, category: str = "$course$/top/MLS-C01/4.1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><quiz>'
        f'<question type="category"><category><text>{category}</text></category></question>'
        + "".join(questions)
        + "</quiz>"
    ).encode()


def match_question(subquestions: list[tuple[str, str]], *, extra: str = "") -> str:
    """A ``match`` question as Moodle's own export writes it."""
    subs = "".join(
        f'<subquestion format="html"><text><![CDATA[{text}]]></text>'
        f"<answer><text>{answer}</text></answer></subquestion>"
        for text, answer in subquestions
    )
    return (
        '<question type="match"><name><text>Monitoring</text></name>'
        "<idnumber>m-1</idnumber>"
        '<questiontext format="html"><text><![CDATA[<p>Match each need.</p>]]></text>'
        "</questiontext>"
        '<generalfeedback format="html"><text><![CDATA[<p>Why.</p>]]></text></generalfeedback>'
        f"{extra}{subs}</question>"
    )


def ordering_question(steps: list[str], *, settings: str, fractions=None) -> str:
    fractions = fractions or range(1, len(steps) + 1)
    answers = "".join(
        f'<answer fraction="{fraction}" format="html"><text><![CDATA[{step}]]></text>'
        "<feedback><text>Because.</text></feedback></answer>"
        for fraction, step in zip(fractions, steps, strict=True)
    )
    return (
        '<question type="ordering"><name><text>Deploy</text></name>'
        "<idnumber>o-1</idnumber>"
        '<questiontext format="html"><text><![CDATA[<p>Put the steps in order.</p>]]></text>'
        f"</questiontext>{settings}{answers}</question>"
    )


ALL_OR_NOTHING = (
    "<layouttype>VERTICAL</layouttype><selecttype>ALL</selecttype><selectcount>3</selectcount>"
    "<gradingtype>ALL_OR_NOTHING</gradingtype><showgrading>SHOW</showgrading>"
)
STEPS = ["<p>Create the group.</p>", "<p>Register the version.</p>", "<p>Deploy it.</p>"]
PAIRS = [
    ("<p>Feature drift</p>", "Model Monitor"),
    ("<p>Who called UpdateEndpoint</p>", "CloudTrail"),
    ("<p>Latency alarm</p>", "CloudWatch"),
    ("", "Clarify"),  # a distractor, as Moodle writes it: an answer without a question
]


def parse(data: bytes):
    return parse_moodle_xml(data, source="m.xml", blueprint_code="MLS-C01")


def yaml_export() -> str:
    return export_yaml(questions_for_export("MLS-C01"), blueprint_code="MLS-C01")


def test_a_moodle_match_question_imports_as_matching_with_its_distractor():
    questions, problems, skipped = parse(quiz(match_question(PAIRS)))
    assert problems == [] and skipped == []
    content = questions[0].content
    assert content.type == "matching"
    assert [c.text for c in content.choices] == [text for text, _ in PAIRS[:3]]
    assert [c.match for c in content.choices] == ["Model Monitor", "CloudTrail", "CloudWatch"]
    assert content.responses == ["Model Monitor", "CloudTrail", "CloudWatch", "Clarify"]
    assert questions[0].warnings == []


def test_a_response_shared_by_two_prompts_is_listed_once_as_moodle_merges_it():
    pairs = [("<p>A</p>", "S3"), ("<p>B</p>", "EFS"), ("<p>C</p>", "s3"), ("", "EBS")]
    questions, problems, _ = parse(quiz(match_question(pairs)))
    assert problems == []
    assert questions[0].content.responses == ["S3", "EFS", "EBS"]
    assert questions[0].content.choices[2].match == "s3"


def test_a_match_question_breaking_the_rules_is_refused_with_codes():
    two_prompts = [("<p>A</p>", "S3"), ("<p>B</p>", "EFS")]
    _, problems, _ = parse(quiz(match_question(two_prompts)))
    assert {p.code for p in problems} == {"matching_prompt_count"}
    no_answer = [("<p>A</p>", "S3"), ("<p>B</p>", "EFS"), ("<p>C</p>", "")]
    _, problems, _ = parse(quiz(match_question(no_answer)))
    assert "missing_match" in {p.code for p in problems}


def test_a_match_question_moodle_does_not_shuffle_imports_with_a_warning():
    questions, _, _ = parse(quiz(match_question(PAIRS, extra="<shuffleanswers>0</shuffleanswers>")))
    assert questions[0].warnings == ["Moodle keeps the prompts in order; the exam shuffles them"]


def test_an_ordering_question_takes_its_steps_in_the_files_order_whatever_the_fractions():
    questions, problems, _ = parse(
        quiz(ordering_question(STEPS, settings=ALL_OR_NOTHING, fractions=(3, 1, 2)))
    )
    assert problems == []
    content = questions[0].content
    assert content.type == "ordering"
    assert [c.text for c in content.choices] == STEPS
    assert not any(c.correct for c in content.choices)
    assert [c.rationale for c in content.choices] == ["Because."] * 3
    assert questions[0].warnings == []


def test_an_ordering_question_with_moodles_defaults_warns_of_partial_credit():
    # Without settings Moodle grades RELATIVE_NEXT_EXCLUDE_LAST and selects 6 at random.
    questions, problems, _ = parse(quiz(ordering_question(STEPS, settings="")))
    assert problems == []
    assert questions[0].warnings == [
        "Moodle gives partial credit (RELATIVE); the bank gives credit only for the whole order"
    ]


def test_an_ordering_question_showing_a_subset_warns_that_the_bank_asks_every_step():
    settings = ALL_OR_NOTHING.replace(">ALL<", ">RANDOM<").replace(">3<", ">2<")
    questions, _, _ = parse(quiz(ordering_question(STEPS, settings=settings)))
    assert questions[0].warnings == [
        "Moodle shows a subset of the steps (RANDOM 2); the bank asks every step"
    ]


def test_an_ordering_question_with_two_steps_is_refused_with_its_code():
    _, problems, _ = parse(quiz(ordering_question(STEPS[:2], settings=ALL_OR_NOTHING)))
    assert {p.code for p in problems} == {"ordering_step_count"}


def test_moodle_export_writes_ordering_as_qtype_ordering_all_or_nothing():
    import_files([("types.yaml", NO_CASE_YAML.encode())])
    xml = export_moodle(questions_for_export("MLS-C01"))
    assert '<question type="ordering">' in xml
    assert "<selecttype>ALL</selecttype>" in xml
    assert "<gradingtype>ALL_OR_NOTHING</gradingtype>" in xml
    assert '<question type="match">' in xml
    # The distractor is a subquestion without text, as Moodle writes it.
    assert (
        "<text><![CDATA[]]></text>\n      <answer><text><![CDATA[Amazon SageMaker Clarify]]>" in xml
    )


def test_moodle_export_and_import_of_ordering_and_matching_is_the_identity():
    import_files([("types.yaml", NO_CASE_YAML.encode())])
    before, versions = yaml_export(), QuestionVersion.objects.count()
    xml = export_moodle(questions_for_export("MLS-C01")).encode()
    report = import_files([("export.xml", xml)], blueprint_code="MLS-C01")
    assert report.ok and report.changed == [] and report.kept == []
    assert QuestionVersion.objects.count() == versions
    Question.objects.all().delete()
    report = import_files([("export.xml", xml)], blueprint_code="MLS-C01")
    assert report.ok, report.problems
    assert yaml_export() == before


def test_responses_in_an_order_the_prompts_do_not_give_survive_the_moodle_round_trip():
    reordered = NO_CASE_YAML.replace(
        "      - Amazon SageMaker Model Monitor\n      - AWS CloudTrail\n",
        "      - AWS CloudTrail\n      - Amazon SageMaker Model Monitor\n",
    )
    assert reordered != NO_CASE_YAML
    import_files([("types.yaml", reordered.encode())])
    before = yaml_export()
    xml = export_moodle(questions_for_export("MLS-C01")).encode()
    Question.objects.all().delete()
    assert import_files([("export.xml", xml)], blueprint_code="MLS-C01").ok
    assert yaml_export() == before
    matching = Question.objects.get(external_id="t-4.2-002")
    assert matching.response_list[:2] == ["AWS CloudTrail", "Amazon SageMaker Model Monitor"]


def test_moodle_export_refuses_case_study_questions_naming_the_case_and_its_questions():
    import_files([("types.yaml", TYPES_YAML.encode())])
    with pytest.raises(ExportError) as error:
        export_moodle(questions_for_export("MLS-C01"))
    assert error.value.problems == [
        "case t-case-01 (t-4.1-030, t-4.1-032, t-4.2-031): Moodle XML has no case studies; "
        "export these questions as YAML, or take them out of the case first "
        "[case_not_in_moodle]"
    ]
