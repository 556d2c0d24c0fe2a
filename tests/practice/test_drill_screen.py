"""Inside a drill: Previous and a navigator, strike-out of options, a bookmark before answering,
and a length control whose errors sit next to it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quiz.models import Bookmark, PracticeItem, PracticeSession
from quiz.practice.services import answer_practice
from quiz.practice.views import practice_navigator
from tests.practice.test_views import key_of, practise, wrong_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(user, blueprint):
    ids = list(blueprint.domains.values_list("objectives__pk", flat=True))
    return practise(user, blueprint, objective_ids=ids, length=4)


def item(session, position) -> PracticeItem:
    return session.items.select_related("version").get(position=position)


def page(client, session, position) -> str:
    return client.get(
        reverse("quiz:practice_question", args=[session.pk, position])
    ).content.decode()


def test_the_navigator_says_each_items_state_and_marks_the_current_one():
    rows = [(1, timezone.now(), True), (2, timezone.now(), False), (3, None, None)]
    entries = practice_navigator(rows, current=3)
    assert [e["label"] for e in entries] == [
        "Question 1, correct",
        "Question 2, incorrect",
        "Question 3, not answered",
    ]
    assert [e["current"] for e in entries] == [False, False, True]
    assert entries[0]["css"] != entries[1]["css"] != entries[2]["css"]


def test_the_drill_page_has_previous_and_a_navigator_to_every_item(candidate_client, session, user):
    answer_practice(
        session_id=session.pk,
        user=user,
        position=1,
        selected=key_of(item(session, 1)),
        now=timezone.now(),
    )
    answer_practice(
        session_id=session.pk,
        user=user,
        position=2,
        selected=wrong_of(item(session, 2)),
        now=timezone.now(),
    )
    html = page(candidate_client, session, 3)
    for position in range(1, 5):
        assert f'href="{reverse("quiz:practice_question", args=[session.pk, position])}"' in html
    assert 'aria-label="Question 1, correct"' in html
    assert 'aria-label="Question 2, incorrect"' in html
    assert 'aria-label="Question 3, not answered" aria-current="step"' in html
    previous = reverse("quiz:practice_question", args=[session.pk, 2])
    assert f'data-shortcut="prev" href="{previous}"' in html
    assert 'data-shortcut="prev"' not in page(candidate_client, session, 1)


def test_going_back_shows_an_answered_items_feedback_and_keeps_its_answer(
    candidate_client, session, user
):
    first = item(session, 1)
    answer_practice(
        session_id=session.pk, user=user, position=1, selected=wrong_of(first), now=timezone.now()
    )
    html = page(candidate_client, session, 1)
    assert "Not quite." in html and "Check answer" not in html


def test_struck_options_are_sent_with_the_answer_kept_and_shown_in_the_feedback(
    candidate_client, session
):
    first = item(session, 1)
    wrong = wrong_of(first)[0]
    url = reverse("quiz:practice_question", args=[session.pk, 1])
    assert 'name="struck"' in page(candidate_client, session, 1)
    candidate_client.post(url, {"selected": [str(p) for p in key_of(first)], "struck": [wrong]})
    first.refresh_from_db()
    assert first.struck == [first.option_order[wrong]]  # stored as the option's own index
    assert "You struck this out" in page(candidate_client, session, 1)


def test_a_struck_option_that_is_not_the_items_is_refused_and_changes_nothing(user, session):
    first = item(session, 1)
    with pytest.raises(ValidationError) as refused:
        answer_practice(
            session_id=session.pk,
            user=user,
            position=1,
            selected=key_of(first),
            struck=(9,),
            now=timezone.now(),
        )
    assert refused.value.code == "invalid_option"
    first.refresh_from_db()
    assert (first.answered_at, first.struck) == (None, [])


def test_a_question_can_be_bookmarked_before_it_is_answered(candidate_client, session, user):
    first = item(session, 1)
    html = page(candidate_client, session, 1)
    toggle = reverse("quiz:bookmark_toggle", args=[first.version.question_id])
    assert f'action="{toggle}"' in html and "Check answer" in html
    candidate_client.post(toggle, headers={"HX-Request": "true"})
    assert Bookmark.objects.filter(user=user, question_id=first.version.question_id).exists()
    first.refresh_from_db()
    assert first.answered_at is None  # bookmarking is not answering


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ("", "Enter how many questions (1 to 65)."),
        ("0", "greater than or equal to 1"),
        ("500", "less than or equal to 65"),
        ("١٢", "whole number"),
    ],
)
def test_a_bad_session_length_is_explained_next_to_the_field_and_starts_nothing(
    candidate_client, user, blueprint, custom, message
):
    objective = blueprint.domains.get(number=1).objectives.first()
    response = candidate_client.post(
        reverse("quiz:practice_start") + f"?blueprint={blueprint.code}",
        {"kind": "chosen", "objectives": [objective.pk], "length": "0", "custom_length": custom},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-describedby="custom-length-help custom-length-errors" aria-invalid="true"' in html
    errors = html.split('<div id="custom-length-errors">')[1].split("</div>")[0]
    assert message in errors and errors.count("<li>") == 1  # one error, the one that applies
    assert not PracticeSession.objects.filter(user=user).exists()


def test_a_length_that_is_not_offered_is_explained_next_to_the_choices(
    candidate_client, user, blueprint
):
    objective = blueprint.domains.get(number=1).objectives.first()
    response = candidate_client.post(
        reverse("quiz:practice_start") + f"?blueprint={blueprint.code}",
        {"kind": "chosen", "objectives": [objective.pk], "length": "7"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert '<fieldset aria-describedby="length-errors">' in html
    assert '<div id="length-errors"><ul class="errorlist"' in html
    assert not PracticeSession.objects.filter(user=user).exists()
