"""Authoring ordering, matching and case-study items in the admin (issue #19): creation,
validation through the rules (with their codes), and the candidate's-eye previews."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.models import CaseStudy, Question
from tests.bank.test_admin import question_post
from tests.factories import QuestionFactory, UserFactory, case_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


ADD = "admin:quiz_question_add"
STEPS = [
    "Create the model package group.",
    "Register the model version.",
    "Approve the version.",
    "Deploy the approved version.",
]
PROMPTS = [
    ("Alert when a feature drifts from the baseline.", "Amazon SageMaker Model Monitor"),
    ("Record who called UpdateEndpoint.", "AWS CloudTrail"),
    ("Alarm when ModelLatency exceeds 300 ms.", "Amazon CloudWatch"),
]
RESPONSES = "Amazon SageMaker Model Monitor\nAWS CloudTrail\nAmazon CloudWatch\nAWS Glue"


def rows(texts, matches=None, **overrides) -> dict:
    """The question form with these option rows (steps or prompts) instead of the default four."""
    data = question_post(**{"choices-TOTAL_FORMS": str(len(texts)), **overrides})
    for key in [k for k in data if k.startswith("choices-") and k[8].isdigit()]:
        del data[key]
    for i, text in enumerate(texts):
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-rationale"] = ""
        if matches:
            data[f"choices-{i}-match"] = matches[i]
    return data


def formset_codes(response) -> list[str]:
    formset = response.context["inline_admin_formsets"][0].formset
    return [e.code for e in formset.non_form_errors().as_data()]


def test_an_author_creates_an_ordering_question_with_its_steps_in_order(admin_client):
    response = admin_client.post(reverse(ADD), rows(STEPS, type="ordering"))
    assert response.status_code == 302
    version = Question.objects.get(external_id="new-q-001").current_version
    assert version.type == "ordering" and version.key == (0, 1, 2, 3)
    assert version.choices[0]["html"] == STEPS[0]


def test_the_order_column_is_the_key_of_an_ordering_question(admin_client):
    data = rows(STEPS, type="ordering")
    data["choices-0-order"], data["choices-3-order"] = "3", "0"
    assert admin_client.post(reverse(ADD), data).status_code == 302
    version = Question.objects.get(external_id="new-q-001").current_version
    assert version.choices[0]["html"] == STEPS[3]


def test_an_ordering_question_with_two_steps_or_a_marked_step_is_refused_with_codes(admin_client):
    response = admin_client.post(reverse(ADD), rows(STEPS[:2], type="ordering"))
    assert response.status_code == 200
    assert "ordering_step_count" in formset_codes(response)
    data = rows(STEPS, type="ordering")
    data["choices-1-is_correct"] = "on"
    assert formset_codes(admin_client.post(reverse(ADD), data)) == ["ordering_marks_correct"]
    assert not Question.objects.exists()


def test_an_author_creates_a_matching_question_with_prompts_matches_and_responses(admin_client):
    texts, matches = zip(*PROMPTS, strict=True)
    data = rows(texts, matches, type="matching", responses=RESPONSES)
    response = admin_client.post(reverse(ADD), data)
    assert response.status_code == 302
    version = Question.objects.get(external_id="new-q-001").current_version
    assert version.key == (0, 1, 2)
    assert [r["html"] for r in version.responses][-1] == "AWS Glue"


def test_a_matching_question_breaking_the_rules_shows_the_codes_where_they_belong(admin_client):
    texts, matches = zip(*PROMPTS, strict=True)
    unknown = rows(texts, [*matches[:2], "Amazon S3"], type="matching", responses=RESPONSES)
    assert formset_codes(admin_client.post(reverse(ADD), unknown)) == ["unknown_match"]
    repeated = rows(texts, matches, type="matching", responses=RESPONSES + "\naws glue")
    response = admin_client.post(reverse(ADD), repeated)
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["responses"]] == [
        "duplicate_response"
    ]
    # Responses on a single-response question are refused on the field.
    single = question_post(responses="Amazon S3")
    response = admin_client.post(reverse(ADD), single)
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["responses"]] == [
        "responses_not_allowed"
    ]
    assert not Question.objects.exists()


def test_the_preview_of_an_ordering_question_shows_the_steps_and_the_right_order(admin_client):
    question = QuestionFactory(type="ordering")
    response = admin_client.get(reverse("admin:quiz_question_preview", args=[question.pk]))
    page = response.content.decode()
    assert "Put the steps in order." in page and "Correct order" in page
    assert page.count("<select disabled>") == 4


def test_the_preview_of_a_matching_question_shows_prompts_responses_and_matches(admin_client):
    question = QuestionFactory(type="matching", choices=(3, 0))
    response = admin_client.get(reverse("admin:quiz_question_preview", args=[question.pk]))
    page = response.content.decode()
    assert "Match each prompt to a response." in page
    assert "→ <strong>AWS CloudTrail</strong>" in page
    assert page.count("<option>Amazon SageMaker Clarify</option>") == 3


def test_the_preview_of_a_case_question_shows_its_scenario_above_it(admin_client):
    questions = [QuestionFactory() for _ in range(3)]
    case_study(questions, title="Grocery forecasts")
    response = admin_client.get(reverse("admin:quiz_question_preview", args=[questions[1].pk]))
    assert "Case study: Grocery forecasts" in response.content.decode()


# Case studies.


def case_post(**overrides) -> dict:
    data = {
        "external_id": "mls-case-01",
        "blueprint": Question.objects.first().objective.domain.blueprint_id,
        "title": "Demand forecasting",
        "text_format": "markdown",
        "scenario": "A grocery chain with **300** stores forecasts demand.",
        "question_ids": "\n".join(
            Question.objects.order_by("-external_id").values_list("external_id", flat=True)
        ),
    }
    data.update(overrides)
    return data


def test_an_author_creates_a_case_study_whose_questions_are_served_with_its_scenario(
    admin_client,
):
    questions = [QuestionFactory() for _ in range(3)]
    response = admin_client.post(reverse("admin:quiz_casestudy_add"), case_post())
    assert response.status_code == 302
    case = CaseStudy.objects.get(external_id="mls-case-01")
    members = list(case.questions.order_by("case_position"))
    assert members == questions[::-1]  # the order written
    for question in members:
        assert question.current_version.case_version == case.current_version
    assert "<strong>300</strong>" in case.current_version.scenario_html


def test_editing_a_case_study_reorders_and_drops_questions(admin_client):
    questions = [QuestionFactory() for _ in range(4)]
    case = case_study(questions[:3])
    dropped = questions[0]
    ids = [questions[3].external_id, questions[2].external_id, questions[1].external_id]
    url = reverse("admin:quiz_casestudy_change", args=[case.pk])
    response = admin_client.post(
        url, case_post(external_id=case.external_id, question_ids="\n".join(ids))
    )
    assert response.status_code == 302
    assert [q.external_id for q in case.questions.order_by("case_position")] == ids
    dropped.refresh_from_db()
    assert dropped.case is None and dropped.current_version.case_version is None


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        ({"question_ids": "a-1\na-2"}, "question_ids", "case_needs_three_questions"),
        ({"title": "Two\nlines"}, "title", "multiline_title"),
        ({"external_id": "Bad Id"}, "external_id", "bad_id"),
    ],
)
def test_a_case_study_breaking_a_rule_shows_its_code_on_the_field(
    admin_client, overrides, field, code
):
    [QuestionFactory() for _ in range(3)]
    response = admin_client.post(reverse("admin:quiz_casestudy_add"), case_post(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert code in [e.code for e in errors[field]]
    assert not CaseStudy.objects.exists()


def test_a_case_study_refuses_unknown_questions_and_questions_of_another_case(admin_client):
    questions = [QuestionFactory() for _ in range(6)]
    case_study(questions[:3], external_id="mls-case-00")
    ids = "\n".join([questions[0].external_id, questions[4].external_id, "nowhere-1"])
    response = admin_client.post(reverse("admin:quiz_casestudy_add"), case_post(question_ids=ids))
    codes = [e.code for e in response.context["adminform"].form.errors.as_data()["question_ids"]]
    assert codes == ["question_in_two_cases", "unknown_case_question"]


def test_the_case_study_preview_shows_the_scenario_then_each_question_in_order(admin_client):
    questions = [QuestionFactory(type="ordering"), QuestionFactory(), QuestionFactory()]
    case = case_study(questions, title="Grocery forecasts")
    response = admin_client.get(reverse("admin:quiz_casestudy_preview", args=[case.pk]))
    page = response.content.decode()
    assert page.count("Case study: Grocery forecasts") == 1
    assert "Question 1 of 3" in page and "Question 3 of 3" in page
    assert page.index(questions[0].stem) < page.index(questions[2].stem)
    assert "Put the steps in order." in page


@pytest.mark.parametrize(
    "url_name", ["admin:quiz_casestudy_preview", "admin:quiz_casestudy_changelist"]
)
def test_staff_without_permissions_get_a_403_on_the_case_pages(client, url_name):
    client.force_login(UserFactory(is_staff=True))
    case = case_study([QuestionFactory() for _ in range(3)])
    url = reverse(url_name, args=[case.pk] if "preview" in url_name else None)
    assert client.get(url).status_code == 403
