"""The admin's item analysis: the list, its filters and sorting, CSV, the detail page, pipeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.models import Blueprint, Question, QuestionStatusChange
from quiz.stats.refresh import refresh_item_statistics
from tests.conftest import NOW
from tests.factories import QuestionFactory, UserFactory, finished_attempt

pytestmark = pytest.mark.django_db

LIST = "admin:quiz_itemstatistics_changelist"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def analysed():
    """`easy` is answered right by all 30; `pretest` by the better half (ready, D = 1);
    `suspect` by the weaker half only (negative discrimination: key suspect)."""
    blueprint = Blueprint.objects.get(code="MLS-C01")
    easy = QuestionFactory(external_id="q-easy")
    pretest = QuestionFactory(external_id="q-pretest", status=Question.Status.PRETEST)
    suspect = QuestionFactory(external_id="q-suspect", status=Question.Status.PRETEST)
    fillers = [QuestionFactory(external_id=f"q-fill-{i}") for i in range(3)]
    for n in range(30):
        strong = n < 15
        rows = [
            (easy.current_version, {0}, True, 10 + n),  # 10..39 s: median 24.5
            (pretest.current_version, {0} if strong else {1}, False, 100),
            (suspect.current_version, {1} if strong else {0}, False),
        ] + [(f.current_version, {0} if strong else {2}, True) for f in fillers]
        finished_attempt(UserFactory(), blueprint, rows)
    refresh_item_statistics(now=NOW)
    return easy, pretest, suspect


def test_the_list_has_one_row_per_question_with_its_figures_and_the_refresh_time(
    admin_client, analysed, django_assert_num_queries
):
    # Session, user, last refresh, running refresh, the three filters' choices, count, rows:
    # the same nine at any size of bank or history.
    with django_assert_num_queries(9):
        response = admin_client.get(reverse(LIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert "q-easy" in page and "q-suspect" in page and "Key suspect" in page
    assert "Figures as of <strong>2026-11-28 12:00 UTC</strong>" in page
    assert response.context["cl"].result_count == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"flag": "key_suspect"}, {"q-suspect"}),
        ({"flag": "too_easy"}, {"q-easy"}),
        ({"ready": "ready"}, {"q-pretest"}),
        ({"ready": "waiting"}, {"q-suspect"}),
        ({"question__status": "pretest"}, {"q-pretest", "q-suspect"}),
        ({"blueprint": "MLS-C01", "q": "q-easy"}, {"q-easy"}),
    ],
)
def test_the_list_filters_by_flag_readiness_status_and_blueprint(
    admin_client, analysed, query, expected
):
    response = admin_client.get(reverse(LIST), query)
    shown = {row.external_id for row in response.context["cl"].result_list}
    assert shown == expected


def test_the_list_sorts_by_a_figure(admin_client, analysed):
    columns = admin_client.get(reverse(LIST)).context["cl"].list_display
    discrimination = list(columns).index("discrimination")
    response = admin_client.get(reverse(LIST), {"o": str(discrimination)})
    order = [row.external_id for row in response.context["cl"].result_list]
    assert order[0] == "q-suspect"  # the lowest point-biserial first
    assert order[-1] == "q-easy"  # undefined (everyone right) after every defined figure


def test_the_list_shows_and_sorts_by_the_median_time(admin_client, analysed):
    columns = list(admin_client.get(reverse(LIST)).context["cl"].list_display)
    median = columns.index("median_time")
    response = admin_client.get(reverse(LIST), {"o": str(median)})
    order = [row.external_id for row in response.context["cl"].result_list]
    assert order[:2] == ["q-easy", "q-pretest"]  # 24.5 s, 100 s, then those with no time
    assert "24 s" in response.content.decode()  # shown to the second, halves to even
    descending = admin_client.get(reverse(LIST), {"o": f"-{median}"}).context["cl"]
    assert [row.external_id for row in descending.result_list][-2:] == ["q-pretest", "q-easy"]


def test_the_csv_export_follows_the_filters(admin_client, analysed):
    response = admin_client.get(reverse("admin:quiz_itemstatistics_csv"), {"flag": "too_easy"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("question,version,blueprint")
    assert len(lines) == 2 and lines[1].startswith("q-easy,1,MLS-C01,1.1,published,30,1.000")
    header = lines[0].split(",")
    assert lines[1].split(",")[header.index("median_seconds")] == "24.5"


def test_the_detail_page_shows_the_option_table_chart_and_readiness(admin_client, analysed):
    _, pretest, _ = analysed
    response = admin_client.get(reverse("admin:quiz_itemstatistics_detail", args=[pretest.pk]))
    page = response.content.decode()
    assert 'data-testid="ready"' in page
    assert '<td data-testid="median-time">100 s</td>' in page
    assert "<svg" in page and "A, Upper 27%: 100%" in page and "B, Lower 27%: 100%" in page
    assert "Promote to published (scored)" in page


def test_promoting_a_ready_question_publishes_it_and_records_who_and_why(admin_client, analysed):
    _, pretest, suspect = analysed
    admin_client.post(reverse("admin:quiz_itemstatistics_promote", args=[pretest.pk]))
    pretest.refresh_from_db()
    assert pretest.status == Question.Status.PUBLISHED
    change = QuestionStatusChange.objects.get(question=pretest)
    assert (change.from_status, change.to_status, change.changed_by.username) == (
        "pretest",
        "published",
        "boss",
    )
    admin_client.post(reverse("admin:quiz_itemstatistics_promote", args=[suspect.pk]))
    suspect.refresh_from_db()
    assert suspect.status == Question.Status.PRETEST  # key suspect: not ready, not promoted


def test_sending_back_needs_a_note_and_records_it(admin_client, analysed):
    _, _, suspect = analysed
    url = reverse("admin:quiz_itemstatistics_send_back", args=[suspect.pk])
    refused = admin_client.post(url, {"note": "  "})
    assert refused.status_code == 422
    suspect.refresh_from_db()
    assert suspect.status == Question.Status.PRETEST
    admin_client.post(url, {"note": "Upper group prefers B: check the key."})
    suspect.refresh_from_db()
    assert suspect.status == Question.Status.DRAFT
    assert QuestionStatusChange.objects.get(question=suspect).note == (
        "Upper group prefers B: check the key."
    )


def test_an_author_without_change_permission_cannot_promote(client, analysed):
    _, pretest, _ = analysed
    viewer = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_itemstatistics"))
    client.force_login(viewer)
    assert client.get(reverse(LIST)).status_code == 200
    response = client.post(reverse("admin:quiz_itemstatistics_promote", args=[pretest.pk]))
    assert response.status_code == 403


@pytest.fixture
def sequence_items():
    """A matching and an ordering question, each answered by 4 candidates (two right)."""
    blueprint = Blueprint.objects.get(code="MLS-C01")
    matching = QuestionFactory(external_id="q-match", type=Question.Type.MATCHING, choices=(3, 0))
    ordering = QuestionFactory(external_id="q-order", type=Question.Type.ORDERING, choices=(3, 0))
    for n in range(4):
        right = n < 2
        rows = [
            (matching.current_version, [0, 1, 2] if right else [3, 1, 2], True),
            (ordering.current_version, [0, 1, 2] if right else [1, 0, 2], True),
        ]
        finished_attempt(UserFactory(), blueprint, rows)
    refresh_item_statistics(now=NOW)
    return matching, ordering


def test_the_detail_page_of_a_matching_item_shows_each_prompts_responses(
    admin_client, sequence_items
):
    matching, _ = sequence_items
    response = admin_client.get(reverse("admin:quiz_itemstatistics_detail", args=[matching.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Responses chosen for each prompt, by score group" in page
    assert "Amazon SageMaker Clarify (distractor)" in page
    assert "Amazon SageMaker Model Monitor <strong>(match)</strong>" in page
    assert "<svg role" not in page  # a row per (prompt, response): the table, no chart


def test_the_detail_page_of_an_ordering_item_shows_each_step_placed_right(
    admin_client, sequence_items
):
    _, ordering = sequence_items
    response = admin_client.get(reverse("admin:quiz_itemstatistics_detail", args=[ordering.pk]))
    page = response.content.decode()
    assert "Steps placed right, by score group" in page
    assert "Step 1" in page and "Step 3" in page
    assert "<svg role" in page


def test_an_author_refreshes_the_figures_from_the_list(admin_client, analysed):
    """Without a queue (the local default, and these tests) the refresh runs in the request;
    with one it is a job (tests/queue). Either way the list then shows the new time."""
    from quiz.models import StatsRefresh

    before = StatsRefresh.objects.count()
    page = admin_client.get(reverse(LIST)).content.decode()
    assert 'value="Refresh the figures now"' in page
    response = admin_client.post(reverse("admin:quiz_itemstatistics_refresh"), follow=True)
    assert response.redirect_chain[-1][0] == reverse(LIST)
    assert "The figures are refreshed." in response.content.decode()
    assert StatsRefresh.objects.count() == before + 1
    assert response.context["last_refresh"] == StatsRefresh.objects.latest()


def test_a_refresh_in_progress_is_shown_beside_the_last_finished_one(admin_client, analysed):
    from django.utils import timezone

    from quiz.models import StatsRefresh

    StatsRefresh.objects.create(started_at=timezone.now(), versions=120)
    page = admin_client.get(reverse(LIST)).content.decode()
    assert "(120 versions so far)" in page
    assert "Figures as of <strong>2026-11-28 12:00 UTC</strong>" in page


def test_refreshing_needs_the_change_question_permission_and_a_post(client, analysed):
    from quiz.models import StatsRefresh

    client.force_login(UserFactory(is_staff=True))
    url = reverse("admin:quiz_itemstatistics_refresh")
    assert client.post(url).status_code == 403
    boss = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(boss)
    assert client.get(url).status_code == 405
    assert StatsRefresh.objects.count() == 1
