"""gunicorn's logger without static-file requests in the access log: a page load of the exam
asks for a stylesheet, two scripts and an icon, which drowned the requests worth reading."""

from __future__ import annotations

from gunicorn.glogging import Logger

QUIET_PREFIXES = ("/static/", "/favicon")


class QuietStaticLogger(Logger):
    def access(self, resp, req, environ, request_time) -> None:
        if req.path.startswith(QUIET_PREFIXES) and resp.status_code < 400:
            return
        super().access(resp, req, environ, request_time)
