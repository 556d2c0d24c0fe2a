"""Practice with ordering, matching and case-study questions: the page, the answer, the feedback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import item_types_blueprint, practice_session

pytestmark = pytest.mark.django_db


def session_of(user, *external_ids):
    return practice_session(user, item_types_blueprint(), external_ids)


def test_an_ordering_question_is_answered_by_position_and_gets_its_feedback(candidate_client, user):
    session = session_of(user, "types-ordering")
    item = session.items.get()
    url = reverse("quiz:practice_question", args=[session.pk, 1])
    html = candidate_client.get(url).content.decode()
    assert 'name="step-0"' in html and "Correct position" not in html
    right = {f"step-{shown}": str(original + 1) for shown, original in enumerate(item.option_order)}
    assert candidate_client.post(url, right).status_code == 302
    html = candidate_client.get(url).content.decode()
    assert "Correct." in html
    assert html.count("Correct position: ") == 4
    assert "Rationale 1" in html and "Because the first option fits the constraint." in html


def test_a_half_done_matching_is_refused_with_a_message(candidate_client, user):
    session = session_of(user, "types-matching")
    url = reverse("quiz:practice_question", args=[session.pk, 1])
    response = candidate_client.post(
        url, {"prompt-0": "0", "prompt-1": "", "prompt-2": "", "prompt-3": ""}
    )
    assert response.status_code == 422
    assert "Choose a response for every prompt." in response.content.decode()
    assert session.items.get().answered_at is None


def test_a_wrong_matching_shows_the_right_response_for_each_missed_prompt(candidate_client, user):
    session = session_of(user, "types-matching")
    item = session.items.select_related("version").get()
    url = reverse("quiz:practice_question", args=[session.pk, 1])
    answer = {f"prompt-{shown}": "3" for shown in range(4)}  # the distractor everywhere
    candidate_client.post(url, answer)
    html = candidate_client.get(url).content.decode()
    assert "Not quite." in html
    assert html.count("Correct answer: <strong>") == 4
    item.refresh_from_db()
    assert item.is_correct is False


def test_a_case_question_in_practice_shows_its_scenario(candidate_client, user):
    session = session_of(user, "types-case-1")
    html = candidate_client.get(
        reverse("quiz:practice_question", args=[session.pk, 1])
    ).content.decode()
    assert "Case study: Demand forecasting" in html
