"""Abandoning a started mock: recorded as abandoned, never scored, answers kept, counted nowhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from quiz.exam.keys import running_mock
from quiz.exam.services import (
    Answer,
    abandon_attempt,
    expire_overdue,
    finish_attempt,
    save_answer,
    start_attempt,
)
from quiz.models import Attempt, AttemptItem
from quiz.practice.services import answer_history
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def answer(attempt, position, *, now=NOW):
    return save_answer(
        attempt_id=attempt.pk,
        user=attempt.user,
        position=position,
        answer=Answer(selected=(0,), struck=(1,), flagged=True),
        now=now,
    )


def test_abandoning_records_it_unscored_and_keeps_every_answer(attempt):
    saved = answer(attempt, 1)
    later = NOW + timedelta(minutes=3)
    abandoned = abandon_attempt(attempt=attempt, now=later)
    assert (abandoned.status, abandoned.finished_at, abandoned.scaled_score) == (
        "abandoned",
        later,
        None,
    )
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    assert (item.selected, item.struck, item.flagged) == (saved.selected, saved.struck, True)
    assert item.outcome_correct is None  # never scored
    assert abandoned.seconds_used == 180


def test_abandoning_twice_changes_nothing(attempt):
    first = abandon_attempt(attempt=attempt, now=NOW)
    again = abandon_attempt(attempt=attempt, now=NOW + timedelta(minutes=5))
    assert again.finished_at == first.finished_at == NOW


def test_a_save_after_abandoning_is_refused_and_changes_nothing(attempt):
    abandon_attempt(attempt=attempt, now=NOW)
    with pytest.raises(ValidationError) as refused:
        answer(attempt, 2)
    assert refused.value.code == "attempt_abandoned"
    assert AttemptItem.objects.get(attempt=attempt, position=2).selected == []


def test_submitting_or_expiring_an_abandoned_mock_never_scores_it(attempt):
    abandon_attempt(attempt=attempt, now=NOW)
    assert finish_attempt(attempt=attempt, now=NOW).status == "abandoned"
    assert expire_overdue(now=attempt.deadline + timedelta(hours=1)) == 0
    attempt.refresh_from_db()
    assert (attempt.status, attempt.scaled_score) == ("abandoned", None)


def test_a_submitted_mock_cannot_be_abandoned(attempt):
    finished = finish_attempt(attempt=attempt, now=NOW)
    with pytest.raises(ValidationError) as refused:
        abandon_attempt(attempt=attempt, now=NOW)
    assert refused.value.code == "attempt_finished"
    attempt.refresh_from_db()
    assert (attempt.status, attempt.scaled_score) == ("finished", finished.scaled_score)


def test_abandoning_after_the_deadline_finds_time_ran_out_and_scores_it(attempt):
    answer(attempt, 1)
    with pytest.raises(ValidationError) as refused:
        abandon_attempt(attempt=attempt, now=attempt.deadline + timedelta(seconds=1))
    assert refused.value.code == "deadline_passed"
    attempt.refresh_from_db()
    assert (attempt.status, attempt.finish_reason) == ("finished", "expired")
    assert attempt.scaled_score is not None


def test_a_new_mock_can_start_once_the_last_was_abandoned(attempt, user, blueprint):
    abandon_attempt(attempt=attempt, now=NOW)
    fresh = start_attempt(user=user, blueprint=blueprint, now=NOW + timedelta(minutes=1))
    assert fresh.pk != attempt.pk and fresh.is_open


def test_an_abandoned_mocks_answers_are_no_evidence_and_lift_the_key_pause(
    attempt, user, blueprint
):
    answer(attempt, 1)
    assert running_mock(user, NOW) == attempt
    abandon_attempt(attempt=attempt, now=NOW)
    assert running_mock(user, NOW) is None
    assert answer_history(user=user, blueprint=blueprint) == []
    assert not Attempt.objects.finished().exists()


def test_the_database_refuses_a_score_on_an_abandoned_mock(attempt):
    from django.db import IntegrityError

    abandon_attempt(attempt=attempt, now=NOW)
    with pytest.raises(IntegrityError):
        Attempt.objects.filter(pk=attempt.pk).update(scaled_score=500)


# ------------------------------------------------------------------------------------ the pages


@pytest.fixture
def live(user, blueprint):
    return start_attempt(user=user, blueprint=blueprint, now=timezone.now())


def test_end_exam_offers_to_abandon_with_a_confirmation(candidate_client, live):
    review = reverse("quiz:attempt_review", args=[live.pk])
    html = candidate_client.get(review, {"confirm": "1"}).content.decode()
    assert 'href="?confirm=abandon"' in html
    html = candidate_client.get(review, {"confirm": "abandon"}).content.decode()
    assert "Abandon this mock?" in html
    assert f'action="{reverse("quiz:attempt_abandon", args=[live.pk])}"' in html
    assert "Yes, abandon this mock" in html
    live.refresh_from_db()
    assert live.is_open  # asking changes nothing


def test_abandoning_by_the_page_lands_on_the_history_which_says_so(candidate_client, live):
    response = candidate_client.post(reverse("quiz:attempt_abandon", args=[live.pk]), follow=True)
    assert response.redirect_chain == [(live.history_url(), 302)]
    html = response.content.decode()
    assert "abandoned: it was not scored" in html
    assert '<span class="badge">Abandoned</span> not scored' in html
    assert reverse("quiz:attempt_result", args=[live.pk]) not in html
    live.refresh_from_db()
    assert live.is_abandoned


def test_an_abandoned_mock_has_no_report_and_its_screens_send_to_the_history(
    candidate_client, live
):
    candidate_client.post(reverse("quiz:attempt_abandon", args=[live.pk]))
    question = candidate_client.get(reverse("quiz:attempt_question", args=[live.pk, 1]))
    # The history of the attempt's own exam, whichever exam the candidate prepares for.
    assert question["Location"] == live.history_url()
    assert (
        candidate_client.get(reverse("quiz:attempt_review", args=[live.pk]))["Location"]
        == live.history_url()
    )
    for name in ("quiz:attempt_result", "quiz:attempt_answers"):
        assert candidate_client.get(reverse(name, args=[live.pk])).status_code == 404
    save = candidate_client.post(
        reverse("quiz:attempt_save", args=[live.pk, 1]), {"selected": ["0"]}
    )
    assert save.status_code == 410
    assert save.json()["code"] == "attempt_abandoned"
    assert save.json()["result_url"] == reverse("quiz:history")
    clock = candidate_client.get(reverse("quiz:attempt_clock", args=[live.pk])).json()
    assert clock == {"seconds_left": 0, "finished": True, "ended_url": live.history_url()}
    submit = candidate_client.post(reverse("quiz:attempt_submit", args=[live.pk]))
    assert submit["Location"] == live.history_url()
    live.refresh_from_db()
    assert (live.status, live.scaled_score) == ("abandoned", None)


def test_abandoning_someone_elses_mock_is_a_404(client, live):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="intruder"))
    assert client.post(reverse("quiz:attempt_abandon", args=[live.pk])).status_code == 404
    live.refresh_from_db()
    assert live.is_open


def test_abandon_is_post_only(candidate_client, live):
    assert candidate_client.get(reverse("quiz:attempt_abandon", args=[live.pk])).status_code == 405


def test_the_start_page_offers_to_abandon_the_mock_in_progress(candidate_client, live):
    html = candidate_client.get(reverse("quiz:mock_start_blueprint", args=[live.blueprint.code]))
    assert (
        f'href="{reverse("quiz:attempt_review", args=[live.pk])}?confirm=abandon"'
        in html.content.decode()
    )


def test_practice_is_open_again_once_the_mock_is_abandoned(candidate_client, live):
    practice = reverse("quiz:practice_start")
    assert candidate_client.get(practice).status_code == 409
    candidate_client.post(reverse("quiz:attempt_abandon", args=[live.pk]))
    assert candidate_client.get(practice).status_code == 200


@pytest.mark.parametrize("confirm", ["", "1", "abandon"])
def test_the_review_screen_runs_a_fixed_number_of_queries_whatever_it_confirms(
    candidate_client, live, confirm, django_assert_num_queries
):
    url = reverse("quiz:attempt_review", args=[live.pk])
    candidate_client.get(url)
    # Session, user, the attempt, the contact stamp, the items' states.
    with django_assert_num_queries(5):
        assert candidate_client.get(url, {"confirm": confirm}).status_code == 200


def test_abandoning_runs_a_fixed_number_of_queries(
    candidate_client, live, django_assert_num_queries
):
    candidate_client.get(reverse("quiz:attempt_question", args=[live.pk, 2]))
    Attempt.objects.filter(pk=live.pk).update(
        last_contact_at=F("last_contact_at") - timedelta(seconds=10)
    )
    # Session, user, the attempt (with its blueprint and domain, which the message names), the
    # contact stamp, the time credited to the item on screen, and in a savepoint the locked read
    # and the write.
    with django_assert_num_queries(9):
        response = candidate_client.post(reverse("quiz:attempt_abandon", args=[live.pk]))
    assert response["Location"] == live.history_url()


def test_the_clock_of_a_mock_submitted_elsewhere_points_at_its_result(candidate_client, live):
    candidate_client.post(reverse("quiz:attempt_submit", args=[live.pk]))
    clock = candidate_client.get(reverse("quiz:attempt_clock", args=[live.pk])).json()
    assert clock["ended_url"] == reverse("quiz:attempt_result", args=[live.pk])
