from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS, banner
from accounts.models import User
from quiz.models import Attempt, PracticeSession
from tests.factories import mls_bank

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_created_once_with_a_sample_history_and_kept_on_restart(settings):
    settings.DEBUG = True
    mls_bank()
    call_command("create_demo_accounts")
    demo = User.objects.get(username="demo")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.check_password("admin-local-2026")
    finished = Attempt.objects.filter(user=demo).finished()
    assert finished.count() == 2
    assert all(a.scaled_score is not None for a in finished)
    assert PracticeSession.objects.filter(user=demo).count() == 1
    # A restart: the admin's password (and so its session hash) is untouched, no second history.
    password_hash = admin.password
    admin.set_password("changed-by-the-developer")
    admin.save()
    call_command("create_demo_accounts")
    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-developer") and admin.password != password_hash
    assert Attempt.objects.filter(user=demo).count() == 2


def test_the_banner_lists_every_local_account():
    text = banner("http://127.0.0.1:8000/")
    assert "listening on http://127.0.0.1:8000/" in text
    assert all(f"{username} / {password}" in text for username, password, *_ in DEMO_ACCOUNTS)
