"""Sweeps over the URLconf: every view that takes an id is covered, including future ones."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone

from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import Attempt, AttemptItem, Bookmark, PracticeItem, PracticeSession
from quiz.practice.services import answer_practice, start_practice, toggle_bookmark
from tests.factories import UserFactory, small_blueprint

pytestmark = pytest.mark.django_db
ID_NAMES = {"attempt_id", "session_id", "question_id"}
MISSING = 987654321


def quiz_patterns():
    """(name, converter names) of every quiz URL pattern."""
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "quiz":
            for sub in pattern.url_patterns:
                yield sub.name, set(sub.pattern.converters)


@pytest.fixture
def world():
    """A victim with an attempt in progress, a finished one, a practice session and a bookmark."""
    blueprint = small_blueprint(per_objective=8)
    victim = UserFactory(username="victim")
    now = timezone.now()
    finished = start_attempt(user=victim, blueprint=blueprint, now=now)
    save_answer(
        attempt_id=finished.pk, user=victim, position=1, answer=Answer(selected=(0,)), now=now
    )
    finish_attempt(attempt=finished, now=now)
    in_progress = start_attempt(user=victim, blueprint=blueprint, now=now)
    save_answer(
        attempt_id=in_progress.pk, user=victim, position=1, answer=Answer(selected=(1,)), now=now
    )
    ids = list(blueprint.domains.values_list("objectives__pk", flat=True))
    session = start_practice(
        user=victim, blueprint=blueprint, kind="chosen", length=3, objective_ids=ids, now=now
    )
    answer_practice(session_id=session.pk, user=victim, position=1, selected=(0,), now=now)
    question_id = session.items.get(position=1).version.question_id
    toggle_bookmark(user=victim, question_id=question_id)
    return {
        "victim": victim,
        "attempts": [finished, in_progress],
        "session": session,
        "question_id": question_id,
    }


def snapshot() -> tuple:
    return (
        list(
            Attempt.objects.order_by("pk").values_list(
                "pk", "status", "current_position", "scaled_score"
            )
        ),
        list(
            AttemptItem.objects.order_by("pk").values_list(
                "selected", "struck", "flagged", "revision"
            )
        ),
        list(PracticeItem.objects.order_by("pk").values_list("selected", "answered_at")),
        list(PracticeSession.objects.order_by("pk").values_list("ended_at")),
        list(Bookmark.objects.order_by("pk").values_list("user_id", "question_id")),
    )


def urls_for(world, *, missing: bool = False) -> list[tuple[str, str]]:
    urls = []
    for name, converters in quiz_patterns():
        if not converters & ID_NAMES:
            continue
        kwargs_list = []
        if "attempt_id" in converters:
            kwargs_list = [{"attempt_id": MISSING if missing else a.pk} for a in world["attempts"]]
        elif "session_id" in converters:
            kwargs_list = [{"session_id": MISSING if missing else world["session"].pk}]
        elif "question_id" in converters:
            kwargs_list = [{"question_id": MISSING if missing else world["question_id"]}]
        for kwargs in kwargs_list:
            if "position" in converters:
                kwargs["position"] = 1
            urls.append((name, reverse(f"quiz:{name}", kwargs=kwargs)))
    return urls


def normalise(html: bytes) -> str:
    """A page without its per-response CSRF tokens (they differ on every render)."""
    text = html.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def test_the_sweep_reaches_every_view_that_takes_an_id(world):
    names = {name for name, _ in urls_for(world)}
    assert names >= {
        "attempt_question",
        "attempt_save",
        "attempt_clock",
        "attempt_review",
        "attempt_submit",
        "attempt_abandon",
        "attempt_result",
        "attempt_answers",
        "practice_question",
        "practice_end",
        "practice_summary",
        "bookmark_toggle",
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_candidate_gets_exactly_what_a_missing_id_gets_and_changes_nothing(world, method):
    intruder = Client()
    intruder.force_login(UserFactory(username="intruder"))
    before = snapshot()
    data = {"selected": ["0"], "flagged": "on"} if method == "post" else None
    swept = 0
    for (name, url), (_, missing_url) in zip(
        urls_for(world), urls_for(world, missing=True), strict=True
    ):
        response = getattr(intruder, method)(url, data)
        missing = getattr(intruder, method)(missing_url, data)
        assert response.status_code in (404, 405), (name, response.status_code)
        assert response.status_code == missing.status_code, name
        assert normalise(response.content) == normalise(missing.content), name
        swept += 1
    assert swept >= 13
    assert snapshot() == before


def state_changing_urls(world) -> list[str]:
    urls = [url for _, url in urls_for(world)]
    urls += [
        reverse("quiz:mock_start"),
        reverse("quiz:practice_start"),
        reverse("accounts:logout"),
        reverse("accounts:profile"),
        reverse("accounts:password_change"),
    ]
    return urls


def test_every_state_changing_request_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["victim"])
    before = snapshot()
    for url in state_changing_urls(world):
        response = client.post(url, {"selected": ["2"], "kind": "weak", "length": "10"})
        assert response.status_code in (403, 405), (url, response.status_code)
    for url in (
        reverse("accounts:login"),
        reverse("accounts:signup"),
        reverse("accounts:password_reset"),
    ):
        assert Client(enforce_csrf_checks=True).post(url, {"username": "x"}).status_code == 403
    assert snapshot() == before
    assert "_auth_user_id" in client.session  # the logout without a token did not log out


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/abc/questions/1/",
        "/attempts/1/questions/-1/",
        "/attempts/99999999999999999999/questions/1/",
        "/attempts/99999999999999999999/questions/99999999999999999999/save/",
        "/practice/99999999999999999999/",
        "/bookmarks/99999999999999999999/toggle/",
        "/mock/NO-SUCH-EXAM/",
    ],
)
def test_malformed_and_out_of_range_ids_are_404s(world, path):
    client = Client()
    client.force_login(world["victim"])
    assert client.get(path).status_code in (404, 405)
    assert client.post(path, {"selected": ["0"]}).status_code in (404, 405)


def test_bad_bodies_get_4xx_with_a_message_and_change_nothing(world):
    client = Client()
    client.force_login(world["victim"])
    attempt = world["attempts"][1]
    save = reverse("quiz:attempt_save", args=[attempt.pk, 2])
    before = snapshot()
    cases = [
        {"selected": ["x"]},
        {"selected": ["-1"]},
        {"selected": ["0", "1", "2", "3"]},
        {"selected": ["7"]},
        {"revision": "abc"},
        {"flagged": "x" * 10_000, "selected": ["99"]},
    ]
    for data in cases:
        response = client.post(save, data)
        assert 400 <= response.status_code < 500, data
        assert response.json()["message"]
    oversized = client.post(save, {"selected": ["0"], "pad": "x" * (3 * 1024 * 1024)})
    assert oversized.status_code == 400
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(save).status_code == 405
    assert client.get(save).status_code == 405
    assert snapshot() == before


def test_no_sweep_request_returns_a_500(world):
    client = Client(raise_request_exception=False)
    client.force_login(world["victim"])
    for _, url in urls_for(world) + urls_for(world, missing=True):
        for method, data in [
            ("get", None),
            ("post", {}),
            ("post", {"selected": ["zz"], "go": "9999"}),
        ]:
            response = getattr(client, method)(url, data)
            assert response.status_code < 500, (url, method, response.status_code)


def test_pages_with_exam_content_are_never_cached(world):
    client = Client()
    client.force_login(world["victim"])
    finished, in_progress = world["attempts"]
    for url in [
        reverse("home"),
        reverse("quiz:attempt_question", args=[in_progress.pk, 1]),
        reverse("quiz:attempt_review", args=[in_progress.pk]),
        reverse("quiz:attempt_result", args=[finished.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    # Pages that show keys are paused (409) while the mock runs, and the pause is not cached
    # either; once the mock ends they answer 200, still uncached.
    key_pages = [
        reverse("quiz:attempt_answers", args=[finished.pk]),
        reverse("quiz:practice_summary", args=[world["session"].pk]),
        reverse("quiz:practice_question", args=[world["session"].pk, 1]),
    ]
    for status in (409, 200):
        for url in key_pages:
            response = client.get(url)
            assert response.status_code == status, url
            assert "no-store" in response["Cache-Control"], url
        finish_attempt(attempt=in_progress, now=timezone.now())


def test_forged_clock_fields_change_nothing(world):
    client = Client()
    client.force_login(world["victim"])
    attempt = world["attempts"][1]
    deadline = attempt.deadline
    client.post(
        reverse("quiz:attempt_save", args=[attempt.pk, 3]),
        {
            "selected": ["0"],
            "deadline": "2099-01-01T00:00:00Z",
            "seconds_left": "999999",
            "duration_minutes": "9999",
            "finished_at": "",
            "status": "in_progress",
        },
    )
    attempt.refresh_from_db()
    assert attempt.deadline == deadline and attempt.duration_minutes == 20


def test_option_identifiers_do_not_reveal_the_keys_authoring_position():
    """Factories author every key as the first option; shown positions must look uniform."""
    user = UserFactory()
    blueprint = small_blueprint(per_objective=10, question_count=30)
    shown = Counter()
    now = timezone.now()
    for seed in range(15):
        attempt = start_attempt(user=user, blueprint=blueprint, now=now, seed=seed)
        for item in attempt.items.select_related("version"):
            if item.version.type == "single":
                shown[item.option_order.index(0)] += 1
        finish_attempt(attempt=attempt, now=now)
    total = sum(shown.values())
    expected = total / 4
    chi_square = sum((shown[p] - expected) ** 2 / expected for p in range(4))
    assert total >= 200
    assert chi_square < 16.27, shown  # p = 0.001 for 3 degrees of freedom


def test_nothing_served_during_an_attempt_reveals_the_key(world):
    client = Client()
    client.force_login(world["victim"])
    attempt = world["attempts"][1]
    AttemptItem.objects.filter(attempt=attempt, position=2).update(is_scored=False)
    bodies = []
    for position in (1, 2, 3):
        url = reverse("quiz:attempt_question", args=[attempt.pk, position])
        bodies.append(client.get(url).content.decode())
        bodies.append(client.get(url, headers={"HX-Request": "true"}).content.decode())
        bodies.append(
            client.post(
                reverse("quiz:attempt_save", args=[attempt.pk, position]), {"selected": ["0"]}
            ).content.decode()
        )
    bodies.append(client.get(reverse("quiz:attempt_review", args=[attempt.pk])).content.decode())
    bodies.append(client.get(reverse("quiz:attempt_clock", args=[attempt.pk])).content.decode())
    for body in bodies:
        for secret in (
            "Rationale",
            "Because the first option",
            "is_key",
            "correct",
            "pretest",
            "nscored",
        ):
            assert secret not in body, secret


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_production_headers_and_cookie_flags():
    user = UserFactory()
    client = Client()
    page = client.get(reverse("accounts:login"), secure=True)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
        secure=True,
    )
    session = client.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_every_html_page_carries_the_csp_without_unsafe_inline_scripts(world):
    client = Client()
    client.force_login(world["victim"])
    finished, in_progress = world["attempts"]
    pages = [
        reverse("home"),
        reverse("quiz:mock_start"),
        reverse("quiz:practice_start"),
        reverse("accounts:profile"),
        reverse("quiz:attempt_question", args=[in_progress.pk, 1]),
        reverse("quiz:attempt_review", args=[in_progress.pk]),
        reverse("quiz:attempt_result", args=[finished.pk]),
        reverse("quiz:attempt_answers", args=[finished.pk]),
        reverse("quiz:practice_question", args=[world["session"].pk, 1]),
        reverse("quiz:practice_summary", args=[world["session"].pk]),
        "/no-such-page/",
    ]
    for url in pages:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html"), url
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src, url
        assert "<script>" not in response.content.decode(), url  # no inline script at all
