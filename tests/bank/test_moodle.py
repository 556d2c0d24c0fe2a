"""Moodle XML files are read the way Moodle reads them (question/format/xml/format.php)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quiz.bank.importers.export import ExportError, export_moodle, questions_for_export
from quiz.bank.importers.files import import_files
from quiz.bank.importers.moodle import parse_moodle_xml
from quiz.models import Choice, Question
from tests.bank.test_admin import admin_client, question_post  # noqa: F401 (fixture)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

OPTIONS = ["Amazon S3", "Amazon EBS", "Instance store", "Amazon ElastiCache", "AWS Glue"]


def quiz(*questions: str, category: str = "$course$/top/MLS-C01/1.1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><quiz>'
        f'<question type="category"><category><text>{category}</text></category></question>'
        + "".join(questions)
        + "</quiz>"
    ).encode()


def multichoice(
    *,
    fractions=(100, 0, 0, 0),
    single: str | None = "true",
    idnumber: str | None = "q-1",
    name: str = "A question",
    stem: str = "<p>Which store fits the data lake?</p>",
    options=None,
    stem_format: str = "html",
    extra: str = "",
) -> str:
    options = options or OPTIONS
    answers = "".join(
        f'<answer fraction="{fraction}" format="{stem_format}">'
        f"<text><![CDATA[{text}]]></text></answer>"
        for fraction, text in zip(fractions, options, strict=False)
    )
    return (
        '<question type="multichoice">'
        f"<name><text>{name}</text></name>"
        f'<questiontext format="{stem_format}"><text><![CDATA[{stem}]]></text></questiontext>'
        + (f"<idnumber>{idnumber}</idnumber>" if idnumber is not None else "")
        + (f"<single>{single}</single>" if single is not None else "")
        + extra
        + answers
        + "</question>"
    )


def parse(data: bytes, **kwargs):
    return parse_moodle_xml(data, source="m.xml", **kwargs)


def codes(problems) -> set[str]:
    return {p.code for p in problems}


# Single or multiple response, and the key.


@pytest.mark.parametrize("single", [None, "true", "yes", "1"])
def test_missing_or_any_true_single_is_single_response_as_in_moodle(single):
    questions, problems, _ = parse(quiz(multichoice(single=single)))
    assert problems == []
    assert questions[0].content.type == "single"


@pytest.mark.parametrize("single", ["false", "0", ""])
def test_false_zero_or_empty_single_is_multiple_response_as_in_moodle(single):
    questions, problems, _ = parse(quiz(multichoice(single=single, fractions=(50, 50, -100, 0, 0))))
    assert problems == []
    assert questions[0].content.type == "multiple"
    assert [c.correct for c in questions[0].content.choices] == [True, True, False, False, False]


def test_single_response_with_partial_credit_imports_the_full_mark_as_key_with_a_warning():
    questions, problems, _ = parse(quiz(multichoice(fractions=(100, 50, 0, 0))))
    assert problems == []
    assert [c.correct for c in questions[0].content.choices] == [True, False, False, False]
    assert "partial credit for option(s) 2" in questions[0].warnings[0]


@pytest.mark.parametrize("fraction", ["100%", "33,33333", "abc", "150", "nan"])
def test_an_unreadable_fraction_is_refused_not_read_as_zero(fraction):
    _, problems, _ = parse(quiz(multichoice(fractions=(fraction, 0, 0, 0))))
    assert "bad_fraction" in codes(problems)


def test_a_key_of_eleven_options_is_not_exported_with_fractions_moodle_rejects():
    question = QuestionFactory(type=Question.Type.MULTIPLE, choices=(5, 2))
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, order=n, text=f"Option {n}", is_correct=n < 11) for n in range(12)
    )
    with pytest.raises(ExportError, match="no fraction for 11 correct"):
        export_moodle(questions_for_export("MLS-C01"))


def test_exported_fractions_are_ones_moodle_accepts():
    QuestionFactory(type=Question.Type.MULTIPLE, choices=(6, 3))
    xml = export_moodle(questions_for_export("MLS-C01"))
    assert xml.count('fraction="33.33333"') == 3 and xml.count('fraction="-100"') == 3


# One id rule.


@pytest.mark.parametrize(
    "idnumber", ["Free text id", "a..b", "<b>x</b>".replace("<", "&lt;"), "x" * 200, "-a"]
)
def test_an_idnumber_that_breaks_the_id_rule_is_refused(idnumber):
    _, problems, _ = parse(quiz(multichoice(idnumber=idnumber)))
    assert "bad_id" in codes(problems)


def test_the_model_refuses_an_id_that_breaks_the_rule():
    question = QuestionFactory()
    question.external_id = "a..b"
    with pytest.raises(ValidationError) as raised:
        question.save()
    assert raised.value.error_dict["external_id"][0].code == "bad_id"


def test_the_admin_refuses_an_id_the_importers_refuse(admin_client):  # noqa: F811
    response = admin_client.post(
        reverse("admin:quiz_question_add"), question_post(external_id="a..b")
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["external_id"]] == [
        "bad_id"
    ]


def test_the_exporter_refuses_an_id_written_before_the_rule():
    question = QuestionFactory()
    Question.objects.filter(pk=question.pk).update(external_id="Legacy id")
    with pytest.raises(ExportError, match="bad_id"):
        export_moodle(questions_for_export("MLS-C01"))


def test_repeated_names_without_idnumber_say_the_id_came_from_the_name():
    data = quiz(multichoice(idnumber=None, name="Same"), multichoice(idnumber=None, name="Same"))
    report = import_files([("m.xml", data)], blueprint_code="MLS-C01")
    assert codes(report.problems) == {"duplicate_id"}
    assert "made from the question's name (name 'Same')" in report.problems[0].message
    assert "<idnumber>" in report.problems[0].message


# The category path names the blueprint and the objective.


def test_a_path_naming_the_blueprint_and_objective_gives_the_objective():
    questions, _, _ = parse(quiz(multichoice(), category="$course$/top/MLS-C01/1.2"))
    assert questions[0].objective_code == "1.2"


def test_a_trailing_number_that_is_not_an_objective_uses_the_option():
    data = quiz(multichoice(), category="$course$/top/Course/Week 4.2")
    questions, _, _ = parse(data, objective_code="1.1")
    assert questions[0].objective_code == "1.1"
    _, problems, _ = parse(data)
    assert codes(problems) == {"unknown_objective"}


def test_a_path_naming_another_blueprint_is_an_error():
    _, problems, _ = parse(quiz(multichoice(), category="$course$/top/SAA-C03/1.2"))
    assert codes(problems) == {"other_blueprint"}


# Text only.


def test_an_image_only_option_is_refused_saying_the_bank_holds_text_only():
    options = ['<img src="@@PLUGINFILE@@/a.png"><br>', *OPTIONS[1:4]]
    _, problems, _ = parse(quiz(multichoice(options=options)))
    assert codes(problems) == {"media_only"}
    assert "Option 1 is only an image" in problems[0].message
    assert "text only" in problems[0].message


def test_a_media_only_question_is_refused_with_the_text_only_message_not_a_duplicate():
    stem = '<p><video src="https://example.com/v.mp4">Your browser cannot play it</video></p>'
    options = [f'<img src="https://example.com/{n}.png">' for n in range(4)]
    _, problems, _ = parse(quiz(multichoice(stem=stem, options=options)))
    assert codes(problems) == {"media_only"}
    assert "The question text is only an image" in problems[0].message


def test_moodles_old_image_element_is_one_warning_for_the_question():
    extra = "<image>diagram.png</image><image_base64>iVBORw0KGgo=</image_base64>"
    stem = '<p>Which store fits? <img src="@@PLUGINFILE@@/x.png"></p>'
    questions, problems, _ = parse(quiz(multichoice(extra=extra, stem=stem)))
    assert problems == []
    (warning,) = questions[0].warnings
    assert "the question text (2)" in warning and "text only" in warning
    assert "'.'" not in warning


# Formats and the "(Choose TWO.)" hint.


def test_html_is_kept_as_html_so_candidates_see_what_the_author_wrote():
    stem = "<p># Files *.csv and *.json, 2*3*4 items, __label__ and</p><p>1. not a list</p>"
    _, problems, _ = parse(quiz(multichoice(stem=stem)))
    assert problems == []
    import_files([("m.xml", quiz(multichoice(stem=stem)))], blueprint_code="MLS-C01")
    html = Question.objects.get(external_id="q-1").current_version.stem_html
    assert html == stem
    assert "<em>" not in html and "<strong>" not in html and "<ol>" not in html


def test_plain_text_keeps_its_placeholders():
    stem = "Objects are under s3://<bucket>/<prefix>/ now. Which store fits?"
    import_files(
        [("m.xml", quiz(multichoice(stem=stem, stem_format="plain_text")))],
        blueprint_code="MLS-C01",
    )
    question = Question.objects.get(external_id="q-1")
    assert question.text_format == "plain" and question.stem == stem
    assert "s3://&lt;bucket&gt;/&lt;prefix&gt;/" in question.current_version.stem_html


def test_an_exact_trailing_choose_hint_is_stripped_on_import():
    stem = "<p>Which two stores fit?</p><p>(Choose TWO.)</p>"
    questions, problems, _ = parse(
        quiz(multichoice(stem=stem, single="false", fractions=(50, 50, -100, -100, -100)))
    )
    assert problems == []
    assert questions[0].content.stem == "<p>Which two stores fit?</p>"


def test_a_trailing_hint_that_contradicts_the_key_is_refused():
    stem = "<p>Which stores fit? (Choose THREE.)</p>"
    _, problems, _ = parse(
        quiz(multichoice(stem=stem, single="false", fractions=(50, 50, -100, -100, -100)))
    )
    assert codes(problems) == {"typed_choose_hint"}


def test_a_number_inside_a_scenario_is_not_a_hint():
    stem = "<p>The team must choose 5 hyperparameters to tune. Which two stores fit?</p>"
    questions, problems, _ = parse(
        quiz(multichoice(stem=stem, single="false", fractions=(50, 50, -100, -100, -100)))
    )
    assert problems == []
    assert questions[0].content.stem == stem
