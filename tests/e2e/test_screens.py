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
from quiz.models import Attempt, Blueprint, QuestionVersion
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
    user = UserFactory(exam=blueprint)  # the exam they prepare for: every page follows it
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
        # Another exam, whose bank is still empty: its dashboard, and a start page that says so.
        "dashboard-mla": "/?blueprint=MLA-C01",
        "mock-start-mla": "/mock/MLA-C01/",
        "history-mla": "/history/?blueprint=MLA-C01",
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


def test_a_struck_out_option_looks_different_from_a_chosen_one(page, context, live_server):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    page.locator("label[for=option-0]").click()
    page.locator("label[for=strike-1]").click()
    page.locator('#save-state[data-state="saved"]').wait_for()
    style = (
        "e => { const s = getComputedStyle(e),"
        " t = getComputedStyle(e.querySelector('.option-label'));"
        " return [s.borderStyle, s.backgroundColor, t.textDecorationLine, t.color]; }"
    )
    options = page.locator(".option")
    for media in ("none", "active"):
        page.emulate_media(forced_colors=media)
        chosen = options.nth(0).evaluate(style)
        struck = options.nth(1).evaluate(style)
        assert chosen[0] != struck[0] and chosen[2] != struck[2], (media, chosen, struck)
        assert "line-through" in struck[2]
    shot(page, "strike-vs-chosen")


def test_review_flagged_and_incomplete_step_through_exactly_their_items_in_order(
    page, context, live_server
):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    now = timezone.now()
    for item in attempt.items.all():
        flagged = item.position in (2, 6, 9)
        selected = () if item.position in (3, 6) else tuple(range(item.choose))
        save_answer(
            attempt_id=attempt.pk,
            user=user,
            position=item.position,
            answer=Answer(selected=selected, flagged=flagged),
            now=now,
        )
    log_in(context, live_server, user)
    for label, expected in (("Review flagged", [2, 6, 9]), ("Review incomplete", [3, 6])):
        page.goto(f"/attempts/{attempt.pk}/review/")
        page.get_by_role("link", name=re.compile(label)).click()
        visited = []
        while True:
            page.wait_for_load_state()
            heading = page.get_by_role(
                "heading", name=re.compile(r"^(Question \d+ of 10|Review your answers)$")
            )
            heading.wait_for()
            if heading.inner_text() == "Review your answers":
                break
            visited.append(heading_position(page))
            page.locator('button[name="go"][value="next"]').click()
            page.wait_for_function(
                "n => !document.querySelector('#question-heading') ||"
                " document.querySelector('#question-heading').innerText !== n",
                arg=heading.inner_text(),
            )
        assert visited == expected, label


def tab_to(page, pattern: str, limit: int = 120) -> None:
    """Press Tab until the focused element's accessible text matches (the keyboard alone)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.innerText || e.value || '') + ' ' + (e.getAttribute('aria-label') || ''); }"
        )
        if re.search(pattern, text):
            return
    raise AssertionError(f"never reached {pattern!r} with Tab")


def test_a_whole_mock_is_sat_reviewed_and_submitted_with_the_keyboard_alone(
    page, context, live_server
):
    blueprint = small_blueprint()
    user = UserFactory()
    log_in(context, live_server, user)
    page.goto(f"/mock/{blueprint.code}/")
    tab_to(page, "Start the exam")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Question 1 of 10").wait_for()
    attempt = Attempt.objects.get(user=user)
    for position in range(1, 11):
        item = attempt.items.get(position=position)
        page.get_by_role("heading", name=f"Question {position} of 10").wait_for()
        for letter in "abcdefghij"[: item.choose]:
            page.keyboard.press(letter)
            page.locator('#save-state[data-state="saved"]').wait_for()
        if position in (4, 7):
            page.keyboard.press("m")
            page.locator('#save-state[data-state="saved"]').wait_for()
        if position < 10:
            page.keyboard.press("n")
    tab_to(page, "Finish and review")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Review your answers").wait_for()
    tab_to(page, "Review flagged")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Question 4 of 10").wait_for()
    page.keyboard.press("n")
    page.get_by_role("heading", name="Question 7 of 10").wait_for()
    page.keyboard.press("n")
    page.get_by_role("heading", name="Review your answers").wait_for()
    tab_to(page, "Submit exam")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="End the exam?").wait_for()
    tab_to(page, "Yes, submit my exam")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Score report")).wait_for()
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert not attempt.items.filter(selected=[]).exists()
    assert list(attempt.items.filter(flagged=True).values_list("position", flat=True)) == [4, 7]


def test_on_a_phone_the_question_list_is_a_drawer_from_the_bottom_bar(page, context, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    navigator = page.get_by_role("navigation", name="All questions")
    assert not navigator.is_visible()
    page.get_by_role("link", name="Questions").click()
    assert navigator.is_visible()
    shot(page, "phone-navigator-drawer")
    page.get_by_role("button", name=re.compile(r"^Question 5,")).click()
    page.get_by_role("heading", name="Question 5 of 10").wait_for()
    assert not navigator.is_visible()


def test_the_text_size_is_applied_at_once_and_remembered(page, context, live_server):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    page.get_by_role("button", name="Larger text").click()
    assert "text-larger" in page.locator("html").get_attribute("class")
    page.wait_for_function("() => true")
    page.wait_for_timeout(300)
    page.reload()
    assert "text-larger" in page.locator("html").get_attribute("class")
    user.refresh_from_db()
    assert user.text_size == "larger"
