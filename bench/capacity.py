"""Capacity in candidates (part of `make bench`; `python -m bench.run --capacity` alone).

Paced: virtual candidates work through whole mocks at the real exam's pace compressed
COMPRESSION times (bench/locustfile.py: PacedUser, where the arithmetic is spelled out), so
each stands for COMPRESSION real candidates. The load is raised step by step until a request
type's p95 passes 200 ms or an error appears; the largest step held is reported at real pace.
Burst: N candidates, logged in and on the start page, press Start within 20 s (BurstUser);
held while the p95 of start stays under 1.5 s with no error. Pooling: the same paced load
served with persistent connections and with psycopg's pool, alternately.

The machine is shared: each step records the load average before and after it, and the CPU
the server and the load generator used, so a figure can be read with its conditions.
"""

from __future__ import annotations

import os
import resource
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.run import BURST_ACCOUNTS_FROM, SERVER, locust, start_gunicorn, stop

# The real exam's pace and what the exam page asks of the server on each item (see PacedUser).
REAL_SECONDS_PER_ITEM = 190 * 60 / 65  # 175 s
HEARTBEAT_SECONDS = 30  # static/js/exam.js: the clock while the page is visible
PER_ITEM = {
    "question page": 1,
    "save": 1 + 0.25 + 1 / 9,  # the answer, one changed answer in four, a flag in nine
    "heartbeat": REAL_SECONDS_PER_ITEM / HEARTBEAT_SECONDS,  # 5.8
    "start, review, submit": 3 / 65,  # once a mock
}
REQUESTS_PER_ITEM = sum(PER_ITEM.values())
REQUESTS_PER_CANDIDATE_SECOND = REQUESTS_PER_ITEM / REAL_SECONDS_PER_ITEM
# One virtual candidate lives the real timeline this many times faster: it stands for this many
# candidates at real pace.
COMPRESSION = 60
# Not part of the pace: logging in, and the first start while the load ramps up.
RAMP = {"login", "login page", "start mock (ramp)"}
# Requested once a mock, not once an item; the steps go on while only these are slow, to show
# where the item-by-item work alone would stop (the headline figure counts them).
ONCE_A_MOCK = {"start mock", "review", "submit"}
PACED_P95_MS = 200
TARGET_CANDIDATES = 5_000
BURST_P95_MS = 1500


