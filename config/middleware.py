"""Site-wide middleware: what runs before any view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.views import healthz
from quiz.http import BadValue, has_control_characters


class HealthCheckMiddleware:
    """Answer ``/healthz`` first, before host validation and the HTTPS redirect.

    Container and load-balancer probes address a server by its IP over plain HTTP (Docker's
    health check asks ``http://127.0.0.1:8000/healthz``), which production's ``ALLOWED_HOSTS``
    rightly does not list: behind those checks the probe would get a 400 or a redirect and
    report a healthy server as unhealthy. The check reveals nothing but "ok".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)


class RefuseControlCharactersMiddleware:
    """Refuse (400) a path or query string with a control character, and any form field with
    a NUL byte.

    No URL or query value of this site has a control character, and PostgreSQL cannot store NUL
    in text: without this, ``/mock/%00/`` or ``?q=%00`` in any view (the admin's search
    included) would reach the database and fail there with a 500. Posted text may hold line
    breaks and tabs (a question's stem), so only NUL is refused in bodies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request.path) or any(
            has_control_characters(text) for text in _texts(request.GET)
        ):
            raise BadValue("The address contains a control character.")
        if request.method == "POST" and any("\x00" in text for text in _texts(request.POST)):
            raise BadValue("A form field contains a NUL character.")
        return self.get_response(request)


def _texts(data):
    for key, values in data.lists():
        yield key
        yield from values
