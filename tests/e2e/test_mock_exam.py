"""A candidate takes mock exams in Chromium, as a person would."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.exam.services import start_attempt
from quiz.models import Attempt, AttemptItem, Blueprint
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, mls_bank, small_blueprint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LETTERS = "ABCDEFGHIJ"


def key_positions(item: AttemptItem) -> list[int]:
    return [s for s, o in enumerate(item.option_order) if o in item.version.correct_indices]


def wrong_positions(item: AttemptItem) -> list[int]:
    return [s for s, o in enumerate(item.option_order) if o not in item.version.correct_indices]


def option(page, item: AttemptItem, shown: int):
    role = "checkbox" if item.version.type == "multiple" else "radio"
    return page.get_by_role(role, name=re.compile(rf"^{LETTERS[shown]}\. "))


def wait_for_item(page, position: int, count: int) -> None:
    page.get_by_role("heading", name=f"Question {position} of {count}").wait_for()


def wait_saved(page) -> None:
    page.locator('#save-state[data-state="saved"]').wait_for()


def test_a_candidate_takes_a_whole_65_item_exam_with_mouse_and_keyboard(
    page, context, live_server, axe_source
):
    mls_bank()
    user = UserFactory()
    log_in(context, live_server, user)
    page.goto("/mock/")
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Start the exam").click()
    wait_for_item(page, 1, 65)
    assert_accessible(page, axe_source)
    attempt = Attempt.objects.get(user=user)
    items = {i.position: i for i in attempt.items.select_related("version")}
    flagged = {5, 20, 41}
    for position in range(1, 66):
        item = items[position]
        wanted = (
            key_positions(item)
            if position % 3
            else wrong_positions(item)[: item.version.max_selections]
        )
        for shown in wanted:
            if position % 2:
                option(page, item, shown).click()  # the mouse
            else:
                page.keyboard.press(str(shown + 1))  # the keyboard
            wait_saved(page)
        if position in flagged:
            if position == 20:
                page.get_by_label("Flag for review").check()
            else:
                page.keyboard.press("m")
            wait_saved(page)
        if position == 30:
            # Reload mid-exam: everything is still there.
            page.reload()
            wait_for_item(page, 30, 65)
            for shown in wanted:
                assert option(page, item, shown).is_checked()
            assert page.get_by_role("button", name="Question 20, answered, flagged").is_visible()
        if position < 65:
            if position % 2:
                page.get_by_role("button", name="Next", exact=True).click()
            else:
                page.keyboard.press("n")
            wait_for_item(page, position + 1, 65)
    page.get_by_role("button", name="Finish and review").click()
    page.get_by_role("heading", name="Review your answers").wait_for()
    assert_accessible(page, axe_source)
    assert "0 unanswered" in page.get_by_text(re.compile("questions:")).inner_text().replace(
        "\n", " "
    )
    page.get_by_role("link", name="Flagged", exact=True).click()
    assert page.get_by_role("link", name=re.compile(r"^\d+ Answered, flagged$")).count() == 3
    page.get_by_role("link", name="Submit exam…").click()
    page.get_by_text("You have 0 unanswered, 0 incomplete and 3 flagged questions").wait_for()
    page.get_by_role("button", name="Yes, submit my exam").click()
    page.get_by_role("heading", name=re.compile("Score report")).wait_for()
    assert_accessible(page, axe_source)
    attempt.refresh_from_db()
    assert attempt.is_finished
    correct = sum(1 for p in range(1, 66) if p % 3)
    assert attempt.correct_count == correct == 44
    assert page.get_by_test_id("scaled-score").inner_text() == str(attempt.scaled_score)
    assert AttemptItem.objects.filter(attempt=attempt, flagged=True).count() == 3
    assert not AttemptItem.objects.filter(attempt=attempt, selected=[]).exists()


def test_the_page_submits_itself_when_the_clock_reaches_zero(page, context, live_server):
    blueprint = small_blueprint(duration_minutes=1)
    user = UserFactory()
    attempt = start_attempt(
        user=user, blueprint=blueprint, now=timezone.now() - timedelta(seconds=56)
    )
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    option(page, attempt.items.select_related("version").get(position=1), 0).click()
    page.get_by_role("heading", name=re.compile("Score report")).wait_for(timeout=15_000)
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert attempt.items.get(position=1).selected


def test_offline_changes_show_not_saved_and_are_saved_after_reconnecting(
    page, context, live_server
):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    item = attempt.items.select_related("version").get(position=1)
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    context.set_offline(True)
    option(page, item, 2).click()
    page.locator('#save-state[data-state="retrying"]', has_text="Not saved — retrying").wait_for()
    item.refresh_from_db()
    assert item.selected == []
    context.set_offline(False)
    wait_saved(page)
    item.refresh_from_db()
    assert item.selected == [item.option_order[2]]
    assert page.url.endswith(f"/attempts/{attempt.pk}/questions/1/")


def test_a_burst_of_clicks_ends_with_the_server_holding_what_the_screen_shows(
    page, context, live_server
):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    item = next(i for i in attempt.items.select_related("version") if i.version.type == "single")
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
    for shown in [0, 1, 2, 3, 2, 1, 0, 3]:
        option(page, item, shown).click()
    wait_saved(page)
    page.wait_for_timeout(300)
    item.refresh_from_db()
    assert item.selected == [item.option_order[3]]
    assert option(page, item, 3).is_checked()


def test_choosing_more_than_allowed_is_prevented_with_a_message(page, context, live_server):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    item = next(i for i in attempt.items.select_related("version") if i.version.type == "multiple")
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
    for shown in (0, 1, 2):
        option(page, item, shown).click()
    assert not option(page, item, 2).is_checked()
    assert "Choose TWO." in page.get_by_role("alert").filter(has_text="Clear one").inner_text()
    wait_saved(page)
    item.refresh_from_db()
    assert len(item.selected) == 2


def answer_and_submit(page, attempt: Attempt, correct_positions: set[int]) -> None:
    items = list(attempt.items.select_related("version").order_by("position"))
    count = len(items)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    for item in items:
        wait_for_item(page, item.position, count)
        wanted = (
            key_positions(item) if item.position in correct_positions else wrong_positions(item)[:1]
        )
        for shown in wanted:
            option(page, item, shown).click()
            wait_saved(page)
        if item.position < count:
            page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Finish and review").click()
    page.get_by_role("link", name="Submit exam…").click()
    page.get_by_role("button", name="Yes, submit my exam").click()
    page.get_by_role("heading", name=re.compile("Score report")).wait_for()


def test_the_cut_number_correct_scores_750_and_passes_and_one_fewer_fails(
    page, context, live_server, axe_source
):
    blueprint = small_blueprint(per_objective=6, max_unscored_items=0)  # 10 items, cut 8
    user = UserFactory()
    log_in(context, live_server, user)
    first = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    answer_and_submit(page, first, correct_positions=set(range(1, 9)))
    assert page.get_by_test_id("scaled-score").inner_text() == "750"
    assert page.get_by_test_id("outcome").inner_text() == "Pass"

    # The review filters work on the answers page.
    page.get_by_role("link", name="Review every question").click()
    assert page.get_by_role("article").count() == 10
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Incorrect", exact=True).click()
    page.wait_for_url(re.compile(r"show=incorrect"))  # count() does not wait for the new page
    page.wait_for_load_state()
    assert page.get_by_role("article").count() == 2
    page.get_by_role("link", name="Domain 2").click()
    page.wait_for_url(re.compile(r"domain=2"))
    page.wait_for_load_state()
    incorrect_in_domain_2 = AttemptItem.objects.filter(
        attempt=first, position__in=[9, 10], version__objective__domain__number=2
    ).count()
    assert page.get_by_role("article").count() == incorrect_in_domain_2

    second = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    answer_and_submit(page, second, correct_positions=set(range(1, 8)))
    assert int(page.get_by_test_id("scaled-score").inner_text()) < 750
    assert page.get_by_test_id("outcome").inner_text() == "Fail"

    page.goto(f"/?blueprint={blueprint.code}")
    page.get_by_role("heading", name="Scaled scores").wait_for()
    assert page.locator("svg[role=img]").count() == 2
    assert_accessible(page, axe_source)


def test_admin_pages_log_no_csp_violations(page, context, live_server, console):
    mls_bank(per_objective=1)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    log_in(context, live_server, admin)
    question = (
        Blueprint.objects.get(code="MLS-C01").domains.first().objectives.first().questions.first()
    )
    for url in (
        "/admin/",
        "/admin/quiz/question/",
        f"/admin/quiz/question/{question.pk}/change/",
        f"/admin/quiz/question/{question.pk}/preview/",
        "/admin/quiz/question/coverage/",
        "/admin/quiz/question/import/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert console.csp_violations() == []


def test_the_countdown_warns_at_15_and_5_minutes_from_the_servers_clock(page, context, live_server):
    blueprint = small_blueprint()  # 20 minutes
    user = UserFactory()
    started = timezone.now() - timedelta(minutes=20) + timedelta(seconds=302)
    attempt = start_attempt(user=user, blueprint=blueprint, now=started)
    log_in(context, live_server, user)
    # A browser clock a day off changes nothing: the countdown uses the server's seconds left.
    page.clock.install(time=timezone.now() + timedelta(days=1))
    page.clock.resume()
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    warning = page.locator("#time-warning")
    warning.filter(has_text="Less than 15 minutes left.").wait_for()
    assert page.locator("#timer").inner_text().startswith("0:05:0")
    warning.filter(has_text="Less than 5 minutes left.").wait_for(timeout=8_000)
    assert "timer-critical" in page.locator("#timer").get_attribute("class")


def test_after_logout_the_back_button_shows_no_exam_content(page, context, live_server):
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    stem = attempt.items.select_related("version").get(position=1).version.stem_html
    assert "Question 1 of 10" in page.content()
    # The exam screen has no Log out (as on the real exam): leave it for the dashboard first.
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/")
    page.go_back()
    page.wait_for_load_state()
    page.go_back()
    page.wait_for_load_state()
    assert "Question 1 of 10" not in page.content()
    assert stem not in page.content()
    assert "/accounts/login/" in page.url


def test_a_refused_answer_shows_why_on_the_exam_page_not_a_connection_error(
    page, context, live_server
):
    """Validation errors come back as 422, which htmx is configured to swap in."""
    blueprint = small_blueprint()
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    page.goto(f"/attempts/{attempt.pk}/questions/1/")
    page.get_by_role("heading", name=re.compile("Question 1 of")).wait_for()
    # An option that is not on this item, as a tampered or out-of-date page would send.
    page.evaluate(
        """() => {
        const extra = document.createElement("input");
        extra.type = "hidden"; extra.name = "selected"; extra.value = "9";
        document.getElementById("answer-form").append(extra);
    }"""
    )
    page.get_by_role("button", name="Next", exact=True).click()
    alert = page.get_by_role("alert").filter(has_text="not part of this question")
    alert.wait_for()
    assert page.get_by_role("heading", name=re.compile("Question 1 of")).is_visible()
    assert "connection" not in page.locator("body").inner_text()
