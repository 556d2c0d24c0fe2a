"""Round trips are lossless: export → import is the identity, in both formats, into the same
database (no new version) and into an empty one (the same YAML export)."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.bank.importers.export import export_moodle, export_yaml, questions_for_export
from quiz.bank.importers.files import import_files
from quiz.bank.markdown import sanitise_html
from quiz.bank.rules import TYPED_HINT_RE, visible_text
from quiz.models import Question, QuestionVersion
from tests.bank.test_importers import VALID_YAML, run_import

pytestmark = pytest.mark.django_db


def yaml_export() -> str:
    return export_yaml(questions_for_export("MLS-C01"), blueprint_code="MLS-C01")


def moodle_export() -> str:
    return export_moodle(questions_for_export("MLS-C01"))


def test_importing_the_own_moodle_export_into_the_same_database_changes_nothing():
    run_import(VALID_YAML)
    before = yaml_export()
    versions = QuestionVersion.objects.count()
    report = import_files([("export.xml", moodle_export().encode())], blueprint_code="MLS-C01")
    assert report.ok and report.changed == [] and report.kept == []
    assert len(report.unchanged) == 2
    assert QuestionVersion.objects.count() == versions
    assert yaml_export() == before  # statuses included: nothing turned into a draft


def test_moodle_round_trips_do_not_append_the_references_again():
    run_import(VALID_YAML)
    explanation = Question.objects.get(external_id="t-1.1-001").explanation
    for _ in range(2):
        xml = moodle_export()
        Question.objects.all().delete()
        import_files([("export.xml", xml.encode())], blueprint_code="MLS-C01")
    question = Question.objects.get(external_id="t-1.1-001")
    assert question.explanation == explanation
    assert question.reference_list == [
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html"
    ]


def test_the_moodle_export_tells_moodle_candidates_how_many_to_choose():
    run_import(VALID_YAML)
    assert "(Choose TWO.)" in moodle_export()


def test_the_moodle_export_warns_that_moodle_gives_partial_credit(tmp_path):
    run_import(VALID_YAML)
    errors = StringIO()
    call_command("export_questions", "--format", "moodle", str(tmp_path / "out.xml"), stderr=errors)
    assert "1 multiple-response question(s): Moodle gives partial credit" in errors.getvalue()


# The property: random valid banks.

WORDS = st.sampled_from(
    [
        "data",
        "S3",
        "*.csv",
        "2*3*4",
        "__label__",
        "# heading",
        "1.",
        "<b>",
        "&amp;",
        "a_b",
        "é",
        "s3://<bucket>/",
        "`code`",
        "**bold**",
        "<p>",
        "]]>",
        "'q'",
        '"dq"',
        ":",
        "-",
        "\n",
        "x",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=8).map(lambda words: " ".join(words).strip())
URL = st.sampled_from(
    ["https://docs.aws.amazon.com/a.html", "https://example.com/?a=1&b=2", "http://x.org/p_q"]
)


def _valid_text(text_format: str):
    text = TEXT.filter(lambda t: t and not TYPED_HINT_RE.search(t))
    if text_format == "html":
        # HTML is stored as the sanitiser leaves it (an import stores it so).
        text = text.map(lambda t: sanitise_html(t).strip())
        text = text.filter(lambda t: visible_text(t, "html").strip())
    return text


# Responses are one line each, and are compared (not rendered) when matched: words without
# tags or line ends, so that every format stores them as written.
RESPONSE_WORDS = st.sampled_from(["data", "S3", "a_b", "é", "`code`", "**bold**", "x", "'q'"])
RESPONSE = st.lists(RESPONSE_WORDS, min_size=1, max_size=3).map(" ".join)


@st.composite
def questions(draw, number: int):
    text_format = draw(st.sampled_from(["markdown", "html", "plain"]))
    text = _valid_text(text_format)
    kind = draw(st.sampled_from(["single", "multiple", "ordering", "matching"]))
    count = draw(
        {
            "single": st.integers(4, 6),
            "multiple": st.integers(5, 8),
            "ordering": st.integers(3, 5),
            "matching": st.integers(3, 7),
        }[kind]
    )
    correct = {"single": 1, "ordering": 0, "matching": 0}.get(kind)
    if correct is None:
        correct = draw(st.integers(2, count - 1))
    texts = draw(st.lists(text, min_size=count, max_size=count))
    texts = [f"{t} {n}" if text_format != "html" else f"{t}<p>{n}</p>" for n, t in enumerate(texts)]
    item = {
        "id": f"p-{number:03d}",
        "objective": draw(st.sampled_from(["1.1", "2.3", "3.5", "4.4"])),
        "type": kind,
        "status": draw(st.sampled_from(["draft", "pretest", "published", "retired"])),
        "difficulty": draw(st.sampled_from(["", "easy", "hard"])),
        "format": text_format,
        "stem": draw(text),
        "choices": [
            {"text": t, "correct": n < correct, "rationale": draw(st.just("") | text)}
            for n, t in enumerate(texts)
        ],
        "explanation": draw(st.just("") | text),
        "references": draw(st.lists(URL, max_size=2, unique=True)),
    }
    if kind == "matching":
        # Responses in any order (a match may serve several prompts, distractors anywhere),
        # and a match may differ from its response in case (compared as the rules compare).
        size = draw(st.integers(2, 10))
        responses = [
            f"{r} r{n}"
            for n, r in enumerate(draw(st.lists(RESPONSE, min_size=size, max_size=size)))
        ]
        prompts = []
        for choice in item.pop("choices"):
            match = draw(st.sampled_from(responses))
            if text_format != "html" and draw(st.booleans()):
                match = match.upper()
            prompts.append(
                {"text": choice["text"], "match": match, "rationale": choice["rationale"]}
            )
        item["prompts"], item["responses"] = prompts, responses
    return item


@st.composite
def banks(draw):
    return [draw(questions(n)) for n in range(draw(st.integers(1, 4)))]


def _write_bank(items) -> None:
    document = {"blueprint": "MLS-C01", "questions": []}
    for item in items:
        entry = {k: v for k, v in item.items() if v not in ("", [])}
        document["questions"].append(entry)
    report = run_import(yaml.safe_dump(document, allow_unicode=True), name="bank.yaml")
    assert report.ok, report.problems


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bank=banks(), moodle=st.booleans())
def test_export_then_import_is_the_identity(bank, moodle):
    Question.objects.all().delete()
    _write_bank(bank)
    first = yaml_export()
    exported, name = (moodle_export(), "export.xml") if moodle else (first, "export.yaml")
    versions = QuestionVersion.objects.count()

    report = import_files([(name, exported.encode())], blueprint_code="MLS-C01")
    assert report.ok, report.problems
    assert report.changed == [] and report.kept == [] and report.created == []
    assert QuestionVersion.objects.count() == versions  # the same database: nothing new

    Question.objects.all().delete()
    report = import_files([(name, exported.encode())], blueprint_code="MLS-C01")
    assert report.ok, report.problems
    assert yaml_export() == first  # an empty database: the same bank
