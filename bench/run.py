"""`make bench`: the exam's hot path under load, as ratios to baselines measured in the same run.

1. A dedicated PostgreSQL database (examprep_bench) is created afresh, migrated and seeded with a
   large bank and candidate accounts.
2. Assembly is timed in-process for banks of 1,000 / 10,000 / 100,000 questions.
3. gunicorn serves the app (bench settings: production middleware plus two baseline views) on
   127.0.0.1; locust drives simulated candidates, one request type at a time at concurrency 1, 4
   and 16, then the whole flow. Every run is bounded in time; every process started here is
   stopped by its PID.
4. Capacity in candidates (bench/capacity.py): the paced scenario raised step by step, the
   class-start burst, and connection pooling against persistent connections.
5. The number of saves the server acknowledged is compared with what the database holds.
6. A regrade of 10,000 finished attempts is timed (`manage.py bench_regrade`), after the load.

The table is printed and written to bench/results/latest.md. `--capacity` runs only what the
capacity figures need (start and submit at concurrency 16 with baseline b, the in-process
costs, step 4) and writes bench/results/capacity.md. `--smoke` does it all in seconds (a small
bank, a few candidates) so that `make test` keeps the harness working.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.md"
CAPACITY_RESULTS = ROOT / "bench" / "results" / "capacity.md"
SERVER = "postgres://postgres@127.0.0.1:5432"
# Every database the harnesses create starts with this (BENCH_DB_PREFIX), so that runs from
# several checkouts on one PostgreSQL server do not drop each other's databases.
PREFIX = os.environ.get("BENCH_DB_PREFIX", "examprep")


@dataclass(frozen=True)
class Plan:
    database: str
    questions: int
    users: int
    assembly_sizes: str
    assembly_repeats: int
    levels: tuple[int, ...]
    rounds: int
    seconds: int
    flow_users: int
    flow_seconds: int
    workers: int
    threads: int
    profile_requests: int
    answered_items: int = 0
    paced_steps: tuple[int, ...] = ()
    paced_seconds: int = 30
    paced_ramp: float = 5  # seconds to spawn a step's candidates (their figures are dropped)
    burst_steps: tuple[int, ...] = ()
    burst_window: float = 20
    burst_setup: float = 5  # seconds to log a class in, plus 0.1 s a candidate
    burst_tail: float = 10  # after the window, for the last starts to be answered
    pooling_rounds: int = 2
    scenarios: tuple[str, ...] = ()  # the user classes measured at each level; () for all
    regrade_attempts: int = 10_000


# gunicorn as config/gunicorn.conf.py runs it by default: 2 workers x 4 threads.
FULL = Plan(
    *(f"{PREFIX}_bench", 10_000, 1_000, "1000,10000,100000", 15, (1, 4, 16), 5, 5, 16, 40, 2, 4),
    400,
    answered_items=1_000_000,
    # Two low steps first, so that a loaded machine still shows where it stands.
    paced_steps=(250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000),
    paced_seconds=30,
    burst_steps=(25, 50, 100, 200, 400),
)
# `--capacity`: the capacity figures alone (no assembly, a lighter history), with start and
# submit at concurrency 16 beside baseline b; written to bench/results/capacity.md.
CAPACITY = Plan(
    *(f"{PREFIX}_bench", 10_000, 1_000, "", 0, (16,), 3, 10, 16, 0, 2, 4),
    100,
    answered_items=100_000,
    paced_steps=FULL.paced_steps,
    paced_seconds=FULL.paced_seconds,
    burst_steps=FULL.burst_steps,
    scenarios=("TouchUser", "SaveUser", "StartSubmitUser"),
)
SMOKE = Plan(
    *(f"{PREFIX}_bench_smoke", 300, 260, "300", 3, (4,), 1, 3, 4, 4, 1, 4, 20),
    answered_items=1_300,
    paced_steps=(120,),
    paced_seconds=3,
    paced_ramp=1,
    burst_steps=(4,),
    burst_window=1,
    burst_setup=2,
    burst_tail=2,
    pooling_rounds=1,
    regrade_attempts=20,
)
# Accounts bench0000.. are the paced candidates' (up to 200); class-start bursts use fresh ones
# from here (775 of them for FULL's classes, hence its 1,000 accounts).
BURST_ACCOUNTS_FROM = 200

# Each user class and the request names it reports (StartSubmitUser measures two).
SCENARIOS = [
    ("TrivialUser", ("baseline a: trivial",)),
    ("TouchUser", ("baseline b: select+update",)),
    ("QuestionUser", ("question page",)),
    ("SaveUser", ("save",)),
    ("StartSubmitUser", ("start mock", "submit")),
    ("AnalysisUser", ("item analysis",)),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, check=True, text=True, **kwargs)


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def locust_command(
    user_class: str,
    users: int,
    seconds: int,
    host: str,
    prefix: Path,
    spawn_rate: float = 0,
    reset_stats: bool = False,
) -> list:
    """A bounded, headless locust run of one user class, writing its stats as CSV. With
    ``reset_stats``, what happened while the users were being spawned is left out."""
    return [
        *(sys.executable, "-m", "locust", "-f", "bench/locustfile.py", user_class),
        *("--headless", "--users", str(users), "--spawn-rate", str(spawn_rate or users)),
        *("--run-time", f"{seconds}s", "--stop-timeout", "5", "--host", host),
        *("--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"),
        *("--exit-code-on-error", "0"),
        *(("--reset-stats",) if reset_stats else ()),
    ]


def locust(
    user_class: str,
    users: int,
    seconds: int,
    host: str,
    env: dict,
    workdir: Path,
    spawn_rate: float = 0,
    reset_stats: bool = False,
) -> dict:
    """Run one headless locust scenario; return its stats per request name."""
    prefix = workdir / f"{user_class}-{users}-{time.monotonic_ns()}"
    run(
        locust_command(user_class, users, seconds, host, prefix, spawn_rate, reset_stats),
        env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": _number(row["Requests/s"]),
                # "N/A" where a name had no request after the statistics were reset.
                **{key: _number(row[column]) for key, column in PERCENTILES},
            }
    return stats


PERCENTILES = (("p50", "50%"), ("p95", "95%"), ("p99", "99%"))


def _number(text: str) -> float:
    return 0.0 if text == "N/A" else float(text)


# A name with no request completed in its window (a loaded machine can take longer than a smoke
# run's seconds to log in and start a mock): shown as 0 requests, not counted as an error.
EMPTY = {"requests": 0, "failures": 0, "rps": 0.0, "p50": 0, "p95": 0, "p99": 0}


def measure_level(plan: Plan, users: int, host: str, env: dict, workdir: Path) -> dict:
    """Each scenario ``plan.rounds`` times, interleaved (the order rotates every round).

    Machine noise drifts over seconds, so a ratio is taken within a round, between runs made
    back to back, and the median over rounds is reported; so are the median rate and latencies.
    """
    scenarios = [
        (user_class, names)
        for user_class, names in SCENARIOS
        if not plan.scenarios or user_class in plan.scenarios
    ]
    rounds: list[dict] = []
    for number in range(plan.rounds):
        order = scenarios[number % len(scenarios) :] + scenarios[: number % len(scenarios)]
        result = {}
        for user_class, names in order:
            print(f"bench: {' and '.join(names)} at concurrency {users}, round {number + 1}")
            stats = locust(user_class, users, plan.seconds, host, env, workdir)
            for name in names:
                result[name] = stats.get(name, EMPTY)
        rounds.append(result)
    summary = {}
    base_a, base_b = "baseline a: trivial", "baseline b: select+update"
    for name in [name for _, names in scenarios for name in names]:
        runs = [r[name] for r in rounds]
        summary[name] = {
            "requests": sum(r["requests"] for r in runs),
            "failures": sum(r["failures"] for r in runs),
            **{
                key: statistics.median(r[key] for r in runs) for key in ("rps", "p50", "p95", "p99")
            },
            "vs_a": statistics.median(
                ratio_value(r[name]["rps"], r.get(base_a, EMPTY)["rps"]) for r in rounds
            ),
            "vs_b_rounds": sorted(
                ratio_value(r[name]["rps"], r.get(base_b, EMPTY)["rps"]) for r in rounds
            ),
        }
        summary[name]["vs_b"] = statistics.median(summary[name]["vs_b_rounds"])
    return summary


def ratio_value(value: float, base: float) -> float:
    return value / base if base else 0.0


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def start_gunicorn(
    env: dict, *, workers: int, threads: int, port: int | None = None
) -> tuple[subprocess.Popen, str]:
    """gunicorn on a loopback port (a free one by default) with production's configuration file
    (bin/serve uses it too), access log included; returns (process, base URL)."""
    port = port or free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--config", "config/gunicorn.conf.py", "--log-level", "critical"),
        ],
        cwd=ROOT,
        env={
            **env,
            "BIND": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    host = f"http://127.0.0.1:{port}"
    wait_until_up(f"{host}/healthz", server)
    return server, host


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started, by its PID: politely, then for good."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def django_snippet(code: str, env: dict) -> str:
    return run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env,
        capture_output=True,
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="seconds, not minutes")
    parser.add_argument(
        "--capacity",
        action="store_true",
        help="only the capacity figures (bench/results/capacity.md)",
    )
    args = parser.parse_args(argv)
    from bench import capacity

    plan = SMOKE if args.smoke else CAPACITY if args.capacity else FULL
    started = time.monotonic()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{SERVER}/{plan.database}",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    acks = Path(tempfile.mkdtemp()) / "acknowledged.txt"
    env["BENCH_ACK_FILE"] = str(acks)
    print(
        f"bench: database {plan.database}, {plan.questions} questions, {plan.users} candidates, "
        f"{plan.answered_items:,} answered items"
    )
    recreate_database(plan.database)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    # Production serves hashed static files (whitenoise's manifest), as the Docker image does.
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    seeded = run(
        [
            *(sys.executable, "manage.py", "bench_seed"),
            *("--questions", str(plan.questions), "--users", str(plan.users)),
            *("--answered-items", str(plan.answered_items)),
        ],
        env,
        stdout=subprocess.PIPE,  # stderr passes through: a failed seed says why
    ).stdout.splitlines()
    print("\n".join(line for line in seeded if not line.startswith("{")))
    refresh = next(json.loads(line) for line in seeded if line.startswith("{"))

    assembly = []
    if plan.assembly_sizes:
        print("bench: assembly")
        assembly = [
            json.loads(line)
            for line in run(
                [
                    *(sys.executable, "manage.py", "bench_assembly"),
                    *("--sizes", plan.assembly_sizes, "--repeats", str(plan.assembly_repeats)),
                ],
                env,
                capture_output=True,
            ).stdout.splitlines()
            if line.startswith("{")
        ]

    print(f"bench: in-process cost per request (load {capacity.load_average():.1f})")
    in_process = run(
        [
            *(sys.executable, "manage.py", "bench_profile"),
            *("--requests", str(plan.profile_requests), "--user", f"bench{plan.users - 1:04d}"),
        ],
        env,
        capture_output=True,
    ).stdout.splitlines()

    server, host = start_gunicorn(env, workers=plan.workers, threads=plan.threads)
    levels: dict[int, dict] = {}
    flow: dict = {}
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for users in plan.levels:
                levels[users] = measure_level(plan, users, host, env, Path(workdir))
            if plan.flow_seconds:
                print(f"bench: the whole flow, {plan.flow_users} candidates")
                flow = locust(
                    "ExamUser", plan.flow_users, plan.flow_seconds, host, env, Path(workdir)
                )
            held, items_held, paced_steps = capacity.paced(plan, host, env, Path(workdir), server)
            burst_held, bursts = capacity.burst(plan, host, env, Path(workdir))
    finally:
        stop(server)
    # Pooling: the paced load at the largest step the per-item requests held (or the first).
    probe = items_held or plan.paced_steps[0]
    with tempfile.TemporaryDirectory() as workdir:
        pooling = capacity.pooling(plan, probe, env, Path(workdir))

    acknowledged, lost = check_saves(acks, env)
    capacity_lines = capacity.render(
        held, items_held, paced_steps, burst_held, bursts, pooling, plan
    )
    if args.capacity:
        report = render_capacity(plan, levels, in_process, acknowledged, lost, started)
    else:
        # Last, once the load is over (it rewrites stored scores): a regrade of many attempts,
        # as the queue's job runs it.
        print(f"bench: regrade of {plan.regrade_attempts:,} attempts")
        regrade = json.loads(
            run(
                [
                    *(sys.executable, "manage.py", "bench_regrade"),
                    *("--attempts", str(plan.regrade_attempts)),
                ],
                env,
                stdout=subprocess.PIPE,
            ).stdout.splitlines()[-1]
        )
        report = render(
            plan,
            assembly,
            levels,
            flow,
            in_process,
            acknowledged,
            lost,
            time.monotonic() - started,
            refresh,
            regrade,
        )
    report += "\n" + "\n".join(capacity_lines)
    print(report)
    if not args.smoke:
        target = CAPACITY_RESULTS if args.capacity else RESULTS
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(report)
    # Errors fail the run where the load is meant to be held: the per-type levels, the whole
    # flow and the capacity steps before the last one (the last is where the search stopped).
    failed = [
        f"{name} at concurrency {users}: {s['failures']}"
        for users, level in levels.items()
        for name, s in level.items()
        if s["failures"]
    ]
    failed += [
        f"{name} in the whole flow: {s['failures']}" for name, s in flow.items() if s["failures"]
    ]
    failed += [f"class of {b.size}: {b.errors}" for b in bursts[:-1] if b.errors]
    failed += [f"paced step {s.real}: {s.errors}" for s in paced_steps[:-1] if s.errors]
    if failed or lost:
        # Say why the run failed (a smoke run's report is otherwise only tables).
        print(f"bench: failed: {lost} lost saves; errors: {'; '.join(failed) or 'none'}")
    return 1 if (failed or lost) else 0


def render_capacity(plan, levels, in_process, acknowledged, lost, started) -> str:
    """The report of `--capacity`: conditions, start and submit at concurrency 16 beside
    baseline b and a save, and their in-process costs."""
    lines = [
        "# examprep capacity",
        "",
        f"{os.cpu_count()} cores · {platform.python_implementation()} {platform.python_version()}"
        f" · Django {version('django')} · gunicorn {version('gunicorn')} "
        f"({plan.workers} workers × {plan.threads} threads) · PostgreSQL"
        f" · locust {version('locust')} · bank of {plan.questions:,} questions · "
        f"run took {time.monotonic() - started:.0f} s · `python -m bench.run --capacity`",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        *start_submit_targets(levels),
        "",
        "(The capacity targets follow with their figures.)",
        "",
        "## Start mock and submit at concurrency 16",
        "",
        f"Each row: the median of {plan.rounds} interleaved rounds of {plan.seconds} s. "
        "`start mock` is the press of Start until the first question is on screen (its "
        "redirect included), `submit` until the result page is (likewise); each virtual "
        "candidate starts and submits in turn, with no pause.",
        "",
        "| concurrency | request | req/s | p50 ms | p95 ms | p99 ms | errors | ÷ baseline b |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for users, stats in levels.items():
        for name, s in stats.items():
            lines.append(
                f"| {users} | {name} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | "
                f"{s['p99']:.0f} | {s['failures']} | {s['vs_b']:.2f} |"
            )
    lines += [
        "",
        "## In-process cost per request (`manage.py bench_profile`)",
        "",
        "Each request through the whole middleware stack without an HTTP server, one at a time "
        f"(median of {plan.profile_requests}, a quarter of that for start and submit, "
        "interleaved), with the statements it ran. `start` is a candidate's first mock.",
        "",
        *in_process,
        "",
        f"Saves acknowledged (2xx), all scenarios: **{acknowledged}**; acknowledged but not "
        f"in the database: **{lost}**.",
        "",
    ]
    return "\n".join(lines) + "\n"


def check_saves(acks: Path, env: dict) -> tuple[int, int]:
    """Every save the server acknowledged is in the database: the item's revision there is at
    least the revision the acknowledgement returned. Returns (acknowledged, lost)."""
    latest: dict[tuple[int, int], int] = {}
    count = 0
    if acks.exists():
        for line in acks.read_text().splitlines():
            attempt_id, position, revision = map(int, line.split()[:3])
            latest[(attempt_id, position)] = max(revision, latest.get((attempt_id, position), 0))
            count += 1
    stored = json.loads(
        django_snippet(
            "import json\n"
            "from quiz.models import AttemptItem\n"
            "print(json.dumps([[a, p, r] for a, p, r in AttemptItem.objects.filter("
            "revision__gt=0).values_list('attempt_id', 'position', 'revision')]))",
            env,
        )
    )
    held = {(a, p): r for a, p, r in stored}
    lost = sum(1 for key, revision in latest.items() if held.get(key, 0) < revision)
    return count, lost


def targets(
    levels: dict, assembly: list, flow: dict, lost: int, refresh: dict, regrade: dict
) -> list[str]:
    """The issue's targets, each with what this run measured and whether it was met."""
    rows = []

    def target(text: str, measured: str, met: bool) -> None:
        rows.append(f"| {text} | {measured} | {'met' if met else 'missed'} |")

    if 4 in levels:
        save = levels[4]["save"]["vs_b"]
        target("save ≥ 0.7 × baseline b at concurrency 4", f"{save:.2f}", save >= 0.7)
    if 16 in levels:
        p95 = levels[16]["save"]["p95"]
        base = levels[16]["baseline b: select+update"]["p95"]
        target(
            "save p95 < 50 ms at concurrency 16",
            f"{p95:.0f} ms (baseline b's own: {base:.0f} ms)",
            p95 < 50,
        )
    rows += start_submit_targets(levels)
    pages = [level["question page"]["vs_b"] for level in levels.values()]
    if pages:
        target(
            "question page ≥ 0.5 × baseline b",
            " / ".join(f"{p:.2f}" for p in pages) + f" at concurrency {'/'.join(map(str, levels))}",
            min(pages) >= 0.5,
        )
    if assembly:
        largest, smallest = assembly[-1], assembly[0]
        same = {e["queries"] for e in assembly} | {e["after_sittings_queries"] for e in assembly}
        target(
            f"assembly from {largest['size']:,} < 100 ms median, same queries as from "
            f"{smallest['size']:,}",
            f"{largest['median_ms']} ms, queries {' / '.join(str(q) for q in sorted(same))}",
            largest["median_ms"] < 100 and len(same) == 1,
        )
    if 1 in levels:
        analysis = levels[1]["item analysis"]
        target(
            f"item analysis list < 200 ms with {refresh['responses']:,} answered items "
            "(p50 at concurrency 1)",
            f"{analysis['p50']:.0f} ms (p95 {analysis['p95']:.0f} ms; "
            f"{analysis['vs_b']:.2f} × baseline b's rate)",
            analysis["p50"] < 200,
        )
    target(
        f"regrade of {regrade['attempts']:,} finished attempts < 60 s (rescore, one job)",
        f"{regrade['rescore_seconds']} s (void: {regrade['void_seconds']} s; a second run: "
        f"{regrade['rerun_seconds']} s)",
        regrade["rescore_seconds"] < 60,
    )
    errors = sum(s["failures"] for level in levels.values() for s in level.values())
    errors += sum(s["failures"] for s in flow.values())
    target("zero errors, zero lost saves", f"{errors} errors, {lost} lost", not errors and not lost)
    return ["## Targets", "", "| target | measured | |", "| --- | --- | --- |", *rows, ""]


