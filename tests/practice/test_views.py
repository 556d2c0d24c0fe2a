from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import Bookmark, PracticeItem, PracticeSession
from quiz.practice.services import (
    NothingToPractise,
    answer_practice,
    objective_mastery,
    start_practice,
)
from tests.factories import UserFactory, small_blueprint

pytestmark = pytest.mark.django_db


def key_of(item: PracticeItem) -> tuple[int, ...]:
    return tuple(s for s, o in enumerate(item.option_order) if o in item.version.correct_indices)


def wrong_of(item: PracticeItem) -> tuple[int, ...]:
    return (
        next(s for s, o in enumerate(item.option_order) if o not in item.version.correct_indices),
    )


@pytest.fixture
def objective_ids(blueprint):
    return list(blueprint.domains.get(number=1).objectives.values_list("pk", flat=True))


def practise(user, blueprint, *, kind="chosen", length=5, objective_ids=None):
    return start_practice(
        user=user,
        blueprint=blueprint,
        kind=kind,
        length=length,
        objective_ids=objective_ids,
        now=timezone.now(),
        seed=11,
    )


def test_chosen_practice_draws_only_from_the_chosen_objectives(user, blueprint, objective_ids):
    session = practise(user, blueprint, objective_ids=objective_ids, length=6)
    served = set(session.items.values_list("version__objective_id", flat=True))
    assert served == set(objective_ids)
    assert session.items.count() == 6


def test_answering_records_the_outcome_once(user, blueprint, objective_ids):
    session = practise(user, blueprint, objective_ids=objective_ids)
    item = session.items.select_related("version").get(position=1)
    answered = answer_practice(
        session_id=session.pk, user=user, position=1, selected=key_of(item), now=timezone.now()
    )
    assert answered.is_correct is True
    with pytest.raises(ValidationError) as error:
        answer_practice(
            session_id=session.pk,
            user=user,
            position=1,
            selected=wrong_of(item),
            now=timezone.now(),
        )
    assert error.value.code == "already_answered"


@pytest.mark.parametrize(("selected", "code"), [((), "no_selection"), ((9,), "invalid_option")])
def test_bad_practice_answers_are_refused(user, blueprint, objective_ids, selected, code):
    session = practise(user, blueprint, objective_ids=objective_ids)
    with pytest.raises(ValidationError) as error:
        answer_practice(
            session_id=session.pk, user=user, position=1, selected=selected, now=timezone.now()
        )
    assert error.value.code == code
    assert not PracticeItem.objects.filter(session=session, answered_at__isnull=False).exists()


def test_retry_missed_serves_items_missed_in_practice_and_mocks_not_corrected_since(
    user, blueprint
):
    session = practise(
        user,
        blueprint,
        length=16,
        objective_ids=list(blueprint.domains.values_list("objectives__pk", flat=True)),
    )
    items = list(session.items.select_related("version").order_by("position"))
    for item in items[:3]:  # three missed
        answer_practice(
            session_id=session.pk,
            user=user,
            position=item.position,
            selected=wrong_of(item),
            now=timezone.now(),
        )
    for item in items[3:5]:  # two right
        answer_practice(
            session_id=session.pk,
            user=user,
            position=item.position,
            selected=key_of(item),
            now=timezone.now(),
        )
    # Then a mock: two items answered wrongly, the rest left blank (blanks are not answers).
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    mock_wrong = set()
    for mock_item in attempt.items.select_related("version").order_by("position")[:2]:
        wrong = next(
            s
            for s, o in enumerate(mock_item.option_order)
            if o not in mock_item.version.correct_indices
        )
        save_answer(
            attempt_id=attempt.pk,
            user=user,
            position=mock_item.position,
            answer=Answer(selected=(wrong,)),
            now=timezone.now(),
        )
        mock_wrong.add(mock_item.version.question_id)
    finish_attempt(attempt=attempt, now=timezone.now())
    missed = practise(user, blueprint, kind="missed", length=40)
    served = set(missed.items.values_list("version__question_id", flat=True))
    assert served == {i.version.question_id for i in items[:3]} | mock_wrong


def test_nothing_missed_yet_says_so(user, blueprint):
    with pytest.raises(NothingToPractise):
        practise(user, blueprint, kind="missed")
    with pytest.raises(NothingToPractise):
        practise(user, blueprint, kind="bookmarks")


def test_weak_spots_start_with_the_weakest_objective(user, blueprint):
    weakest = blueprint.domains.get(number=2).objectives.get(code="2.2")
    session = practise(user, blueprint, objective_ids=[weakest.pk], length=4)
    for item in session.items.select_related("version"):
        answer_practice(
            session_id=session.pk,
            user=user,
            position=item.position,
            selected=wrong_of(item),
            now=timezone.now(),
        )
    mastery = {o.code: m for o, m in objective_mastery(user=user, blueprint=blueprint)}
    assert mastery["2.2"].answers == 4 and mastery["2.2"].estimate < 0.5
    weak = practise(user, blueprint, kind="weak", length=6)
    first = weak.items.select_related("version").get(position=1)
    # 2.2's questions were all answered (wrongly): they are "missed", served after unseen
    # ones of 2.2, which has none left, so they lead the session.
    assert first.version.objective_id == weakest.pk


