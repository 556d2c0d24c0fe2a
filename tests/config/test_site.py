from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_healthz_answers_the_docker_probe_by_ip_over_http_behind_production_hosts(client, settings):
    """Docker's health check asks http://127.0.0.1:8000/healthz; production lists only its
    public host and redirects to HTTPS. The probe must still get its 200."""
    settings.ALLOWED_HOSTS = ["examprep.example"]
    settings.SECURE_SSL_REDIRECT = True
    for method in (client.get, client.head):
        response = method("/healthz", HTTP_HOST="127.0.0.1:8000")
        assert response.status_code == 200
    # Every other page still refuses a host it does not serve.
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_html_responses_carry_a_csp_without_unsafe_inline_scripts(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_home_page_links_to_signup_and_login_when_logged_out(client):
    content = client.get(reverse("home")).content.decode()
    assert reverse("accounts:signup") in content
    assert reverse("accounts:login") in content


@pytest.mark.django_db
def test_unknown_url_gets_the_custom_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def production_env(**extra: str) -> dict[str, str]:
    ignored = {
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        # What tests/settings.py sets for the test run itself.
        "SECURE_SSL_REDIRECT",
        "ALLOWED_HOSTS",
        "SECRET_KEY",
        "SITE_URL",
    }
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.com",
        SITE_URL="https://example.com",
        DJANGO_SETTINGS_MODULE="config.settings",
        **extra,
    )
    return env


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variable", ["SECRET_KEY", "SITE_URL"])
def test_settings_refuse_to_start_without_a_secret_key_or_site_url_when_debug_is_off(variable):
    """Without SITE_URL, mail links would have nowhere to point but the request's Host."""
    env = production_env()
    env.pop(variable)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"{variable} is required" in result.stderr


def test_docker_compose_file_is_valid(tmp_path):
    """`docker compose config` (or Debian's docker-compose) validates the production file."""
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        command = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose"]
    else:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    env_file = ROOT / ".env"
    created = not env_file.exists()
    if created:
        env_file.write_text((ROOT / ".env.example").read_text())
    try:
        result = subprocess.run(
            [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        if created:
            env_file.unlink()
    assert result.returncode == 0, result.stderr


def test_compose_runs_a_proxy_in_front_of_scalable_web_replicas_and_a_worker():
    """`web` publishes no host port (so it can be scaled) and is reached through the proxy;
    migrations run once, before replicas and workers; the worker runs the queue."""
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"db", "migrate", "web", "worker", "proxy"} <= set(services)
    assert "ports" not in services["web"]
    assert services["web"]["environment"]["MIGRATE_ON_START"] == "0"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["worker"]["command"] == ["bin/worker"]
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:80"]
    mount = services["proxy"]["volumes"][0].split(":")
    nginx = (ROOT / mount[0]).read_text()
    assert mount[1] == "/etc/nginx/conf.d/default.conf"
    directives = "\n".join(line.split("#")[0] for line in nginx.splitlines())
    assert "server web:8000 resolve" in directives
    assert not any(word in directives for word in ("sticky", "ip_hash", "hash "))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, {"CONN_MAX_AGE": 60, "pool": None}),
        ({"DB_CONN_MAX_AGE": "0"}, {"CONN_MAX_AGE": 0, "pool": None}),
        (
            {"DB_POOL": "1", "DB_POOL_MAX": "3"},
            {"CONN_MAX_AGE": 0, "pool": {"min_size": 1, "max_size": 3, "timeout": 10}},
        ),
    ],
)
def test_database_connections_are_persistent_by_default_and_pooled_with_db_pool(extra, expected):
    """Persistent connections stay the default (bench/results/capacity.md compares the two);
    DB_POOL=1 switches to psycopg's pool in each process, DB_POOL_MAX its size."""
    env = {
        **production_env(),
        "DATABASE_URL": "postgres://examprep@db.invalid:5432/examprep",
        **extra,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
            "print(json.dumps({'CONN_MAX_AGE': d['CONN_MAX_AGE'], "
            "'pool': d.get('OPTIONS', {}).get('pool')}))",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == expected
