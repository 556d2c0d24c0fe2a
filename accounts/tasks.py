"""Mail leaves from the background queue: a slow or unreachable mail server never holds up a
request, and a failed send is retried (then shown as failed in the admin's job list)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from procrastinate import RetryStrategy

from quiz.queue import app


@app.task(retry=RetryStrategy(max_attempts=5, exponential_wait=4))
def send_email(
    *, subject: str, body: str, to: list[str], from_email: str | None = None, html: str = ""
) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
