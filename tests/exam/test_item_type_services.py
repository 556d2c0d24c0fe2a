"""Mocks and practice with ordering, matching and case-study items, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from quiz.exam.services import Answer, finish_attempt, rescore, save_answer, start_attempt
from quiz.models import AttemptItem, ItemState
from quiz.practice.services import answer_practice
from tests.conftest import NOW
from tests.factories import item_types_blueprint, practice_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def types_attempt(user):
    return start_attempt(user=user, blueprint=item_types_blueprint(), now=NOW, seed=7)


def item_of(attempt, external_id) -> AttemptItem:
    return attempt.items.select_related("version").get(version__question__external_id=external_id)


def save(attempt, item: AttemptItem, selected, **fields) -> AttemptItem:
    return save_answer(
        attempt_id=attempt.pk,
        user=attempt.user,
        position=item.position,
        answer=Answer(selected=tuple(selected), **fields),
        now=NOW + timedelta(minutes=1),
    )


def right_order(item: AttemptItem) -> list[int]:
    """The display positions of the steps, in the right order."""
    return [item.option_order.index(step) for step in range(len(item.option_order))]


def right_matching(item: AttemptItem) -> list[int]:
    """Each shown prompt's right response."""
    return [item.version.choices[original]["match"] for original in item.option_order]


def test_a_form_serves_each_new_type_and_asks_for_every_step_or_prompt(types_attempt):
    ordering = item_of(types_attempt, "types-ordering")
    matching = item_of(types_attempt, "types-matching")
    assert (ordering.choose, matching.choose) == (4, 4)
    assert sorted(ordering.option_order) == [0, 1, 2, 3]
    assert types_attempt.items.count() == 10


def test_a_case_study_is_served_as_one_block_in_its_order(types_attempt):
    positions = [item_of(types_attempt, f"types-case-{n}").position for n in (1, 2, 3)]
    assert positions == list(range(positions[0], positions[0] + 3))


def test_an_order_is_saved_by_step_and_scores_only_when_entirely_right(types_attempt):
    item = item_of(types_attempt, "types-ordering")
    order = right_order(item)
    saved = save(types_attempt, item, [order[1], order[0], *order[2:]])
    assert saved.selected == [1, 0, 2, 3]
    assert saved.state == ItemState.ANSWERED and saved.answered_at is not None
    save(types_attempt, item, order, revision=saved.revision)
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    item.refresh_from_db()
    assert item.selected == [0, 1, 2, 3]
    assert item.outcome_correct is True
    assert item.scored_key == [0, 1, 2, 3]


def test_a_swapped_pair_of_steps_gets_no_credit(types_attempt):
    item = item_of(types_attempt, "types-ordering")
    order = right_order(item)
    save(types_attempt, item, [*order[:2], order[3], order[2]])
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    item.refresh_from_db()
    assert item.outcome_correct is False


def test_a_partly_placed_order_is_incomplete_and_kept(types_attempt):
    item = item_of(types_attempt, "types-ordering")
    saved = save(types_attempt, item, [right_order(item)[0], None, None, None])
    assert saved.selected == [0, None, None, None]
    assert saved.state == ItemState.INCOMPLETE
    item.refresh_from_db()
    assert item.selected == [0, None, None, None]


def test_a_matching_is_saved_per_prompt_and_scores_only_when_entirely_right(types_attempt):
    item = item_of(types_attempt, "types-matching")
    answer = right_matching(item)
    saved = save(types_attempt, item, answer)
    assert saved.selected == [0, 1, 2, 0]
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    item.refresh_from_db()
    assert item.outcome_correct is True
    assert item.scored_key == [0, 1, 2, 0]


def test_one_wrong_match_gets_no_credit(types_attempt):
    item = item_of(types_attempt, "types-matching")
    answer = right_matching(item)
    answer[0] = 3  # the distractor
    save(types_attempt, item, answer)
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    item.refresh_from_db()
    assert item.outcome_correct is False


def test_a_bad_answer_is_refused_and_changes_nothing(types_attempt):
    item = item_of(types_attempt, "types-ordering")
    save(types_attempt, item, right_order(item))
    item.refresh_from_db()
    for bad, code in (
        ([0, 0, 1, 2], "repeated_step"),
        ([0, 1, 2], "invalid_answer"),
        ([0, 1, 2, 9], "invalid_option"),
    ):
        with pytest.raises(ValidationError) as error:
            save(types_attempt, item, bad, revision=item.revision)
        assert error.value.code == code
    after = AttemptItem.objects.get(pk=item.pk)
    assert (after.selected, after.revision) == (item.selected, item.revision)
    matching = item_of(types_attempt, "types-matching")
    with pytest.raises(ValidationError) as error:
        save(types_attempt, matching, [0, 1, 2, 4])
    assert error.value.code == "invalid_option"


