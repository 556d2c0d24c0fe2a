"""Time per item, measured by the server's clock alone at each contact from the exam screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from quiz.exam.services import PRESENCE_GAP_CAP, record_presence
from quiz.models import Attempt
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def seconds(attempt) -> dict[int, int]:
    return dict(
        attempt.items.filter(seconds_on_screen__gt=0).values_list("position", "seconds_on_screen")
    )


def contact(attempt, position, at):
    attempt = Attempt.objects.get(pk=attempt.pk)
    record_presence(attempt=attempt, position=position, now=at)


def test_the_gap_since_the_last_contact_goes_to_the_item_that_was_on_screen(attempt):
    contact(attempt, 1, NOW)
    contact(attempt, 1, NOW + timedelta(seconds=30))  # a heartbeat
    contact(attempt, 2, NOW + timedelta(seconds=50))  # Next
    contact(attempt, None, NOW + timedelta(seconds=70))  # the review screen
    contact(attempt, 3, NOW + timedelta(seconds=400))  # time on the review screen counts nowhere
    assert seconds(attempt) == {1: 50, 2: 20}


def test_a_closed_laptop_counts_for_at_most_the_cap(attempt):
    contact(attempt, 4, NOW)
    contact(attempt, 4, NOW + timedelta(hours=2))
    assert seconds(attempt) == {4: int(PRESENCE_GAP_CAP.total_seconds())}


def test_nothing_is_counted_past_the_deadline(attempt):
    contact(attempt, 1, attempt.deadline - timedelta(seconds=10))
    contact(attempt, 1, attempt.deadline + timedelta(seconds=60))
    assert seconds(attempt) == {1: 10}


def test_a_stale_contact_from_a_second_tab_credits_nothing_twice(attempt):
    contact(attempt, 1, NOW)
    stale = Attempt.objects.get(pk=attempt.pk)  # tab B read the attempt at NOW
    contact(attempt, 2, NOW + timedelta(seconds=20))  # tab A
    record_presence(attempt=stale, position=5, now=NOW + timedelta(seconds=25))  # tab B
    contact(attempt, 2, NOW + timedelta(seconds=40))
    assert sum(seconds(attempt).values()) <= 40
    assert seconds(attempt) == {1: 20, 2: 20}


def test_pages_and_the_heartbeat_report_the_item_on_screen(candidate_client, attempt):
    with time_machine.travel(NOW, tick=False):
        candidate_client.get(reverse("quiz:attempt_question", args=[attempt.pk, 3]))
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        clock = reverse("quiz:attempt_clock", args=[attempt.pk])
        assert candidate_client.get(clock, {"position": "3"}).status_code == 200
    with time_machine.travel(NOW + timedelta(seconds=45), tick=False):
        candidate_client.get(reverse("quiz:attempt_review", args=[attempt.pk]))
    with time_machine.travel(NOW + timedelta(seconds=60), tick=False):
        candidate_client.post(reverse("quiz:attempt_submit", args=[attempt.pk]))
    assert seconds(attempt) == {3: 45}
