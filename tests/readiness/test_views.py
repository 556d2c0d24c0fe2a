"""The dashboard's readiness, next step and review includes, and their two actions."""

from __future__ import annotations

import pytest

from quiz.models import ExamDate, PracticeSession
from tests.conftest import NOW
from tests.factories import mls_bank
from tests.readiness.helpers import finished_mock

pytestmark = pytest.mark.django_db


def test_without_answers_the_dashboard_asks_for_more_instead_of_guessing(candidate_client):
    page = candidate_client.get("/").content.decode()
    assert "Not enough answers yet for an honest estimate" in page
    assert "Answer <strong>30 more questions</strong>" in page
    assert "chance of passing" not in page
    assert "Start a mock exam" in page


def test_after_a_mock_the_dashboard_leads_with_a_drill_and_shows_the_number(candidate_client, user):
    mls_bank()
    finished_mock(user, now=NOW)
    page = candidate_client.get("/").content.decode()
    assert page.index("What to do next") < page.index("Am I ready for MLS-C01?")
    assert "chance of passing a fresh exam form" in page
    assert "Likely score <strong>" in page
    assert "Score on fresh items" in page and "Plain average" in page
    assert "Drill " in page and 'name="objectives"' in page
    assert "due today" in page


def test_the_one_click_drill_starts_practice_of_the_recommended_objective(candidate_client, user):
    mls_bank()
    finished_mock(user, now=NOW)
    context = candidate_client.get("/").context
    objective = context["readiness"].recommended
    response = candidate_client.post(
        "/practice/", {"kind": "chosen", "objectives": objective.pk, "length": 10}
    )
    session = PracticeSession.objects.get(user=user)
    assert response.status_code == 302
    assert session.description == f"Objectives {objective.code}"


def test_review_now_starts_a_review_session_of_what_is_due(candidate_client, user):
    mls_bank()
    finished_mock(user, now=NOW)
    response = candidate_client.post("/review/start/")
    session = PracticeSession.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == f"/practice/{session.pk}/questions/1/"
    assert session.kind == PracticeSession.Kind.REVIEW
    # Every 4th of the 65 scored items was missed (this bank has no pretest questions).
    assert session.items.count() == 17


def test_review_now_with_nothing_due_says_so(candidate_client):
    response = candidate_client.post("/review/start/", follow=True)
    assert "No reviews are due today." in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_the_exam_date_is_saved_and_cleared(candidate_client, user):
    candidate_client.post("/exam-date/", {"date": "2026-12-20"})
    assert str(ExamDate.objects.get(user=user).date) == "2026-12-20"
    candidate_client.post("/exam-date/", {"date": ""})
    assert not ExamDate.objects.exists()


def test_an_unreadable_exam_date_changes_nothing(candidate_client):
    response = candidate_client.post("/exam-date/", {"date": "next week"}, follow=True)
    assert "That date could not be read." in response.content.decode()
    assert not ExamDate.objects.exists()
