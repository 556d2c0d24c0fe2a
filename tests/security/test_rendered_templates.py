"""No page shows template source: a comment or tag that the engine did not consume (a `{# #}`
comment spanning two lines is printed verbatim) is a bug a candidate reads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quiz.practice.services import answer_practice
from tests.factories import UserFactory
from tests.security.test_sweeps import urls_for, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
TEMPLATE_SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")


def leaked_syntax(html: str) -> list[str]:
    return [marker for marker in TEMPLATE_SYNTAX if marker in html]


def test_no_rendered_page_contains_template_syntax(world):  # noqa: F811
    client = Client()
    client.force_login(world["victim"])
    session = world["session"]
    # The practice feedback of every item, not only the first.
    for position in (2, 3):
        answer_practice(
            session_id=session.pk,
            user=world["victim"],
            position=position,
            selected=(0,),
            now=session.created_at,
        )
    skip = {"attempt_save", "bookmark_toggle"}
    pages = [url for name, url in urls_for(world) if name not in skip]
    pages += [
        reverse("home"),
        reverse("quiz:mock_start"),
        reverse("quiz:practice_start"),
        reverse("quiz:practice_question", args=[session.pk, 2]),
        reverse("accounts:profile"),
    ]
    checked = 0
    for url in pages:
        response = client.get(url, follow=True)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        assert leaked_syntax(response.content.decode()) == [], url
        checked += 1
    assert checked >= 8
    staff = Client()
    staff.force_login(UserFactory(username="author", is_staff=True, is_superuser=True))
    preview = reverse("admin:quiz_question_preview", args=[world["question_id"]])
    response = staff.get(preview)
    assert response.status_code == 200
    assert leaked_syntax(response.content.decode()) == []
    assert Client().get(reverse("home")).status_code == 200
    assert leaked_syntax(Client().get(reverse("home")).content.decode()) == []
