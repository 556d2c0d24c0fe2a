"""The readiness number is calibrated on simulated candidates (a smaller, fixed-seed run of
``readiness_calibration``), and the services path gives figures through the app's own writes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from quiz.models import Attempt, Blueprint, PracticeSession
from quiz.readiness.calibration import paired_traces, run

pytestmark = pytest.mark.django_db


def test_a_fixed_seed_run_meets_the_bounds():
    """80% intervals hold the realised score 75-85% of the time, and the pass probability's
    Brier score beats "the last mock's pass or fail" after 1, 3 and 5 mocks."""
    report = run(candidates=120, seed=17)
    assert 0.75 <= report.coverage <= 0.85
    for figures in report.figures.values():
        assert figures.intervals == 120
        assert figures.brier_score < figures.naive_brier_score


def test_the_services_path_sits_real_mocks_and_leaves_nothing_behind():
    before = (Blueprint.objects.count(), Attempt.objects.count(), PracticeSession.objects.count())
    report = run(candidates=1, seed=3, through_services=True)
    assert [f.intervals for f in report.figures.values()] == [1, 1, 1]
    after = (Blueprint.objects.count(), Attempt.objects.count(), PracticeSession.objects.count())
    assert after == before


def test_the_command_prints_the_figures_per_number_of_mocks():
    out = StringIO()
    call_command("readiness_calibration", candidates=5, seed=1, stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Readiness calibration: 5 simulated candidates, seed 1")
    assert [line.split("|")[0].strip() for line in lines[2:5]] == ["1", "3", "5"]
    assert lines[-1].startswith("all checkpoints: coverage")


def test_the_in_memory_path_and_the_services_path_give_the_same_forms_scores_and_predictions():
    """The same simulated candidates (same random stream, same bank) through start_attempt,
    finish_attempt, start_practice and answer_history against the database, and through the
    pure rules in memory: every form served, score, practice drill, prediction and fresh-form
    outcome agrees, so the default (fast) path is the app's code path, not a copy of it."""
    pairs = paired_traces(candidates=3, seed=11)
    for services, memory in pairs:
        kinds = [entry[0] for entry in services]
        assert kinds.count("mock") == 5 and kinds.count("check") == 3
        assert kinds.count("practice") == 8
        assert services == memory
    # Something was actually practised and some answer was wrong (the traces are not trivial).
    drills = [entry[2] for services, _ in pairs for entry in services if entry[0] == "practice"]
    assert any(drills)
    scores = {entry[2] for services, _ in pairs for entry in services if entry[0] == "mock"}
    assert len(scores) > 1
