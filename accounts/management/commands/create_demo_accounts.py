from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create the local demo candidate and admin accounts (once: a restart keeps their "
        "passwords and sessions), with a sample history for the candidate. Refuses unless DEBUG=1."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for local runs only (DEBUG=1).")
        for username, password, email, staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"email": email})
            if created:
                # Only on creation: setting the password again would log the admin out.
                user.is_staff = user.is_superuser = staff
                user.set_password(password)
                user.save()
            if not staff:
                self._sample_history(user)
        self.stdout.write(
            self.style.SUCCESS(
                "Local accounts (this machine only):\n"
                + "\n".join(
                    f"  {'admin   ' if staff else 'candidate'}  {username} / {password}"
                    for username, password, _, staff in DEMO_ACCOUNTS
                )
            )
        )

    def _sample_history(self, user) -> None:
        """Two finished mocks and a practice session, so a first run shows the score report,
        the charts and the history. Only for a candidate with no history, and a bank to use."""
        from django.utils import timezone

        from quiz.exam.assembly import BankTooSmall
        from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
        from quiz.models import Attempt, Blueprint, PracticeSession
        from quiz.practice.services import answer_practice, end_practice, start_practice

        blueprint = Blueprint.objects.default()
        if blueprint is None or Attempt.objects.filter(user=user).exists():
            return
        now = timezone.now()
        try:
            for days_ago, right_every in ((9, 2), (3, 5)):
                started = now - timezone.timedelta(days=days_ago)
                attempt = start_attempt(user=user, blueprint=blueprint, now=started, seed=days_ago)
                for item in attempt.items.select_related("version"):
                    key = sorted(item.version.correct_indices)
                    shown = [item.option_order.index(k) for k in key]
                    wrong = [p for p in range(len(item.option_order)) if p not in shown]
                    # About four in five right in the later mock, half in the first.
                    picked = shown if item.position % right_every else wrong[: len(shown)]
                    save_answer(
                        attempt_id=attempt.pk,
                        user=user,
                        position=item.position,
                        answer=Answer(selected=tuple(picked), flagged=item.position % 11 == 0),
                        now=started,
                    )
                attempt.items.update(seconds_on_screen=150)
                finish_attempt(attempt=attempt, now=started + timezone.timedelta(minutes=165))
        except BankTooSmall:
            return
        if not PracticeSession.objects.filter(user=user).exists():
            objective_ids = list(blueprint.domains.values_list("objectives__pk", flat=True)[:3])
            started = now - timezone.timedelta(days=1)
            session = start_practice(
                user=user,
                blueprint=blueprint,
                kind="chosen",
                length=5,
                objective_ids=objective_ids,
                now=started,
            )
            for position in range(1, 6):
                answer_practice(
                    session_id=session.pk,
                    user=user,
                    position=position,
                    selected=(0,),
                    now=started,
                )
            end_practice(session=session, now=started + timezone.timedelta(minutes=12))
