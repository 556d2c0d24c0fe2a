"""Baselines measured through the same stack as the app (gunicorn, every middleware)."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from quiz.models import Attempt


@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    """(a) A short response without touching the database (the session is not read)."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
def touch(request: HttpRequest) -> HttpResponse:
    """(b) The least a save can do: one indexed SELECT and one UPDATE, authenticated."""
    attempt_id = (
        Attempt.objects.filter(user=request.user, status=Attempt.Status.IN_PROGRESS)
        .values_list("pk", flat=True)
        .first()
    )
    Attempt.objects.filter(pk=attempt_id).update(current_position=F("current_position"))
    return HttpResponse("ok", content_type="text/plain")
