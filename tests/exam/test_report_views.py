from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quiz.exam.scoring import MEETS, NEEDS
from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import Question
from tests.factories import UserFactory, small_blueprint

pytestmark = pytest.mark.django_db


def finished_attempt(user, blueprint, *, correct: int):
    now = timezone.now()
    attempt = start_attempt(user=user, blueprint=blueprint, now=now)
    for item in attempt.items.select_related("version").order_by("position"):
        keys = [s for s, o in enumerate(item.option_order) if o in item.version.correct_indices]
        wrong = [
            s for s, o in enumerate(item.option_order) if o not in item.version.correct_indices
        ]
        chosen = keys if item.position <= correct else wrong[:1]
        save_answer(
            attempt_id=attempt.pk,
            user=user,
            position=item.position,
            answer=Answer(selected=tuple(chosen), flagged=item.position == 2),
            now=now,
        )
    return finish_attempt(attempt=attempt, now=now + timedelta(minutes=10))


def test_the_report_before_submission_is_a_404_even_for_its_owner(
    candidate_client, user, blueprint
):
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    result = candidate_client.get(reverse("quiz:attempt_result", args=[attempt.pk]))
    answers = candidate_client.get(reverse("quiz:attempt_answers", args=[attempt.pk]))
    assert result.status_code == 404
    # Answer reviews are paused while the owner's mock runs (409), whichever attempt they name.
    assert answers.status_code in (404, 409)


def test_reading_another_candidate_s_report_needs_the_named_permission(client, user, blueprint):
    attempt = finished_attempt(user, blueprint, correct=5)
    urls = [
        reverse(name, args=[attempt.pk]) for name in ("quiz:attempt_result", "quiz:attempt_answers")
    ]
    staff = UserFactory(username="staff", is_staff=True)
    author = UserFactory(username="author", is_staff=True)
    author.groups.add(Group.objects.get(name="Question authors"))
    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="read_candidate_results"))
    for reader, status in ((staff, 404), (author, 404), (reviewer, 200)):
        client.force_login(reader)
        assert [client.get(url).status_code for url in urls] == [status, status], reader


def test_the_result_page_shows_score_domains_objectives_pacing_and_counts(
    candidate_client, user, blueprint
):
    attempt = finished_attempt(user, blueprint, correct=8)
    html = candidate_client.get(reverse("quiz:attempt_result", args=[attempt.pk])).content.decode()
    assert 'data-testid="scaled-score">750<' in html and ">Pass<" in html
    assert "8 of 10 scored questions" in html and "(8 needed to pass)" in html
    rows = attempt.results["domains"] + attempt.results["objectives"]
    labels = [row["label"] for row in rows]
    # Every domain and objective row carries its own badge, and nothing else looks like one.
    assert html.count('class="badge badge-meets">Meets Competencies<') == labels.count(MEETS)
    assert html.count('class="badge badge-needs">Needs Improvement<') == labels.count(NEEDS)
    assert MEETS in labels and NEEDS in labels  # 8 of 10 right: some rows meet, some do not
    assert "1.1 Objective" in html or "1.1 " in html
    assert "Time used: <strong>10 min</strong> of 20 min" in html
    assert "Flagged: <strong>1</strong>" in html
    # Every domain and objective row carries its own label, styled by it; the domain bars mark
    # the cut.
    for row in attempt.results["domains"] + attempt.results["objectives"]:
        style = "badge-meets" if row["label"] == "Meets Competencies" else "badge-needs"
        assert f'<span class="badge {style}">{row["label"]}</span>' in html
    cut = round(float(attempt.cut_fraction) * 100, 1)
    assert html.count(f'<line x1="{cut}" x2="{cut}"') == len(attempt.results["domains"])


