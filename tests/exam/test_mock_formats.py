"""Mini and single-domain mocks through the services and pages: sized from the blueprint's rows,
labelled as such on every screen, kept out of the full-exam trends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import Attempt, AttemptItem
from quiz.readiness.services import readiness_report
from tests.conftest import NOW
from tests.factories import small_blueprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    """A 30-item, 60-minute exam of two domains (60/40), 20 questions per domain: not MLS-C01."""
    return small_blueprint(
        per_objective=10, question_count=30, duration_minutes=60, max_unscored_items=6
    )


def sit(user, blueprint, *, form=Attempt.Format.FULL, domain=None, right=True, now=None):
    """Start a mock of the format, answer every item (right or wrong), submit it."""
    now = now or timezone.now()
    attempt = start_attempt(user=user, blueprint=blueprint, now=now, form=form, domain=domain)
    for item in attempt.items.select_related("version").order_by("position"):
        shown = [o in item.version.correct_indices for o in item.option_order]
        chosen = [p for p, key in enumerate(shown) if key == right][: item.choose]
        save_answer(
            attempt_id=attempt.pk,
            user=user,
            position=item.position,
            answer=Answer(selected=tuple(chosen)),
            now=now,
        )
    return finish_attempt(attempt=attempt, now=now + timedelta(minutes=5))


def test_a_mini_mock_serves_20_items_in_proportional_time_by_domain_weight(user, exam):
    attempt = start_attempt(user=user, blueprint=exam, now=NOW, form=Attempt.Format.MINI)
    assert (attempt.format, attempt.item_count, attempt.duration_minutes) == ("mini", 20, 40)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=40)
    domains = [i.version.objective.domain.number for i in attempt.items.all()]
    assert len(domains) == 20 and domains.count(1) == 12 and domains.count(2) == 8


def test_a_single_domain_mock_serves_that_domain_only(user, exam):
    domain = exam.domains.get(number=2)
    attempt = start_attempt(
        user=user, blueprint=exam, now=NOW, form=Attempt.Format.DOMAIN, domain=domain
    )
    assert (attempt.item_count, attempt.duration_minutes, attempt.domain) == (12, 24, domain)
    assert {i.version.objective.domain_id for i in attempt.items.all()} == {domain.pk}
    assert attempt.format_label == f"Single-domain mock: Domain 2, {domain.title}"


def test_the_accommodation_is_granted_in_proportion_too(user, exam):
    user.extra_time_accommodation = True
    user.save()
    attempt = start_attempt(user=user, blueprint=exam, now=NOW, form=Attempt.Format.MINI)
    assert attempt.duration_minutes == 44  # (60 + 5) × 20 / 30 = 43.3, rounded up


def test_a_short_form_is_scored_on_the_blueprints_scale(user, exam):
    perfect = sit(user, exam, form=Attempt.Format.MINI)
    assert (perfect.scaled_score, perfect.passed, perfect.scored_count) == (1000, True, 20)
    nothing = sit(
        user, exam, form=Attempt.Format.DOMAIN, domain=exam.domains.get(number=1), right=False
    )
    assert (nothing.scaled_score, nothing.passed) == (100, False)
    assert [d["key"] for d in nothing.results["domains"]] == [1]


def test_one_mock_at_a_time_whatever_the_format(user, exam):
    full = start_attempt(user=user, blueprint=exam, now=NOW)
    again = start_attempt(user=user, blueprint=exam, now=NOW, form=Attempt.Format.MINI)
    assert again.pk == full.pk and again.format == "full"


def test_the_database_refuses_a_domain_format_without_its_domain(user, exam):
    attempt = start_attempt(user=user, blueprint=exam, now=NOW)
    with pytest.raises(IntegrityError):
        Attempt.objects.filter(pk=attempt.pk).update(format=Attempt.Format.DOMAIN)


def test_the_start_page_offers_each_format_with_its_size_and_time(candidate_client, exam):
    html = candidate_client.get(reverse("quiz:mock_start_blueprint", args=[exam.code])).content
    html = html.decode()
    assert "30 questions, 60 minutes: the real exam." in html
    assert "20 questions, 40 minutes, every domain by its weight." in html
    assert "Domain 1: 18 questions, 36 min; Domain 2: 12 questions, 24 min" in html
    assert html.count('name="format"') == 3


def test_starting_a_mini_mock_labels_the_taking_screen(candidate_client, user, exam):
    url = reverse("quiz:mock_start_blueprint", args=[exam.code])
    response = candidate_client.post(url, {"format": "mini"})
    attempt = Attempt.objects.get(user=user)
    assert response["Location"] == reverse("quiz:attempt_question", args=[attempt.pk, 1])
    html = candidate_client.get(response["Location"]).content.decode()
    assert f"{exam.code} </span>mini mock</strong>" in html
    assert "Question 20," in html and "Question 21," not in html


def test_a_single_domain_mock_without_a_domain_is_refused_next_to_the_field(
    candidate_client, user, exam
):
    url = reverse("quiz:mock_start_blueprint", args=[exam.code])
    for data in ({"format": "domain"}, {"format": "domain", "domain": "9"}, {"format": "huge"}):
        response = candidate_client.post(url, data)
        assert response.status_code == 422, data
    html = candidate_client.post(url, {"format": "domain"}).content.decode()
    assert 'aria-invalid="true" aria-describedby="domain-errors"' in html
    assert '<div id="domain-errors"><ul class="errorlist"' in html
    assert "Choose the domain to be examined on." in html
    assert not Attempt.objects.filter(user=user).exists()


def test_starting_a_single_domain_mock_by_its_number(candidate_client, user, exam):
    url = reverse("quiz:mock_start_blueprint", args=[exam.code])
    assert candidate_client.post(url, {"format": "domain", "domain": "2"}).status_code == 302
    attempt = Attempt.objects.get(user=user)
    assert (attempt.format, attempt.domain.number, attempt.item_count) == ("domain", 2, 12)


def test_the_result_history_and_dashboard_label_a_short_form(candidate_client, user, exam):
    mini = sit(user, exam, form=Attempt.Format.MINI)
    result = candidate_client.get(reverse("quiz:attempt_result", args=[mini.pk])).content.decode()
    assert "Score report: Test certification mini mock" in result
    assert 'data-testid="format-note"><strong>Mini mock (20 questions).</strong>' in result
    on_exam = f"?blueprint={exam.code}"
    history = candidate_client.get(reverse("quiz:history") + on_exam).content.decode()
    assert '<span class="badge badge-format">Mini mock (20 questions)</span>' in history
    home = candidate_client.get(reverse("home") + on_exam).content.decode()
    assert '<span class="badge badge-format">Mini mock (20 questions)</span>' in home


def test_the_score_trend_follows_full_exams_only(candidate_client, user, exam):
    sit(user, exam, right=False)
    sit(user, exam, form=Attempt.Format.MINI)
    html = candidate_client.get(f"{reverse('home')}?blueprint={exam.code}").content.decode()
    # One full exam: the chart's table has one row (#1), the mini mock is listed, not charted.
    assert '<th scope="row">#1</th><td>100</td>' in html
    assert '<th scope="row">#2</th>' not in html
    assert 'data-testid="short-forms-note"' in html


def test_the_readiness_history_has_a_point_per_full_exam_only(user, exam):
    blueprint = exam
    for _ in range(2):
        sit(user, blueprint)
    before = readiness_report(user=user, blueprint=blueprint, now=timezone.now())
    assert len(before.history) == 3  # two full exams and now
    sit(user, blueprint, form=Attempt.Format.MINI)
    after = readiness_report(user=user, blueprint=blueprint, now=timezone.now())
    assert len(after.history) == len(before.history)


def test_the_short_forms_answers_count_as_evidence(user, exam):
    from quiz.practice.services import answer_history

    sit(user, exam, form=Attempt.Format.MINI)
    assert len(answer_history(user=user, blueprint=exam)) == 20


@pytest.mark.parametrize("url_name", ["home", "quiz:history"])
def test_short_forms_add_no_query_to_the_dashboard_and_history(
    candidate_client, user, exam, url_name
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            url = f"{reverse(url_name)}?blueprint={exam.code}"
            assert candidate_client.get(url).status_code == 200
        return len(queries)

    sit(user, exam)
    first = count()
    sit(user, exam, form=Attempt.Format.MINI)
    sit(user, exam, form=Attempt.Format.DOMAIN, domain=exam.domains.get(number=1))
    assert count() == first


def test_the_start_page_runs_a_fixed_number_of_queries(
    candidate_client, exam, django_assert_num_queries
):
    url = reverse("quiz:mock_start_blueprint", args=[exam.code])
    # Session, user, the blueprint, its domains (prefetched), the mock in progress, and the
    # bank's servable counts (whether it can fill a form yet).
    with django_assert_num_queries(6):
        assert candidate_client.get(url).status_code == 200


def test_the_item_count_migration_counts_what_each_attempt_served(user, exam):
    from importlib import import_module

    from django.apps import apps

    attempt = start_attempt(user=user, blueprint=exam, now=NOW)
    Attempt.objects.filter(pk=attempt.pk).update(item_count=1)
    migration = import_module("quiz.migrations.0017_mock_formats_and_abandon")
    migration.count_served_items(apps, None)
    attempt.refresh_from_db()
    assert attempt.item_count == AttemptItem.objects.filter(attempt=attempt).count() == 30
