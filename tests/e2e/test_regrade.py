"""Report → triage → fix → regrade → notice, in Chromium: a candidate and an author."""

from __future__ import annotations

import pytest

from quiz.models import Blueprint, QuestionReport, Regrade, RegradeNotice
from tests.e2e.conftest import assert_accessible, log_in
from tests.exam.test_regrade import sit
from tests.factories import QuestionFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_reported_wrong_key_is_triaged_fixed_regraded_and_the_candidate_is_told(
    browser, live_server, context, page, axe_source
):
    mls = Blueprint.objects.get(code="MLS-C01")
    faulty, *others = (QuestionFactory() for _ in range(4))
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=2)  # 2 of 4: a fail
    assert attempt.passed is False

    # The candidate reports the question from the answer review.
    log_in(context, live_server, attempt.user)
    page.goto(f"/attempts/{attempt.pk}/answers/")
    report = page.locator("article", has_text="Question 1").get_by_text(
        "Report a problem with this question"
    )
    report.click()
    page.get_by_label("What is wrong?").first.select_option("wrong_key")
    page.get_by_label("Details (optional)").first.fill("Option B is what the docs say.")
    page.get_by_role("button", name="Send report").first.click()
    page.get_by_text("Thank you: your report was sent to the authors.").wait_for()
    assert_accessible(page, axe_source)
    assert QuestionReport.objects.get().state == "new"

    # The author accepts it in triage, fixes the key, and regrades the served version.
    author = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    admin = author.new_page()
    log_in(author, live_server, UserFactory(username="author", is_staff=True, is_superuser=True))
    admin.goto("/admin/quiz/questionreport/triage/")
    admin.get_by_label("State").select_option("accepted")
    admin.get_by_role("button", name="Save").click()
    admin.get_by_text("Accepted.").wait_for()
    admin.goto(f"/admin/quiz/question/{faulty.pk}/change/")
    admin.locator('input[name="choices-0-is_correct"]').uncheck()
    admin.locator('input[name="choices-1-is_correct"]').check()
    admin.locator('input[name="_save"]').first.click()
    admin.get_by_text("Saved as version 2").wait_for()
    admin.goto("/admin/quiz/questionreport/triage/")
    admin.get_by_role("link", name="Regrade v1…").click()
    admin.get_by_label("Rescore with the corrected key").check()
    admin.get_by_role("button", name="Preview the effect").click()
    preview = admin.get_by_test_id("regrade-preview")
    assert "1 attempt affected" in " ".join(preview.inner_text().split())
    assert "1 fail → pass" in " ".join(preview.inner_text().split())
    admin.screenshot(path="/tmp/wt16-regrade-preview-1366.png", full_page=True)
    admin.get_by_role("button", name="Confirm and regrade").click()
    # The progress page (the job ran inline here: the browser tests have no queue).
    effect = admin.get_by_test_id("regrade-effect")
    effect.wait_for()
    assert "1 fail → pass" in " ".join(effect.inner_text().split())
    assert "1 of 1 batch" in admin.get_by_test_id("batches").inner_text()
    for width, height in ((390, 844), (1366, 768)):
        admin.set_viewport_size({"width": width, "height": height})
        admin.reload()
        assert admin.evaluate("document.documentElement.scrollWidth") <= width
        admin.screenshot(path=f"/tmp/wt16-regrade-progress-{width}.png", full_page=True)
    # The item analysis, refreshed from its page, with the median time column.
    admin.goto("/admin/quiz/itemstatistics/")
    admin.get_by_role("button", name="Refresh the figures now").click()
    admin.get_by_text("The figures are refreshed.").wait_for()
    assert admin.get_by_role("link", name="Median time").count() == 1  # a sortable header
    for width, height in ((390, 844), (1366, 768)):
        admin.set_viewport_size({"width": width, "height": height})
        admin.goto("/admin/quiz/itemstatistics/")
        admin.screenshot(path=f"/tmp/wt16-item-analysis-{width}.png", full_page=True)
        admin.goto(f"/admin/quiz/itemstatistics/question/{faulty.pk}/")
        admin.get_by_test_id("median-time").wait_for()
        admin.screenshot(path=f"/tmp/wt16-item-detail-{width}.png", full_page=True)
    author.close()
    assert Regrade.objects.get().status == "done"
    assert QuestionReport.objects.get().state == "fixed"

    # The candidate sees the notice with the old and new score, and the regraded item.
    notice = RegradeNotice.objects.get()
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/")
        text = " ".join(page.get_by_test_id("regrade-notice").inner_text().split())
        assert f"from {notice.old_score} (fail) to {notice.new_score} (pass)" in text
        page.screenshot(path=f"/tmp/wt16-dashboard-{width}.png", full_page=True)
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="See the report").click()
    page.get_by_test_id("regraded-item").wait_for()
    assert_accessible(page, axe_source)
    page.goto("/reports/")
    assert page.get_by_test_id("report-state").inner_text() == "Fixed"
    page.screenshot(path="/tmp/wt16-reports-1366.png", full_page=True)
