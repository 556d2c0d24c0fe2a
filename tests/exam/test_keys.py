"""No key of a running mock reaches its candidate: the harvest through Practice, reviews and
bookmarks yields nothing, and what Practice offers says nothing about which items are unscored."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import Attempt, PracticeItem, PracticeSession, Question
from quiz.practice.services import answer_practice, start_practice, toggle_bookmark
from tests.factories import QuestionFactory, UserFactory, small_blueprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    """A small exam whose bank holds pretest questions too, every explanation unique (it is
    shown only with the key, so finding it in a page means the key was served)."""
    blueprint = small_blueprint(per_objective=6, question_count=10, max_unscored_items=2)
    objectives = list(blueprint.domains.values_list("objectives", flat=True))
    for objective_id in objectives * 2:
        QuestionFactory(objective_id=objective_id, status=Question.Status.PRETEST)
    for question in Question.objects.filter(objective__domain__blueprint=blueprint):
        Question.objects.filter(pk=question.pk).update(
            explanation=f"Explained-{question.external_id}-secret"
        )
        question.refresh_from_db()
        question.snapshot()
    return blueprint


def explanations(question_ids) -> dict[int, str]:
    return {
        q.pk: q.explanation
        for q in Question.objects.filter(pk__in=question_ids).only("pk", "explanation")
    }


def practice_form(blueprint) -> dict:
    objectives = blueprint.domains.values_list("objectives", flat=True)
    return {"kind": "chosen", "objectives": list(objectives), "length": "0", "custom_length": "65"}


def harvest(client: Client, blueprint) -> tuple[list[str], set[int]]:
    """Everything a candidate can read that might carry a key, as an attacker would collect it:
    new practice sessions (every kind) until they stop offering new questions, every item of
    every practice session, every summary, every finished mock's answer review."""
    pages: list[str] = []
    offered: set[int] = set()
    start = reverse("quiz:practice_start") + f"?blueprint={blueprint.code}"
    for kind in ("chosen", "missed", "weak", "bookmarks"):
        while True:
            data = practice_form(blueprint) | {"kind": kind}
            response = client.post(start, data)
            pages.append(response.content.decode())
            if response.status_code != 302:
                break
            session = PracticeSession.objects.filter(user_id=client.session["_auth_user_id"])[0]
            new = set(session.items.values_list("version__question_id", flat=True)) - offered
            offered |= new
            for item in session.items.order_by("position"):
                url = reverse("quiz:practice_question", args=[session.pk, item.position])
                pages.append(client.post(url, {"selected": ["0"]}, follow=True).content.decode())
            if not new:
                break
    user_id = client.session["_auth_user_id"]
    for item in PracticeItem.objects.filter(session__user_id=user_id):
        url = reverse("quiz:practice_question", args=[item.session_id, item.position])
        pages.append(client.get(url).content.decode())
        pages.append(client.get(url, headers={"HX-Request": "true"}).content.decode())
    for session in PracticeSession.objects.filter(user_id=user_id):
        pages.append(client.get(session.get_absolute_url()).content.decode())
    for attempt in Attempt.objects.filter(user_id=user_id).finished():
        for url in (
            reverse("quiz:attempt_answers", args=[attempt.pk]),
            reverse("quiz:attempt_result", args=[attempt.pk]),
        ):
            pages.append(client.get(url).content.decode())
    return pages, offered


def candidate_with_history(blueprint):
    """A candidate who practised, finished a mock (whose review shows keys) and bookmarked."""
    user = UserFactory()
    now = timezone.now()
    objectives = list(blueprint.domains.values_list("objectives", flat=True))
    session = start_practice(
        user=user, blueprint=blueprint, kind="chosen", length=12, objective_ids=objectives, now=now
    )
    for position in (1, 2, 3):
        answer_practice(session_id=session.pk, user=user, position=position, selected=(0,), now=now)
    toggle_bookmark(user=user, question_id=session.items.get(position=1).version.question_id)
    earlier = start_attempt(user=user, blueprint=blueprint, now=now)
    save_answer(attempt_id=earlier.pk, user=user, position=1, answer=Answer(selected=(0,)), now=now)
    finish_attempt(attempt=earlier, now=now)
    return user


def test_the_practice_harvest_yields_no_key_of_the_running_form(bank):
    """Start a mock, practise until Practice offers nothing new, read every review: no key of
    any item on the running form (scored or pretest) appears anywhere."""
    user = candidate_with_history(bank)
    client = Client()
    client.force_login(user)
    client.post(reverse("quiz:mock_start_blueprint", args=[bank.code]))
    running = Attempt.objects.for_user(user).in_progress().get()
    on_form = set(running.items.values_list("version__question_id", flat=True))
    secrets = explanations(on_form)

    pages, offered = harvest(client, bank)

    assert not offered & on_form
    leaked = [qid for qid, text in secrets.items() if any(text in page for page in pages)]
    assert leaked == []
    assert not any('class="is-key"' in page for page in pages)


def test_the_harvest_without_a_running_mock_does_read_keys():
    """The control: the same harvest outside a mock reaches keys (so the test above can fail)."""
    blueprint = small_blueprint(per_objective=3)
    client = Client()
    client.force_login(candidate_with_history(blueprint))
    pages, offered = harvest(client, blueprint)
    assert offered
    assert any('class="is-key"' in page for page in pages)


def test_what_practice_offers_during_a_mock_carries_no_information_about_unscored_items(bank):
    """Scored and pretest items of the running form are offered alike (not at all), so the
    complement of what Practice offers is the whole form, never the pretest positions."""
    client = Client()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("quiz:mock_start_blueprint", args=[bank.code]))
    running = Attempt.objects.for_user(user).in_progress().get()
    items = list(running.items.values_list("version__question_id", "is_scored"))
    assert {scored for _, scored in items} == {True, False}  # the form has pretest items

    _, offered = harvest(client, bank)

    offered_scored = {qid in offered for qid, scored in items if scored}
    offered_pretest = {qid in offered for qid, scored in items if not scored}
    assert offered_scored == offered_pretest == {False}


def test_practice_is_paused_with_a_message_and_resumes_when_the_mock_ends(bank):
    client = Client()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("quiz:mock_start_blueprint", args=[bank.code]))
    paused = client.get(reverse("quiz:practice_start"))
    assert paused.status_code == 409
    assert "Resume your exam" in paused.content.decode()
    htmx = client.get(reverse("quiz:practice_start"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("quiz:practice_start")
    finish_attempt(attempt=Attempt.objects.for_user(user).get(), now=timezone.now())
    assert client.get(reverse("quiz:practice_start")).status_code == 200


def test_pretest_questions_are_never_served_in_practice_to_anyone(bank):
    client = Client()
    client.force_login(candidate_with_history(bank))
    _, offered = harvest(client, bank)
    pretest = set(
        Question.objects.filter(status=Question.Status.PRETEST).values_list("pk", flat=True)
    )
    published = set(
        Question.objects.filter(
            status=Question.Status.PUBLISHED, objective__domain__blueprint=bank
        ).values_list("pk", flat=True)
    )
    assert pretest and not offered & pretest
    assert offered == published


def test_the_rule_reads_only_the_user_s_running_mock_not_an_overdue_one(bank):
    user = UserFactory()
    attempt = start_attempt(user=user, blueprint=bank, now=timezone.now())
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timezone.timedelta(days=1),
        deadline=timezone.now() - timezone.timedelta(seconds=1),
    )
    client = Client()
    client.force_login(user)
    assert client.get(reverse("quiz:practice_start")).status_code == 200
    assert re.search(r"Paused", client.get(reverse("quiz:practice_start")).content.decode()) is None