def start_submit_targets(levels: dict) -> list[str]:
    """Start mock and submit each with a p95 under 300 ms at concurrency 16."""
    return [
        f"| {name} p95 < 300 ms at concurrency 16 | {levels[16][name]['p95']:.0f} ms "
        f"(p50 {levels[16][name]['p50']:.0f} ms) | "
        f"{'met' if levels[16][name]['p95'] < 300 else 'missed'} |"
        for name in ("start mock", "submit")
        if name in levels.get(16, {})
    ]


def render(
    plan, assembly, levels, flow, in_process, acknowledged, lost, seconds, refresh, regrade
) -> str:
    lines = [
        "# examprep benchmark",
        "",
        f"{os.cpu_count()} cores · {platform.python_implementation()} {platform.python_version()}"
        f" · Django {version('django')} · gunicorn {version('gunicorn')} "
        f"({plan.workers} workers × {plan.threads} threads) · PostgreSQL"
        f" · locust {version('locust')}"
        f" · bank of {plan.questions:,} questions · run took {seconds:.0f} s",
        "",
        *targets(levels, assembly, flow, lost, refresh, regrade),
        "## Throughput against baselines (same gunicorn, same middleware, same run)",
        "",
        f"Each row: the median of {plan.rounds} interleaved round(s) of {plan.seconds} s; a "
        "ratio is taken within a round (runs made back to back), then the median over rounds; "
        "the lowest and highest round follow it, to show how noisy the machine was.",
        "",
        "| concurrency | request | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| ÷ baseline b (rounds) | ÷ baseline a |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for users, stats in levels.items():
        for name, s in stats.items():
            spread = f"{s['vs_b_rounds'][0]:.2f}–{s['vs_b_rounds'][-1]:.2f}"
            lines.append(
                f"| {users} | {name} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | "
                f"{s['p99']:.0f} | {s['failures']} | {s['vs_b']:.2f} ({spread}) | "
                f"{s['vs_a']:.2f} |"
            )
    lines += [
        "",
        "## In-process cost per request (`manage.py bench_profile`: why, not how fast)",
        "",
        "Each request through the whole middleware stack without an HTTP server, one at a time "
        f"(median of {plan.profile_requests}, interleaved), with the statements it ran.",
        "",
        *in_process,
        "",
        f"## The whole flow ({plan.flow_users} candidates, {plan.flow_seconds} s)",
        "",
        "| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in sorted(flow.items()):
        lines.append(
            f"| {name} | {s['requests']} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | "
            f"{s['p99']:.0f} | {s['failures']} |"
        )
    lines += [
        "",
        "## Item statistics",
        "",
        f"`item_stats --refresh` over {refresh['responses']:,} answered items in "
        f"{refresh['attempts']:,} finished mocks ({refresh['versions']:,} question versions): "
        f"**{refresh['refresh_seconds']} s**. The item-analysis list reads the precomputed rows "
        "(its rows above: `item analysis`).",
    ]
    sittings = assembly[0]["sittings"] if assembly else 0
    lines += [
        "",
        f"Saves acknowledged (2xx), all scenarios: **{acknowledged}**; acknowledged but not "
        f"in the database: **{lost}**.",
        "",
        "## Assembly of a 65-item form",
        "",
        f"A new candidate, then the same candidate after sitting {sittings} mocks from that "
        "bank (the questions seen are excluded in the database).",
        "",
        "| bank | median ms | p90 ms | queries | rows loaded | "
        f"median ms after {sittings} sittings | queries after {sittings} sittings |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in assembly:
        lines.append(
            f"| {entry['size']:,} | {entry['median_ms']} | {entry['p90_ms']} | "
            f"{entry['queries']} | {entry['rows_loaded']} | {entry['after_sittings_median_ms']} | "
            f"{entry['after_sittings_queries']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