def load_average() -> float:
    return os.getloadavg()[0]


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (gunicorn's master and workers)."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for each in (process, *process.children(recursive=True)):
            times = each.cpu_times()
            total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0


def database_cpu(database: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving ``database`` (this run's
    connections only: other databases on the same server are not counted)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        pids = [
            pid
            for (pid,) in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )
        ]
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def children_cpu() -> float:
    """CPU seconds of finished child processes (each locust run, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Step:
    real: int
    virtual: int
    seconds: float
    stats: dict
    load_before: float
    load_after: float
    server_cores: float
    database_cores: float
    locust_cores: float
    label: str = ""
    paced: dict = field(init=False)

    def __post_init__(self) -> None:
        self.paced = {name: s for name, s in self.stats.items() if name not in RAMP}

    @property
    def rps(self) -> float:
        return sum(s["rps"] for s in self.paced.values())

    @property
    def offered(self) -> float:
        """Requests a second that this many candidates at real pace ask for."""
        return self.real * REQUESTS_PER_CANDIDATE_SECOND

    @property
    def errors(self) -> int:
        return sum(s["failures"] for s in self.stats.values())

    @property
    def cpu_ms_per_request(self) -> float:
        """CPU the server and its database spent per request served (app + PostgreSQL)."""
        served = sum(s["rps"] for s in self.stats.values())
        return 1000 * (self.server_cores + self.database_cores) / served if served else 0.0

    @property
    def cpu_ceiling(self) -> int:
        """Candidates at real pace that two whole cores would serve if CPU were the only limit
        (the load generator elsewhere, nothing else running): a bound, not a measurement."""
        per_candidate = self.cpu_ms_per_request / 1000 * REQUESTS_PER_CANDIDATE_SECOND
        return int(2 / per_candidate) if per_candidate else 0

    def worst(self, names=None) -> tuple[str, float]:
        rows = [(n, s["p95"]) for n, s in self.paced.items() if names is None or n in names]
        return max(rows, key=lambda row: row[1], default=("-", 0.0))

    @property
    def held(self) -> bool:
        return not self.errors and self.worst()[1] <= PACED_P95_MS

    @property
    def items_held(self) -> bool:
        per_item = set(self.paced) - ONCE_A_MOCK
        return not self.errors and self.worst(per_item)[1] <= PACED_P95_MS


def paced_step(plan, real: int, host: str, env: dict, workdir: Path, server) -> Step:
    virtual = max(1, round(real / COMPRESSION))
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    before, locust_before = load_average(), children_cpu()
    # The server's and the database's CPU are read when the ramp ends and when the run does, so
    # they cover the same stretch as the request figures (locust resets them after the ramp).
    marks: list[tuple[float, float, float]] = []

    def mark() -> None:
        marks.append((time.monotonic(), tree_cpu(server.pid), database_cpu(database)))

    timer = threading.Timer(plan.paced_ramp, mark)
    began = time.monotonic()
    timer.start()
    stats = locust(
        "PacedUser",
        virtual,
        round(plan.paced_seconds + plan.paced_ramp),
        host,
        {**env, "BENCH_PACE_COMPRESSION": str(COMPRESSION)},
        workdir,
        spawn_rate=virtual / plan.paced_ramp,
        reset_stats=True,
    )
    timer.join()
    mark()
    (start, server_start, database_start), (end, server_end, database_end) = marks
    window = end - start
    return Step(
        real=real,
        virtual=virtual,
        seconds=plan.paced_seconds,
        stats=stats,
        load_before=before,
        load_after=load_average(),
        server_cores=(server_end - server_start) / window,
        database_cores=max(0.0, database_end - database_start) / window,
        locust_cores=(children_cpu() - locust_before) / (time.monotonic() - began),
    )


def paced(plan, host: str, env: dict, workdir: Path, server) -> tuple[int, int, list[Step]]:
    """Raise the load step by step. Returns (candidates held by every request type, held by the
    item-by-item requests, the steps). Stops at the first step with an error or where the
    item-by-item requests' p95 passes the limit."""
    held = items_held = 0
    steps: list[Step] = []
    for real in plan.paced_steps:
        print(f"bench: paced, {real} candidates at real pace (load {load_average():.1f})")
        step = paced_step(plan, real, host, env, workdir, server)
        steps.append(step)
        if step.held and held == items_held:
            held = real
        if not step.items_held:
            break
        items_held = real
    return held, items_held, steps


@dataclass
class Burst:
    size: int
    stats: dict
    load_before: float
    load_after: float

    @property
    def start(self) -> dict:
        return self.stats.get("start mock", {"requests": 0, "p50": 0, "p95": 0, "p99": 0})

    @property
    def errors(self) -> int:
        return sum(s["failures"] for s in self.stats.values())

    @property
    def late(self) -> int:
        return self.stats.get("late for the window", {"requests": 0})["requests"]

    @property
    def held(self) -> bool:
        # A class whose candidates were not all on the start page when the window opened was
        # not the burst asked for (they pressed Start later, spread more thinly): not held.
        return (
            not self.errors
            and not self.late
            and self.start["requests"] == self.size
            and self.start["p95"] < BURST_P95_MS
        )


def burst(plan, host: str, env: dict, workdir: Path) -> tuple[int, list[Burst]]:
    """Classes of growing size, each of fresh candidates; the largest one held."""
    held, bursts, offset = 0, [], BURST_ACCOUNTS_FROM
    for size in plan.burst_steps:
        print(f"bench: class start, {size} candidates within {plan.burst_window:g} s")
        # Long enough for every candidate to log in and open the start page first.
        setup = plan.burst_setup + size * 0.1
        before = load_average()
        stats = locust(
            "BurstUser",
            size,
            round(setup + plan.burst_window + plan.burst_tail),
            host,
            {
                **env,
                "BENCH_ACCOUNT_OFFSET": str(offset),
                "BENCH_BURST_AT": str(time.time() + setup),
                "BENCH_BURST_WINDOW": str(plan.burst_window),
            },
            workdir,
            spawn_rate=max(1, size / 2),
        )
        offset += size
        bursts.append(Burst(size, stats, before, load_average()))
        if not bursts[-1].held:
            break
        held = size
    return held, bursts


def pooling(plan, real: int, env: dict, workdir: Path) -> list[Step]:
    """The same paced load, served by a fresh gunicorn with persistent connections (the
    default) and with psycopg's pool, alternately (A B A B), so that drift in the machine's
    load falls on both."""
    runs = []
    for label, extra in (("persistent", {}), ("pool", {"DB_POOL": "1"})) * plan.pooling_rounds:
        print(f"bench: pooling, {label}, {real} candidates (load {load_average():.1f})")
        server, host = start_gunicorn({**env, **extra}, workers=plan.workers, threads=plan.threads)
        try:
            step = paced_step(plan, real, host, env, workdir, server)
        finally:
            stop(server)
        step.label = label
        runs.append(step)
    return runs


def arithmetic(plan) -> list[str]:
    per_item = " + ".join(f"{value:.2f} {name}" for name, value in PER_ITEM.items())
    return [
        f"A candidate at real pace spends {REAL_SECONDS_PER_ITEM:.0f} s on an item (190 minutes, "
        f"65 items) and the exam page asks the server for {per_item} = "
        f"**{REQUESTS_PER_ITEM:.2f} requests an item**, "
        f"{REQUESTS_PER_CANDIDATE_SECOND:.4f} a second (the heartbeat, every "
        f"{HEARTBEAT_SECONDS} s while the page is visible, is most of it). A virtual candidate "
        f"lives the same timeline {COMPRESSION}× faster: {REAL_SECONDS_PER_ITEM / COMPRESSION:.1f} "
        f"s an item (uniform between half and one and a half of it), a heartbeat every "
        f"{HEARTBEAT_SECONDS / COMPRESSION:.2f} s, whole mocks (start, 65 items, review, "
        f"submit, start again), paced by the clock rather than by the responses. It makes the "
        f"requests of {COMPRESSION} real candidates in the same mix, so V virtual candidates "
        f"offer the load of {COMPRESSION}·V candidates at real pace, which is the figure "
        f"reported. Candidates join at a random item, so within a step mocks end and start at "
        f"the real rate; logging in and the first start happen during a {plan.paced_ramp:g} s ramp "
        f"whose figures are dropped.",
    ]


def step_rows(steps: list[Step], *, label: bool = False) -> list[str]:
    rows = []
    for s in steps:
        worst, p95 = s.worst()
        per_item = s.worst(set(s.paced) - ONCE_A_MOCK)
        rows.append(
            f"| {s.label + ' | ' if label else ''}{s.real:,} | {s.virtual} | {s.offered:.0f} | "
            f"{s.rps:.0f} | {per_item[0]} {per_item[1]:.0f} | {worst} {p95:.0f} | {s.errors} | "
            f"{s.server_cores:.2f} | {s.database_cores:.2f} | {s.cpu_ms_per_request:.1f} | "
            f"{s.locust_cores:.2f} | {s.load_before:.1f} → {s.load_after:.1f} |"
        )
    return rows


STEP_HEADER = (
    "candidates (real pace) | virtual | req/s asked | req/s served | slowest per-item request, "
    "p95 ms | slowest of all, p95 ms | errors | app cores busy | PostgreSQL cores busy | "
    "CPU ms a request (app + PostgreSQL) | locust cores busy | load avg before → after |"
)
STEP_COLUMNS = STEP_HEADER.count("|")


def render(held, items_held, steps, burst_held, bursts, pooling_runs, plan) -> list[str]:
    lines = [
        f"## Capacity in candidates (one server: {os.cpu_count()} cores, {plan.workers} workers "
        f"× {plan.threads} threads, PostgreSQL and the load generator on the same cores)",
        "",
        *arithmetic(plan),
        "",
        f"**Concurrent candidates at real exam pace per server ({os.cpu_count()} cores): "
        f"{held:,}** (every request type's p95 at most {PACED_P95_MS} ms, no error, "
        f"{plan.paced_seconds} s steps). Target: at least {TARGET_CANDIDATES:,}: "
        f"**{'met' if held >= TARGET_CANDIDATES else 'missed'}**.",
        "",
    ]
    if items_held != held:
        lines += [
            f"The item-by-item requests alone (question page, save, heartbeat) held "
            f"{items_held:,}: the once-a-mock requests (start, review, submit) passed "
            f"{PACED_P95_MS} ms first.",
            "",
        ]
    lines += [
        "| " + STEP_HEADER,
        "| --- " * STEP_COLUMNS + "|",
        *step_rows(steps),
        "",
    ]
    if steps:
        cost = statistics.median(s.cpu_ms_per_request for s in steps)
        ceiling = statistics.median(s.cpu_ceiling for s in steps)
        lines += [
            f"CPU per request, the app and its PostgreSQL backends together: {cost:.1f} ms "
            f"(median over the steps), {cost * REQUESTS_PER_CANDIDATE_SECOND:.2f} ms a second "
            f"per candidate at real pace. At that cost, 2 whole cores with nothing else on them "
            f"(the load generator on another machine) would serve at most **{ceiling:,.0f} "
            "candidates**: a ceiling computed from the measured CPU cost, not a measured "
            "capacity (latency under contention is what the steps measure).",
            "",
        ]
        last = steps[-1]
        lines += [
            f"Per request type at the last step ({last.real:,} candidates):",
            "",
            "| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *(
                f"| {name} | {s['requests']} | {s['rps']:.1f} | {s['p50']:.0f} | "
                f"{s['p95']:.0f} | {s['p99']:.0f} | {s['failures']} |"
                for name, s in sorted(last.paced.items())
            ),
            "",
        ]
    lines += [
        f"**Class start: {burst_held:,} candidates pressing Start within "
        f"{plan.burst_window:g} s** (each logged in and on the start page first; p95 of start, "
        f"until the first question is on screen, under {BURST_P95_MS} ms, every start "
        "answered, no error). A class with candidates still logging in when its window opened "
        "(late for the window) was not the burst asked for and does not count as held.",
        "",
        "| candidates | starts answered | p50 ms | p95 ms | max-ish (p99) ms | errors | "
        "late for the window | load avg before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {b.size:,} | {b.start['requests']} | {b.start['p50']:.0f} | "
            f"{b.start['p95']:.0f} | {b.start['p99']:.0f} | {b.errors} | {b.late} | "
            f"{b.load_before:.1f} → {b.load_after:.1f} |"
            for b in bursts
        ),
        "",
    ]
    if pooling_runs:
        by_label: dict[str, list[Step]] = {}
        for run in pooling_runs:
            by_label.setdefault(run.label, []).append(run)
        lines += [
            "### Connection pooling under the paced load",
            "",
            f"The same paced load ({pooling_runs[0].real:,} candidates) on a fresh server per "
            "run, alternating: `persistent` is one connection per thread kept for "
            "`DB_CONN_MAX_AGE` s with Django's health check; `pool` is psycopg's pool in each "
            "process (`DB_POOL=1`, Django's `pool` option).",
            "",
            "| connections | " + STEP_HEADER,
            "| --- " * (STEP_COLUMNS + 1) + "|",
            *step_rows(pooling_runs, label=True),
            "",
            "| connections | median p95 ms, slowest per-item request | median req/s served | "
            "median server cores busy | errors |",
            "| --- | --- | --- | --- | --- |",
            *(
                f"| {label} | "
                f"{statistics.median(r.worst(set(r.paced) - ONCE_A_MOCK)[1] for r in runs):.0f} "
                f"| {statistics.median(r.rps for r in runs):.0f} | "
                f"{statistics.median(r.server_cores for r in runs):.2f} | "
                f"{sum(r.errors for r in runs)} |"
                for label, runs in by_label.items()
            ),
            "",
        ]
    return lines
