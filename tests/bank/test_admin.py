from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quiz.bank.coverage import bank_coverage
from quiz.models import Question
from tests.factories import QuestionFactory, UserFactory, mls_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def question_post(**overrides) -> dict:
    data = {
        "external_id": "new-q-001",
        "objective": mls_objective("1.2").pk,
        "type": "single",
        "status": "draft",
        "stem": "A company ingests events. Which service fits?",
        "explanation": "Because.",
        "references": "https://docs.aws.amazon.com/firehose/latest/dev/what-is-this-service.html",
        "choices-TOTAL_FORMS": "4",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "4",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, text in enumerate(
        ["Amazon Data Firehose", "AWS DataSync", "AWS Snowball", "Amazon EFS"]
    ):
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-rationale"] = ""
        if i == 0:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_a_valid_question_with_a_served_version(admin_client):
    response = admin_client.post(reverse("admin:quiz_question_add"), question_post())
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    question = Question.objects.get(external_id="new-q-001")
    assert question.current_version.number == 1
    assert question.author.username == "boss"


def test_admin_refuses_two_keys_on_a_single_response_question_with_the_rule(admin_client):
    response = admin_client.post(
        reverse("admin:quiz_question_add"), question_post(**{"choices-1-is_correct": "on"})
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [e.code for e in formset.non_form_errors().as_data()] == ["single_needs_one_correct"]
    assert "exactly 1 correct option; it has 2" in response.content.decode()
    assert not Question.objects.exists()


def test_admin_reports_a_typed_choose_hint_on_the_stem(admin_client):
    response = admin_client.post(
        reverse("admin:quiz_question_add"), question_post(stem="Which two? (Choose TWO.)")
    )
    form = response.context["adminform"].form
    assert form.has_error("stem", code="typed_choose_hint")


def test_admin_reports_duplicate_options(admin_client):
    response = admin_client.post(
        reverse("admin:quiz_question_add"), question_post(**{"choices-3-text": "aws datasync"})
    )
    formset = response.context["inline_admin_formsets"][0].formset
    assert "duplicate_option" in [e.code for e in formset.non_form_errors().as_data()]


def test_editing_in_the_admin_makes_a_new_version_and_keeps_the_old(admin_client):
    admin_client.post(reverse("admin:quiz_question_add"), question_post())
    question = Question.objects.get(external_id="new-q-001")
    first = question.current_version
    data = question_post(stem="An edited scenario. Which service fits?")
    data["choices-INITIAL_FORMS"] = "4"
    for i, choice in enumerate(question.choices.all()):
        data[f"choices-{i}-id"] = str(choice.pk)
        data[f"choices-{i}-question"] = str(question.pk)
    response = admin_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.current_version.number == 2
    first.refresh_from_db()
    assert "edited" not in first.stem_html


def test_preview_renders_the_question_as_served(admin_client):
    question = QuestionFactory(type="multiple")
    response = admin_client.get(reverse("admin:quiz_question_preview", args=[question.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert question.stem in content
    assert "Choose TWO." in content


def test_bulk_publish_and_retire(admin_client):
    questions = [QuestionFactory(status="draft") for _ in range(3)]
    url = reverse("admin:quiz_question_changelist")
    ids = [str(q.pk) for q in questions]
    admin_client.post(url, {"action": "publish", "_selected_action": ids})
    assert set(Question.objects.values_list("status", flat=True)) == {"published"}
    admin_client.post(url, {"action": "retire", "_selected_action": ids[:2]})
    assert Question.objects.filter(status="retired").count() == 2


def test_coverage_counts_published_questions_and_forms_for_a_known_bank():
    # One form of 65 needs 13/16/23/13; give domain 1 two forms' worth and the others one.
    for code, count in [("1.1", 26), ("2.1", 16), ("3.1", 23), ("4.1", 13)]:
        QuestionFactory.create_batch(count, objective=mls_objective(code))
    QuestionFactory.create_batch(5, objective=mls_objective("4.2"), status="draft")
    (mls,) = [b for b in bank_coverage() if b["blueprint"].code == "MLS-C01"]
    assert [(r["needed"], r["published"], r["forms"]) for r in mls["domains"]] == [
        (13, 26, 2),
        (16, 16, 1),
        (23, 23, 1),
        (13, 13, 1),
    ]
    assert mls["published"] == 78
    assert mls["forms"] == 1


def test_coverage_page_renders(admin_client):
    QuestionFactory.create_batch(3)
    response = admin_client.get(reverse("admin:quiz_question_coverage"))
    assert response.status_code == 200
    assert b"non-overlapping 65-item form" in response.content


def test_admin_upload_imports_with_the_same_report(admin_client):
    upload = SimpleUploadedFile(
        "bank.yaml",
        b"""blueprint: MLS-C01
questions:
  - id: up-001
    objective: "1.1"
    type: single
    stem: Which storage?
    choices:
      - {text: S3, correct: true}
      - {text: EBS}
      - {text: EFS}
      - {text: FSx}
""",
    )
    blueprint = mls_objective().domain.blueprint
    response = admin_client.post(
        reverse("admin:quiz_question_import"), {"files": upload, "blueprint": blueprint.pk}
    )
    assert response.status_code == 200
    assert response.context["report"].created == ["up-001"]


def test_question_authors_can_edit_questions_but_not_manage_users(client):
    author = UserFactory(username="author", is_staff=True)
    author.groups.add(Group.objects.get(name="Question authors"))
    client.force_login(author)
    assert client.get(reverse("admin:quiz_question_add")).status_code == 200
    assert client.get(reverse("admin:quiz_question_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.parametrize("size", [5, 40])
def test_changelist_runs_a_fixed_number_of_queries(admin_client, size, django_assert_num_queries):
    QuestionFactory.create_batch(size)
    url = reverse("admin:quiz_question_changelist")
    admin_client.get(url)  # warm process-wide caches (content types), as a running server has
    with django_assert_num_queries(8):
        response = admin_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("choices", [(4, 1), (8, 1)])
def test_change_page_runs_a_fixed_number_of_queries(
    admin_client, choices, django_assert_num_queries
):
    question = QuestionFactory(choices=choices)
    url = reverse("admin:quiz_question_change", args=[question.pk])
    admin_client.get(url)  # warm process-wide caches (content types), as a running server has
    with django_assert_num_queries(5):
        response = admin_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("admin:quiz_question_preview", "question"),
        ("admin:quiz_question_coverage", None),
        ("admin:quiz_question_import", None),
    ],
)
def test_staff_without_question_permissions_get_a_403_on_the_bank_pages(client, url_name, args):
    client.force_login(UserFactory(is_staff=True))
    question = QuestionFactory()
    url = reverse(url_name, args=[question.pk] if args else None)
    assert client.get(url).status_code == 403


def test_admin_refuses_an_eleventh_option_on_the_options(admin_client):
    data = question_post(**{"choices-TOTAL_FORMS": "11"})
    for i in range(4, 11):
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = f"Amazon service number {i}"
        data[f"choices-{i}-rationale"] = ""
    response = admin_client.post(reverse("admin:quiz_question_add"), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [e.code for e in formset.non_form_errors().as_data()] == ["too_many_options"]
    assert not Question.objects.filter(external_id="new-q-001").exists()
