"""`make cluster`: two stateless app servers behind nginx; one is killed mid-exam.

1. A dedicated PostgreSQL database ({prefix}_cluster) is created, migrated and seeded.
2. Two app servers (gunicorn with production's configuration file, each on its own loopback
   port) share it; nginx (Debian's package, installed when missing) balances them round-robin:
   no sticky sessions. Sessions live in the database, so either server serves any candidate.
3. Locust candidates sit whole mocks through the proxy (bench/locustfile.py: ClusterUser). Part
   way through, app server B is killed with SIGKILL (its master and workers); later it is
   started again on the same port and nginx sends it traffic again.
4. Checks: every acknowledged save is in the database and shown on the resume page (every item
   of every mock still in progress, read back through the proxy); no request the candidate's
   browser would have shown as an error page; saves retried by the page counted; every
   candidate served by both app servers (sessions carried over); requests split evenly.

Loopback only; every process started here is stopped by its PID. Not part of `make test`.
"""

from __future__ import annotations

import collections
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from importlib.metadata import version
from pathlib import Path

from bench.chaos import login, worker_pids
from bench.run import (
    PREFIX,
    ROOT,
    SERVER,
    check_saves,
    django_snippet,
    free_port,
    locust_command,
    recreate_database,
    run,
    start_gunicorn,
    stop,
    wait_until_up,
)

DATABASE = f"{PREFIX}_cluster"
USERS = 12
SECONDS = 180
KILL_AT = 45
RESTART_AT = 90

