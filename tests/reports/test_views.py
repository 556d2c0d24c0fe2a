"""Candidates report questions and see their state; authors triage and regrade; notices."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from quiz.models import Blueprint, QuestionReport, Regrade, RegradeNotice
from tests.exam.test_regrade import fix_key, sit
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sitting():
    """A candidate failed a mock (2 of 4) that served a mis-keyed question they got 'wrong'."""
    mls = Blueprint.objects.get(code="MLS-C01")
    faulty, *others = (QuestionFactory() for _ in range(4))
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=2)
    return attempt, faulty


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def report(client, version, **data):
    return client.post(
        reverse("quiz:question_report", args=[version.pk]),
        {"reason": "wrong_key", "text": "B is right per the docs.", **data},
    )


def test_a_candidate_reports_a_question_from_the_answer_review_and_sees_its_state(client, sitting):
    attempt, faulty = sitting
    client.force_login(attempt.user)
    review = reverse("quiz:attempt_answers", args=[attempt.pk])
    assert "Report a problem with this question" in client.get(review).content.decode()
    response = report(client, faulty.current_version, next=review)
    assert response.status_code == 302 and response.url == review
    saved = QuestionReport.objects.get()
    assert (saved.user, saved.question, saved.reason, saved.state) == (
        attempt.user,
        faulty,
        "wrong_key",
        "new",
    )
    page = client.get(review).content.decode()
    assert "You reported this question (the key is wrong): <strong>New</strong>" in page
    assert "New" in client.get(reverse("quiz:my_reports")).content.decode()


def test_reporting_twice_is_refused_and_an_unserved_version_is_a_404(client, sitting):
    attempt, faulty = sitting
    client.force_login(attempt.user)
    report(client, faulty.current_version)
    report(client, faulty.current_version)
    assert QuestionReport.objects.count() == 1
    stranger = QuestionFactory()
    assert report(client, stranger.current_version).status_code == 404
    client.force_login(UserFactory())
    assert report(client, faulty.current_version).status_code == 404  # not served to them


def test_an_offsite_next_is_ignored(client, sitting):
    attempt, faulty = sitting
    client.force_login(attempt.user)
    response = report(client, faulty.current_version, next="https://evil.example/")
    assert response.url == reverse("quiz:my_reports")


def test_triage_groups_open_reports_and_rejecting_needs_a_reply(admin_client, sitting):
    attempt, faulty = sitting
    item = QuestionReport.objects.create(
        user=attempt.user,
        question=faulty,
        version=faulty.current_version,
        reason="unclear",
        created_at=attempt.finished_at,
    )
    url = reverse("admin:quiz_questionreport_triage")
    page = admin_client.get(url).content.decode()
    assert faulty.external_id in page and "1 report" in page
    admin_client.post(url, {"report": item.pk, "state": "rejected", "reply": ""})
    item.refresh_from_db()
    assert item.state == "new"
    admin_client.post(url, {"report": item.pk, "state": "rejected", "reply": "It is clear."})
    item.refresh_from_db()
    assert (item.state, item.reply, item.handled_by.username) == (
        "rejected",
        "It is clear.",
        "boss",
    )
    assert faulty.external_id not in admin_client.get(url).content.decode()


def test_the_regrade_page_previews_then_runs_and_the_candidate_is_told(
    admin_client, client, sitting
):
    attempt, faulty = sitting
    served = faulty.current_version
    fix_key(faulty, 1)
    url = reverse("admin:quiz_regrade_new", args=[served.pk])
    preview = admin_client.post(url, {"kind": "rescore", "preview": "1"})
    assert preview.context["effect"].now_passing == 1
    assert Regrade.objects.count() == 0
    confirmed = admin_client.post(url, {"kind": "rescore", "confirm": "1", "note": "Key was B."})
    regrade = Regrade.objects.get()
    # Handed to the queue (run inline here: no queue in the tests), then its progress page.
    assert confirmed.url == reverse("admin:quiz_regrade_progress", args=[regrade.pk])
    assert (regrade.status, regrade.created_by.username, regrade.note) == (
        "done",
        "boss",
        "Key was B.",
    )
    client.force_login(attempt.user)
    dashboard = client.get(reverse("home")).content.decode()
    notice = RegradeNotice.objects.get()
    expected = f"from <strong>{notice.old_score}</strong> (fail) to <strong>{notice.new_score}"
    assert expected + "</strong> (pass)" in dashboard
    result = client.get(reverse("quiz:attempt_result", args=[attempt.pk])).content.decode()
    assert "rescored with the corrected key" in result
    answers = client.get(reverse("quiz:attempt_answers", args=[attempt.pk])).content.decode()
    assert "Regraded: key corrected" in answers
    client.post(reverse("quiz:notice_dismiss", args=[notice.pk]))
    assert 'data-testid="regrade-notice"' not in client.get(reverse("home")).content.decode()


def test_a_rescore_without_a_corrected_key_is_refused_on_the_page(admin_client, sitting):
    _, faulty = sitting
    url = reverse("admin:quiz_regrade_new", args=[faulty.current_version.pk])
    response = admin_client.post(url, {"kind": "rescore", "confirm": "1"})
    assert response.status_code == 422
    assert Regrade.objects.count() == 0


def test_another_candidates_notice_cannot_be_dismissed(client, sitting, admin_client):
    _, faulty = sitting
    served = faulty.current_version
    fix_key(faulty, 1)
    admin_client.post(
        reverse("admin:quiz_regrade_new", args=[served.pk]), {"kind": "void", "confirm": "1"}
    )
    notice = RegradeNotice.objects.get()
    client.force_login(UserFactory())
    assert client.post(reverse("quiz:notice_dismiss", args=[notice.pk])).status_code == 404


def test_the_regrade_command_runs_pending_regrades(sitting, capsys):
    attempt, faulty = sitting
    regrade = Regrade.objects.create(
        version=faulty.current_version, kind="void", created_at=attempt.finished_at
    )
    call_command("regrade", "--pending")
    regrade.refresh_from_db()
    assert regrade.status == "done" and regrade.processed == 1
    assert "1 attempt(s)" in capsys.readouterr().out


def test_the_progress_page_shows_batches_and_the_effect_and_htmx_gets_the_fragment(
    admin_client, sitting, django_assert_num_queries
):
    _, faulty = sitting
    served = faulty.current_version
    fix_key(faulty, 1)
    admin_client.post(
        reverse("admin:quiz_regrade_new", args=[served.pk]), {"kind": "rescore", "confirm": "1"}
    )
    url = reverse("admin:quiz_regrade_progress", args=[Regrade.objects.get().pk])
    page = admin_client.get(url).content.decode()
    assert "<h2>Done</h2>" in page and '<span data-testid="batches">1 of 1 batch</span>' in page
    assert "<strong>1</strong> fail → pass" in page
    assert 'hx-trigger="every 2s"' not in page  # done: nothing left to poll
    fragment = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="regrade-progress"') and "<html" not in fragment
    listing = admin_client.get(reverse("admin:quiz_regrade_changelist"))
    assert "1/1 batches" in listing.content.decode()


def test_a_running_regrade_page_polls_and_reloads_without_javascript(admin_client, sitting):
    _, faulty = sitting
    regrade = Regrade.objects.create(
        version=faulty.current_version, kind="void", created_at=sitting[0].finished_at,
        status="running", total=1200, processed=500,
    )  # fmt: skip
    page = admin_client.get(reverse("admin:quiz_regrade_progress", args=[regrade.pk]))
    text = page.content.decode()
    assert "<h2>Running</h2>" in text and "1 of 3 batches" in text
    assert 'hx-trigger="every 2s"' in text
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in text


def test_resuming_a_finished_regrade_is_refused_and_changes_nothing(admin_client, sitting):
    _, faulty = sitting
    regrade = Regrade.objects.create(
        version=faulty.current_version, kind="void", created_at=sitting[0].finished_at,
        status="done",
    )  # fmt: skip
    response = admin_client.post(
        reverse("admin:quiz_regrade_resume", args=[regrade.pk]), follow=True
    )
    assert "This regrade is done: nothing to resume." in response.content.decode()
    assert RegradeNotice.objects.count() == 0
    assert (
        admin_client.get(reverse("admin:quiz_regrade_resume", args=[regrade.pk])).status_code == 405
    )


def test_only_an_author_who_may_regrade_sees_progress_or_resumes(client, sitting):
    _, faulty = sitting
    regrade = Regrade.objects.create(
        version=faulty.current_version, kind="void", created_at=sitting[0].finished_at
    )
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:quiz_regrade_progress", args=[regrade.pk])).status_code == 403
    assert client.post(reverse("admin:quiz_regrade_resume", args=[regrade.pk])).status_code == 403
    assert Regrade.objects.get().status == "pending"
