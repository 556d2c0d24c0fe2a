from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from quiz.exam.services import rescore, start_attempt
from quiz.models import Attempt, AttemptItem
from tests.factories import small_blueprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_attempt(blueprint, user):
    """An attempt started now (views read the real clock)."""
    return start_attempt(user=user, blueprint=blueprint, now=timezone.now())


# Ownership of every attempt URL is swept in tests/security/test_sweeps.py.


def test_the_question_page_shows_the_item_and_reveals_no_key(candidate_client, live_attempt):
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, 1])
    response = candidate_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Question 1 of 10" in html
    for secret in ("Rationale", "Because the first option", "correct", "is_key", "pretest"):
        assert secret not in html, secret
    # Option values are display positions 0..n-1, not the authoring order.
    values = re.findall(r'name="selected" value="(\d+)"', html)
    assert values == [str(i) for i in range(len(values))]


def test_multiple_response_items_say_how_many_to_choose(candidate_client, live_attempt):
    item = next(
        i for i in live_attempt.items.select_related("version") if i.version.type == "multiple"
    )
    html = candidate_client.get(
        reverse("quiz:attempt_question", args=[live_attempt.pk, item.position])
    ).content.decode()
    assert "Choose TWO." in html
    assert 'type="checkbox" name="selected"' in html


def test_the_navigator_marks_answered_and_flagged_items(candidate_client, live_attempt):
    def save(position: int, **data) -> None:
        url = reverse("quiz:attempt_save", args=[live_attempt.pk, position])
        assert candidate_client.post(url, data).status_code == 200

    choose = live_attempt.items.get(position=2).choose
    save(2, selected=[str(i) for i in range(choose)])
    save(3, flagged="on")
    save(4, selected=["1"])
    save(4, selected=[])  # answered, then cleared: unanswered again
    html = candidate_client.get(
        reverse("quiz:attempt_question", args=[live_attempt.pk, 1])
    ).content.decode()
    labels = re.findall(r'aria-label="(Question \d+[^"]*)"', html)
    assert labels[:5] == [
        "Question 1, unanswered",
        "Question 2, answered",
        "Question 3, unanswered, flagged",
        "Question 4, unanswered",
        "Question 5, unanswered",
    ]
    assert 'class="nav-item is-answered" aria-label="Question 2' in html
    assert 'aria-current="step" aria-label="Question 1,' in html


def test_plain_post_saves_and_moves_to_the_next_item(candidate_client, live_attempt):
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, 1])
    response = candidate_client.post(
        url, {"selected": ["1"], "flagged": "on", "struck": ["2"], "revision": "0", "go": "next"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz:attempt_question", args=[live_attempt.pk, 2])
    item = live_attempt.items.get(position=1)
    assert item.selected == [item.option_order[1]] and item.flagged
    assert item.struck == [item.option_order[2]]


def test_htmx_post_swaps_in_the_next_item_and_pushes_its_url(candidate_client, live_attempt):
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, 1])
    response = candidate_client.post(
        url, {"selected": ["0"], "revision": "0", "go": "next"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("quiz:attempt_question", args=[live_attempt.pk, 2])
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="exam"')
    assert "<html" not in html and "Question 2 of 10" in html


def test_htmx_leaves_the_exam_screen_by_a_full_page_load(candidate_client, live_attempt):
    """Review and the result are whole pages: htmx is told to load them, not to swap them in."""
    htmx = {"HX-Request": "true"}
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, 1])
    response = candidate_client.post(url, {"revision": "0", "go": "review"}, headers=htmx)
    assert response["HX-Redirect"] == reverse("quiz:attempt_review", args=[live_attempt.pk])
    assert not response.content
    candidate_client.post(reverse("quiz:attempt_submit", args=[live_attempt.pk]))
    response = candidate_client.get(url, headers=htmx)
    assert response["HX-Redirect"] == reverse("quiz:attempt_result", args=[live_attempt.pk])


