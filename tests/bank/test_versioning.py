from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from quiz.models import QuestionVersion
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_editing_a_served_question_leaves_the_served_version_unchanged():
    question = QuestionFactory()
    served = question.current_version
    served_html = served.stem_html
    question.stem = "A rewritten scenario: which option is right now?"
    question.save()
    choice = question.choices.first()
    choice.text = "A rewritten option"
    choice.save()
    new = question.snapshot()
    assert new.pk != served.pk and new.number == served.number + 1
    served.refresh_from_db()
    assert served.stem_html == served_html
    assert "rewritten option" not in served.choices[0]["html"]
    question.refresh_from_db()
    assert question.current_version == new


def test_saving_without_a_change_makes_no_new_version():
    question = QuestionFactory()
    before = question.current_version
    assert question.snapshot() == before
    assert QuestionVersion.objects.filter(question=question).count() == 1


def test_a_version_cannot_be_saved_again():
    version = QuestionFactory().current_version
    version.stem_html = "<p>tampered</p>"
    with pytest.raises(ValidationError) as error:
        version.save()
    assert error.value.code == "version_immutable"


def test_reverting_content_points_back_at_the_existing_version():
    question = QuestionFactory()
    first = question.current_version
    original = question.stem
    question.stem = "Changed"
    question.save()
    question.snapshot()
    question.stem = original
    question.save()
    assert question.snapshot() == first
