"""Spaced review: missed and bookmarked questions are queued, FSRS schedules each rated review,
and an exam date caps the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from quiz.models import Bookmark, PracticeSession, ReviewCard
from quiz.practice.services import answer_practice, start_practice
from quiz.readiness import review
from tests.conftest import NOW
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _answer(user, session, position, *, right: bool, now=NOW):
    item = session.items.get(position=position)
    key = item.option_order.index(next(iter(item.version.correct_indices)))
    wrong = next(
        p
        for p in range(len(item.option_order))
        if item.option_order[p] not in item.version.correct_indices
    )
    answered = answer_practice(
        session_id=session.pk,
        user=user,
        position=position,
        selected=(key if right else wrong,),
        now=now,
    )
    review.record_review(item=answered, now=now)
    return answered


def _miss_one(user, blueprint):
    """A drill of one objective with its first question answered wrongly."""
    objective = blueprint.domains.first().objectives.first()
    session = start_practice(
        user=user,
        blueprint=blueprint,
        kind="chosen",
        length=1,
        objective_ids=[objective.pk],
        now=NOW,
        seed=1,
    )
    return _answer(user, session, 1, right=False).version.question_id


def test_a_missed_question_is_due_at_once_without_a_write(user, blueprint):
    question_id = _miss_one(user, blueprint)
    assert review.due_count(user=user, blueprint=blueprint, now=NOW) == 1
    assert not ReviewCard.objects.exists()
    review.sync_queue(user=user, blueprint=blueprint, now=NOW)
    assert ReviewCard.objects.get().question_id == question_id


def test_a_bookmarked_question_is_queued_too(user, blueprint):
    question = QuestionFactory(objective=blueprint.domains.first().objectives.first())
    Bookmark.objects.create(user=user, question=question)
    assert review.due_count(user=user, blueprint=blueprint, now=NOW) == 1


def test_a_right_review_goes_away_and_a_wrong_one_comes_back_within_minutes(user, blueprint):
    _miss_one(user, blueprint)
    session = review.start_review(user=user, blueprint=blueprint, now=NOW, seed=1)
    assert session.kind == PracticeSession.Kind.REVIEW
    card = _answer(user, session, 1, right=False) and ReviewCard.objects.get()
    assert card.reviews == 1
    assert NOW < card.due <= NOW + timedelta(minutes=10)
    later = NOW + timedelta(hours=1)
    session = review.start_review(user=user, blueprint=blueprint, now=later, seed=2)
    _answer(user, session, 1, right=True, now=later)
    card.refresh_from_db()
    assert card.reviews == 2
    assert card.due > later
    assert review.due_count(
        user=user, blueprint=blueprint, now=later
    ) == 0 or card.due < review.end_of_day(later)


def test_fsrs_spaces_successful_reviews_out(user, blueprint):
    _miss_one(user, blueprint)
    now = NOW
    gaps = []
    for _ in range(4):
        session = review.start_review(user=user, blueprint=blueprint, now=now, seed=1)
        _answer(user, session, 1, right=True, now=now)
        card = ReviewCard.objects.get()
        gaps.append(card.due - now)
        now = card.due
    assert gaps[-1] > gaps[1] > timedelta(0)
    assert gaps[-1] >= timedelta(days=2)


def test_nothing_is_scheduled_past_the_exam_date(user, blueprint):
    _miss_one(user, blueprint)
    exam = (NOW + timedelta(days=6)).date()
    review.set_exam_date(user=user, blueprint=blueprint, exam_date=exam, now=NOW)
    exam_starts = datetime.combine(exam, time.min, tzinfo=UTC)
    now = NOW
    reviews = 0
    while now < exam_starts:
        session = review.start_review(user=user, blueprint=blueprint, now=now, seed=1)
        _answer(user, session, 1, right=True, now=now)
        reviews += 1
        card = ReviewCard.objects.get()
        # At most half the days left: the queue front-loads before the exam.
        assert card.due <= exam_starts
        assert card.due - now <= timedelta(days=max(1, (exam - now.date()).days // 2))
        now = card.due
    assert reviews >= 4


def test_setting_an_exam_date_pulls_in_later_reviews(user, blueprint):
    _miss_one(user, blueprint)
    review.sync_queue(user=user, blueprint=blueprint, now=NOW)
    ReviewCard.objects.update(due=NOW + timedelta(days=60))
    review.set_exam_date(user=user, blueprint=blueprint, exam_date=date(2026, 12, 5), now=NOW)
    assert ReviewCard.objects.get().due.date() == date(2026, 12, 5)


def test_answers_outside_review_sessions_leave_cards_alone(user, blueprint):
    _miss_one(user, blueprint)
    review.sync_queue(user=user, blueprint=blueprint, now=NOW)
    objective = blueprint.domains.first().objectives.first()
    session = start_practice(
        user=user,
        blueprint=blueprint,
        kind="chosen",
        length=2,
        objective_ids=[objective.pk],
        now=NOW,
        seed=5,
    )
    _answer(user, session, 1, right=True)
    assert ReviewCard.objects.get().reviews == 0


def test_no_review_session_when_nothing_is_due(user, blueprint):
    from quiz.practice.services import NothingToPractise

    with pytest.raises(NothingToPractise):
        review.start_review(user=user, blueprint=blueprint, now=NOW)
