"""Site-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.views import healthz


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
