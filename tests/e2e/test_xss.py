"""Hostile content stays inert in a real browser: a canary that any executed script would set
never fires, and the pages log no CSP violation (checked by the context fixture)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from quiz.bank.importers.files import import_files
from quiz.exam.services import finish_attempt, start_attempt
from quiz.models import Question
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, small_blueprint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CANARY = "window.__xss = (window.__xss || 0) + 1"
PAYLOADS = [
    f"<script>{CANARY}</script>",
    f'<img src=x onerror="{CANARY}">',
    f'<svg onload="{CANARY}"></svg>',
    f'<a href="javascript:{CANARY}">link</a>',
    f"[link](javascript:{CANARY})",
    f'<iframe srcdoc="<script>{CANARY}</script>"></iframe>',
    f'<details open ontoggle="{CANARY}">x</details>',
    f'<body onload="{CANARY}">',
]


def hostile_yaml(code: str) -> str:
    items = []
    for n, payload in enumerate(PAYLOADS):
        quoted = payload.replace("'", "''")
        objective = ["1.1", "1.2", "2.1", "2.2"][n % 4]
        items.append(
            f"""  - id: xss-{n:03d}
    objective: "{objective}"
    type: single
    status: published
    stem: 'Stem {n} {quoted}'
    explanation: 'Explanation {n} {quoted}'
    references: [https://docs.aws.amazon.com/]
    choices:
      - {{text: 'Key {n} {quoted}', correct: true, rationale: 'Why {n} {quoted}'}}
      - {{text: 'Option B {n}'}}
      - {{text: 'Option C {n}'}}
      - {{text: 'Option D {n} {quoted}'}}
"""
        )
    return f"blueprint: {code}\nquestions:\n" + "".join(items)


def hostile_moodle(code: str) -> bytes:
    payload = PAYLOADS[1]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/{code}/1.1</text></category></question>
  <question type="multichoice">
    <name><text>moodle xss</text></name>
    <idnumber>xss-moodle</idnumber>
    <questiontext format="html"><text><![CDATA[<p>Moodle stem {payload}</p>
      <script>{CANARY}</script>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[Feedback {payload}]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text><![CDATA[Moodle key {payload}]]></text></answer>
    <answer fraction="0"><text>b</text></answer>
    <answer fraction="0"><text>c</text></answer>
    <answer fraction="0"><text>d</text></answer>
  </question>
</quiz>""".encode()


def test_xss_payloads_in_every_field_never_execute(page, context, live_server):
    blueprint = small_blueprint(per_objective=4)
    report = import_files(
        [
            ("hostile.yaml", hostile_yaml(blueprint.code).encode()),
            ("hostile.xml", hostile_moodle(blueprint.code)),
        ],
        blueprint_code=blueprint.code,
    )
    assert report.ok, report.problems
    Question.objects.filter(external_id="xss-moodle").update(status="published")
    user = UserFactory()
    admin = UserFactory(username="xss-admin", is_staff=True, is_superuser=True)
    attempt = start_attempt(user=user, blueprint=blueprint, now=timezone.now())
    log_in(context, live_server, user)
    visited = 0
    for item in attempt.items.select_related("version__question"):
        page.goto(f"/attempts/{attempt.pk}/questions/{item.position}/")
        visited += item.version.question.external_id.startswith("xss")
    page.goto(f"/attempts/{attempt.pk}/review/")
    finish_attempt(attempt=attempt, now=timezone.now())
    page.goto(f"/attempts/{attempt.pk}/answers/")
    for link in page.get_by_role("link", name="link").all():
        link.click(no_wait_after=True)  # a javascript: URL would run here
    assert page.evaluate("window.__xss") is None
    assert visited >= 1
    log_in(context, live_server, admin)
    for question in Question.objects.filter(external_id__startswith="xss"):
        page.goto(f"/admin/quiz/question/{question.pk}/preview/")
        page.goto(f"/admin/quiz/question/{question.pk}/change/")
        assert page.evaluate("window.__xss") is None
