"""A candidate's finished mock with a chosen share right, through the exam's services."""

from __future__ import annotations

from datetime import timedelta

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import AttemptItem, Blueprint


def finished_mock(user, *, now, right_every: int = 4, seed: int = 1):
    """Answer every scored item, wrongly every ``right_every``-th one (3 in 4 right by default)."""
    blueprint = Blueprint.objects.get(code="MLS-C01")
    attempt = start_attempt(user=user, blueprint=blueprint, now=now, seed=seed)
    items = AttemptItem.objects.filter(attempt=attempt, is_scored=True).select_related("version")
    for n, item in enumerate(items):
        key = [p for p, o in enumerate(item.option_order) if o in item.version.correct_indices]
        wrong = [
            p for p, o in enumerate(item.option_order) if o not in item.version.correct_indices
        ]
        chosen = tuple(key) if n % right_every else (wrong[0],)
        save_answer(
            attempt_id=attempt.pk,
            user=user,
            position=item.position,
            answer=Answer(selected=chosen),
            now=now,
        )
    return finish_attempt(attempt=attempt, now=now + timedelta(minutes=90))
