"""Two exams (issue 19): MLS-C01 and MLA-C01 as data, their status notes, the exam a candidate
prepares for, and every candidate page per exam."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from quiz.bank.blueprint import (
    BLUEPRINTS,
    MLA_C01,
    MLS_C01,
    install_blueprints,
    largest_remainder,
    straight_line_cut,
    weights_problems,
)
from quiz.exam.assembly import BlueprintSpec, bank_shortfalls
from quiz.exam.scoring import Scale, cut_items, scaled_score
from quiz.exam.services import finish_attempt, start_attempt
from quiz.models import Attempt, Blueprint, Bookmark, Objective, PracticeSession, Question
from tests.conftest import NOW
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

MLA_OBJECTIVES = {
    "1.1": "Ingest and store data.",
    "1.2": "Transform data and perform feature engineering.",
    "1.3": "Ensure data integrity and prepare data for modeling.",
    "2.1": "Choose a modeling approach.",
    "2.2": "Train and refine models.",
    "2.3": "Analyze model performance.",
    "3.1": "Select deployment infrastructure based on existing architecture and requirements.",
    "3.2": "Create and script infrastructure based on existing architecture and requirements.",
    "3.3": "Use automated orchestration tools to set up continuous integration and continuous "
    "delivery (CI/CD) pipelines.",
    "4.1": "Monitor model inference.",
    "4.2": "Monitor and optimize infrastructure and costs.",
    "4.3": "Secure AWS resources.",
}


def mla() -> Blueprint:
    return Blueprint.objects.get(code="MLA-C01")


def mls() -> Blueprint:
    return Blueprint.objects.get(code="MLS-C01")


def mla_question(code: str = "1.1", **fields) -> Question:
    objective = Objective.objects.get(domain__blueprint__code="MLA-C01", code=code)
    return QuestionFactory(objective=objective, **fields)


# --------------------------------------------------------------------------- the exams as data


def test_mla_c01_is_installed_with_the_exam_guide_s_facts():
    blueprint = mla()
    assert blueprint.name == "AWS Certified Machine Learning Engineer – Associate"
    assert (blueprint.question_count, blueprint.max_unscored_items) == (65, 15)
    assert (blueprint.duration_minutes, blueprint.accommodation_minutes) == (130, 30)
    assert (blueprint.score_min, blueprint.pass_score, blueprint.score_max) == (100, 720, 1000)
    assert blueprint.cut_fraction == Decimal("0.689")
    domains = [(d.number, d.title, d.weight) for d in blueprint.domains.all()]
    assert domains == [
        (1, "Data Preparation for Machine Learning (ML)", 28),
        (2, "ML Model Development", 26),
        (3, "Deployment and Orchestration of ML Workflows", 22),
        (4, "ML Solution Monitoring, Maintenance, and Security", 24),
    ]
    objectives = dict(
        Objective.objects.filter(domain__blueprint=blueprint).values_list("code", "title")
    )
    assert objectives == MLA_OBJECTIVES
    assert blueprint.status_note == ""


def test_mls_c01_keeps_its_facts_and_gets_a_sourced_status_note():
    blueprint = mls()
    assert (blueprint.question_count, blueprint.duration_minutes, blueprint.pass_score) == (
        65,
        190,
        750,
    )
    assert blueprint.cut_fraction == Decimal("0.722")
    assert [d.weight for d in blueprint.domains.all()] == [20, 24, 36, 20]
    assert Objective.objects.filter(domain__blueprint=blueprint).count() == 15
    # Worded to what can be sourced: reported by third parties, not asserted as fact.
    assert blueprint.status_note.startswith("Third-party guides report")
    assert "31 March 2026" in blueprint.status_note
    assert blueprint.status_source.startswith("https://aws.amazon.com/certification/")


def test_every_shipped_blueprint_s_rows_equal_its_data_and_installing_again_changes_nothing():
    before = list(Blueprint.objects.values())
    install_blueprints(apps)
    assert list(Blueprint.objects.values()) == before
    for data in BLUEPRINTS:
        row = Blueprint.objects.get(code=data.code)
        assert {name: getattr(row, name) for name in data.model_fields()} == data.model_fields()
        assert weights_problems(data.code, [d.weight for d in data.domains]) == []
        rows = Objective.objects.filter(domain__blueprint=row)
        assert set(rows.values_list("code", flat=True)) == data.objective_codes()


def test_the_cut_is_where_a_straight_line_meets_the_pass_score_for_both_exams():
    """AWS publishes no raw-to-scaled map: MLA-C01's cut follows MLS-C01's rule."""
    assert straight_line_cut(score_min=100, score_max=1000, pass_score=750) == Decimal("0.722")
    assert straight_line_cut(score_min=100, score_max=1000, pass_score=720) == Decimal("0.689")
    assert MLS_C01.cut_fraction == Decimal("0.722") and MLA_C01.cut_fraction == Decimal("0.689")
    scale = Scale(score_min=100, pass_score=720, score_max=1000, cut_fraction=Decimal("0.689"))
    assert cut_items(50, scale.cut_fraction) == 35
    assert scaled_score(35, 50, scale) == 720
    assert scaled_score(34, 50, scale) < 720


def test_mla_c01_forms_split_by_its_weights():
    weights = {d.number: d.weight for d in MLA_C01.domains}
    assert largest_remainder(65, weights) == {1: 18, 2: 17, 3: 14, 4: 16}
    assert largest_remainder(50, weights) == {1: 14, 2: 13, 3: 11, 4: 12}


# --------------------------------------------------------------------------- the status note


def test_a_status_source_without_a_note_is_refused_with_a_code():
    blueprint = mla()
    blueprint.status_source = "https://aws.amazon.com/certification/"
    with pytest.raises(ValidationError) as error:
        blueprint.full_clean()
    assert error.value.error_dict["status_note"][0].code == "source_without_note"


def test_the_status_note_shows_on_the_start_page_the_dashboard_and_the_home_page(
    client, candidate_client
):
    note = "Third-party guides report that AWS retired this exam on 31 March 2026"
    source = 'href="https://aws.amazon.com/certification/certified-machine-learning-specialty/"'
    for html in (
        candidate_client.get(reverse("quiz:mock_start_blueprint", args=["MLS-C01"])),
        candidate_client.get("/"),
    ):
        assert note in html.content.decode() and source in html.content.decode()
    client.logout()
    home = client.get("/").content.decode()
    assert note in home and source in home
    # An exam with no note shows none.
    start = candidate_client.get(reverse("quiz:mock_start_blueprint", args=["MLA-C01"]))
    assert 'data-testid="status-note"' not in start.content.decode()


def test_an_admin_edits_the_status_note_and_candidates_see_the_new_one(
    admin_client, candidate_client
):
    blueprint = mla()
    url = reverse("admin:quiz_blueprint_change", args=[blueprint.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["cut_fraction"] = str(data["cut_fraction"])
    data.update(
        status_note="Beta ended; scores are final.",
        status_source="https://aws.amazon.com/certification/",
        **{"domains-TOTAL_FORMS": "0", "domains-INITIAL_FORMS": "0"},
    )
    response = admin_client.post(url, {k: "" if v is None else v for k, v in data.items()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    html = candidate_client.get(reverse("quiz:mock_start_blueprint", args=["MLA-C01"]))
    assert "Beta ended; scores are final." in html.content.decode()


# --------------------------------------------------------------------------- choosing an exam


def test_choosing_an_exam_is_remembered_and_every_candidate_page_follows_it(candidate_client, user):
    response = candidate_client.post(reverse("accounts:exam"), {"blueprint": "MLA-C01"})
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.exam == mla()
    assert "Preparing for MLA-C01" in candidate_client.get("/").content.decode()
    pages = {
        reverse("quiz:mock_start"): "(MLA-C01) mock exam",
        reverse("quiz:practice_start"): "Practice: MLA-C01",
        reverse("quiz:history"): "History: MLA-C01",
    }
    for url, text in pages.items():
        assert text in candidate_client.get(url).content.decode(), url
    # A page that names another exam shows that one, without changing the choice.
    named = candidate_client.get(f"{reverse('quiz:history')}?blueprint=MLS-C01")
    assert "History: MLS-C01" in named.content.decode()
    assert "Viewing MLS-C01" in candidate_client.get("/?blueprint=MLS-C01").content.decode()
    user.refresh_from_db()
    assert user.exam == mla()


def test_without_a_choice_pages_show_the_default_exam(candidate_client):
    assert "Preparing for MLS-C01" in candidate_client.get("/").content.decode()
    assert "Viewing MLA-C01" in candidate_client.get("/?blueprint=MLA-C01").content.decode()
    start = candidate_client.get(reverse("quiz:mock_start")).content.decode()
    assert "(MLS-C01) mock exam" in start


def test_the_profile_form_sets_the_exam(candidate_client, user):
    response = candidate_client.post(
        reverse("accounts:profile"),
        {"display_name": "Ada", "exam": mla().pk, "extra_time_accommodation": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.exam == mla() and user.display_name == "Ada"


@pytest.mark.parametrize(
    ("value", "status"), [("NOPE-C01", 404), ("MLA C01", 400), ("", 400), ("²", 400)]
)
def test_choosing_an_unknown_or_malformed_exam_changes_nothing(
    candidate_client, user, value, status
):
    response = candidate_client.post(reverse("accounts:exam"), {"blueprint": value})
    assert response.status_code == status
    user.refresh_from_db()
    assert user.exam is None


def test_choosing_an_exam_returns_only_to_a_page_of_this_site(candidate_client):
    back = candidate_client.post(
        reverse("accounts:exam"), {"blueprint": "MLA-C01", "next": "/history/"}
    )
    assert back["Location"] == "/history/"
    away = candidate_client.post(
        reverse("accounts:exam"), {"blueprint": "MLA-C01", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/"
    assert candidate_client.get(reverse("accounts:exam")).status_code == 405


def test_a_deleted_chosen_exam_falls_back_to_the_default(candidate_client, user, blueprint):
    User.objects.filter(pk=user.pk).update(exam=blueprint)
    Question.objects.filter(objective__domain__blueprint=blueprint).delete()
    blueprint.delete()
    user.refresh_from_db()
    assert user.exam is None
    assert "Preparing for MLS-C01" in candidate_client.get("/").content.decode()


@pytest.mark.parametrize(
    "url",
    ["/?blueprint=NOPE-C01", "/history/?blueprint=NOPE-C01", "/practice/?blueprint=NOPE-C01"],
)
def test_an_unknown_exam_code_in_a_query_is_a_404(candidate_client, url):
    assert candidate_client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/?blueprint=%C2%B2", "/history/?blueprint=a%20b"])
def test_a_malformed_exam_code_in_a_query_is_a_400(candidate_client, url):
    assert candidate_client.get(url).status_code == 400


def test_an_unknown_exam_code_in_a_path_is_a_404(candidate_client):
    assert candidate_client.get("/mock/NOPE-C01/").status_code == 404
    assert candidate_client.post("/mock/NOPE-C01/").status_code == 404


# --------------------------------------------------------------------------- pages per exam


def test_the_dashboard_and_history_show_one_exam_s_mocks(candidate_client, user, blueprint):
    attempt = finish_attempt(
        attempt=start_attempt(user=user, blueprint=blueprint, now=NOW), now=NOW
    )
    result = reverse("quiz:attempt_result", args=[attempt.pk])
    own = candidate_client.get(f"/?blueprint={blueprint.code}").content.decode()
    other = candidate_client.get("/?blueprint=MLA-C01").content.decode()
    assert result in own and "Take another mock" in own
    assert result not in other and "Start a mock exam" in other
    history = reverse("quiz:history")
    assert result in candidate_client.get(f"{history}?blueprint={blueprint.code}").content.decode()
    assert result not in candidate_client.get(f"{history}?blueprint=MLA-C01").content.decode()


def test_a_running_mock_of_another_exam_stays_on_every_dashboard(candidate_client, user, blueprint):
    attempt = start_attempt(user=user, blueprint=blueprint, now=NOW)
    html = candidate_client.get("/?blueprint=MLA-C01").content.decode()
    assert f"{blueprint.code}, started" in html and attempt.get_absolute_url() in html
    # ... and the exam shown can still be started.
    assert reverse("quiz:mock_start_blueprint", args=["MLA-C01"]) in html


def test_practice_counts_bookmarks_and_lists_sessions_of_its_exam_only(
    candidate_client, user, blueprint
):
    mls_question = QuestionFactory()
    Bookmark.objects.create(user=user, question=mls_question)
    PracticeSession.objects.create(
        user=user, blueprint=blueprint, kind="chosen", description="Objectives 1.1", created_at=NOW
    )
    mls_page = candidate_client.get("/practice/?blueprint=MLS-C01").content.decode()
    other = candidate_client.get(f"/practice/?blueprint={blueprint.code}").content.decode()
    assert "Practise my bookmarks (1)" in mls_page and "Recent practice" not in mls_page
    assert "Practise my bookmarks (0)" in other and "Recent practice" in other


def test_review_and_exam_date_return_to_their_exam_s_dashboard(candidate_client):
    response = candidate_client.post(
        reverse("quiz:exam_date"), {"blueprint": "MLA-C01", "date": "2027-01-15"}
    )
    assert response["Location"] == "/?blueprint=MLA-C01"
    response = candidate_client.post(reverse("quiz:review_start"), {"blueprint": "MLA-C01"})
    assert response["Location"] == "/?blueprint=MLA-C01"


# --------------------------------------------------------------------------- a bank too small


def test_an_empty_exam_says_what_its_bank_has_and_needs_before_anyone_presses_start(
    candidate_client,
):
    url = reverse("quiz:mock_start_blueprint", args=["MLA-C01"])
    html = candidate_client.get(url).content.decode()
    assert "The question bank cannot fill a full MLA-C01 exam yet." in html
    assert "It has 0 published questions; a form needs 65." in html
    assert "Domain 1 (Data Preparation for Machine Learning (ML)) needs 18 published" in html
    assert "Start the exam" not in html
    response = candidate_client.post(url)
    assert response.status_code == 409
    assert Attempt.objects.count() == 0


def test_a_small_bank_counts_its_published_and_pretest_questions(candidate_client):
    for code in ("1.1", "1.2", "2.1"):
        mla_question(code)
    mla_question("4.1", status=Question.Status.PRETEST)
    mla_question("4.2", status=Question.Status.DRAFT)
    html = candidate_client.get(reverse("quiz:mock_start_blueprint", args=["MLA-C01"]))
    text = html.content.decode()
    assert "It has 3 published questions (and 1 pretest); a form needs 65." in text
    # One pretest item fills one unscored place: 64 scored items are needed, 18/17/14/15.
    assert "Domain 1 (Data Preparation for Machine Learning (ML)) needs 18" in text
    assert "Domain 4 (ML Solution Monitoring, Maintenance, and Security) needs 15" in text
    assert "practise the 3 questions it has" in text


def test_bank_shortfalls_say_what_each_domain_needs_and_has():
    spec = BlueprintSpec(
        question_count=10, max_unscored=2, domain_weights={1: 60, 2: 40}, domain_titles={}
    )
    assert bank_shortfalls(spec, published={1: 6, 2: 4}, pretest=0) == []
    short = bank_shortfalls(spec, published={1: 3}, pretest=5)  # 2 of 5 pretest fill places
    assert [(s.domain_number, s.needed, s.available) for s in short] == [(1, 5, 3), (2, 3, 0)]
    empty = BlueprintSpec(question_count=10, max_unscored=2, domain_weights={}, domain_titles={})
    assert len(bank_shortfalls(empty, published={}, pretest=0)) == 1


def test_servable_counts_reads_published_per_domain_and_pretest_in_one_query(
    django_assert_num_queries,
):
    mla_question("1.1")
    mla_question("1.2")
    mla_question("3.1")
    mla_question("4.3", status=Question.Status.PRETEST)
    mla_question("2.2", status=Question.Status.RETIRED)
    blueprint = mla()
    with django_assert_num_queries(1):
        assert Question.objects.servable_counts(blueprint) == ({1: 2, 3: 1}, 1)


# --------------------------------------------------------------------------- query counts


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # session, user, exam + domains, mock in progress, bank counts
        ("/mock/", 6),
        ("/mock/MLA-C01/", 6),
        # session, user, exam + domains, attempts, practice sessions, other exams
        ("/history/", 7),
        # session, user, running mock (keys paused), exam + domains, the form's objectives,
        # bookmarks, recent sessions
        ("/practice/", 8),
    ],
)
def test_per_exam_pages_run_a_fixed_number_of_queries_for_a_chosen_exam(
    client, django_assert_num_queries, url, queries
):
    chosen = UserFactory(exam=mla())
    client.force_login(chosen)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_choosing_an_exam_runs_a_fixed_number_of_queries(
    candidate_client, django_assert_num_queries
):
    # session, user, exam + domains, the update (the message rides in a cookie)
    with django_assert_num_queries(5):
        candidate_client.post(reverse("accounts:exam"), {"blueprint": "MLA-C01"})
