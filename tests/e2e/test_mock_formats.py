"""The mock formats and abandoning, in the browser at a phone's, a laptop's and a desktop's size:
the new screens never scroll sideways, axe finds nothing serious, and a candidate can pick a
format, be told what is missing, and abandon a mock with a confirmation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from quiz.exam.services import abandon_attempt, start_attempt
from quiz.models import Attempt
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_screens import (
    SHOTS,
    VIEWPORTS,
    no_sideways_scroll,
    wide_elements,
    with_long_content,
)
from tests.exam.test_mock_formats import sit
from tests.factories import UserFactory, small_blueprint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shot(page, name: str) -> None:
    """The whole page (the format choice and the rules are below a phone's fold)."""
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def a_candidate_with_short_forms():
    """A full exam, a mini mock, an abandoned mock, and a single-domain mock in progress."""
    blueprint = small_blueprint(
        per_objective=10, question_count=30, duration_minutes=60, max_unscored_items=6
    )
    with_long_content()
    user = UserFactory()
    sit(user, blueprint, right=False)
    mini = sit(user, blueprint, form=Attempt.Format.MINI)
    dropped = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    abandon_attempt(attempt=dropped, now=timezone.now())
    domain = blueprint.domains.get(number=1)
    live = start_attempt(
        user=user,
        blueprint=blueprint,
        now=timezone.now(),
        form=Attempt.Format.DOMAIN,
        domain=domain,
    )
    return user, blueprint, mini, live


@pytest.mark.parametrize("viewport", ["narrow", *VIEWPORTS])
def test_the_format_and_abandon_screens_fit_and_are_accessible(
    page, context, live_server, axe_source, viewport
):
    width, height = VIEWPORTS.get(viewport, (320, 700))
    page.set_viewport_size({"width": width, "height": height})
    user, blueprint, mini, live = a_candidate_with_short_forms()
    log_in(context, live_server, user)
    pages = {
        # MLS-C01, where this candidate has no mock running: the choice of formats.
        "formats-start": "/mock/",
        "formats-start-in-progress": f"/mock/{blueprint.code}/",
        "formats-domain-question": f"/attempts/{live.pk}/questions/1/",
        "formats-end-exam": f"/attempts/{live.pk}/review/?confirm=1",
        "formats-abandon": f"/attempts/{live.pk}/review/?confirm=abandon",
        "formats-mini-result": f"/attempts/{mini.pk}/result/",
        "formats-mini-answers": f"/attempts/{mini.pk}/answers/",
        "formats-history": "/history/",
        "formats-dashboard": "/",
        # Keys stay paused while the single-domain mock runs.
        "formats-keys-paused": "/practice/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert no_sideways_scroll(page) == 0, (name, viewport, wide_elements(page))
        shot(page, f"{viewport}-{name}")
        assert_accessible(page, axe_source)
    assert "domain 1 mock" in page.goto(pages["formats-domain-question"]).text().lower()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_single_domain_mock_without_its_domain_is_explained_next_to_the_field(
    page, context, live_server, axe_source, viewport
):
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    blueprint = small_blueprint(per_objective=10, question_count=30, duration_minutes=60)
    user = UserFactory()
    log_in(context, live_server, user)
    page.goto(f"/mock/{blueprint.code}/")
    page.get_by_role("radio", name="Single-domain mock").check()
    page.get_by_role("button", name="Start the exam").click()
    domain = page.get_by_role("combobox", name="Domain, for a single-domain mock")
    assert domain.get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{domain.get_attribute('aria-describedby')}")
    assert "Choose the domain" in described.inner_text()
    assert no_sideways_scroll(page) == 0
    shot(page, f"{viewport}-formats-start-error")
    assert_accessible(page, axe_source)
    assert not Attempt.objects.filter(user=user).exists()
    # The choice survives the error: pick the domain and start.
    domain.select_option(label="Domain 2: " + blueprint.domains.get(number=2).title)
    page.get_by_role("button", name="Start the exam").click()
    page.get_by_role("heading", name="Question 1 of 12").wait_for()
    attempt = Attempt.objects.get(user=user)
    assert (attempt.format, attempt.domain.number) == ("domain", 2)


def test_a_candidate_abandons_a_mock_after_confirming(page, context, live_server):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    page.locator("label[for=option-0]").click()
    page.locator('#save-state[data-state="saved"]').wait_for()
    page.get_by_role("link", name="End exam").click()
    page.get_by_role("link", name="abandon this mock without a score").click()
    page.get_by_role("heading", name="Abandon this mock?").wait_for()
    attempt.refresh_from_db()
    assert attempt.is_open
    page.get_by_role("button", name="Yes, abandon this mock").click()
    page.get_by_role("heading", name="History").wait_for()
    row = page.get_by_role("row").filter(has_text="Abandoned")
    assert "not scored" in row.inner_text()
    attempt.refresh_from_db()
    assert attempt.is_abandoned and attempt.scaled_score is None
    assert attempt.items.get(position=1).selected != []