def test_autosave_returns_the_new_revision(candidate_client, live_attempt):
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, 2])
    choose = live_attempt.items.get(position=2).choose
    response = candidate_client.post(
        url, {"selected": [str(i) for i in range(choose)], "revision": "0"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "revision": 1,
        "answered": True,
        "state": "answered",
        "flagged": False,
    }


def test_autosave_of_a_stale_tab_is_a_409_with_a_reload_message(candidate_client, live_attempt):
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, 2])
    candidate_client.post(url, {"selected": ["0"], "revision": "0"})
    response = candidate_client.post(url, {"selected": ["1"], "revision": "0"})
    assert response.status_code == 409
    assert "Reload" in response.json()["message"]


def test_autosave_after_the_deadline_is_a_410_and_points_at_the_result(
    candidate_client, live_attempt
):
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, 1])
    with time_machine.travel(live_attempt.deadline + timedelta(seconds=1)):
        response = candidate_client.post(url, {"selected": ["0"]})
    assert response.status_code == 410
    assert response.json()["result_url"] == reverse("quiz:attempt_result", args=[live_attempt.pk])
    assert AttemptItem.objects.get(attempt=live_attempt, position=1).selected == []


@pytest.mark.parametrize(
    "data",
    [
        {"selected": ["x"]},
        {"selected": ["99"]},
        {"selected": ["0", "1", "2"]},
        {"revision": "-1"},
        {"go": "somewhere"},
    ],
)
def test_bad_answers_get_a_422_with_a_message_and_change_nothing(
    candidate_client, live_attempt, data
):
    item = next(
        i for i in live_attempt.items.select_related("version") if i.version.type == "multiple"
    )
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, item.position])
    response = candidate_client.post(url, data)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    item.refresh_from_db()
    assert item.selected == [] and item.revision == 0


def test_unknown_item_position_is_a_404(candidate_client, live_attempt):
    assert (
        candidate_client.get(
            reverse("quiz:attempt_question", args=[live_attempt.pk, 99])
        ).status_code
        == 404
    )
    assert (
        candidate_client.post(
            reverse("quiz:attempt_save", args=[live_attempt.pk, 99]), {"selected": ["0"]}
        ).status_code
        == 404
    )


def test_leaving_before_the_deadline_and_returning_after_lands_on_the_result(
    candidate_client, live_attempt
):
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, 1])
    candidate_client.post(url, {"selected": ["0"], "go": "stay"})
    with time_machine.travel(live_attempt.deadline + timedelta(hours=2)):
        response = candidate_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("quiz:attempt_result", args=[live_attempt.pk])
        replay = candidate_client.post(url, {"selected": ["1"], "go": "stay"})
        assert replay.status_code == 302
    live_attempt.refresh_from_db()
    assert live_attempt.finish_reason == "expired"
    item = live_attempt.items.get(position=1)
    assert item.selected == [item.option_order[0]]


def test_review_screen_lists_states_and_filters(candidate_client, live_attempt):
    candidate_client.post(
        reverse("quiz:attempt_save", args=[live_attempt.pk, 1]),
        {"selected": ["0"], "flagged": "on"},
    )
    url = reverse("quiz:attempt_review", args=[live_attempt.pk])
    html = candidate_client.get(url).content.decode()
    assert "<strong>9</strong> unanswered" in html and "<strong>1</strong> flagged" in html
    flagged = candidate_client.get(url, {"show": "flagged"}).content.decode()
    assert flagged.count(", flagged</span>") == 1
    confirm = candidate_client.get(url, {"confirm": "1"}).content.decode()
    assert "You have 9 unanswered," in confirm and "incomplete and 1 flagged question" in confirm


def test_submit_is_idempotent(candidate_client, live_attempt):
    url = reverse("quiz:attempt_submit", args=[live_attempt.pk])
    first = candidate_client.post(url)
    second = candidate_client.post(url)
    assert first.status_code == second.status_code == 302
    assert Attempt.objects.filter(status="finished").count() == 1
    assert candidate_client.get(url).status_code == 405


