"""The benchmark harness runs (a few seconds, a handful of candidates) so that it cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.mark.skipif(not postgres_reachable(), reason="the benchmark needs PostgreSQL on 127.0.0.1")
def test_the_benchmark_smoke_run_reports_ratios_and_loses_no_save():
    """The harness works end to end at a tiny size. What it checks is that each part ran and
    reported, never a speed: the machine running the suite may be loaded (the targets are for
    `make bench` on a quiet server)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-3000:]
    out = result.stdout
    assert "| 4 | save |" in out and "÷ baseline b" in out
    assert "acknowledged but not in the database: **0**" in out
    assert "| 300 |" in out  # assembly row
    assert "median ms after 20 sittings" in out
    assert "| save |" in out and "UPDATE quiz_attemptitem" in out  # in-process cost
    assert "| 4 | item analysis |" in out  # the admin's list, as an author under load
    assert "| analysis |" in out and "SELECT quiz_itemstatistics" in out  # its in-process cost
    assert "finished attempts < 60 s (rescore, one job)" in out  # the regrade's timing
    assert "`item_stats --refresh` over 1,300 answered items in 20 finished mocks" in out
    # Start and submit measured on their own, and profiled beside a save.
    assert "| 4 | start mock |" in out and "| 4 | submit |" in out
    assert "| start | " in out and "| submit | " in out and "INSERT quiz_attemptitem" in out
    # Capacity in candidates: the paced step (2 virtual candidates at 60x the pace stand for
    # 120), the class-start burst and the pooling comparison, each with its table.
    assert "Concurrent candidates at real exam pace per server (" in out
    assert "requests an item" in out  # the compression arithmetic
    assert "| 120 | 2 | 6 |" in out  # candidates, virtual, requests a second asked
    assert "heartbeat" in out and "question page" in out
    assert "**Class start: " in out and "| 4 | " in out
    assert "| persistent | 120 |" in out and "| pool | 120 |" in out
