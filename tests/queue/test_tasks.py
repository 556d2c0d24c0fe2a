"""The background queue: what runs on it, and how it behaves with real worker processes.

The worker tests start `manage.py procrastinate worker` as separate processes on the test
database (PostgreSQL only: procrastinate does not run on SQLite), so they commit their data.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.tasks import send_email
from quiz.exam.services import finish_attempt
from quiz.models import Attempt
from quiz.queue import enqueue
from quiz.tasks import REFRESH_LOCK, expire_attempts, refresh_statistics, rescore_attempts
from tests.conftest import NOW
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="procrastinate's queue lives in PostgreSQL",
)


def test_the_periodic_expiry_finishes_overdue_attempts_at_their_deadline(attempt):
    with time_machine.travel(attempt.deadline + timedelta(minutes=1)):
        assert expire_attempts(timestamp=0) == 1
        assert expire_attempts(timestamp=60) == 0  # a retried run finds nothing left
    attempt.refresh_from_db()
    assert attempt.finish_reason == Attempt.FinishReason.EXPIRED
    assert attempt.finished_at == attempt.deadline


def test_the_expiry_is_scheduled_every_minute_the_stalled_job_sweep_too_and_statistics_hourly():
    from procrastinate.contrib.django import app

    schedules = {periodic_id: task.cron for (_, periodic_id), task in _periodic(app).items()}
    assert schedules == {
        "expire_attempts": "* * * * *",
        "retry_stalled_jobs": "* * * * *",
        "refresh_item_statistics": "1 * * * *",
    }
    # A scheduled refresh and an author's never run at once, and one waits at a time.
    assert refresh_statistics.lock == refresh_statistics.queueing_lock == REFRESH_LOCK


def test_the_refresh_task_recomputes_the_figures(db):
    from quiz.models import StatsRefresh

    assert refresh_statistics(timestamp=0) >= 0
    assert StatsRefresh.objects.filter(finished_at__isnull=False).count() == 1


def _periodic(app):
    return app.periodic_registry.periodic_tasks


def test_a_regrade_rescores_finished_attempts(attempt):
    finish_attempt(attempt=attempt, now=NOW)
    assert rescore_attempts(blueprint_code=attempt.blueprint.code) == {
        "rescored": 1,
        "changed": 0,
    }
    assert rescore_attempts(blueprint_code="NOPE") == {"rescored": 0, "changed": 0}


@postgres_only
@pytest.mark.django_db
def test_with_the_queue_on_a_password_reset_is_a_job_not_a_mail_sent_in_the_request(
    client, settings
):
    from procrastinate.contrib.django.models import ProcrastinateJob

    settings.TASK_QUEUE = True
    user = UserFactory(email="queued@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert mail.outbox == []
    job = ProcrastinateJob.objects.get(task_name="accounts.tasks.send_email")
    assert job.status == "todo"
    assert job.args["to"] == ["queued@example.com"]
    assert "/accounts/password/reset/" in job.args["body"]


@postgres_only
@pytest.mark.django_db
def test_a_queueing_lock_keeps_one_waiting_job(settings):
    from procrastinate.contrib.django.models import ProcrastinateJob

    settings.TASK_QUEUE = True
    first = enqueue(rescore_attempts, queueing_lock="rescore:MLS-C01", blueprint_code="MLS-C01")
    second = enqueue(rescore_attempts, queueing_lock="rescore:MLS-C01", blueprint_code="MLS-C01")
    assert first is not None and second is None
    assert ProcrastinateJob.objects.filter(task_name="quiz.tasks.rescore_attempts").count() == 1


@postgres_only
@pytest.mark.django_db
def test_a_job_that_failed_for_good_is_listed_for_admins(client, settings):
    settings.TASK_QUEUE = True
    job_id = enqueue(rescore_attempts, blueprint_code="MLS-C01")
    with connection.cursor() as cursor:  # as the worker leaves it after its last attempt
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'failed', attempts = 3 WHERE id = %s",
            [job_id],
        )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/procrastinate/procrastinatejob/", {"status": "failed"})
    assert page.status_code == 200
    assert [job.pk for job in page.context["cl"].result_list] == [job_id]
    assert "rescore_attempts" in page.text
    succeeded = client.get("/admin/procrastinate/procrastinatejob/", {"status": "succeeded"})
    assert list(succeeded.context["cl"].result_list) == []


# ---------------------------------------------------------------- real worker processes


def _worker(tmp_path: Path, name: str, **email) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "LOG_LEVEL": "WARNING",
        **email,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--name", name],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / f"{name}.log", "w"),
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _status(job_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id])
        return cursor.fetchone()[0]


def _messages(outbox: Path) -> list[str]:
    return [
        message
        for path in outbox.glob("*.log")
        for message in path.read_text().split("-" * 79)
        if "Subject:" in message
    ]


def _sweep(seconds_since_heartbeat: float) -> int:
    """What every worker's minute-by-minute sweep does, with a shorter silence."""
    from procrastinate.contrib.django import app

    from quiz.tasks import requeue_stalled

    async def sweep() -> int:
        async with app.open_async():
            return await requeue_stalled(app.job_manager, seconds_since_heartbeat)

    with app.replace_connector(app.connector.get_worker_connector()):
        return asyncio.run(sweep())


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_is_retried_by_another_worker(tmp_path, settings):
    settings.TASK_QUEUE = True
    # A mail server that accepts the connection and never answers: the first worker hangs
    # inside the job, as a worker does when its machine goes away.
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(8)
    port = black_hole.getsockname()[1]
    job_id = enqueue(
        send_email,
        subject="Reset your password",
        body="a link",
        to=["killed@example.com"],
    )
    first = _worker(
        tmp_path,
        "first",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
    )
    outbox = tmp_path / "outbox"
    second = None
    try:
        _wait_for(lambda: _status(job_id) == "doing")
        first.send_signal(signal.SIGKILL)
        first.wait()
        time.sleep(1.5)
        assert _status(job_id) == "doing"  # nobody else may take it while it is held
        assert _sweep(seconds_since_heartbeat=1) >= 1  # with any periodic job it held
        assert _status(job_id) == "todo"
        second = _worker(
            tmp_path,
            "second",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(outbox),
        )
        _wait_for(lambda: _status(job_id) == "succeeded")
    finally:
        _stop(first)
        if second:
            _stop(second)
        black_hole.close()
    (message,) = _messages(outbox)
    assert "To: killed@example.com" in message


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_queued_mail_exactly_once(tmp_path, settings):
    settings.TASK_QUEUE = True
    jobs = [
        enqueue(send_email, subject=f"Message {n}", body="b", to=[f"c{n}@example.com"])
        for n in range(16)
    ]
    outbox = tmp_path / "outbox"
    mailer = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    workers = [_worker(tmp_path, f"w{n}", **mailer) for n in range(2)]
    try:
        _wait_for(lambda: all(_status(job) == "succeeded" for job in jobs))
    finally:
        for worker in workers:
            _stop(worker)
    recipients = sorted(
        line
        for message in _messages(outbox)
        for line in message.splitlines()
        if line.startswith("To: ")
    )
    assert recipients == sorted(f"To: c{n}@example.com" for n in range(16))


