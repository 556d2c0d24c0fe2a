"""Which address a request came from, trusting X-Forwarded-For only behind our own proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address.

    With ``TRUSTED_PROXY_COUNT = 0`` the forwarded header is ignored (a client can type anything
    into it). Behind N trusted proxies, each appends the address it saw to the header, so the
    client's address is the N-th entry from the right; entries left of it are the client's own
    claims and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
