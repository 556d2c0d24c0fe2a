"""Capacity in candidates (part of `make bench`): how many candidates one server holds.

Paced: virtual candidates work through mocks at the real exam's pace compressed COMPRESSION
times (bench/locustfile.py: PacedUser), so each stands for COMPRESSION real candidates. The
load is raised step by step until a request type's p95 passes 200 ms or an error appears; the
largest step held is reported at real pace. Burst: N candidates press Start within 20 s
(BurstUser); held while the p95 of start stays under 1.5 s with no error.
"""

from __future__ import annotations

import math
from pathlib import Path

from bench.run import BURST_ACCOUNTS_FROM, COMPRESSION, locust

# Not part of the pace: logging in, and the first start while the load ramps up.
RAMP = {"login", "login page", "start mock (ramp)"}
PACED_P95_MS = 200
BURST_P95_MS = 1500


def paced_step(real: int, seconds: int, host: str, env: dict, workdir: Path) -> dict:
    virtual = math.ceil(real / COMPRESSION)
    stats = locust(
        "PacedUser",
        virtual,
        seconds,
        host,
        {**env, "BENCH_PACE_COMPRESSION": str(COMPRESSION)},
        workdir,
        spawn_rate=max(1, virtual / 5),
    )
    paced = {name: s for name, s in stats.items() if name not in RAMP}
    worst = max(paced.items(), key=lambda item: item[1]["p95"], default=("-", {"p95": 0}))
    return {
        "real": real,
        "virtual": virtual,
        "rps": sum(s["rps"] for s in paced.values()),
        "worst": worst[0],
        "p95": worst[1]["p95"],
        "errors": sum(s["failures"] for s in stats.values()),
        "stats": stats,
    }


def paced(plan, host: str, env: dict, workdir: Path) -> tuple[int, list[dict]]:
    held, steps = 0, []
    for real in plan.paced_steps:
        print(f"bench: paced, {real} candidates at real pace")
        step = paced_step(real, plan.paced_seconds, host, env, workdir)
        steps.append(step)
        if step["p95"] > PACED_P95_MS or step["errors"]:
            break
        held = real
    return held, steps


def burst(plan, host: str, env: dict, workdir: Path) -> tuple[int, list[dict]]:
    held, steps, offset = 0, [], BURST_ACCOUNTS_FROM
    for size in plan.burst_steps:
        print(f"bench: class start, {size} candidates within 20 s")
        stats = locust(
            "BurstUser",
            size,
            25,
            host,
            {**env, "BENCH_ACCOUNT_OFFSET": str(offset)},
            workdir,
            spawn_rate=size / 20,
        )
        offset += size
        start = stats.get("start mock", {"p50": 0, "p95": 0, "requests": 0})
        errors = sum(s["failures"] for s in stats.values())
        steps.append({"size": size, **start, "errors": errors})
        if start["p95"] >= BURST_P95_MS or errors or not start["requests"]:
            break
        held = size
    return held, steps


def render(held: int, steps: list, burst_held: int, bursts: list, pooling: list) -> list[str]:
    lines = [
        "## Capacity in candidates (one server: 2 cores, 2 workers × 4 threads)",
        "",
        f"Paced: virtual candidates at {COMPRESSION}× the real pace (about "
        f"{190 * 60 / 65 / COMPRESSION:.1f} s an item instead of {190 * 60 / 65:.0f} s), each "
        f"standing for {COMPRESSION} real candidates; raised until a request's p95 passes "
        f"{PACED_P95_MS} ms or an error appears.",
        "",
        f"**Concurrent candidates at real exam pace per server (2 cores): {held:,}**",
        "",
        "| candidates (real pace) | virtual | req/s | slowest request | its p95 ms | errors |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {s['real']:,} | {s['virtual']} | {s['rps']:.1f} | {s['worst']} | "
            f"{s['p95']:.0f} | {s['errors']} |"
            for s in steps
        ),
        "",
        f"**Class start: {burst_held} candidates pressing Start within 20 s** (p95 of start "
        f"under {BURST_P95_MS} ms, no error)",
        "",
        "| candidates | starts | p50 ms | p95 ms | errors |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {b['size']} | {b['requests']} | {b['p50']:.0f} | {b['p95']:.0f} | {b['errors']} |"
            for b in bursts
        ),
        "",
    ]
    if pooling:
        lines += [
            "### Connection pooling under the paced load",
            "",
            "| connections | candidates (real pace) | req/s | slowest request | p95 ms | errors |",
            "| --- | --- | --- | --- | --- | --- |",
            *(
                f"| {label} | {s['real']:,} | {s['rps']:.1f} | {s['worst']} | {s['p95']:.0f} | "
                f"{s['errors']} |"
                for label, s in pooling
            ),
            "",
        ]
    return lines