def test_pretest_items_are_labelled_unscored_only_in_the_review(candidate_client, user):
    blueprint = small_blueprint(per_objective=6)
    Question.objects.filter(objective__domain__blueprint=blueprint, objective__code="2.2").update(
        status="pretest"
    )
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    question_html = candidate_client.get(
        reverse("quiz:attempt_question", args=[attempt.pk, 1])
    ).content.decode()
    assert "nscored" not in question_html
    finish_attempt(attempt=attempt, now=timezone.now())
    review = candidate_client.get(
        reverse("quiz:attempt_answers", args=[attempt.pk])
    ).content.decode()
    assert review.count(">Unscored<") == attempt.items.filter(is_scored=False).count() == 2


def test_review_filters_incorrect_flagged_unanswered_and_domain(candidate_client, user, blueprint):
    attempt = finished_attempt(user, blueprint, correct=7)
    url = reverse("quiz:attempt_answers", args=[attempt.pk])

    def shown(**params) -> int:
        return candidate_client.get(url, params).content.decode().count("<article")

    assert shown() == 10
    assert shown(show="incorrect") == 3
    assert shown(show="flagged") == 1
    assert shown(show="unanswered") == 0
    in_domain_1 = attempt.items.filter(version__objective__domain__number=1).count()
    assert shown(domain="1") == in_domain_1
    assert shown(show="bogus") == 10
    # A domain that is not a number is refused with a message, not guessed at.
    for bad in ("x", "²", "١", "-1", "9" * 30):
        response = candidate_client.get(url, {"domain": bad})
        assert response.status_code == 400, bad
        assert "domain must be" in response.content.decode()


def test_the_dashboard_lists_attempts_charts_and_weakest_objectives(
    candidate_client, user, blueprint
):
    finished_attempt(user, blueprint, correct=8)
    finished_attempt(user, blueprint, correct=3)
    html = candidate_client.get(f"/?blueprint={blueprint.code}").content.decode()
    # The score chart and the domain chart, each an image with a text alternative.
    assert html.count('role="img"') == 2
    assert "Pass 750" in html
    assert "Your weakest objectives" in html
    assert html.count("badge-fail") == 1 and html.count("badge-pass") == 1
    assert "Take another mock" in html


def test_resume_lands_on_the_item_last_viewed(candidate_client, user, blueprint):
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    candidate_client.get(reverse("quiz:attempt_question", args=[attempt.pk, 7]))
    html = candidate_client.get(reverse("home")).content.decode()
    assert reverse("quiz:attempt_question", args=[attempt.pk, 7]) in html
    assert "Resume at question 7" in html


