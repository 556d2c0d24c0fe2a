"""Site-wide views: health check and error pages."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from quiz.http import BadValue

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 ``ok`` when the database answers a query, 503 otherwise (for load balancers; uptime
    probes often send HEAD, which gets the same status without the body)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; send them to the real icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Our own refusals say what was wrong; Django's (a bad Host, a broken upload) stay generic.
    message = str(exception) if isinstance(exception, BadValue) else ""
    return _error(request, "400.html", 400, {"message": message})


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke (the database, a context processor) may break it again.
    return HttpResponse(render_to_string("500.html"), status=500)


def _error(request: HttpRequest, template: str, status: int, context=None) -> HttpResponse:
    response = TemplateResponse(request, template, context, status=status)
    return response.render()
