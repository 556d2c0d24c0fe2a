"""Spaced review with FSRS: missed and bookmarked questions come back when they are due.

FSRS (the ``fsrs`` package) does the scheduling; this module decides what enters the queue,
turns a review answer into a rating (right = Good, wrong = Again) and applies the exam date:
nothing is scheduled past it, and the longest interval shrinks to half the days left, so the
queue front-loads reviews before the exam.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from fsrs import Card, Rating, Scheduler

from quiz.models import (
    Bookmark,
    ExamDate,
    PracticeItem,
    PracticeSession,
    ReviewCard,
)
from quiz.models.bank import Blueprint
from quiz.practice.services import (
    NothingToPractise,
    _practice_pool,
    answer_history,
    create_session,
)

SESSION_LENGTH = 20


def scheduler(*, exam_date: date | None, now: datetime) -> Scheduler:
    """FSRS with fuzzing off (the same answers give the same schedule) and, before an exam,
    the longest interval capped at half the days left."""
    days_left = (exam_date - now.date()).days if exam_date else 0
    cap = max(1, days_left // 2) if days_left >= 1 else 36500
    return Scheduler(enable_fuzzing=False, maximum_interval=cap)


def cap_due(due: datetime, *, exam_date: date | None, now: datetime) -> datetime:
    """Never past the start of the exam day (when the exam is still ahead)."""
    if exam_date is None or exam_date <= now.date():
        return due
    return min(due, datetime.combine(exam_date, time.min, tzinfo=UTC))


def exam_date_of(*, user, blueprint: Blueprint) -> date | None:
    return (
        ExamDate.objects.filter(user=user, blueprint=blueprint).values_list("date", flat=True)
    ).first()


def set_exam_date(*, user, blueprint: Blueprint, exam_date: date | None, now: datetime) -> None:
    """Set (or clear, with None) the exam date, and pull in every card scheduled past it."""
    with transaction.atomic():
        if exam_date is None:
            ExamDate.objects.filter(user=user, blueprint=blueprint).delete()
            return
        ExamDate.objects.update_or_create(
            user=user, blueprint=blueprint, defaults={"date": exam_date}
        )
        limit = cap_due(datetime.max.replace(tzinfo=UTC), exam_date=exam_date, now=now)
        ReviewCard.objects.for_user(user).for_blueprint(blueprint).filter(due__gt=limit).update(
            due=limit
        )


def candidates_for_queue(*, user, blueprint: Blueprint, answers=None) -> dict[int, str]:
    """Question id -> reason, for every question ever missed or now bookmarked."""
    if answers is None:
        answers = answer_history(user=user, blueprint=blueprint)
    missed = {a.question_id for a in answers if not a.correct}
    bookmarked = set(
        Bookmark.objects.filter(
            user=user, question__objective__domain__blueprint=blueprint
        ).values_list("question_id", flat=True)
    )
    reasons = dict.fromkeys(missed, ReviewCard.Reason.MISSED)
    reasons.update(dict.fromkeys(bookmarked - missed, ReviewCard.Reason.BOOKMARKED))
    return reasons


def end_of_day(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)


def due_count(*, user, blueprint: Blueprint, now: datetime, answers=None) -> int:
    """Reviews due by the end of today, counting questions that have not entered the queue yet
    (a new miss or bookmark is due at once). Two queries given the answer history; writes
    nothing."""
    carded = dict(
        ReviewCard.objects.for_user(user).for_blueprint(blueprint).values_list("question_id", "due")
    )
    queued = candidates_for_queue(user=user, blueprint=blueprint, answers=answers)
    waiting = queued.keys() - carded.keys()
    today = end_of_day(now)
    return len(waiting) + sum(1 for due in carded.values() if due < today)


def sync_queue(*, user, blueprint: Blueprint, now: datetime) -> int:
    """Put every missed or bookmarked question that has no card yet into the queue, due now."""
    carded = set(
        ReviewCard.objects.for_user(user)
        .for_blueprint(blueprint)
        .values_list("question_id", flat=True)
    )
    new = {
        q: reason
        for q, reason in candidates_for_queue(user=user, blueprint=blueprint).items()
        if q not in carded
    }
    ReviewCard.objects.bulk_create(
        (
            ReviewCard(
                user=user,
                question_id=q,
                reason=reason,
                card=Card(card_id=q, due=now).to_dict(),
                due=now,
                created_at=now,
            )
            for q, reason in sorted(new.items())
        ),
        ignore_conflicts=True,
    )
    return len(new)


@transaction.atomic
def start_review(
    *, user, blueprint: Blueprint, now: datetime, length: int = SESSION_LENGTH, seed=None
) -> PracticeSession:
    """A practice session (instant feedback) of the reviews due today, most overdue first.
    Raises ``NothingToPractise`` when none is due."""
    sync_queue(user=user, blueprint=blueprint, now=now)
    due = list(
        ReviewCard.objects.for_user(user)
        .for_blueprint(blueprint)
        .filter(due__lt=end_of_day(now))
        .order_by("due", "question_id")
        .values_list("question_id", flat=True)[:length]
    )
    pool = {c.question_id: c for c in _practice_pool(blueprint=blueprint, question_ids=due)}
    chosen = [pool[q] for q in due if q in pool]
    if not chosen:
        raise NothingToPractise("no reviews are due today")
    return create_session(
        user=user,
        blueprint=blueprint,
        kind=PracticeSession.Kind.REVIEW,
        description=f"Spaced review: {len(chosen)} due today",
        chosen=chosen,
        now=now,
        seed=secrets.randbits(62) if seed is None else seed,
    )


def record_review(*, item: PracticeItem, now: datetime) -> ReviewCard | None:
    """After an answer in a review session: rate it (right = Good, wrong = Again) and schedule
    the card's next review. Other sessions' answers change nothing (returns None)."""
    session = item.session
    if session.kind != PracticeSession.Kind.REVIEW or item.is_correct is None:
        return None
    with transaction.atomic():
        card_row = (
            ReviewCard.objects.select_for_update()
            .filter(user_id=session.user_id, question_id=item.version.question_id)
            .first()
        )
        if card_row is None:
            return None
        exam_date = exam_date_of(user=session.user, blueprint=session.blueprint)
        rating = Rating.Good if item.is_correct else Rating.Again
        card, _ = scheduler(exam_date=exam_date, now=now).review_card(
            Card.from_dict(card_row.card), rating, review_datetime=now
        )
        card.due = cap_due(card.due, exam_date=exam_date, now=now)
        card_row.card = card.to_dict()
        card_row.due = card.due
        card_row.reviews += 1
        card_row.save(update_fields=["card", "due", "reviews"])
        return card_row
