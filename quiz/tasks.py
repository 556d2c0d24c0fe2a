"""Background work of the exam (procrastinate tasks; enqueue them with quiz.queue.enqueue).

Run by `manage.py procrastinate worker` (`make run` and Compose's ``worker`` service start one).
Periodic tasks are deferred by every running worker's scheduler, but procrastinate records each
tick in ``procrastinate_periodic_defers`` under a unique key, so a tick becomes one job however
many workers run; a job is claimed by exactly one worker (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate import RetryStrategy

from quiz.exam.regrade import run_regrade
from quiz.exam.services import expire_overdue, rescore
from quiz.models import Attempt
from quiz.queue import app
from quiz.stats.refresh import refresh_item_statistics

logger = logging.getLogger(__name__)

# Seconds without a heartbeat after which a worker counts as dead and its running jobs are put
# back in the queue (workers beat every 10 s: PROCRASTINATE_WORKER_DEFAULTS).
STALLED_AFTER_SECONDS = 30


@app.periodic(cron="* * * * *", periodic_id="expire_attempts")
@app.task(queueing_lock="expire_attempts", retry=RetryStrategy(max_attempts=3, wait=10))
def expire_attempts(timestamp: int | None = None) -> int:
    """Every minute: finish the mock exams whose deadline has passed (what `manage.py
    expire_attempts` did from cron). Idempotent: a retried run finds nothing left to do."""
    count = expire_overdue(now=timezone.now())
    if count:
        logger.info("expired %s overdue attempt(s)", count)
    return count


@app.task(retry=RetryStrategy(max_attempts=3, wait=30))
def rescore_attempts(blueprint_code: str | None = None) -> dict[str, int]:
    """Regrade: recompute finished attempts' scores after a key fix (as `manage.py rescore`)."""
    attempts = Attempt.objects.finished()
    if blueprint_code:
        attempts = attempts.filter(blueprint__code=blueprint_code)
    total = changed = 0
    for attempt in attempts.only("pk").iterator():
        total += 1
        changed += rescore(attempt=attempt)
    return {"rescored": total, "changed": changed}


# Enqueued with the regrade's own lock and queueing lock (regrade_locks): one job of a regrade
# waits and runs at a time; regrades of different versions may run side by side.
@app.task(retry=RetryStrategy(max_attempts=3, wait=30))
def regrade(regrade_id: int) -> dict[str, int]:
    """Run a planned regrade (``quiz.exam.regrade.run_regrade``). A retry, or a run after a
    worker died, resumes where it stopped: attempts that have their notice are done."""
    done = run_regrade(regrade_id=regrade_id, now=timezone.now())
    return {"attempts": done.processed, "score_changes": done.score_changes}


def regrade_locks(regrade_id: int) -> dict[str, str]:
    """The ``lock`` and ``queueing_lock`` a regrade's job is enqueued with."""
    return {"lock": f"regrade:{regrade_id}", "queueing_lock": f"regrade:{regrade_id}"}


REFRESH_LOCK = "refresh_item_statistics"


# Every hour, at a minute past; authors can ask for one sooner from the Item analysis page.
@app.periodic(cron="1 * * * *", periodic_id="refresh_item_statistics")
@app.task(queueing_lock=REFRESH_LOCK, lock=REFRESH_LOCK, retry=RetryStrategy(max_attempts=2))
def refresh_statistics(timestamp: int | None = None) -> int:
    """Recompute every item's statistics (``manage.py item_stats --refresh``); idempotent.
    The lock keeps two refreshes (the schedule's and an author's) from running at once."""
    return refresh_item_statistics(now=timezone.now()).versions


@app.periodic(cron="* * * * *", periodic_id="retry_stalled_jobs")
@app.task(queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int | None = None) -> int:
    """Every minute: a job held by a worker that stopped beating (killed, machine lost) goes back
    in the queue for another worker. Tasks are written to be safe to run twice."""
    return await requeue_stalled(context.app.job_manager, STALLED_AFTER_SECONDS)


async def requeue_stalled(job_manager, seconds_since_heartbeat: float) -> int:
    jobs = await job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat)
    count = 0
    for job in jobs:
        logger.warning("retrying job %s (%s): its worker stopped", job.id, job.task_name)
        await job_manager.retry_job(job)
        count += 1
    return count
