"""`make bench`: the exam's hot path under load, as ratios to baselines measured in the same run.

1. A dedicated PostgreSQL database (examprep_bench) is created afresh, migrated and seeded with a
   large bank and candidate accounts.
2. Assembly is timed in-process for banks of 1,000 / 10,000 / 100,000 questions.
3. gunicorn serves the app (bench settings: production middleware plus two baseline views) on
   127.0.0.1; locust drives simulated candidates, one request type at a time at concurrency 1, 4
   and 16, then the whole flow. Every run is bounded in time; every process started here is
   stopped by its PID.
4. The number of saves the server acknowledged is compared with what the database holds.
5. A regrade of 10,000 finished attempts is timed (`manage.py bench_regrade`), after the load.

The table is printed and written to bench/results/latest.md. `--smoke` does the same in seconds
(a small bank, a few candidates) so that `make test` keeps the harness working.
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
    burst_steps: tuple[int, ...] = ()
    regrade_attempts: int = 10_000


# gunicorn as config/gunicorn.conf.py runs it by default: 2 workers x 4 threads.
FULL = Plan(
    *(f"{PREFIX}_bench", 10_000, 500, "1000,10000,100000", 15, (1, 4, 16), 5, 5, 16, 40, 2, 4),
    400,
    answered_items=1_000_000,
    paced_steps=(1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000),
    paced_seconds=30,
    burst_steps=(25, 50, 100, 200),
)
SMOKE = Plan(
    *(f"{PREFIX}_bench_smoke", 300, 24, "300", 3, (1, 4), 1, 3, 4, 4, 1, 4, 20),
    answered_items=1_300,
    paced_steps=(240,),
    paced_seconds=4,
    burst_steps=(4,),
    regrade_attempts=20,
)
# Paced candidates work this many times faster than the real exam (bench/locustfile.py).
COMPRESSION = 120
# Accounts bench0000.. are the paced candidates'; class-start bursts use fresh ones from here.
BURST_ACCOUNTS_FROM = 100

SCENARIOS = [
    ("TrivialUser", "baseline a: trivial"),
    ("TouchUser", "baseline b: select+update"),
    ("QuestionUser", "question page"),
    ("SaveUser", "save"),
    ("AnalysisUser", "item analysis"),
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
    user_class: str, users: int, seconds: int, host: str, prefix: Path, spawn_rate: float = 0
) -> list:
    """A bounded, headless locust run of one user class, writing its stats as CSV."""
    return [
        *(sys.executable, "-m", "locust", "-f", "bench/locustfile.py", user_class),
        *("--headless", "--users", str(users), "--spawn-rate", str(spawn_rate or users)),
        *("--run-time", f"{seconds}s", "--stop-timeout", "5", "--host", host),
        *("--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"),
        *("--exit-code-on-error", "0"),
    ]


def locust(
    user_class: str,
    users: int,
    seconds: int,
    host: str,
    env: dict,
    workdir: Path,
    spawn_rate: float = 0,
) -> dict:
    """Run one headless locust scenario; return its stats per request name."""
    prefix = workdir / f"{user_class}-{users}-{time.monotonic_ns()}"
    run(
        locust_command(user_class, users, seconds, host, prefix, spawn_rate),
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
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return stats


EMPTY = {"requests": 0, "failures": 1, "rps": 0.0, "p50": 0, "p95": 0, "p99": 0}


def measure_level(plan: Plan, users: int, host: str, env: dict, workdir: Path) -> dict:
    """Each scenario ``plan.rounds`` times, interleaved (the order rotates every round).

    Machine noise drifts over seconds, so a ratio is taken within a round, between runs made
    back to back, and the median over rounds is reported; so are the median rate and latencies.
    """
    rounds: list[dict] = []
    for number in range(plan.rounds):
        order = SCENARIOS[number % len(SCENARIOS) :] + SCENARIOS[: number % len(SCENARIOS)]
        result = {}
        for user_class, name in order:
            print(f"bench: {name} at concurrency {users}, round {number + 1}")
            stats = locust(user_class, users, plan.seconds, host, env, workdir)
            result[name] = stats.get(name, EMPTY)
        rounds.append(result)
    summary = {}
    for _, name in SCENARIOS:
        runs = [r[name] for r in rounds]
        summary[name] = {
            "requests": sum(r["requests"] for r in runs),
            "failures": sum(r["failures"] for r in runs),
            **{
                key: statistics.median(r[key] for r in runs) for key in ("rps", "p50", "p95", "p99")
            },
            "vs_a": statistics.median(
                ratio_value(r[name]["rps"], r["baseline a: trivial"]["rps"]) for r in rounds
            ),
            "vs_b_rounds": sorted(
                ratio_value(r[name]["rps"], r["baseline b: select+update"]["rps"]) for r in rounds
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
    args = parser.parse_args(argv)
    from bench import capacity

    plan = SMOKE if args.smoke else FULL
    held, paced_steps, burst_held, bursts = 0, [], 0, []
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

    print("bench: assembly")
    assembly = [
        json.loads(line)
        for line in run(
            [
                sys.executable,
                "manage.py",
                "bench_assembly",
                "--sizes",
                plan.assembly_sizes,
                "--repeats",
                str(plan.assembly_repeats),
            ],
            env,
            capture_output=True,
        ).stdout.splitlines()
        if line.startswith("{")
    ]

    print("bench: in-process cost per request")
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
            print(f"bench: the whole flow, {plan.flow_users} candidates")
            flow = locust("ExamUser", plan.flow_users, plan.flow_seconds, host, env, Path(workdir))
            held, paced_steps = capacity.paced(plan, host, env, Path(workdir))
            burst_held, bursts = capacity.burst(plan, host, env, Path(workdir))
    finally:
        stop(server)
    # Pooling: the same paced load (the first step not held, else the last) with psycopg's pool
    # in each process against one persistent connection per thread (the default).
    pooling = []
    if paced_steps:
        probe = paced_steps[-1]["real"]
        with tempfile.TemporaryDirectory() as workdir:
            for label, extra in (("persistent (default)", {}), ("psycopg pool", {"DB_POOL": "1"})):
                print(f"bench: pooling, {label}")
                server, host = start_gunicorn(
                    {**env, **extra}, workers=plan.workers, threads=plan.threads
                )
                try:
                    step = capacity.paced_step(probe, plan.paced_seconds, host, env, Path(workdir))
                finally:
                    stop(server)
                pooling.append((label, step))

    acknowledged, lost = check_saves(acks, env)
    # Last, once the load is over (it rewrites stored scores): a regrade of many attempts, as
    # the queue's job runs it.
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
    report += "\n" + "\n".join(capacity.render(held, paced_steps, burst_held, bursts, pooling))
    print(report)
    if not args.smoke:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report)
    errors = sum(s["failures"] for level in levels.values() for s in level.values())
    errors += sum(s["failures"] for s in flow.values())
    errors += sum(b["errors"] for b in bursts[:-1]) + sum(s["errors"] for s in paced_steps[:-1])
    return 1 if (errors or lost) else 0


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
