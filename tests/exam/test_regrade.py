"""Regrades: rescore with a corrected key or void the item; flips both ways; idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from quiz.exam import scoring
from quiz.exam.regrade import plan_regrade, preview, run_regrade
from quiz.models import (
    Attempt,
    AttemptItem,
    Blueprint,
    QuestionReport,
    Regrade,
    RegradeNotice,
)
from tests.conftest import NOW
from tests.factories import QuestionFactory, UserFactory, finished_attempt

pytestmark = pytest.mark.django_db


def fix_key(question, new_key: int):
    """An author moves the key to another option, options unchanged: a new version."""
    for choice in question.choices.all():
        choice.is_correct = choice.order == new_key
        choice.save()
    return question.snapshot()


@pytest.fixture
def mls():
    return Blueprint.objects.get(code="MLS-C01")


def sit(mls, faulty, others, *, faulty_answer, right_others: int):
    """A finished mock: the faulty item answered as given, then `right_others` of the other
    items right (option A) and the rest wrong (option B)."""
    rows = [(faulty.current_version, faulty_answer, True)]
    rows += [
        (q.current_version, {0} if n < right_others else {1}, True) for n, q in enumerate(others)
    ]
    return finished_attempt(UserFactory(), mls, rows)


def test_a_rescore_flips_a_fail_to_a_pass_and_a_pass_to_a_fail(mls):
    faulty, *others = (QuestionFactory() for _ in range(4))  # 4 scored: the cut is 3 items
    served = faulty.current_version
    gains = sit(mls, faulty, others, faulty_answer={1}, right_others=2)  # 2/4: fail
    loses = sit(mls, faulty, others, faulty_answer={0}, right_others=2)  # 3/4: pass
    assert (gains.passed, loses.passed) == (False, True)
    fix_key(faulty, 1)
    regrade = plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    assert preview(version=served, kind=Regrade.Kind.RESCORE).__dict__ == {
        "attempts": 2,
        "score_changes": 2,
        "now_passing": 1,
        "now_failing": 1,
    }
    done = run_regrade(regrade_id=regrade.pk, now=NOW)
    gains.refresh_from_db()
    loses.refresh_from_db()
    assert (gains.passed, gains.correct_count, loses.passed, loses.correct_count) == (
        True,
        3,
        False,
        2,
    )
    assert gains.scaled_score == scoring.scaled_score(3, 4, scoring.Scale())
    assert (done.status, done.total, done.processed) == ("done", 2, 2)
    assert (done.score_changes, done.now_passing, done.now_failing) == (2, 1, 1)
    item = AttemptItem.objects.get(attempt=gains, version=served)
    assert (item.scored_key, item.outcome_correct, item.regrade) == ([1], True, done)
    notice = RegradeNotice.objects.get(attempt=gains)
    assert (notice.old_passed, notice.new_passed, notice.user) == (False, True, gains.user)


def test_running_a_regrade_again_changes_nothing_and_keeps_the_first_before_score(mls):
    faulty, *others = (QuestionFactory() for _ in range(4))
    served = faulty.current_version
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=2)
    before = attempt.scaled_score
    fix_key(faulty, 1)
    regrade = plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    run_regrade(regrade_id=regrade.pk, now=NOW)
    attempt.refresh_from_db()
    after = (attempt.scaled_score, attempt.results)
    again = run_regrade(regrade_id=regrade.pk, now=NOW + timedelta(minutes=5))
    attempt.refresh_from_db()
    assert (attempt.scaled_score, attempt.results) == after
    notice = RegradeNotice.objects.get(attempt=attempt)
    assert (notice.old_score, notice.new_score) == (before, after[0])
    assert (again.score_changes, again.now_passing, again.finished_at) == (
        1,
        1,
        NOW + timedelta(minutes=5),
    )


def test_voiding_drops_the_item_and_rescales_a_fail_into_a_pass(mls):
    faulty, *others = (QuestionFactory() for _ in range(10))  # 10 scored: cut 8; 9: cut 7
    served = faulty.current_version
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=7)
    unchanged = sit(mls, faulty, others, faulty_answer={0}, right_others=6)
    assert (attempt.correct_count, attempt.passed) == (7, False)
    assert (preview(version=served, kind=Regrade.Kind.VOID).now_passing) == 1
    regrade = plan_regrade(
        version=served, kind=Regrade.Kind.VOID, by=None, now=NOW, note="Ambiguous"
    )
    run_regrade(regrade_id=regrade.pk, now=NOW)
    attempt.refresh_from_db()
    unchanged.refresh_from_db()
    assert (attempt.correct_count, attempt.scored_count, attempt.passed) == (7, 9, True)
    assert (unchanged.correct_count, unchanged.scored_count, unchanged.passed) == (6, 9, False)
    item = AttemptItem.objects.get(attempt=attempt, version=served)
    assert (item.voided, item.is_scored) == (True, False)
    domain = attempt.results["domains"][0]
    assert domain["scored"] == 9


def test_voiding_turns_a_pass_into_a_fail_when_the_voided_item_was_right(mls):
    faulty, *others = (QuestionFactory() for _ in range(4))
    attempt = sit(mls, faulty, others, faulty_answer={0}, right_others=2)  # 3/4 pass
    regrade = plan_regrade(version=faulty.current_version, kind=Regrade.Kind.VOID, by=None, now=NOW)
    run_regrade(regrade_id=regrade.pk, now=NOW)
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.scored_count, attempt.passed) == (2, 3, False)


def test_a_rescore_needs_a_corrected_key_and_unchanged_options(mls):
    question = QuestionFactory()
    served = question.current_version
    with pytest.raises(ValidationError) as refused:
        plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    assert refused.value.code == "key_unchanged"
    choice = question.choices.get(order=2)
    choice.text = "A rewritten option"
    choice.save()
    question.snapshot()
    with pytest.raises(ValidationError) as refused:
        plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    assert refused.value.code == "options_changed"


def test_the_preview_writes_nothing_and_in_progress_attempts_are_not_touched(mls):
    faulty, *others = (QuestionFactory() for _ in range(4))
    served = faulty.current_version
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=2)
    Attempt.objects.filter(pk=attempt.pk).update(status="in_progress", finished_at=None)
    fix_key(faulty, 1)
    assert preview(version=served, kind=Regrade.Kind.RESCORE).attempts == 0
    Attempt.objects.filter(pk=attempt.pk).update(status="finished", finished_at=NOW)
    assert preview(version=served, kind=Regrade.Kind.RESCORE).attempts == 1
    assert RegradeNotice.objects.count() == 0
    assert AttemptItem.objects.filter(regrade__isnull=False).count() == 0


def test_finishing_a_regrade_marks_the_questions_open_reports_fixed(mls):
    faulty, *others = (QuestionFactory() for _ in range(4))
    attempt = sit(mls, faulty, others, faulty_answer={1}, right_others=2)
    report = QuestionReport.objects.create(
        user=attempt.user,
        question=faulty,
        version=faulty.current_version,
        reason=QuestionReport.Reason.WRONG_KEY,
        created_at=NOW,
        state=QuestionReport.State.ACCEPTED,
    )
    served = faulty.current_version
    fix_key(faulty, 1)
    run_regrade(
        regrade_id=plan_regrade(version=served, kind="rescore", by=None, now=NOW).pk, now=NOW
    )
    report.refresh_from_db()
    assert report.state == QuestionReport.State.FIXED


def test_an_interrupted_regrade_resumes_without_regrading_a_done_attempt_twice(mls, monkeypatch):
    """Batches of one attempt; the run dies after the first: the first attempt has its notice
    and new score, the second neither. Running again finishes the second only."""
    from quiz.exam import regrade as module

    faulty, *others = (QuestionFactory() for _ in range(4))
    served = faulty.current_version
    first = sit(mls, faulty, others, faulty_answer={1}, right_others=2)
    second = sit(mls, faulty, others, faulty_answer={1}, right_others=3)
    fix_key(faulty, 1)
    regrade = plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    monkeypatch.setattr(module, "BATCH", 1)
    real = module._regraded
    calls = []

    def dies_on_the_second_batch(attempt_ids, *args, **kwargs):
        calls.append(list(attempt_ids))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(attempt_ids, *args, **kwargs)

    monkeypatch.setattr(module, "_regraded", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        run_regrade(regrade_id=regrade.pk, now=NOW)
    regrade.refresh_from_db()
    assert (regrade.status, regrade.processed, regrade.total) == ("running", 1, 2)
    assert list(RegradeNotice.objects.values_list("attempt_id", flat=True)) == [first.pk]
    second.refresh_from_db()
    assert not AttemptItem.objects.filter(attempt=second, regrade__isnull=False).exists()

    calls.clear()
    done = run_regrade(regrade_id=regrade.pk, now=NOW + timedelta(minutes=1))
    assert calls == [[second.pk]]  # the first attempt is not read, scored or written again
    assert (done.status, done.processed, done.total) == ("done", 2, 2)
    assert (done.score_changes, done.now_passing) == (2, 1)  # the second passed already
    first_before = RegradeNotice.objects.get(attempt=first)
    assert (first_before.old_passed, first_before.new_passed) == (False, True)


def test_a_regrade_reports_its_batches_for_the_progress_bar():
    assert Regrade(total=0, processed=0).batches == (0, 0)
    assert Regrade(total=1001, processed=500).batches == (1, 3)
    assert Regrade(total=1001, processed=1001).batches == (3, 3)