# ---------------------------------------------------------------- regrades and refreshes


@pytest.fixture
def faulty_sitting():
    """A finished mock that failed (2 of 4) on a mis-keyed question, and its corrected key."""
    from quiz.models import Blueprint
    from tests.exam.test_regrade import fix_key, sit
    from tests.factories import QuestionFactory

    mls = Blueprint.objects.get(code="MLS-C01")
    faulty, *others = (QuestionFactory() for _ in range(4))
    served = faulty.current_version
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=2)
    fix_key(faulty, 1)
    return attempt, served


@postgres_only
@pytest.mark.django_db
def test_with_the_queue_on_confirming_a_regrade_queues_a_job_and_shows_it_waiting(
    client, settings, faulty_sitting
):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from quiz.models import Regrade

    settings.TASK_QUEUE = True
    attempt, served = faulty_sitting
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:quiz_regrade_new", args=[served.pk]), {"kind": "rescore", "confirm": "1"}
    )
    regrade = Regrade.objects.get()
    assert response.url == reverse("admin:quiz_regrade_progress", args=[regrade.pk])
    job = ProcrastinateJob.objects.get(task_name="quiz.tasks.regrade")
    assert (regrade.status, regrade.job_id) == ("pending", job.id)
    assert (job.status, job.args, job.lock) == (
        "todo",
        {"regrade_id": regrade.pk},
        f"regrade:{regrade.pk}",
    )
    attempt.refresh_from_db()
    assert attempt.passed is False  # nothing ran in the request
    page = client.get(response.url).content.decode()
    assert "<h2>Waiting for a worker</h2>" in page and f"Job {job.id}: todo" in page
    assert 'hx-trigger="every 2s"' in page