def test_start_page_states_the_rules_and_resumes(candidate_client, blueprint, user):
    url = reverse("quiz:mock_start_blueprint", args=[blueprint.code])
    html = candidate_client.get(url).content.decode()
    assert "10 questions" in html and "20 minutes" in html and "750 passes" in html
    started = candidate_client.post(url)
    assert started.status_code == 302
    assert "Resume your exam" in candidate_client.get(url).content.decode()
    assert candidate_client.post(url)["Location"] == started["Location"]


def test_start_with_a_bank_too_small_explains_what_is_missing(candidate_client):
    blueprint = small_blueprint(per_objective=1)
    response = candidate_client.post(reverse("quiz:mock_start_blueprint", args=[blueprint.code]))
    assert response.status_code == 409
    assert "needs 6 published questions; the bank has 2" in response.content.decode()


def test_clock_reports_the_servers_remaining_seconds(candidate_client, live_attempt):
    with time_machine.travel(live_attempt.started_at + timedelta(minutes=5), tick=False):
        data = candidate_client.get(reverse("quiz:attempt_clock", args=[live_attempt.pk])).json()
    assert data == {"seconds_left": 15 * 60, "finished": False}


@pytest.mark.parametrize("items", [10, 30])
def test_question_page_runs_a_fixed_number_of_queries(
    candidate_client, user, items, django_assert_num_queries
):
    blueprint = small_blueprint(per_objective=10, question_count=items)
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    # Session, user, the item with its attempt and version, the contact stamp (with the resume
    # position), the time credited to the item shown before, the navigator.
    client_get = candidate_client.get(reverse("quiz:attempt_question", args=[attempt.pk, 2]))
    assert client_get.status_code == 200
    Attempt.objects.filter(pk=attempt.pk).update(
        last_contact_at=F("last_contact_at") - timedelta(seconds=10)
    )
    with django_assert_num_queries(6):
        response = candidate_client.get(reverse("quiz:attempt_question", args=[attempt.pk, 2]))
    assert response.status_code == 200


