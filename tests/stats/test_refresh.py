"""The refresh stores exact figures from finished mocks and practice; the command prints them."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from quiz.models import ItemStatistics, PracticeItem, PracticeSession, Question, StatsRefresh
from quiz.stats.refresh import refresh_item_statistics
from tests.conftest import NOW
from tests.factories import QuestionFactory, UserFactory, finished_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_items():
    """Three single-response questions, key A; four candidates (hand-computed figures below)."""
    from quiz.models import Blueprint

    blueprint = Blueprint.objects.get(code="MLS-C01")
    q1, q2, q3 = (QuestionFactory() for _ in range(3))
    v1, v2, v3 = (q.current_version for q in (q1, q2, q3))
    # Seconds on screen of item 1: 30, 95, 41 and 0 (none recorded).
    answers = [
        [(v1, {0}, True, 30), (v2, {0}, True), (v3, {0}, True)],
        [(v1, {0}, True, 95), (v2, {1}, True), (v3, {0}, True)],
        [(v1, {1}, True, 41), (v2, {0}, True), (v3, (), True)],
        [(v1, {2}, True, 0), (v2, {1}, True), (v3, {1}, True)],
    ]
    for rows in answers:
        finished_attempt(UserFactory(), blueprint, rows)
    return q1, q2, q3


def test_the_refresh_stores_the_hand_computed_figures(three_items):
    q1, _, _ = three_items
    refresh_item_statistics(now=NOW)
    row = ItemStatistics.objects.get(version=q1.current_version)
    # Item 1: right with rests 2 and 1, wrong with rests 1 and 0. p = .5; cov = 1, Σ(x−x̄)² = 1,
    # Σ(y−ȳ)² = 2, so r = 1/√2; groups of 1: upper (rest 2) right, lower (rest 0) wrong: D = 1.
    assert (row.n, row.p, row.upper_lower) == (4, 0.5, 1.0)
    assert row.point_biserial == pytest.approx(1 / math.sqrt(2))
    assert [o["share"] for o in row.options] == [0.5, 0.25, 0.25, 0.0]
    assert [o["is_key"] for o in row.options] == [True, False, False, False]
    assert row.omitted == 0.0
    assert row.median_seconds == 41  # of 30, 41 and 95: the 0 is no recorded time
    assert row.flags == []  # 4 responses: below the minimum for flags
    # No time recorded on any response: no median, rather than 0 s.
    assert ItemStatistics.objects.get(version=three_items[1].current_version).median_seconds is None


def test_a_blank_counts_as_a_wrong_response_and_is_shown_as_omitted(three_items):
    _, _, q3 = three_items
    refresh_item_statistics(now=NOW)
    row = ItemStatistics.objects.get(version=q3.current_version)
    assert (row.n, row.p, row.omitted) == (4, 0.5, 0.25)


def test_practice_first_answers_are_counted_apart_from_mocks(three_items):
    q1, _, _ = three_items
    user = UserFactory()
    session = PracticeSession.objects.create(
        user=user, blueprint=q1.objective.domain.blueprint, kind="chosen", created_at=NOW
    )
    for position, (correct, at) in enumerate([(False, NOW), (True, NOW + timedelta(1))], 1):
        PracticeItem.objects.create(
            session=session,
            position=position,
            version=q1.current_version,
            option_order=[0, 1, 2, 3],
            selected=[0] if correct else [1],
            is_correct=correct,
            answered_at=at,
        )
    refresh_item_statistics(now=NOW)
    row = ItemStatistics.objects.get(version=q1.current_version)
    assert (row.practice_n, row.practice_p) == (1, 0.0)  # the first answer only
    assert row.n == 4  # mock figures unchanged


def test_an_unanswered_pretest_question_gets_a_row_with_no_responses(three_items):
    pretest = QuestionFactory(status=Question.Status.PRETEST)
    QuestionFactory(status=Question.Status.DRAFT)
    run = refresh_item_statistics(now=NOW)
    row = ItemStatistics.objects.get(version=pretest.current_version)
    assert (row.n, row.p) == (0, None)
    assert ItemStatistics.objects.count() == 4
    assert (run.attempts, run.responses, run.versions) == (4, 12, 4)
    assert run.finished_at is not None


def test_refreshing_again_replaces_the_figures_and_never_duplicates_them(three_items):
    refresh_item_statistics(now=NOW)
    refresh_item_statistics(now=NOW + timedelta(hours=1))
    assert ItemStatistics.objects.count() == 3
    assert set(ItemStatistics.objects.values_list("refreshed_at", flat=True)) == {
        NOW + timedelta(hours=1)
    }
    assert StatsRefresh.objects.count() == 2


def test_figures_are_flagged_from_30_responses():
    from quiz.models import Blueprint

    blueprint = Blueprint.objects.get(code="MLS-C01")
    easy, other = QuestionFactory(), QuestionFactory()
    # Everyone gets `easy` right and the weaker half misses `other`: p = 1 is too easy, and its
    # distractors are never chosen (non-functioning); r is undefined, so it is not "weak".
    for n in range(30):
        finished_attempt(
            UserFactory(),
            blueprint,
            [(easy.current_version, {0}, True), (other.current_version, {n % 2}, True)],
        )
    refresh_item_statistics(now=NOW)
    row = ItemStatistics.objects.get(version=easy.current_version)
    assert row.n == 30 and row.p == 1.0
    assert set(row.flags) == {"too_easy", "non_functioning_distractor"}
    assert list(ItemStatistics.objects.current().flagged("too_easy")) == [row]


def test_the_command_prints_a_table_or_csv_filtered_by_blueprint(three_items, capsys):
    q1, _, _ = three_items
    with pytest.raises(CommandError, match="--refresh"):
        call_command("item_stats")
    call_command("item_stats", "--refresh")
    call_command("item_stats", "--format", "csv", "--blueprint", "MLS-C01")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "question,version,blueprint,objective,status,n,p,point_biserial,upper_lower,"
        "median_seconds,practice_n,practice_p,flags"
    )
    assert f"{q1.external_id},1,MLS-C01,1.1,published,4,0.500,0.707,1.000,41,0,," in lines
    assert len(lines) == 4
    call_command("item_stats")
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["question", "version", "blueprint", "objective", "status", "n",
                                "p", "point_biserial", "upper_lower", "median_seconds",
                                "practice_n", "practice_p", "flags"]  # fmt: skip
    assert table[1].split()[:7] == [
        q1.external_id,
        "1",
        "MLS-C01",
        "1.1",
        "published",
        "4",
        "0.500",
    ]


def test_the_command_refuses_an_unknown_blueprint():
    with pytest.raises(CommandError, match="NOPE"):
        call_command("item_stats", "--blueprint", "NOPE")


def test_the_list_of_current_figures_has_one_row_per_question_after_an_edit(three_items):
    q1, _, _ = three_items
    refresh_item_statistics(now=NOW)
    choice = q1.choices.get(order=3)
    choice.text = "A clearer fourth option"
    choice.save()
    q1.snapshot()
    refresh_item_statistics(now=NOW)
    # The old version's figures are kept; the new version has none yet.
    assert ItemStatistics.objects.filter(question=q1).count() == 2
    current = ItemStatistics.objects.current().get(question=q1)
    assert current.version == q1.current_version and current.n == 0


def test_the_refresh_reads_ordering_and_matching_answers_as_sequences():
    """A matching item (prompt i matches response i % 3; response 3 the distractor) and a
    single-response item; four candidates. The matching item is right only for candidate 1."""
    from quiz.models import Blueprint

    blueprint = Blueprint.objects.get(code="MLS-C01")
    matching = QuestionFactory(type=Question.Type.MATCHING, choices=(3, 0)).current_version
    single = QuestionFactory().current_version
    answers = [
        [(matching, [0, 1, 2], True), (single, {0}, True)],
        [(matching, [0, 2, 1], True), (single, {0}, True)],
        [(matching, [3, 1, 2], True), (single, {1}, True)],
        [(matching, [], True), (single, {1}, True)],
    ]
    for rows in answers:
        finished_attempt(UserFactory(), blueprint, rows)
    refresh_item_statistics(now=NOW)
    row = ItemStatistics.objects.get(version=matching)
    assert (row.n, row.p, row.omitted) == (4, 0.25, 0.25)
    first_prompt = [
        (o["response"], o["is_key"], o["share"]) for o in row.options if o["index"] == 0
    ]
    assert first_prompt == [(0, True, 0.5), (1, False, 0.0), (2, False, 0.0), (3, False, 0.25)]
    assert [o["distractor"] for o in row.options if o["index"] == 0] == [False, False, False, True]