def test_the_practice_flow_through_views_with_feedback(
    candidate_client, user, blueprint, objective_ids
):
    response = candidate_client.post(
        reverse("quiz:practice_start") + f"?blueprint={blueprint.code}",
        {"kind": "chosen", "objectives": objective_ids, "length": "10"},
    )
    assert response.status_code == 302
    session = PracticeSession.objects.get(user=user)
    item = session.items.select_related("version").get(position=1)
    page = candidate_client.get(response["Location"]).content.decode()
    assert "Check answer" in page and "Rationale" not in page  # no key before answering
    answered = candidate_client.post(
        response["Location"],
        {"selected": [str(p) for p in key_of(item)]},
        headers={"HX-Request": "true"},
    )
    html = answered.content.decode()
    assert "Correct." in html and "Rationale" in html and "Because the first option" in html
    assert html.lstrip().startswith('<div id="practice"')
    end = candidate_client.post(reverse("quiz:practice_end", args=[session.pk]))
    summary = candidate_client.get(end["Location"]).content.decode()
    assert "1 of 1</strong> answered correctly" in summary


def test_the_setup_form_needs_a_choice(candidate_client):
    response = candidate_client.post(
        reverse("quiz:practice_start"), {"kind": "chosen", "length": "10"}
    )
    assert response.status_code == 422
    assert "Choose at least one domain or objective." in response.content.decode()


def test_another_candidates_practice_is_a_404(client, user, blueprint, objective_ids):
    session = practise(user, blueprint, objective_ids=objective_ids)
    client.force_login(UserFactory(username="other"))
    for url, method in [
        (reverse("quiz:practice_question", args=[session.pk, 1]), "get"),
        (reverse("quiz:practice_question", args=[session.pk, 1]), "post"),
        (reverse("quiz:practice_summary", args=[session.pk]), "get"),
        (reverse("quiz:practice_end", args=[session.pk]), "post"),
    ]:
        assert (
            getattr(client, method)(
                url, {"selected": ["0"]} if method == "post" else None
            ).status_code
            == 404
        )
    assert not PracticeItem.objects.filter(answered_at__isnull=False).exists()
    session.refresh_from_db()
    assert session.ended_at is None


def test_bookmarks_toggle_only_for_questions_the_candidate_has_seen(
    candidate_client, user, blueprint, objective_ids
):
    session = practise(user, blueprint, objective_ids=objective_ids)
    seen = session.items.first().version.question_id
    url = reverse("quiz:bookmark_toggle", args=[seen])
    assert candidate_client.post(url, {"next": "https://evil.example/"})["Location"] == reverse(
        "quiz:practice_start"
    )
    assert Bookmark.objects.filter(user=user, question_id=seen).exists()
    candidate_client.post(url)
    assert not Bookmark.objects.exists()
    unseen = blueprint.domains.get(number=2).objectives.first().questions.first().pk
    assert candidate_client.post(reverse("quiz:bookmark_toggle", args=[unseen])).status_code == 404
    candidate_client.post(url)
    bookmarked = practise(user, blueprint, kind="bookmarks")
    assert list(bookmarked.items.values_list("version__question_id", flat=True)) == [seen]


def test_practice_pages_run_a_fixed_number_of_queries(
    candidate_client, user, django_assert_num_queries
):
    for size in (5, 15):
        blueprint = small_blueprint(per_objective=8)
        ids = list(blueprint.domains.values_list("objectives__pk", flat=True))
        session = start_practice(
            user=user,
            blueprint=blueprint,
            kind="chosen",
            length=size,
            objective_ids=ids,
            now=timezone.now(),
        )
        item = session.items.select_related("version").get(position=1)
        url = reverse("quiz:practice_question", args=[session.pk, 1])
        # One query more than the page itself: is a mock running (keys are paused then)?
        with django_assert_num_queries(6):
            candidate_client.get(url)
        # The same 12 for a drill of 5 or 15 (the feedback includes the state of the candidate's
        # report on the question).
        with django_assert_num_queries(12):
            candidate_client.post(
                url, {"selected": [str(p) for p in key_of(item)]}, headers={"HX-Request": "true"}
            )
        with django_assert_num_queries(5):
            candidate_client.get(reverse("quiz:practice_summary", args=[session.pk]))
    with django_assert_num_queries(8):
        candidate_client.get(reverse("quiz:practice_start"))
