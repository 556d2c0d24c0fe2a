from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE, shipped_blueprint
from quiz.bank.lint import DEFAULT_STATUSES, format_report, items_from_database, lint, run_yaml
from quiz.bank.rules import STATUSES
from quiz.models import Blueprint


class Command(BaseCommand):
    help = (
        "Lint the question bank (issue #18): key position, length and stem echo, "
        "multiple-response share, difficulty mix, references, service names, duplicates and "
        "identifier emphasis. Reads the database, or YAML files/folders when paths are given. "
        "Published items only unless --status says otherwise. Fails when any check fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", help="YAML files or folders (default: database).")
        parser.add_argument(
            "--blueprint",
            default="",
            help="Blueprint code (database default: MLS-C01; with paths: only that blueprint).",
        )
        parser.add_argument(
            "--status",
            action="append",
            dest="statuses",
            choices=STATUSES,
            help="Lint items with this status (repeatable). Default: published only.",
        )
        parser.add_argument(
            "--per-file",
            action="store_true",
            help="With paths: also print each file's figures.",
        )

    def handle(self, *args, **options) -> None:
        statuses = tuple(options["statuses"] or DEFAULT_STATUSES)
        if options["paths"]:
            passed = run_yaml(
                options["paths"],
                statuses=statuses,
                per_file=options["per_file"],
                blueprint=options["blueprint"],
                # A shipped exam's files are also checked against its objectives.
                exam=shipped_blueprint(options["blueprint"]),
                write=self.stdout.write,
            )
        else:
            code = options["blueprint"] or DEFAULT_BLUEPRINT_CODE
            if not Blueprint.objects.filter(code=code).exists():
                raise CommandError(f"No blueprint with code {code!r}.")
            report = lint(items_from_database(code), statuses=statuses, title=code)
            self.stdout.write(format_report(report))
            passed = report.passed
        if not passed:
            raise CommandError("The bank lint failed.")
