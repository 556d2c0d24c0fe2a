"""Account mails and password endpoints: throttled in a shared store, links from SITE_URL, and
nothing that tells whether an address has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import Throttle, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3  # tests/settings.py: AXES_FAILURE_LIMIT


def reset(client, email, **headers):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **headers)


@override_settings(ACCOUNT_MAILS_PER_ADDRESS=3, ACCOUNT_MAILS_PER_CLIENT=100)
def test_reset_mail_is_throttled_per_address_and_unknown_addresses_look_the_same(client):
    UserFactory(email="known@example.com")
    for email in ("known@example.com", "unknown@example.com"):
        answers = [reset(client, email).status_code for _ in range(5)]
        assert answers == [302, 302, 302, 429, 429], email
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"known@example.com"}
    refused = reset(client, "unknown@example.com")
    assert refused.context["form"].has_error("__all__", code="throttled")


@override_settings(ACCOUNT_MAILS_PER_ADDRESS=100, ACCOUNT_MAILS_PER_CLIENT=4, TRUSTED_PROXY_COUNT=1)
def test_reset_mail_is_throttled_per_client_address_behind_the_proxy(client):
    for n in range(6):
        UserFactory(email=f"user{n}@example.com")
    answers = [
        reset(client, f"user{n}@example.com", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
        for n in range(6)
    ]
    assert answers == [302] * 4 + [429] * 2
    # Another client behind the same proxy is not blocked by the first one.
    assert (
        reset(client, "user5@example.com", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
    )
    assert len(mail.outbox) == 5


def test_throttle_counts_live_in_the_database_shared_by_every_worker(client):
    reset(client, "someone@example.com")
    assert Throttle.objects.filter(key="mail:address:someone@example.com", count=1).exists()


@override_settings(SITE_URL="https://exams.example.org")
def test_the_reset_link_is_built_from_site_url_not_the_host_header(client, settings):
    settings.ALLOWED_HOSTS = ["evil.example.net", "testserver"]
    UserFactory(email="victim@example.com")
    reset(client, "victim@example.com", HTTP_HOST="evil.example.net")
    body = mail.outbox[0].body
    assert "https://exams.example.org/accounts/password/reset/" in body
    assert "evil.example.net" not in body


def test_password_change_locks_after_repeated_wrong_old_passwords(client, user):
    client.force_login(user)
    url = reverse("accounts:password_change")
    new = "a-brand-new-passphrase-77"
    for _ in range(LIMIT):
        wrong = client.post(
            url, {"old_password": "wrong", "new_password1": new, "new_password2": new}
        )
        assert wrong.status_code == 200
    right = client.post(
        url,
        {"old_password": "correct-horse-battery", "new_password1": new, "new_password2": new},
    )
    assert right.status_code == 429
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_a_successful_password_change_clears_the_failures(client, user):
    client.force_login(user)
    url = reverse("accounts:password_change")
    new = "a-brand-new-passphrase-77"
    client.post(url, {"old_password": "wrong", "new_password1": new, "new_password2": new})
    ok = client.post(
        url,
        {"old_password": "correct-horse-battery", "new_password1": new, "new_password2": new},
    )
    assert ok.status_code == 302
    assert not Throttle.objects.filter(key__startswith="password-change:").exists()


def signup(client, username, email):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "email": email,
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
        },
    )


def test_signup_answers_the_same_for_a_taken_email_and_mails_its_owner(client):
    UserFactory(username="owner", email="taken@example.com")
    fresh = signup(client, "newcomer", "fresh@example.com")
    taken = signup(client, "other", "TAKEN@example.com")
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"] == reverse("accounts:signup_done")
    assert not User.objects.filter(username="other").exists()
    assert [m.to for m in mail.outbox] == [["fresh@example.com"], ["taken@example.com"]]
    assert "already has one" in mail.outbox[1].body
    assert "_auth_user_id" not in client.session


def test_a_new_account_is_activated_by_the_mailed_link(client):
    signup(client, "newcomer", "fresh@example.com")
    user = User.objects.get(username="newcomer")
    assert not user.is_active
    link = re.search(r"https?://\S+/accounts/activate/\S+/", mail.outbox[0].body)[0]
    response = client.get(link.split("//", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/accounts/activate/MQ/not-a-token/").status_code == 400


@override_settings(ACCOUNT_MAILS_PER_ADDRESS=2, ACCOUNT_MAILS_PER_CLIENT=100)
def test_signup_mail_is_throttled_per_address_and_a_taken_address_looks_the_same(client):
    UserFactory(username="owner", email="taken@example.com")
    for email in ("taken@example.com", "fresh@example.com"):
        answers = [signup(client, f"newcomer{n}", email).status_code for n in range(3)]
        assert answers == [302, 302, 429], email
    assert (
        sorted(m.to[0] for m in mail.outbox)
        == ["fresh@example.com"] * 2 + ["taken@example.com"] * 2
    )
    assert User.objects.filter(email__iexact="fresh@example.com").count() == 1