def test_result_review_and_dashboard_run_a_fixed_number_of_queries(
    candidate_client, user, blueprint
):
    """The same number of queries after 1 and after 4 attempts, and within budget."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The answer review also asks whether a mock of the reader's is running (keys are paused).
    # home (one exam's dashboard): session, user, the exam and its domains, attempts, mastery
    # (objectives, answers ×2), the weakest objectives' ids, readiness (answers ×2, objectives,
    # exam date, review cards, bookmarks), the exams to choose from, regrade notices.
    budgets = {"quiz:attempt_result": 7, "quiz:attempt_answers": 11, "home": 17}

    def counts(last) -> dict[str, int]:
        result = {}
        for name in budgets:
            url = (
                f"{reverse(name)}?blueprint={blueprint.code}"
                if name == "home"
                else reverse(name, args=[last.pk])
            )
            with CaptureQueriesContext(connection) as queries:
                assert candidate_client.get(url).status_code == 200
            result[name] = len(queries)
        return result

    first = counts(finished_attempt(user, blueprint, correct=3))
    for n in range(3):
        last = finished_attempt(user, blueprint, correct=n + 4)
    after = counts(last)
    assert after == first
    assert after == budgets


def fix_key_to_the_candidates_pick(attempt, position: int) -> int:
    """An author decides the option the candidate picked was right: a new version of the
    question with the same options and that option as its key. Returns the picked index."""
    item = attempt.items.select_related("version__question").get(position=position)
    (picked,) = item.selected
    question = item.version.question
    for index, choice in enumerate(question.choices.order_by("order", "pk")):
        choice.is_correct = index == picked
        choice.save()
    question.snapshot()
    return picked


def test_rescore_command_applies_a_corrected_key_and_reports_the_change(user, blueprint, capsys):
    attempt = finished_attempt(user, blueprint, correct=0)
    single = attempt.items.filter(version__type="single", is_scored=True).first()
    fix_key_to_the_candidates_pick(attempt, single.position)
    call_command("rescore")
    assert "Rescored 1 attempt(s); 1 score(s) changed." in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.correct_count == 1
    call_command("rescore")
    assert "Rescored 1 attempt(s); 0 score(s) changed." in capsys.readouterr().out


def test_after_a_rescore_the_answer_review_shows_the_key_the_item_was_scored_with(
    candidate_client, user, blueprint
):
    from quiz.exam.services import rescore

    attempt = finished_attempt(user, blueprint, correct=0)
    item = attempt.items.filter(version__type="single", is_scored=True).first()
    url = reverse("quiz:attempt_answers", args=[attempt.pk]) + "?show=incorrect"
    assert f'id="q{item.position}-heading"' in candidate_client.get(url).content.decode()
    picked = fix_key_to_the_candidates_pick(attempt, item.position)
    assert rescore(attempt=attempt) is True
    item.refresh_from_db()
    assert item.outcome_correct is True and item.scored_key == [picked]
    page = candidate_client.get(url).content.decode()
    assert f'id="q{item.position}-heading"' not in page  # no longer among the incorrect
    response = candidate_client.get(reverse("quiz:attempt_answers", args=[attempt.pk]))
    entry = next(e for e in response.context["entries"] if e["item"].pk == item.pk)
    assert entry["correct"] is True
    shown = item.option_order.index(picked)
    assert [o["is_key"] for o in entry["options"]] == [
        p == shown for p in range(len(item.option_order))
    ]


def test_the_answer_review_has_a_jump_list_objective_filter_struck_options_and_closed_explanations(
    client, user, blueprint
):
    now = timezone.now()
    attempt = start_attempt(user=user, blueprint=blueprint, now=now)
    save_answer(
        attempt_id=attempt.pk,
        user=user,
        position=1,
        answer=Answer(selected=(0,), struck=(2,)),
        now=now,
    )
    attempt = finish_attempt(attempt=attempt, now=now)
    client.force_login(user)
    url = reverse("quiz:attempt_answers", args=[attempt.pk])
    html = client.get(url).content.decode()
    assert html.count('<a href="#q') == attempt.items.count()
    assert html.count("You struck this out") == 1
    assert '<details class="explanation"><summary>Explanation</summary>' in html
    assert '<details class="explanation" open' not in html
    first = attempt.items.select_related("version__objective").get(position=1)
    code = first.version.objective.code
    filtered = client.get(url, {"objective": code}).content.decode()
    same_objective = attempt.items.filter(version__objective__code=code).count()
    assert filtered.count('<article class="card answer-review"') == same_objective
    assert f'<option value="{code}" selected>' in filtered


def test_the_result_shows_time_per_item_as_a_pacing_chart_against_the_budget(
    client, user, blueprint
):
    now = timezone.now()
    attempt = start_attempt(user=user, blueprint=blueprint, now=now)
    attempt.items.filter(position=2).update(seconds_on_screen=300)  # over the 2-minute budget
    attempt.items.filter(position=3).update(seconds_on_screen=65)
    attempt = finish_attempt(attempt=attempt, now=now)
    client.force_login(user)
    html = client.get(reverse("quiz:attempt_result", args=[attempt.pk])).content.decode()
    assert "Budget 2 min 00 s" in html
    assert html.count('fill="#a5221b"><title>Question') == 1
    assert "<title>Question 2: 5 min 00 s</title>" in html
    assert "<td>1 min 05 s</td>" in html
    answers = client.get(reverse("quiz:attempt_answers", args=[attempt.pk])).content.decode()
    assert "on screen 5 min 00 s" in answers
