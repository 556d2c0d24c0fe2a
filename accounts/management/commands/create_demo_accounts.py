from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User

DEMO_ACCOUNTS = [
    # username, password, email, staff
    ("demo", "demo-candidate-2026", "demo@example.com", False),
    ("admin", "admin-local-2026", "admin@example.com", True),
]


class Command(BaseCommand):
    help = "Create (or reset) the local demo candidate and admin accounts. Refuses unless DEBUG=1."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for local runs only (DEBUG=1).")
        for username, password, email, staff in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
            user.is_staff = user.is_superuser = staff
            user.set_password(password)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                "Local accounts (this machine only):\n"
                + "\n".join(
                    f"  {'admin   ' if staff else 'candidate'}  {username} / {password}"
                    for username, password, _, staff in DEMO_ACCOUNTS
                )
            )
        )
