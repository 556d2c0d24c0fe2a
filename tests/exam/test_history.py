from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.practice.services import answer_practice, start_practice
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_history_lists_every_mock_and_practice_session_with_links(
    candidate_client, user, blueprint
):
    finished = start_attempt(user=user, blueprint=blueprint, now=NOW)
    save_answer(
        attempt_id=finished.pk, user=user, position=1, answer=Answer(selected=(0,)), now=NOW
    )
    finished = finish_attempt(attempt=finished, now=NOW.replace(minute=12))
    objectives = list(blueprint.domains.values_list("objectives__pk", flat=True))
    session = start_practice(
        user=user, blueprint=blueprint, kind="chosen", length=2, objective_ids=objectives, now=NOW
    )
    answer_practice(session_id=session.pk, user=user, position=1, selected=(0,), now=NOW)
    url = f"{reverse('quiz:history')}?blueprint={blueprint.code}"
    html = candidate_client.get(url).content.decode()
    assert reverse("quiz:attempt_result", args=[finished.pk]) in html
    assert reverse("quiz:attempt_answers", args=[finished.pk]) in html
    assert reverse("quiz:practice_summary", args=[session.pk]) in html
    assert "12 min of 20 min" in html
    assert f'<td data-label="Score or result">{finished.scaled_score} <span' in html
    assert 'href="/history/">History</a>' in candidate_client.get("/").content.decode()


def test_history_shows_only_the_candidates_own_sittings(client, blueprint, user):
    from tests.factories import UserFactory

    start_attempt(user=user, blueprint=blueprint, now=NOW)
    client.force_login(UserFactory(username="someone-else"))
    html = client.get(f"{reverse('quiz:history')}?blueprint={blueprint.code}").content.decode()
    assert "Nothing yet" in html


def test_the_dashboard_links_to_each_attempts_answers(candidate_client, user, blueprint):
    attempt = finish_attempt(
        attempt=start_attempt(user=user, blueprint=blueprint, now=NOW), now=NOW
    )
    html = candidate_client.get(f"/?blueprint={blueprint.code}").content.decode()
    assert f'href="{reverse("quiz:attempt_answers", args=[attempt.pk])}"' in html