# nginx in front of the app servers. Every POST of the exam is safe to replay (starting a mock
# resumes the one in progress, submitting finishes once, a save replayed with the same answer
# changes nothing), so under /mock/ and /attempts/ a request a dead server never answered is
# passed to the next one (non_idempotent); elsewhere only what never reached a server is.
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    log_format cluster '$http_x_candidate $upstream_addr $status $request_method $uri';
    access_log {tmp}/access.log cluster;
    upstream app {{
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=5s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries 2;
        location ~ ^/(mock|attempts)/ {{
            proxy_pass http://app;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
        }}
        location / {{ proxy_pass http://app; }}
    }}
}}
"""


def ensure_nginx() -> str:
    if shutil.which("nginx") is None:
        print("cluster: installing Debian's nginx")
        run(["apt-get", "install", "-y", "nginx"], dict(os.environ), stdout=subprocess.DEVNULL)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start_nginx(binary: str, tmp: Path, port_a: int, port_b: int) -> tuple[subprocess.Popen, str]:
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / folder).mkdir(exist_ok=True)
        (tmp / folder).chmod(0o777)  # nginx's workers run as nobody
    tmp.chmod(0o777)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, port_a=port_a, port_b=port_b))
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    host = f"http://127.0.0.1:{port}"
    wait_until_up(f"{host}/healthz", process)
    return process, host


def kill_server(server: subprocess.Popen) -> int:
    """SIGKILL an app server: its workers first (else they would go on serving), then its
    master; returns how many processes were killed."""
    pids = worker_pids(server.pid)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    server.send_signal(signal.SIGKILL)
    server.wait()
    return len(pids) + 1


def locust_stats(prefix: Path) -> dict:
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] != "Aggregated":
                stats[row["Name"]] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"]),
                    "p95": float(row["95%"]),
                    "p99": float(row["99%"]),
                }
    return stats


def resume_page_check(host: str, acks: Path, env: dict) -> tuple[int, int, int]:
    """Every item acknowledged in a mock still in progress shows, on its page read through the
    proxy, the answer last acknowledged. Returns (attempts, items checked, items wrong)."""
    in_progress = set(
        map(
            int,
            django_snippet(
                "from quiz.models import Attempt\n"
                "print(' '.join(str(pk) for pk in Attempt.objects.filter("
                "status=Attempt.Status.IN_PROGRESS).values_list('pk', flat=True)))",
                env,
            ).split(),
        )
    )
    final: dict[tuple[int, int], tuple[int, str, str]] = {}
    for line in acks.read_text().splitlines():
        attempt_id, position, revision, username, selected = line.split()
        key = (int(attempt_id), int(position))
        if key[0] in in_progress and (key not in final or int(revision) > final[key][0]):
            final[key] = (int(revision), username, selected)
    sessions: dict = {}
    wrong = 0
    for (attempt_id, position), (_, username, selected) in sorted(final.items()):
        opener = sessions.get(username) or login(host, username)
        sessions[username] = opener
        html = opener.open(f"{host}/attempts/{attempt_id}/questions/{position}/").read().decode()
        shown = re.findall(r'name="selected" value="(\d+)" id="option-\d+" checked', html)
        wrong += shown != selected.split(",")
    return len({a for a, _ in final}), len(final), wrong


def read_access_log(path: Path, port_a: int, port_b: int):
    """Requests per app server, candidates served by both, and statuses the clients received."""
    names = {f"127.0.0.1:{port_a}": "A", f"127.0.0.1:{port_b}": "B"}
    per_server: collections.Counter = collections.Counter()
    served: dict[str, set] = collections.defaultdict(set)
    statuses: collections.Counter = collections.Counter()
    nginx_retried = 0
    for line in path.read_text().splitlines():
        candidate, upstreams, status, _method, _uri = line.split(" ", 4)
        if candidate == "-":
            continue
        statuses[status] += 1
        hops = [u.strip() for u in upstreams.split(",")]
        nginx_retried += len(hops) > 1
        final = names.get(hops[-1], hops[-1])
        per_server[final] += 1
        served[candidate].add(final)
    both = sum(1 for servers in served.values() if {"A", "B"} <= servers)
    return per_server, both, len(served), statuses, nginx_retried


def main() -> int:
    if os.geteuid() != 0:
        print("cluster: needs root (it installs nginx when missing)")
        return 2
    nginx = ensure_nginx()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="examprep-cluster-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
        "TRUSTED_PROXY_COUNT": "1",
        "BENCH_ACK_FILE": str(tmp / "acknowledged.txt"),
    }
    print(f"cluster: database {DATABASE}")
    recreate_database(DATABASE)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "bench_seed", "--questions", "1500", "--users", "60"], env)

    port_a, port_b = free_port(), free_port()
    server_a, _ = start_gunicorn(env, workers=2, threads=4, port=port_a)
    server_b, _ = start_gunicorn(env, workers=2, threads=4, port=port_b)
    proxy, host = start_nginx(nginx, tmp, port_a, port_b)
    prefix = tmp / "locust"
    events = []
    try:
        load = subprocess.Popen(
            locust_command("ClusterUser", USERS, SECONDS, host, prefix),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        began = time.monotonic()
        time.sleep(KILL_AT)
        killed = kill_server(server_b)
        killed_at = time.monotonic() - began
        events.append(f"{killed_at:.0f} s: app server B SIGKILLed ({killed} processes)")
        print(f"cluster: {events[-1]}")
        time.sleep(max(0.0, RESTART_AT - (time.monotonic() - began)))
        server_b, _ = start_gunicorn(env, workers=2, threads=4, port=port_b)
        restarted_at = time.monotonic() - began
        events.append(f"{restarted_at:.0f} s: app server B started again, same port")
        print(f"cluster: {events[-1]}")
        load.wait(timeout=SECONDS + 120)
        stats = locust_stats(prefix)
        acknowledged, lost = check_saves(Path(env["BENCH_ACK_FILE"]), env)
        attempts, checked, wrong = resume_page_check(host, Path(env["BENCH_ACK_FILE"]), env)
    finally:
        stop(proxy)
        stop(server_a)
        stop(server_b)
    per_server, both, candidates, statuses, nginx_retried = read_access_log(
        tmp / "access.log", port_a, port_b
    )
    upstream_errors = sum(
        1 for line in (tmp / "error.log").read_text().splitlines() if "upstream" in line
    )
    finished = int(
        django_snippet(
            "from quiz.models import Attempt\nprint(Attempt.objects.finished().count())", env
        )
    )
    error_pages = sum(s["failures"] for name, s in stats.items() if name != "save retried (page)")
    retried = stats.get("save retried (page)", {}).get("requests", 0)
    client_5xx = sum(n for status, n in statuses.items() if status.startswith("5"))
    checks = [
        ("acknowledged saves lost (database)", f"{lost} of {acknowledged}", lost == 0),
        (
            "acknowledged saves shown wrongly on the resume page",
            f"{wrong} of {checked} items ({attempts} mocks in progress, every item read)",
            wrong == 0 and checked > 0,
        ),
        ("error pages seen by candidates", str(error_pages), error_pages == 0),
        ("5xx responses the proxy returned", str(client_5xx), True),
        ("saves retried by the page (not errors: the page retries)", str(retried), True),
        (
            "requests nginx passed to the other server after a failure",
            f"{nginx_retried} ({upstream_errors} upstream errors in nginx's log)",
            True,
        ),
        (
            "candidates served by both app servers (sessions carry over)",
            f"{both} of {candidates}",
            both == candidates and candidates > 0,
        ),
        (
            "requests per app server (round-robin, no stickiness)",
            f"A {per_server['A']} · B {per_server['B']}",
            per_server["A"] > 0 and per_server["B"] > 0,
        ),
    ]
    ok = all(met for _, _, met in checks)
    lines = [
        "# examprep cluster run",
        "",
        f"{os.cpu_count()} cores (shared with other sessions' test suites while this ran) · "
        f"nginx {nginx_version(nginx)} round-robin → 2 app servers (gunicorn "
        f"{version('gunicorn')}, production configuration, 2 workers × 4 threads each) · "
        f"one PostgreSQL · locust {version('locust')}: {USERS} candidates sitting whole "
        f"65-item mocks for {SECONDS} s · run took {time.monotonic() - started:.0f} s",
        "",
        "Timeline: " + "; ".join(events) + ".",
        "",
        f"**{'PASS' if ok else 'FAIL'}**",
        "",
        "| check | measured | |",
        "| --- | --- | --- |",
        *(f"| {text} | {value} | {'ok' if met else 'FAILED'} |" for text, value, met in checks),
        "",
        f"Mocks submitted: {finished}.",
        "",
        "| request | requests | failures | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {name} | {s['requests']} | {s['failures']} | {s['p50']:.0f} | {s['p95']:.0f} | "
            f"{s['p99']:.0f} |"
            for name, s in sorted(stats.items())
        ),
        "",
        textwrap.dedent(
            """\
            How the kill is absorbed: nginx marks B failed (max_fails=1, fail_timeout=5s) and
            passes the request that met the dead server to A. Under /mock/ and /attempts/ that
            includes POSTs already sent (`proxy_next_upstream ... non_idempotent`), which is
            safe because every exam POST is idempotent under replay; a save that still fails
            is retried by the page (exam.js), counted above. Sessions are rows in PostgreSQL,
            so a candidate logged in through A carries on through B and back.
            """
        ),
    ]
    report = "\n".join(lines)
    (ROOT / "bench" / "results" / "cluster.md").write_text(report)
    print(report)
    return 0 if ok else 1


def nginx_version(binary: str) -> str:
    out = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False).stderr
    return out.strip().rsplit("/", 1)[-1]


if __name__ == "__main__":
    sys.exit(main())