@postgres_only
@pytest.mark.django_db
def test_with_the_queue_on_a_refresh_is_a_job_and_a_second_request_waits_for_it(client, settings):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from quiz.models import StatsRefresh

    settings.TASK_QUEUE = True
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:quiz_itemstatistics_refresh")
    first = client.post(url, follow=True).content.decode()
    second = client.post(url, follow=True).content.decode()
    assert "A refresh of the figures is queued" in first
    assert "A refresh is already waiting in the queue." in second
    job = ProcrastinateJob.objects.get(task_name="quiz.tasks.refresh_statistics")
    assert (job.status, job.lock) == ("todo", REFRESH_LOCK)
    assert StatsRefresh.objects.count() == 0


@postgres_only
@pytest.mark.django_db
def test_a_failed_regrade_job_is_shown_to_admins_and_can_be_queued_again(
    client, settings, faulty_sitting
):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from quiz.models import Regrade
    from quiz.reports.services import start_regrade

    settings.TASK_QUEUE = True
    _, served = faulty_sitting
    regrade = start_regrade(version=served, kind="rescore", by=None, now=NOW)
    with connection.cursor() as cursor:  # as the worker leaves it after its last attempt
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'failed', attempts = 3 WHERE id = %s",
            [regrade.job_id],
        )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:quiz_regrade_progress", args=[regrade.pk])
    page = client.get(url).content.decode()
    assert "<h2>Failed</h2>" in page and "The background job failed 3 times" in page
    assert f"/admin/procrastinate/procrastinatejob/{regrade.job_id}/change/" in page
    assert 'hx-trigger="every 2s"' not in page  # nothing will change by itself
    listing = client.get(reverse("admin:quiz_regrade_changelist")).content.decode()
    assert "job failed" in listing
    client.post(reverse("admin:quiz_regrade_resume", args=[regrade.pk]))
    regrade.refresh_from_db()
    again = ProcrastinateJob.objects.get(pk=regrade.job_id)
    assert again.status == "todo" and again.args == {"regrade_id": regrade.pk}
    assert ProcrastinateJob.objects.filter(task_name="quiz.tasks.regrade").count() == 2
    assert Regrade.objects.get().status == "pending"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_regrade_and_a_statistics_refresh(tmp_path, settings):
    from quiz.models import Blueprint, Regrade, RegradeNotice, StatsRefresh
    from quiz.reports.services import start_regrade
    from quiz.stats.refresh import request_refresh
    from tests.exam.test_regrade import fix_key, sit
    from tests.factories import QuestionFactory

    settings.TASK_QUEUE = True
    mls = Blueprint.objects.get(code="MLS-C01")
    faulty, *others = (QuestionFactory() for _ in range(4))
    served = faulty.current_version
    attempts = [sit(mls, faulty, others, faulty_answer={1}, right_others=2) for _ in range(3)]
    fix_key(faulty, 1)
    regrade = start_regrade(version=served, kind="rescore", by=None, now=NOW)
    assert request_refresh()
    worker = _worker(tmp_path, "regrader")
    try:
        _wait_for(lambda: Regrade.objects.get(pk=regrade.pk).status == "done")
        _wait_for(lambda: StatsRefresh.objects.filter(finished_at__isnull=False).exists())
        _wait_for(lambda: _status(regrade.job_id) == "succeeded")
    finally:
        _stop(worker)
    done = Regrade.objects.get(pk=regrade.pk)
    assert (done.processed, done.total, done.now_passing) == (3, 3, 3)
    for attempt in attempts:
        attempt.refresh_from_db()
        assert attempt.passed is True
    assert RegradeNotice.objects.filter(regrade=done).count() == 3
