"""Inside a drill in Chromium, at a phone's, a laptop's and a desktop's size: the navigator and
Previous move around the drill, strike-out looks eliminated and comes back in the feedback, a
question is bookmarked before it is answered, and a bad length is explained beside its field."""

from __future__ import annotations

import pytest
from django.utils import timezone

from quiz.models import Bookmark, PracticeSession
from quiz.practice.services import answer_practice, start_practice
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_mock_formats import shot
from tests.e2e.test_screens import VIEWPORTS, no_sideways_scroll, wide_elements, with_long_content
from tests.factories import UserFactory, small_blueprint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def a_drill(length: int = 6):
    blueprint = small_blueprint(per_objective=4)
    with_long_content()
    user = UserFactory()
    ids = list(blueprint.domains.values_list("objectives__pk", flat=True))
    session = start_practice(
        user=user,
        blueprint=blueprint,
        kind="chosen",
        length=length,
        objective_ids=ids,
        now=timezone.now(),
    )
    return blueprint, user, session


def key_positions(item) -> list[int]:
    return [s for s, o in enumerate(item.option_order) if o in item.version.correct_indices]


@pytest.mark.parametrize("viewport", ["narrow", *VIEWPORTS])
def test_the_drill_screens_fit_and_are_accessible(page, context, live_server, axe_source, viewport):
    width, height = VIEWPORTS.get(viewport, (320, 700))
    page.set_viewport_size({"width": width, "height": height})
    blueprint, user, session = a_drill()
    first = session.items.select_related("version").get(position=1)
    answer_practice(
        session_id=session.pk,
        user=user,
        position=1,
        selected=tuple(key_positions(first)),
        struck=(next(p for p in range(4) if p not in key_positions(first)),),
        now=timezone.now(),
    )
    log_in(context, live_server, user)
    pages = {
        "drill-feedback": f"/practice/{session.pk}/questions/1/",
        "drill-question": f"/practice/{session.pk}/questions/2/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert no_sideways_scroll(page) == 0, (name, viewport, wide_elements(page))
        shot(page, f"{viewport}-{name}")
        assert_accessible(page, axe_source)
    page.goto(f"/practice/?blueprint={blueprint.code}")
    page.get_by_label("Domain 1: ", exact=False).first.check()
    page.get_by_label("Another number").check()
    page.get_by_label("Number of questions").fill("500")
    page.get_by_role("button", name="Start practice").click()
    field = page.get_by_label("Number of questions")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby").split()
    assert "less than or equal to 65" in page.locator(f"#{described[-1]}").inner_text()
    assert no_sideways_scroll(page) == 0, wide_elements(page)
    shot(page, f"{viewport}-practice-start-length-error")
    assert_accessible(page, axe_source)
    assert PracticeSession.objects.filter(user=user).count() == 1  # the error started nothing


def test_a_candidate_moves_strikes_and_bookmarks_within_a_drill(page, context, live_server):
    _, user, session = a_drill(length=4)
    items = {i.position: i for i in session.items.select_related("version")}
    log_in(context, live_server, user)
    page.goto(f"/practice/{session.pk}/questions/1/")
    # Bookmark before answering.
    page.get_by_role("button", name="Bookmark ☆").click()
    page.get_by_role("button", name="Bookmarked ★").wait_for()
    assert Bookmark.objects.filter(user=user, question_id=items[1].version.question_id).exists()
    # Strike out a wrong option: it looks eliminated, not chosen.
    key = key_positions(items[1])
    wrong = next(p for p in range(len(items[1].option_order)) if p not in key)
    page.locator(f"label[for=strike-{wrong}]").click()
    for shown in key:
        page.locator(f"label[for=option-{shown}]").click()
    style = "e => getComputedStyle(e.querySelector('.option-label')).textDecorationLine"
    assert "line-through" in page.locator(".option").nth(wrong).evaluate(style)
    assert "line-through" not in page.locator(".option").nth(key[0]).evaluate(style)
    page.get_by_role("button", name="Check answer").click()
    page.get_by_test_id("feedback").wait_for()
    assert page.get_by_text("You struck this out").count() == 1
    # The navigator jumps to item 3; Previous (and the P key) go back one at a time.
    page.get_by_role("link", name="Question 3, not answered").click()
    page.get_by_role("heading", name="Practice question 3 of 4").wait_for()
    page.get_by_role("link", name="Previous").click()
    page.get_by_role("heading", name="Practice question 2 of 4").wait_for()
    page.keyboard.press("p")
    page.get_by_role("heading", name="Practice question 1 of 4").wait_for()
    assert page.get_by_role("link", name="Question 1, correct").get_attribute("aria-current") == (
        "step"
    )
