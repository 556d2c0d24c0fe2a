from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_with_a_wrong_password_shows_an_error(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_login_changes_the_session_id(client, user):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
    )
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(user.pk)


def test_logout_needs_post(candidate_client):
    assert candidate_client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in candidate_client.session
    response = candidate_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in candidate_client.session


def test_password_reset_email_contains_a_link_that_sets_a_new_password(client, user):
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password/reset/\S+/)", mail.outbox[0].body
    )
    assert link
    # The first GET swaps the token for a session key and redirects to the form.
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "brand-new-passphrase-77", "new_password2": "brand-new-passphrase-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase-77")


def test_password_change_requires_the_old_password(candidate_client, user):
    response = candidate_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-good-passphrase-9",
            "new_password2": "another-good-passphrase-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-good-passphrase-9")


def test_profile_update_persists_display_name_and_accommodation(candidate_client, user):
    response = candidate_client.post(
        reverse("accounts:profile"),
        {"display_name": "Ada", "extra_time_accommodation": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Ada"
    assert user.extra_time_accommodation is True


def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_text_size_is_remembered_on_the_account_and_shown_on_every_page(candidate_client, user):
    response = candidate_client.post(
        reverse("accounts:text_size"), {"size": "larger", "next": "/practice/"}
    )
    assert response.status_code == 302 and response["Location"] == "/practice/"
    user.refresh_from_db()
    assert user.text_size == "larger"
    assert '<html lang="en" class="text-larger">' in candidate_client.get("/").content.decode()
    assert candidate_client.post(reverse("accounts:text_size"), {"size": "huge"}).status_code == 400
    offsite = candidate_client.post(
        reverse("accounts:text_size"), {"size": "large", "next": "https://evil.example/"}
    )
    assert offsite["Location"] == reverse("home")
