"""The screens a candidate lives in (issue #15), at a phone's, a laptop's and a desktop's size:
nothing scrolls sideways, the bottom bar and the clock are always in view, strike-out never looks
like a choice, the review steps through its subsets, and a whole mock works from the keyboard."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from quiz.exam.services import start_attempt
from quiz.models import QuestionVersion
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, small_blueprint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768), "desktop": (1920, 1080)}
SHOTS = os.environ.get("EXAMPREP_SHOTS")  # a directory: save a screenshot of every page seen
LONG_STEM = (
    "<p>A team stores features in <code>arn:aws:sagemaker:us-east-1:123456789012:"
    "feature-group/customer-churn-features-with-a-very-long-name-v2</code> and reads them from "
    "<code>s3://an-uncommonly-long-bucket-name-for-training-data/prefix/another/level/file."
    "parquet</code>.</p>" + "<p>The model must be retrained weekly with no downtime.</p>" * 4
)
LONG_REFERENCE = (
    "https://docs.aws.amazon.com/sagemaker/latest/dg/"
    "feature-store-create-feature-group-with-an-unusually-long-page-name-for-testing.html"
)


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=False)


def with_long_content() -> None:
    """Long code, long links and long stems, as real questions have."""
    QuestionVersion.objects.update(stem_html=LONG_STEM, references=[LONG_REFERENCE])


def heading_position(page) -> int:
    text = page.get_by_role("heading", name=re.compile(r"^Question \d+ of \d+$")).inner_text()
    return int(text.split()[1])


def option_input(page, shown: int):
    return page.locator(f"#option-{shown}")


def test_a_stale_tab_says_what_happened_and_offers_a_reload(page, context, live_server):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    url = f"/attempts/{attempt.pk}/questions/1/"
    page.goto(url)
    other = context.new_page()
    other.goto(url)
    other.locator("label[for=option-0]").click()
    other.locator('#save-state[data-state="saved"]').wait_for()
    page.locator("label[for=option-1]").click()
    message = page.get_by_role("alert").filter(has_text="another tab")
    message.wait_for()
    assert page.get_by_role("link", name="Reload").is_visible()
    # Next from the stale tab: the same explanation, styled, never a bare page or a
    # connection error.
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("alert").filter(has_text="now shows the answer that is saved").wait_for()
    # The saved answer (the other tab's) is what the refreshed screen shows.
    assert option_input(page, 0).is_checked() and not option_input(page, 1).is_checked()
    assert page.locator(".exam-footer").evaluate("e => getComputedStyle(e).position") == "fixed"
    assert "connection" not in page.locator("body").inner_text().lower()
    page.get_by_role("link", name="Reload").first.click()
    page.get_by_role("heading", name="Question 1 of 10").wait_for()
    assert option_input(page, 0).is_checked()
    other.close()
