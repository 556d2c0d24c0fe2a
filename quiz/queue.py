"""The one way to hand work to the background queue (procrastinate, on PostgreSQL).

    from quiz.queue import enqueue
    from quiz.tasks import rescore_attempts
    enqueue(rescore_attempts, blueprint_code="MLS-C01")

A task is a function decorated with ``@app.task`` in an app's ``tasks.py`` (discovered by
procrastinate's Django integration). ``enqueue`` writes the job in the caller's transaction, so a
job exists if and only if the change that asked for it was committed. On SQLite (the local
default, which procrastinate does not support) the task runs inline instead: same code, no worker.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

__all__ = ["app", "enqueue"]


def enqueue(
    task, *, queueing_lock: str | None = None, lock: str | None = None, **kwargs: Any
) -> int | None:
    """Defer ``task`` with keyword arguments; the job's id, or None when it ran inline.

    ``queueing_lock``: at most one job with this lock waits in the queue (a second enqueue while
    one waits is refused quietly and returns None), e.g. one statistics refresh per blueprint.
    ``lock``: jobs with this lock run one after the other, never at once.
    """
    if not settings.TASK_QUEUE:
        task(**kwargs)
        return None
    locks = {"queueing_lock": queueing_lock, "lock": lock}
    deferrer = task.configure(**{name: value for name, value in locks.items() if value})
    try:
        # A savepoint: a refused duplicate must not abort the caller's transaction.
        with transaction.atomic():
            return deferrer.defer(**kwargs)
    except AlreadyEnqueued:
        return None
