"""When a candidate may see answer keys: never while one of their mocks is running.

The rule: while a candidate has a mock exam running (in progress and before its deadline),
everything that shows a key, a rationale or an explanation to them is paused: practice (starting
a session, answering, re-reading answered items, the summary) and the answer review of finished
mocks (their own or, with the permission, anyone's). The score report stays: it shows no key.

Why pause rather than filter out the running form's questions: a question can reach a candidate
by several roads (an older practice session, a finished mock's review, a bookmark), and a filter
has to be right on every one of them; a pause is one check per view. And a filter would have to
hide exactly the form's questions, scored and pretest alike, without ever hinting which are which;
a pause offers nothing at all, so it carries no information about the form. A mock lasts at most
its duration (plus the accommodation), after which the pause lifts by itself.

A mock of any format (full, mini, single-domain) pauses keys while it runs. An abandoned mock is
not running, so the pause lifts when the candidate abandons it, as on submitting. Its own keys
stay out of reach for good: it has no answer review (``report_views`` opens finished attempts
only) and none of its answers counts as evidence anywhere, so abandoning a form is never a
way to read its keys beside one's answers. Its questions come back in practice and in later
forms like any seen question (they are marked seen when served), where a key is shown only
after the candidate answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRedirect

from quiz.models import Attempt


def running_mock(user, now) -> Attempt | None:
    """The user's running mock, if any (one query)."""
    return Attempt.objects.for_user(user).running(now).select_related("blueprint", "domain").first()


def paused_during_mock(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer ``409`` with an explanation instead of running ``view`` while the user's mock runs.

    Put it under ``login_required``: it needs a user.
    """

    @functools.wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        attempt = running_mock(request.user, timezone.now())
        if attempt is None:
            return view(request, *args, **kwargs)
        if request.htmx:
            # A fragment swap would hide the explanation: load the whole page instead.
            return HttpResponseClientRedirect(reverse("quiz:practice_start"))
        return TemplateResponse(request, "quiz/keys_paused.html", {"attempt": attempt}, status=409)

    return wrapped
