from django.core.management.base import BaseCommand

from bench.seed import analyze, seed_bank, seed_users
from quiz.models import Blueprint


class Command(BaseCommand):
    help = "Seed the benchmark database: a large MLS-C01 bank and candidate accounts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--questions", type=int, required=True)
        parser.add_argument("--users", type=int, required=True)

    def handle(self, *args, **options) -> None:
        seeded = seed_bank(
            Blueprint.objects.get(code="MLS-C01"), options["questions"], prefix="bench"
        )
        seed_users(options["users"])
        analyze()
        self.stdout.write(f"seeded {seeded} questions and {options['users']} candidates")
