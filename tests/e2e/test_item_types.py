"""Ordering, matching and case-study items in Chromium: by keyboard alone, on a phone, without
JavaScript; axe finds nothing serious; nothing scrolls sideways."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from quiz.exam.services import finish_attempt, start_attempt
from quiz.models import AttemptItem
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, item_types_blueprint, practice_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("EXAMPREP_SHOTS")
PHONE, LAPTOP = (390, 844), (1366, 768)


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def started():
    user = UserFactory()
    attempt = start_attempt(
        user=user, blueprint=item_types_blueprint(), now=timezone.now(), seed=11
    )
    return user, attempt


def item_of(attempt, external_id) -> AttemptItem:
    return attempt.items.select_related("version").get(version__question__external_id=external_id)


def step_name(item, original: int) -> str:
    return f"Option {original + 1} of {item.version.question.external_id}"


def shown_steps(page) -> list[str]:
    texts = page.locator(".ordering-step .step-text").all_text_contents()
    return [t.replace("Position of: ", "").strip() for t in texts]


def place_of(page, name: str):
    return page.get_by_role("combobox", name=f"Position of: {name}", exact=True)


def wait_saved(page) -> None:
    page.locator('#save-state[data-state="saved"]').wait_for()


def test_an_order_is_arranged_with_the_keyboard_alone_and_each_move_is_announced(
    page, context, live_server, axe_source
):
    user, attempt = started()
    item = item_of(attempt, "types-ordering")
    log_in(context, live_server, user)
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
    assert_accessible(page, axe_source)
    names = [step_name(item, o) for o in range(4)]
    for place, name in enumerate(names):
        # Tab to the step's Move up button (the keyboard, not a click), then press it.
        button = page.get_by_role("button", name=f"Move up: {name}")
        while shown_steps(page).index(name) > place:
            button.focus()
            page.keyboard.press("Enter")
            status = page.locator("[data-ordering-status]")
            expected = f"{name}: position {shown_steps(page).index(name) + 1} of 4."
            page.wait_for_function(
                "([el, text]) => el.textContent === text",
                arg=[status.element_handle(), expected],
            )
    assert shown_steps(page) == names
    wait_saved(page)
    item.refresh_from_db()
    assert item.selected == [0, 1, 2, 3]
    # The selects follow the list: each step's position is its place.
    for place, name in enumerate(names, start=1):
        assert place_of(page, name).input_value() == str(place)
    shot(page, "ordering-1366")
    no_sideways_scroll(page)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    shot(page, "ordering-390")
    no_sideways_scroll(page)
    assert_accessible(page, axe_source)


def test_choosing_a_taken_position_swaps_the_two_steps(page, context, live_server):
    user, attempt = started()
    item = item_of(attempt, "types-ordering")
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
    first, last = step_name(item, 0), step_name(item, 3)
    place_of(page, first).select_option("1")
    wait_saved(page)
    place_of(page, last).select_option("1")
    page.locator("[data-ordering-status]").filter(has_text=f"{last}: position 1 of 4.").wait_for(
        state="attached"
    )
    wait_saved(page)
    assert place_of(page, first).input_value() == ""
    assert shown_steps(page)[0] == last
    item.refresh_from_db()
    assert item.selected == [3, None, None, None]
    # On the review screen the item is incomplete.
    page.goto(f"/attempts/{attempt.pk}/review/?show=incomplete")
    assert page.locator(".review-number").all_inner_texts() == [str(item.position)]


def test_without_javascript_an_order_and_a_matching_are_plain_forms(
    browser, live_server, axe_source
):
    user, attempt = started()
    ordering = item_of(attempt, "types-ordering")
    matching = item_of(attempt, "types-matching")
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": PHONE[0], "height": PHONE[1]},
    )
    try:
        log_in(context, live_server, user)
        page = context.new_page()
        page.goto(f"/attempts/{attempt.pk}/questions/{ordering.position}/")
        assert not page.get_by_role("button", name=re.compile("^Move up")).first.is_visible()
        for original in range(4):
            place_of(page, step_name(ordering, original)).select_option(str(original + 1))
        shot(page, "ordering-nojs-390")
        page.get_by_role("button", name="Review", exact=True).click()
        page.get_by_role("heading", name=re.compile("Review")).first.wait_for()
        ordering.refresh_from_db()
        assert ordering.selected == [0, 1, 2, 3]

        page.goto(f"/attempts/{attempt.pk}/questions/{matching.position}/")
        responses = matching.version.responses_shown
        for shown, original in enumerate(matching.option_order):
            right = responses[matching.version.choices[original]["match"]]
            page.locator(f"#prompt-{shown}").select_option(str(right["index"]))
        # Two prompts on one response is allowed (a response may match several prompts).
        page.get_by_role("button", name="Review", exact=True).click()
        page.get_by_role("heading", name=re.compile("Review")).first.wait_for()
        matching.refresh_from_db()
        assert matching.selected == [0, 1, 2, 0]
    finally:
        context.close()
        from django.db import connections

        connections.close_all()


def test_a_matching_item_on_a_phone_by_keyboard(page, context, live_server, axe_source):
    user, attempt = started()
    item = item_of(attempt, "types-matching")
    log_in(context, live_server, user)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
    assert_accessible(page, axe_source)
    no_sideways_scroll(page)
    first = page.locator("#prompt-0")
    first.focus()
    # A closed select takes the arrow keys in Chromium on Linux: the first response, then B.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert first.input_value() == "1"
    wait_saved(page)
    item.refresh_from_db()
    assert item.selected[item.option_order[0]] == 1
    assert item.state == "incomplete"
    shot(page, "matching-390")
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    shot(page, "matching-1366")
    no_sideways_scroll(page)


def test_a_case_scenario_sits_above_each_question_and_folds_away_on_a_phone(
    page, context, live_server, axe_source
):
    user, attempt = started()
    item = item_of(attempt, "types-case-2")
    log_in(context, live_server, user)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
    scenario = page.locator(".case-scenario .scenario")
    assert scenario.is_visible()
    assert scenario.bounding_box()["y"] < page.locator(".stem").bounding_box()["y"]
    assert_accessible(page, axe_source)
    shot(page, "case-390")
    page.get_by_text("Case study: Demand forecasting").click()
    assert not scenario.is_visible()
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    page.get_by_text("Case study: Demand forecasting").click()
    assert scenario.is_visible()
    shot(page, "case-1366")
    no_sideways_scroll(page)


def test_the_answer_review_of_each_type_is_accessible(page, context, live_server, axe_source):
    user, attempt = started()
    ordering = item_of(attempt, "types-ordering")
    matching = item_of(attempt, "types-matching")
    AttemptItem.objects.filter(pk=ordering.pk).update(selected=[1, 0, 2, 3])
    AttemptItem.objects.filter(pk=matching.pk).update(selected=[0, 3, 2, None])
    finish_attempt(attempt=attempt, now=timezone.now())
    log_in(context, live_server, user)
    for width, height in (PHONE, LAPTOP):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/attempts/{attempt.pk}/answers/")
        assert page.locator(".ordering-review").count() == 1
        assert page.locator(".matching-review").count() == 1
        assert_accessible(page, axe_source)
        no_sideways_scroll(page)
        assert page.get_by_text("Your position: 1").count() == 1
        if SHOTS:
            for kind in ("ordering", "matching"):
                page.locator(f"article:has(.{kind}-review)").screenshot(
                    path=f"{SHOTS}/answers-{kind}-{width}.png"
                )


def test_practice_gives_feedback_on_an_order_and_fits_a_320_pixel_screen(
    page, context, live_server, axe_source
):
    user = UserFactory()
    session = practice_session(user, item_types_blueprint(), ["types-ordering"], seed=2)
    item = session.items.select_related("version").get()
    log_in(context, live_server, user)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"/practice/{session.pk}/questions/1/")
    no_sideways_scroll(page)
    assert_accessible(page, axe_source)
    for original in range(4):
        place_of(page, step_name(item, original)).select_option(str(original + 1))
    page.get_by_role("button", name="Check answer").click()
    page.get_by_test_id("feedback").filter(has_text="Correct.").wait_for()
    assert page.get_by_text("Correct position: ").count() == 4
    no_sideways_scroll(page)
    assert_accessible(page, axe_source)
    shot(page, "practice-ordering-320")
