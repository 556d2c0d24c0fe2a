"""The dashboard's readiness flow in Chromium: the number, the drill, the review."""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, mls_bank
from tests.readiness.helpers import finished_mock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("EXAMPREP_SCREENSHOTS")


def test_a_candidate_follows_the_dashboard_from_readiness_to_drill_and_review(
    page, context, live_server, axe_source
):
    user = UserFactory()
    mls_bank()
    finished_mock(user, now=timezone.now() - timezone.timedelta(days=1))
    log_in(context, live_server, user)

    page.goto("/")
    page.get_by_role("heading", name="What to do next").wait_for()
    headline = page.locator(".readiness-headline")
    assert re.search(r"\d+% chance of passing a fresh exam form", headline.inner_text())
    assert page.get_by_text("Score on fresh items").is_visible()
    assert_accessible(page, axe_source)
    if SHOTS:
        for width, height in ((390, 844), (1366, 768)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/dashboard-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    # One click: a drill of the recommended objective.
    drill = page.get_by_role("button", name=re.compile(r"^Drill \d\.\d now"))
    code = re.search(r"\d\.\d", drill.inner_text()).group()
    drill.click()
    page.wait_for_url(re.compile(r"/practice/\d+/questions/1/$"))
    assert page.get_by_text(re.compile(rf"^{re.escape(code)} ")).first.is_visible()

    # Back on the dashboard: the reviews due today, one click away.
    page.goto("/")
    page.get_by_role("button", name=re.compile(r"^Review \d+ now")).click()
    page.wait_for_url(re.compile(r"/practice/\d+/questions/1/$"))
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Check answer").click()
    page.get_by_text(re.compile(r"^(Correct|Not quite)\.$")).first.wait_for()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/review-1280.png", full_page=True)
