"""A candidate drills in Chromium: feedback after each item."""

from __future__ import annotations

import re

import pytest

from quiz.models import Bookmark, PracticeSession
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, small_blueprint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_short_practice_session_gives_feedback_after_each_item(
    page, context, live_server, axe_source
):
    blueprint = small_blueprint()
    user = UserFactory()
    log_in(context, live_server, user)
    page.goto(f"/practice/?blueprint={blueprint.code}")
    assert_accessible(page, axe_source)
    page.get_by_label("Domain 1: Domain", exact=False).first.check()
    page.get_by_label("Another number").check()
    page.get_by_label("Number of questions").fill("3")
    page.get_by_role("button", name="Start practice").click()
    page.get_by_role("heading", name="Practice question 1 of 3").wait_for()
    assert_accessible(page, axe_source)
    session = PracticeSession.objects.get(user=user)
    items = {i.position: i for i in session.items.select_related("version")}
    for position in (1, 2, 3):
        item = items[position]
        keys = [s for s, o in enumerate(item.option_order) if o in item.version.correct_indices]
        wrong = [
            s for s, o in enumerate(item.option_order) if o not in item.version.correct_indices
        ]
        picks = keys if position != 2 else wrong[: len(keys)]
        for shown in picks:
            page.keyboard.press(str(shown + 1))
        page.keyboard.press("Enter")
        feedback = page.get_by_test_id("feedback")
        feedback.wait_for()
        assert ("Correct." if position != 2 else "Not quite.") in feedback.inner_text()
        assert page.get_by_role("heading", name="Explanation").is_visible()
        assert page.get_by_text("Correct answer", exact=True).count() == len(keys)
        if position == 2:
            page.get_by_role("button", name=re.compile("Bookmark")).click()
            page.get_by_role("button", name=re.compile("Bookmarked")).wait_for()
            assert_accessible(page, axe_source)
        if position < 3:
            page.keyboard.press("n")
            page.get_by_role("heading", name=f"Practice question {position + 1} of 3").wait_for()
    page.get_by_role("button", name="See summary").click()
    assert page.get_by_test_id("practice-score").inner_text() == "2 of 3"
    assert_accessible(page, axe_source)
    assert Bookmark.objects.filter(user=user, question_id=items[2].version.question_id).exists()


def test_checking_without_an_answer_shows_why_on_the_practice_page(page, context, live_server):
    """Validation errors come back as 422, which htmx is configured to swap in."""
    blueprint = small_blueprint()
    user = UserFactory()
    log_in(context, live_server, user)
    page.goto(f"/practice/?blueprint={blueprint.code}")
    page.get_by_label("Domain 1: Domain", exact=False).first.check()
    page.get_by_role("button", name="Start practice").click()
    page.get_by_role("heading", name=re.compile("Practice question 1 of")).wait_for()
    page.get_by_role("button", name="Check answer").click()
    page.get_by_role("alert").filter(has_text="Choose an answer first.").wait_for()
    assert page.get_by_role("button", name="Check answer").is_visible()