@pytest.mark.parametrize("items", [10, 30])
def test_save_runs_a_fixed_number_of_queries(
    candidate_client, user, items, django_assert_num_queries
):
    blueprint = small_blueprint(per_objective=10, question_count=items)
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    # Session, user, the item with what its checks need, the compare-and-set write.
    with django_assert_num_queries(4):
        response = candidate_client.post(
            reverse("quiz:attempt_save", args=[attempt.pk, 2]), {"selected": ["0"]}
        )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_and_saves_give_one_finished_attempt_and_one_score(
    blueprint, user
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this on PostgreSQL)")
    from django.test import Client

    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    statuses: list[int] = []
    acknowledged: set[int] = set()

    def act(n: int) -> None:
        client = Client()
        client.force_login(user)
        if n % 2:
            url = reverse("quiz:attempt_submit", args=[attempt.pk])
            statuses.append(client.post(url).status_code)
        else:
            position = 1 + n % 10
            url = reverse("quiz:attempt_save", args=[attempt.pk, position])
            status = client.post(url, {"selected": ["0"]}).status_code
            statuses.append(status)
            if status == 200:
                acknowledged.add(position)
        connection.close()

    threads = [threading.Thread(target=act, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status < 500 for status in statuses), statuses
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert Attempt.objects.filter(pk=attempt.pk, status="finished").count() == 1
    # Every acknowledged save landed; every refused one changed nothing.
    saved = set(
        AttemptItem.objects.filter(attempt=attempt)
        .exclude(selected=[])
        .values_list("position", flat=True)
    )
    assert saved == acknowledged
    assert attempt.scored_count == 10
    # The stored score already counts every saved answer: recomputing it changes nothing.
    assert rescore(attempt=attempt) is False
    domains = attempt.results["domains"]
    assert sum(row["scored"] for row in domains) == 10
    assert sum(row["correct"] for row in domains) == attempt.correct_count


def test_review_marks_a_multiple_response_item_with_too_few_choices_as_incomplete(
    candidate_client, live_attempt
):
    item = next(
        i for i in live_attempt.items.select_related("version") if i.version.type == "multiple"
    )
    candidate_client.post(
        reverse("quiz:attempt_save", args=[live_attempt.pk, item.position]), {"selected": ["0"]}
    )
    url = reverse("quiz:attempt_review", args=[live_attempt.pk])
    assert "<strong>1</strong> incomplete" in candidate_client.get(url).content.decode()
    rows = candidate_client.get(url, {"show": "incomplete"}).content.decode()
    assert rows.count('class="review-state">Incomplete') == 1
    # One notion of incomplete: the navigator, the autosave's answer and the submit
    # confirmation agree with the review screen.
    question = candidate_client.get(
        reverse("quiz:attempt_question", args=[live_attempt.pk, item.position])
    ).content.decode()
    assert f'aria-label="Question {item.position}, incomplete"' in question
    assert "nav-item is-incomplete" in question
    saved = candidate_client.post(
        reverse("quiz:attempt_save", args=[live_attempt.pk, item.position]), {"selected": ["0"]}
    )
    assert saved.json()["state"] == "incomplete"
    confirm = candidate_client.get(url, {"confirm": "1"}).content.decode()
    assert "1 incomplete" in confirm
    assert f'<span class="review-number">{item.position}</span>' in rows


def _flag(client, attempt, position, selected=()):
    client.post(
        reverse("quiz:attempt_save", args=[attempt.pk, position]),
        {"selected": [str(s) for s in selected], "flagged": "on"},
    )


def test_review_flagged_steps_through_exactly_the_flagged_items_in_order(
    candidate_client, live_attempt
):
    for position in (7, 2, 5):
        _flag(candidate_client, live_attempt, position)
    review = candidate_client.get(reverse("quiz:attempt_review", args=[live_attempt.pk]))
    start = reverse("quiz:attempt_question", args=[live_attempt.pk, 2]) + "?review=flagged"
    assert start.replace("&", "&amp;") in review.content.decode()
    page = candidate_client.get(start).content.decode()
    assert "Review flagged: 1 of 3" in page
    visited, position = [2], 2
    while True:
        url = reverse("quiz:attempt_question", args=[live_attempt.pk, position])
        item = live_attempt.items.get(position=position)
        response = candidate_client.post(
            url, {"go": "next", "review": "flagged", "flagged": "on", "revision": item.revision}
        )
        assert response.status_code == 302
        if response["Location"] == reverse("quiz:attempt_review", args=[live_attempt.pk]):
            break
        assert response["Location"].endswith("?review=flagged")
        position = int(response["Location"].split("/questions/")[1].split("/")[0])
        visited.append(position)
    assert visited == [2, 5, 7]


def test_review_incomplete_counts_unanswered_and_partly_answered_items(
    candidate_client, live_attempt
):
    for item in live_attempt.items.all():
        if item.position != 4:
            candidate_client.post(
                reverse("quiz:attempt_save", args=[live_attempt.pk, item.position]),
                {"selected": [str(i) for i in range(item.choose)]},
            )
    html = candidate_client.get(reverse("quiz:attempt_review", args=[live_attempt.pk]))
    first = reverse("quiz:attempt_question", args=[live_attempt.pk, 4]) + "?review=incomplete"
    assert first.replace("&", "&amp;") in html.content.decode()
    response = candidate_client.post(
        reverse("quiz:attempt_question", args=[live_attempt.pk, 4]),
        {"go": "next", "review": "incomplete", "revision": 0},
    )
    assert response["Location"] == reverse("quiz:attempt_review", args=[live_attempt.pk])


def test_the_exam_screens_hide_the_site_navigation_and_offer_end_exam(
    candidate_client, live_attempt
):
    for url in (
        reverse("quiz:attempt_question", args=[live_attempt.pk, 1]),
        reverse("quiz:attempt_review", args=[live_attempt.pk]),
    ):
        html = candidate_client.get(url).content.decode()
        assert 'aria-label="Main"' not in html and "Log out" not in html
        end = reverse("quiz:attempt_review", args=[live_attempt.pk]) + "?confirm=1"
        assert f'href="{end}">End exam</a>' in html