def test_rescore_gives_a_matching_item_its_corrected_key(types_attempt):
    item = item_of(types_attempt, "types-matching")
    answer = right_matching(item)
    answer[item.option_order.index(3)] = 3  # the distractor, for the prompt whose key is fixed
    save(types_attempt, item, answer)
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    question = item.version.question
    prompt = question.choices.get(order=3)
    prompt.match = "Amazon SageMaker Clarify"
    prompt.save()
    question.snapshot()
    assert rescore(attempt=types_attempt)
    item.refresh_from_db()
    assert item.outcome_correct is True
    assert item.scored_key == [0, 1, 2, 3]


def practice_item(user, external_id):
    session = practice_session(user, item_types_blueprint(), [external_id], seed=3)
    return session.items.select_related("version").get()


def answer(user, item, selected):
    return answer_practice(
        session_id=item.session_id, user=user, position=1, selected=tuple(selected), now=NOW
    )


def test_practice_scores_an_order_all_or_nothing(user):
    item = practice_item(user, "types-ordering")
    answered = answer(user, item, right_order(item))
    assert answered.is_correct is True and answered.selected == [0, 1, 2, 3]


def test_practice_takes_no_half_done_matching_and_changes_nothing(user):
    item = practice_item(user, "types-matching")
    with pytest.raises(ValidationError) as error:
        answer(user, item, [0, None, 1, None])
    assert error.value.code == "incomplete_answer"
    item.refresh_from_db()
    assert not item.is_answered and item.selected == []
    wrong = right_matching(item)
    wrong[1] = 3
    assert answer(user, item, wrong).is_correct is False


def test_a_regrade_gives_a_matching_item_its_corrected_key_and_keeps_an_order_in_order(
    types_attempt,
):
    from quiz.exam.regrade import plan_regrade, run_regrade
    from quiz.models import Regrade

    matching = item_of(types_attempt, "types-matching")
    answer = right_matching(matching)
    answer[matching.option_order.index(3)] = 3
    save(types_attempt, matching, answer)
    ordering = item_of(types_attempt, "types-ordering")
    save(types_attempt, ordering, right_order(ordering))
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    served = matching.version
    question = served.question
    prompt = question.choices.get(order=3)
    prompt.match = "Amazon SageMaker Clarify"
    prompt.save()
    question.snapshot()
    regrade = plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    assert regrade.key == [0, 1, 2, 3]
    run_regrade(regrade_id=regrade.pk, now=NOW)
    matching.refresh_from_db()
    ordering.refresh_from_db()
    assert (matching.outcome_correct, matching.scored_key) == (True, [0, 1, 2, 3])
    assert (ordering.outcome_correct, ordering.scored_key) == (True, [0, 1, 2, 3])


def test_an_order_cannot_be_rescored_only_voided(types_attempt):
    from quiz.exam.regrade import plan_regrade
    from quiz.models import Regrade

    ordering = item_of(types_attempt, "types-ordering")
    finish_attempt(attempt=types_attempt, now=NOW + timedelta(minutes=2))
    served = ordering.version
    question = served.question
    first = question.choices.get(order=0)
    first.order = 9  # the first step moves last: a new key is a new list of steps
    first.save()
    question.snapshot()
    with pytest.raises(ValidationError) as error:
        plan_regrade(version=served, kind=Regrade.Kind.RESCORE, by=None, now=NOW)
    assert error.value.code == "options_changed"


def test_the_pools_hold_every_case_question_however_large_the_objectives(user):
    """A scan reads up to a form's worth per objective: a case must not be cut in two by it."""
    from quiz.models import Question
    from tests.factories import QuestionFactory, case_study, small_blueprint

    blueprint = small_blueprint(per_objective=30)  # 30 a objective, forms of 10
    objectives = list(blueprint.domains.get(number=1).objectives.order_by("code"))
    members = [QuestionFactory(objective=objectives[n % 2]) for n in range(4)]
    case_study(members)
    for seed in range(5):
        scored, _ = Question.objects.assembly_pools(blueprint=blueprint, user=user, seed=seed)
        in_pool = [c for c in scored if c.case_id is not None]
        assert sorted(c.question_id for c in in_pool) == sorted(q.pk for q in members)
        assert sorted(c.case_position for c in in_pool) == [1, 2, 3, 4]
