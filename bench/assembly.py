"""Assembly speed: median time to assemble a 65-item form from banks of several sizes, and the
query count for each (it must not grow with the bank); then the same for a candidate who has
already sat ``SITTINGS`` mocks from that bank (it must not grow with the history either)."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from bench.seed import analyze, copy_blueprint, seed_bank
from quiz.exam.assembly import assemble
from quiz.exam.services import blueprint_spec, finish_attempt, start_attempt
from quiz.models import Question

SITTINGS = 20


def measure(size: int, repeats: int) -> dict:
    blueprint = copy_blueprint(f"BENCH-{size}")
    if not blueprint.domains.filter(objectives__questions__isnull=False).exists():
        seed_bank(blueprint, size, prefix=f"asm{size}")
        analyze()
    user, _ = User.objects.get_or_create(
        username=f"assembler{size}", defaults={"email": f"a{size}@example.com"}
    )
    fresh = time_assembly(blueprint, user, repeats)
    now = timezone.now()
    for sitting in range(SITTINGS):
        attempt = start_attempt(user=user, blueprint=blueprint, now=now, seed=10_000 + sitting)
        finish_attempt(attempt=attempt, now=now)
    after = time_assembly(blueprint, user, repeats)
    return {
        "size": size,
        **fresh,
        "sittings": SITTINGS,
        "after_sittings_median_ms": after["median_ms"],
        "after_sittings_queries": after["queries"],
    }


def time_assembly(blueprint, user, repeats: int) -> dict:
    spec = blueprint_spec(blueprint)
    timings, queries = [], []
    for seed in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            scored, pretest = Question.objects.assembly_pools(
                blueprint=blueprint, user=user, seed=seed
            )
            form = assemble(spec=spec, scored_pool=scored, pretest_pool=pretest, seed=seed)
            timings.append(time.perf_counter() - started)
        queries.append(len(captured))
        assert len(form) == blueprint.question_count
    return {
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "p90_ms": round(sorted(timings)[int(0.9 * (len(timings) - 1))] * 1000, 1),
        "queries": max(queries),
        "rows_loaded": len(scored) + len(pretest),
    }
