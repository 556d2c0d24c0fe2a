"""Per-request cost of the hot paths, in-process, to find where a request's time goes.

The load test says how fast; this says why. Each path runs through the full middleware stack
(Django's test client, no HTTP server), one request after another, and reports the median
wall time against baseline b's ("touch") and the queries it made; with ``--profile PATH``, a
cProfile listing for that path. `make bench` includes its table in the report.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... manage.py bench_profile
"""

import cProfile
import io
import pstats
import random
import re
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.seed import STAFF
from quiz.exam.services import start_attempt
from quiz.models import Attempt, Blueprint, SeenQuestion


class Command(BaseCommand):
    help = (
        "Median in-process cost and query count of the baselines, the candidate's hot paths "
        "(question page, save, heartbeat, start, submit) and the admin's item analysis."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requests", type=int, default=400)
        parser.add_argument("--user", default="bench0199")
        parser.add_argument(
            "--profile",
            help="trivial, touch, question, save, heartbeat, start, submit or analysis",
        )
        parser.add_argument("--top", type=int, default=30)
        parser.add_argument("--sort", default="cumulative", help="a pstats key, e.g. tottime")
        parser.add_argument("--callees", help="also break down functions matching this regex")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.get(username=options["user"])
        Attempt.objects.filter(user=user, status=Attempt.Status.IN_PROGRESS).delete()
        attempt = start_attempt(
            user=user, blueprint=Blueprint.objects.get(code="MLS-C01"), now=timezone.now()
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        rng = random.Random(7)
        last_saved: dict[int, str] = {}

        def save():
            """A save that always changes its item (the other option from last time), so that
            every one writes: a replay of what is stored would measure less than a save."""
            position = rng.randint(1, 65)
            last_saved[position] = "1" if last_saved.get(position) == "0" else "0"
            return client.post(
                f"/attempts/{attempt.pk}/questions/{position}/save/",
                {"selected": [last_saved[position]]},
            )

        # Starting and submitting a mock, as a second candidate: each timed call is prepared
        # (untimed) by removing the mock in progress, or by starting the one to submit.
        other = (
            get_user_model()
            .objects.filter(username__startswith="bench")
            .exclude(pk=user.pk)
            .order_by("-username")
            .first()
        )
        other_client = Client(HTTP_HOST="127.0.0.1")
        other_client.force_login(other)
        blueprint = Blueprint.objects.get(code="MLS-C01")
        sitting: dict[str, int] = {}

        def no_mock_in_progress():
            """A candidate about to start their first mock: no mock running, nothing seen (the
            timed starts would otherwise grow the history every later start reads)."""
            Attempt.objects.filter(user=other, status=Attempt.Status.IN_PROGRESS).delete()
            SeenQuestion.objects.filter(user=other).delete()

        def a_mock_to_submit():
            no_mock_in_progress()
            sitting["id"] = start_attempt(user=other, blueprint=blueprint, now=timezone.now()).pk

        prepare = {"start": no_mock_in_progress, "submit": a_mock_to_submit}
        # An author on the admin's item analysis (the list's first page, as locust's AnalysisUser).
        author = Client(HTTP_HOST="127.0.0.1")
        author.force_login(get_user_model().objects.get(username=STAFF))
        paths = {
            "trivial": lambda: client.get("/bench/trivial"),
            "touch": lambda: client.post("/bench/touch"),
            "question": lambda: client.get(
                f"/attempts/{attempt.pk}/questions/{rng.randint(1, 65)}/"
            ),
            "save": save,
            # The exam page's heartbeat (every 30 s): most of a paced candidate's requests.
            "heartbeat": lambda: client.get(
                f"/attempts/{attempt.pk}/clock/?position={rng.randint(1, 65)}"
            ),
            "start": lambda: other_client.post("/mock/"),
            "submit": lambda: other_client.post(f"/attempts/{sitting['id']}/submit/"),
            "analysis": lambda: author.get("/admin/quiz/itemstatistics/"),
        }
        # Fewer of the two slow ones: each also needs an untimed mock assembled or removed.
        counts = {name: options["requests"] // (4 if name in prepare else 1) for name in paths}
        timings = {name: [] for name in paths}
        statements = {}
        for name, call in paths.items():
            for _ in range(20):  # warm caches, templates and the connection
                if name in prepare:
                    prepare[name]()
                assert call().status_code in (200, 302), name
            if name in prepare:
                prepare[name]()
            statements[name] = []
            with connection.execute_wrapper(
                lambda execute, sql, params, many, context, log=statements[name]: (
                    log.append(sql) or execute(sql, params, many, context)
                )
            ):
                call()
        # Interleaved rounds: the machine's noise drifts over seconds, so every path samples
        # every stretch of it.
        for _ in range(10):
            for name, call in paths.items():
                for _ in range(max(1, counts[name] // 10)):
                    if name in prepare:
                        prepare[name]()
                    began = time.perf_counter()
                    call()
                    timings[name].append((time.perf_counter() - began) * 1000)
        touch = statistics.median(timings["touch"])
        self.stdout.write("| request | median ms | × baseline b's time | queries | statements |")
        self.stdout.write("| --- | --- | --- | --- | --- |")
        for name, samples in timings.items():
            median = statistics.median(samples)
            self.stdout.write(
                f"| {name} | {median:.2f} | {median / touch:.2f} | {len(statements[name])} | "
                + " · ".join(sql.split()[0] + " " + _table(sql) for sql in statements[name])
                + " |"
            )
        if options["profile"]:
            profiler = cProfile.Profile()
            call = paths[options["profile"]]
            for _ in range(counts[options["profile"]]):
                if options["profile"] in prepare:
                    prepare[options["profile"]]()
                profiler.enable()
                call()
                profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(options["sort"])
            stats.print_stats(options["top"])
            if options["callees"]:
                stats.print_callees(options["callees"])
            self.stdout.write(out.getvalue())


def _table(sql: str) -> str:
    """The first table a statement names, for a one-line summary of what a request queried."""
    match = TABLE_RE.search(sql)
    return match.group(1) if match else ""


# The table after INSERT INTO, UPDATE, FROM or JOIN (not a function such as unnest(...)).
TABLE_RE = re.compile(r'(?:INSERT INTO|UPDATE|FROM|JOIN)\s+"?([a-z_]+)"?(?=[\s(]|$)(?!\()')
