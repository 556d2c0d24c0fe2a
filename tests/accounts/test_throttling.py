"""Login throttling with django-axes, keyed by (username, client IP)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 3  # tests/settings.py


def fail_login(client, username, **headers):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": "wrong"}, **headers
    )


def test_login_locks_after_the_configured_failures_and_refuses_the_right_password(client, user):
    for _ in range(LIMIT):
        fail_login(client, user.username)
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_forged_forwarded_header_from_an_untrusted_client_does_not_change_the_key(client, user):
    """Without a trusted proxy, rotating X-Forwarded-For must not dodge the lockout."""
    for n in range(LIMIT):
        fail_login(client, user.username, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_one_client_cannot_lock_out_another(client, user):
    for _ in range(LIMIT):
        fail_login(client, user.username, HTTP_X_FORWARDED_FOR="203.0.113.7")
    locked = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert locked.status_code == 429
    other = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_client_cannot_prepend_a_fake_address(client, user):
    """The proxy appends the real address; whatever the client typed before it is ignored."""
    for n in range(LIMIT):
        fail_login(client, user.username, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.7")
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.7",
    )
    assert response.status_code == 429
