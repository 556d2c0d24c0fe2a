"""`make chaos`: faults under load; nothing the server acknowledged may be lost.

1. Workers killed: gunicorn serves the app on PostgreSQL while simulated candidates save answers;
   its workers are killed with SIGKILL several times at random moments (the master starts new
   ones). Afterwards every acknowledged save must be in the database and on the resume page.
2. Database restarted: PostgreSQL is stopped with ``-m immediate`` and started again during the
   same kind of load. Acknowledged saves must all be kept, the app must answer /healthz again by
   itself within seconds, and a load run after recovery must see no 5xx.

Loopback only; every load is bounded in time; every process started here is stopped by its PID.
It restarts the machine's PostgreSQL cluster, so it is not part of `make test`.
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.run import (
    PREFIX,
    ROOT,
    SERVER,
    check_saves,
    locust,
    locust_command,
    recreate_database,
    run,
    start_gunicorn,
    stop,
    wait_until_up,
)

DATABASE = f"{PREFIX}_chaos"
PASSWORD = "bench-pass-2026"  # noqa: S105 - local benchmark accounts


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "--ppid", str(master), "-o", "pid="], capture_output=True, text=True, check=False
    ).stdout
    return [int(pid) for pid in out.split()]


def load_in_background(users: int, seconds: int, host: str, env: dict, workdir: Path):
    """Start locust's SaveUser load as a subprocess, to wait for after the fault."""
    prefix = workdir / f"chaos-{time.monotonic_ns()}"
    return subprocess.Popen(
        locust_command("SaveUser", users, seconds, host, prefix),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def resume_page_check(host: str, acks: Path, sample: int = 25) -> tuple[int, int]:
    """For acknowledged saves that are the item's latest write, the resume page shows them."""
    final: dict[tuple[int, int], tuple[int, str, str]] = {}
    for line in acks.read_text().splitlines():
        attempt_id, position, revision, username, selected = line.split()
        key = (int(attempt_id), int(position))
        if key not in final or int(revision) > final[key][0]:
            final[key] = (int(revision), username, selected)
    checked = wrong = 0
    keys = random.sample(sorted(final), min(sample, len(final)))
    sessions: dict[str, urllib.request.OpenerDirector] = {}
    for attempt_id, position in keys:
        _, username, selected = final[(attempt_id, position)]
        opener = sessions.get(username) or login(host, username)
        sessions[username] = opener
        html = opener.open(f"{host}/attempts/{attempt_id}/questions/{position}/").read().decode()
        shown = re.findall(r'name="selected" value="(\d+)" id="option-\d+" checked', html)
        if "Score report" in html:
            continue  # finished meanwhile: the result page is the resume page
        checked += 1
        wrong += shown != selected.split(",")
    return checked, wrong


def login(host: str, username: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{host}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(f"{host}/accounts/login/", body).read()
    return opener


def healthy(host: str) -> bool:
    try:
        with urllib.request.urlopen(f"{host}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def restart_postgres(down_seconds: float) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", version, "main", "stop", "-m", "immediate"], check=True)
    time.sleep(down_seconds)
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True
    )


def main() -> int:
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        print("chaos: needs root and pg_ctlcluster (the local PostgreSQL cluster)")
        return 2
    random.seed(os.getpid())
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
        "DB_CONN_MAX_AGE": "60",
    }
    workdir = Path(tempfile.mkdtemp())
    lines = ["# examprep chaos run", ""]
    recreate_database(DATABASE)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "bench_seed", "--questions", "1500", "--users", "60"], env)

    # 1. Workers killed -------------------------------------------------------------------
    acks = workdir / "killed.txt"
    env["BENCH_ACK_FILE"] = str(acks)
    server, host = start_gunicorn(env, workers=2, threads=4)
    kills = 0
    try:
        load = load_in_background(8, 30, host, env, workdir)
        time.sleep(4)
        while load.poll() is None and kills < 6:
            time.sleep(random.uniform(2, 4))
            for pid in worker_pids(server.pid):
                os.kill(pid, signal.SIGKILL)
                kills += 1
        load.wait(timeout=120)
        wait_until_up(f"{host}/healthz", server)
        acknowledged, lost = check_saves(acks, env)
        checked, wrong = resume_page_check(host, acks)
    finally:
        stop(server)
    print(
        f"workers killed: {kills} SIGKILLs, {acknowledged} saves acknowledged, {lost} lost, "
        f"resume page checked for {checked} items, {wrong} wrong"
    )
    lines.append(
        f"- Workers killed: **{kills}** SIGKILLs during a 30 s load of 8 candidates; "
        f"saves acknowledged **{acknowledged}**, lost **{lost}**; resume page checked for "
        f"{checked} items, **{wrong}** showing something else."
    )
    ok = lost == 0 and wrong == 0 and kills > 0 and acknowledged > 0

    # 2. Database restarted ---------------------------------------------------------------
    acks = workdir / "restart.txt"
    env["BENCH_ACK_FILE"] = str(acks)
    server, host = start_gunicorn(env, workers=2, threads=4)
    try:
        load = load_in_background(8, 25, host, env, workdir)
        time.sleep(6)
        stopped_at = time.monotonic()
        restart_postgres(down_seconds=3)
        while not healthy(host) and time.monotonic() - stopped_at < 60:
            time.sleep(0.2)
        recovered = time.monotonic() - stopped_at
        load.wait(timeout=120)
        after = locust("SaveUser", 8, 8, host, env, workdir)
        errors_after = sum(s["failures"] for s in after.values())
        acknowledged, lost = check_saves(acks, env)
    finally:
        stop(server)
    print(
        f"database restarted: healthy again {recovered:.1f} s after the stop (3 s down); "
        f"{acknowledged} saves acknowledged, {lost} lost; errors after recovery: {errors_after}"
    )
    lines.append(
        f"- Database restarted (`stop -m immediate`, 3 s down) during a load of 8 candidates: "
        f"the app answered /healthz again **{recovered:.1f} s** after the stop, with no "
        f"restart of its own; saves acknowledged **{acknowledged}**, lost **{lost}**; "
        f"errors in an 8 s load after recovery: **{errors_after}**."
    )
    ok = ok and lost == 0 and errors_after == 0 and recovered < 30
    out = ROOT / "bench" / "results" / "chaos.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
