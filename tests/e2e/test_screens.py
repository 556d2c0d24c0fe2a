"""The screens a candidate lives in (issue #15), at a phone's, a laptop's and a desktop's size:
nothing scrolls sideways, the bottom bar and the clock are always in view, strike-out never looks
like a choice, the review steps through its subsets, and a whole mock works from the keyboard."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import Blueprint, QuestionVersion
from quiz.practice.services import answer_practice, start_practice
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, mls_bank, small_blueprint

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


def no_sideways_scroll(page) -> int:
    """How many pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def wide_elements(page) -> list[str]:
    """The elements that stick out on the right (to say what overflows when something does)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
          .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
          .slice(0, 8).map(e => e.tagName + "." + e.className)"""
    )


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= height
        and box["x"] >= 0
        and box["x"] + box["width"] <= width
    )


def a_candidate_with_a_history():
    """Two finished mocks (one with answers), a mock in progress, a practice session."""
    blueprint = small_blueprint(per_objective=6)
    with_long_content()
    user = UserFactory()
    now = timezone.now()
    done = start_attempt(user=user, blueprint=blueprint, now=now)
    for item in done.items.all():
        save_answer(
            attempt_id=done.pk,
            user=user,
            position=item.position,
            answer=Answer(selected=(0,), struck=(1,), flagged=item.position % 4 == 0),
            now=now,
        )
    done = finish_attempt(attempt=done, now=now)
    objectives = list(blueprint.domains.values_list("objectives__pk", flat=True))
    session = start_practice(
        user=user, blueprint=blueprint, kind="chosen", length=3, objective_ids=objectives, now=now
    )
    answer_practice(session_id=session.pk, user=user, position=1, selected=(0,), now=now)
    live = start_attempt(user=user, blueprint=blueprint, now=now)
    return user, done, live, session


@pytest.mark.parametrize("viewport", ["narrow", *VIEWPORTS])
def test_no_page_scrolls_sideways_and_axe_finds_nothing_serious(
    page, context, live_server, axe_source, viewport
):
    width, height = VIEWPORTS.get(viewport, (320, 700))
    page.set_viewport_size({"width": width, "height": height})
    user, done, live, session = a_candidate_with_a_history()
    pages = {"home-visitor": "/"}
    for name, url in pages.items():
        page.goto(url)
        assert no_sideways_scroll(page) == 0, (name, viewport)
        shot(page, f"{viewport}-{name}")
    log_in(context, live_server, user)
    pages = {
        "dashboard": "/",
        "history": "/history/",
        "mock-start": "/mock/",
        "question": f"/attempts/{live.pk}/questions/1/",
        "review": f"/attempts/{live.pk}/review/",
        "end-exam": f"/attempts/{live.pk}/review/?confirm=1",
        "result": f"/attempts/{done.pk}/result/",
        "answers": f"/attempts/{done.pk}/answers/",
        "practice-start": "/practice/",
        "practice-feedback": f"/practice/{session.pk}/questions/1/",
        "practice-question": f"/practice/{session.pk}/questions/2/",
        "practice-summary": f"/practice/{session.pk}/",
        "profile": "/accounts/profile/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert no_sideways_scroll(page) == 0, (name, viewport, wide_elements(page))
        shot(page, f"{viewport}-{name}")
        assert_accessible(page, axe_source)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_next_and_the_timer_are_in_view_on_every_item_of_a_full_mock(
    page, context, live_server, viewport
):
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    mls_bank()
    with_long_content()
    user = UserFactory()
    blueprint = Blueprint.objects.get(code="MLS-C01")
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    next_button = page.get_by_role("button", name="Next", exact=True)
    for position in range(1, 66):
        page.get_by_role("heading", name=f"Question {position} of 65").wait_for()
        assert in_viewport(page, page.locator("#timer")), (viewport, position)
        for name in ("Previous", "Review", "Flag for review"):
            control = page.get_by_text(name, exact=True)
            assert in_viewport(page, control), (viewport, position, name)
        if position < 65:
            assert in_viewport(page, next_button), (viewport, position)
            if position == 2:
                shot(page, f"{viewport}-question-full-mock")
            next_button.click()
        else:
            assert in_viewport(page, page.get_by_role("button", name="Finish and review"))
