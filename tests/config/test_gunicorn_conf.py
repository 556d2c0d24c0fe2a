"""The gunicorn configuration file that bin/serve, the Docker image and the benchmark share."""

import os
import runpy
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "config" / "gunicorn.conf.py"


def load(monkeypatch, **env) -> dict:
    for name in ("BIND", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults_serve_threaded_workers_on_port_8000_with_an_access_log(monkeypatch):
    conf = load(monkeypatch)
    assert conf["bind"] == "0.0.0.0:8000"
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (2, 4, "gthread")
    assert conf["accesslog"] == "-"


def test_the_environment_sets_size_address_and_log(monkeypatch):
    conf = load(
        monkeypatch,
        BIND="127.0.0.1",
        PORT="9001",
        WEB_CONCURRENCY="3",
        WEB_THREADS="8",
        ACCESS_LOG="",
    )
    assert conf["bind"] == "127.0.0.1:9001"
    assert (conf["workers"], conf["threads"]) == (3, 8)
    assert conf["accesslog"] is None


def test_bin_serve_migrates_then_serves_gunicorn_with_this_file(tmp_path):
    """Run the real script with a stand-in Python that records each call and succeeds."""
    calls = tmp_path / "calls"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    python.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PYTHON": str(python)}
    subprocess.run([str(ROOT / "bin" / "serve")], env=env, check=True, timeout=30)
    lines = calls.read_text().splitlines()
    assert lines[0].startswith("manage.py migrate")
    assert lines[-1] == "-m gunicorn config.wsgi:application --config config/gunicorn.conf.py"


def test_static_requests_stay_out_of_the_access_log(monkeypatch):
    from types import SimpleNamespace

    from gunicorn.config import Config

    from config.gunicorn_logging import QuietStaticLogger

    conf = load(monkeypatch)
    assert conf["logger_class"] == "config.gunicorn_logging.QuietStaticLogger"
    logger = QuietStaticLogger(Config())
    logged = []
    monkeypatch.setattr("gunicorn.glogging.Logger.access", lambda *args: logged.append(args[2]))
    for path, status in (("/static/css/app.css", 200), ("/attempts/1/", 200), ("/static/x", 404)):
        request = SimpleNamespace(path=path)
        logger.access(SimpleNamespace(status_code=status), request, {}, 0)
    assert [r.path for r in logged] == ["/attempts/1/", "/static/x"]
