"""A candidate chooses the exam they prepare for in Chromium, with the keyboard."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_candidate_switches_to_mla_c01_and_every_page_follows(
    page, context, live_server, axe_source
):
    user = UserFactory()
    log_in(context, live_server, user)
    page.goto("/")
    page.get_by_role("heading", name="Preparing for MLS-C01").wait_for()
    assert "retired this exam on 31 March 2026" in page.get_by_test_id("status-note").inner_text()
    assert_accessible(page, axe_source)

    picker = page.get_by_label("Exam you are preparing for")
    picker.focus()
    picker.select_option("MLA-C01")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Switch exam"
    page.get_by_role("heading", name="Preparing for MLA-C01").wait_for()
    assert User.objects.get(pk=user.pk).exam.code == "MLA-C01"

    page.get_by_role("link", name="Mock exam", exact=True).click()
    page.get_by_test_id("bank-shortfall").wait_for()
    assert (
        "cannot fill a full MLA-C01 exam yet" in page.get_by_test_id("bank-shortfall").inner_text()
    )
    assert page.get_by_role("button", name="Start the exam").count() == 0
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_role("heading", name="History: MLA-C01").wait_for()
