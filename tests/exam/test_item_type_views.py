"""The taking screen, autosave, review screen and answer review for ordering, matching and case
studies (plain HTTP; the browser flows are in tests/e2e/test_item_types.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from quiz.exam.services import finish_attempt, start_attempt
from quiz.models import Attempt, AttemptItem, ItemState
from tests.factories import item_types_blueprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_attempt(user):
    return start_attempt(user=user, blueprint=item_types_blueprint(), now=timezone.now(), seed=11)


def item_of(attempt, external_id) -> AttemptItem:
    return attempt.items.select_related("version").get(version__question__external_id=external_id)


def page(client, attempt, item) -> str:
    response = client.get(reverse("quiz:attempt_question", args=[attempt.pk, item.position]))
    assert response.status_code == 200
    return response.content.decode()


def places_for_right_order(item) -> dict[str, str]:
    """The post of a screen where each shown step has its right place."""
    return {f"step-{shown}": str(original + 1) for shown, original in enumerate(item.option_order)}


def matches_for_right_answer(item) -> dict[str, str]:
    return {
        f"prompt-{shown}": str(item.version.choices[original]["match"])
        for shown, original in enumerate(item.option_order)
    }


def test_an_ordering_item_shows_a_position_select_per_step_and_no_key(
    candidate_client, live_attempt
):
    item = item_of(live_attempt, "types-ordering")
    html = page(candidate_client, live_attempt, item)
    assert re.findall(r'<select name="(step-\d)"', html) == [f"step-{n}" for n in range(4)]
    assert "Put the steps in order" in html
    assert 'aria-live="polite"' in html
    for secret in ("Rationale", "Correct position", "key_place"):
        assert secret not in html
    # Unanswered: steps as shown (the shuffled order), no position chosen.
    shown = [item.version.choices[o]["html"] for o in item.option_order]
    assert [html.index(text) for text in shown] == sorted(html.index(text) for text in shown)
    assert " selected>" not in html.split('class="ordering-list"')[1].split("</ul>")[0]


def test_posting_an_order_without_javascript_saves_it_and_moves_on(candidate_client, live_attempt):
    item = item_of(live_attempt, "types-ordering")
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, item.position])
    response = candidate_client.post(
        url, {**places_for_right_order(item), "revision": "0", "go": "stay"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.selected == [0, 1, 2, 3] and item.state == ItemState.ANSWERED
    # Shown back in the saved order, each select on its place.
    html = page(candidate_client, live_attempt, item)
    for shown, original in enumerate(item.option_order):
        assert re.search(
            rf'id="step-{shown}"[^>]*>\s*<option value="">Position…</option>.*?'
            rf'<option value="{original + 1}" selected>',
            html,
            re.S,
        )


def test_two_steps_at_one_position_are_refused_with_a_message_and_nothing_changes(
    candidate_client, live_attempt
):
    item = item_of(live_attempt, "types-ordering")
    url = reverse("quiz:attempt_question", args=[live_attempt.pk, item.position])
    data = {"step-0": "1", "step-1": "1", "step-2": "", "step-3": "", "revision": "0"}
    response = candidate_client.post(url, data)
    assert response.status_code == 422
    assert "give each step a different position" in response.content.decode()
    item.refresh_from_db()
    assert (item.selected, item.revision) == ([], 0)


@pytest.mark.parametrize(
    "data",
    [
        {"step-0": "1", "step-2": "2"},  # a gap
        {"step-0": "x", "step-1": "", "step-2": "", "step-3": ""},
        {"step-0": "²", "step-1": "", "step-2": "", "step-3": ""},
        {"step-0": "5", "step-1": "", "step-2": "", "step-3": ""},  # no fifth place
        {"step-0": "1", "prompt-0": "1"},
        {"step-0": "1", "selected": "0"},
        {"step-0": "1", "step-1": "2", "step-2": "3"},  # a step missing
    ],
)
def test_a_malformed_order_is_a_4xx_and_changes_nothing(candidate_client, live_attempt, data):
    item = item_of(live_attempt, "types-ordering")
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, item.position])
    response = candidate_client.post(url, data)
    assert 400 <= response.status_code < 500
    assert response.json()["ok"] is False
    item.refresh_from_db()
    assert (item.selected, item.revision) == ([], 0)


def test_autosave_keeps_a_partly_placed_order_as_incomplete(candidate_client, live_attempt):
    item = item_of(live_attempt, "types-ordering")
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, item.position])
    data = {"step-0": "2", "step-1": "", "step-2": "", "step-3": ""}
    body = candidate_client.post(url, data).json()
    assert body["ok"] and body["state"] == "incomplete"
    review = candidate_client.get(
        reverse("quiz:attempt_review", args=[live_attempt.pk]) + "?show=incomplete"
    ).content.decode()
    shown = re.findall(r'<span class="review-number">(\d+)</span>', review)
    assert shown == [str(item.position)]


def test_a_matching_item_shows_a_select_of_the_responses_per_prompt(candidate_client, live_attempt):
    item = item_of(live_attempt, "types-matching")
    html = page(candidate_client, live_attempt, item)
    assert re.findall(r'<select name="(prompt-\d)"', html) == [f"prompt-{n}" for n in range(4)]
    assert html.count("D. Amazon SageMaker Clarify</option>") == 4
    assert "Rationale" not in html


def test_a_matching_saved_by_autosave_is_shown_back_and_scored(candidate_client, live_attempt):
    item = item_of(live_attempt, "types-matching")
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, item.position])
    body = candidate_client.post(url, matches_for_right_answer(item)).json()
    assert body["ok"] and body["state"] == "answered"
    html = page(candidate_client, live_attempt, item)
    assert html.count(" selected>") == 4
    finish_attempt(attempt=live_attempt, now=timezone.now())
    item.refresh_from_db()
    assert item.outcome_correct is True


def test_an_unknown_response_is_refused_and_changes_nothing(candidate_client, live_attempt):
    item = item_of(live_attempt, "types-matching")
    url = reverse("quiz:attempt_save", args=[live_attempt.pk, item.position])
    data = {"prompt-0": "4", "prompt-1": "", "prompt-2": "", "prompt-3": ""}
    response = candidate_client.post(url, data)
    assert response.status_code == 422 and response.json()["code"] == "invalid_option"
    item.refresh_from_db()
    assert item.selected == []


def test_each_case_question_shows_the_scenario_above_it(candidate_client, live_attempt):
    for n in (1, 2, 3):
        html = page(candidate_client, live_attempt, item_of(live_attempt, f"types-case-{n}"))
        assert '<details class="case-scenario" open>' in html
        assert "Case study: Demand forecasting" in html
        assert html.index("case-scenario") < html.index('class="stem"')
    assert "case-scenario" not in page(
        candidate_client, live_attempt, item_of(live_attempt, "types-single")
    )


def test_the_answer_review_shows_each_types_answer_key_and_explanation(
    candidate_client, live_attempt
):
    ordering = item_of(live_attempt, "types-ordering")
    matching = item_of(live_attempt, "types-matching")
    wrong = matches_for_right_answer(matching)
    wrong["prompt-0"] = "3"
    candidate_client.post(
        reverse("quiz:attempt_save", args=[live_attempt.pk, matching.position]), wrong
    )
    candidate_client.post(
        reverse("quiz:attempt_save", args=[live_attempt.pk, ordering.position]),
        places_for_right_order(ordering),
    )
    finish_attempt(attempt=live_attempt, now=timezone.now())
    html = candidate_client.get(
        reverse("quiz:attempt_answers", args=[live_attempt.pk])
    ).content.decode()
    assert html.count("Correct position: ") == 4
    assert "Your position: 1" in html
    assert "Correct answer: <strong>" in html  # the prompt answered wrongly shows its key
    assert html.count("Case study: Demand forecasting") == 3
    assert "Because the first option fits the constraint." in html
    assert "Rationale 1" in html


def test_the_question_page_for_a_case_question_runs_the_same_queries(
    candidate_client, live_attempt, django_assert_num_queries
):
    item = item_of(live_attempt, "types-case-2")
    page(candidate_client, live_attempt, item)
    Attempt.objects.filter(pk=live_attempt.pk).update(
        last_contact_at=F("last_contact_at") - timedelta(seconds=10)
    )
    # As for any item (tests/exam/test_views.py): the scenario comes with the item's version.
    with django_assert_num_queries(6):
        page(candidate_client, live_attempt, item)
