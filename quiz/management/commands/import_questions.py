from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE, shipped_banks
from quiz.bank.importers.files import import_paths


class Command(BaseCommand):
    help = (
        "Import questions from YAML (.yaml/.yml) and Moodle XML (.xml) files or folders. "
        "All or nothing: if any question is invalid, nothing is written and every problem is "
        "listed. Re-importing the same file changes nothing. A question changed in the app "
        "since its file last wrote it is kept (and listed), unless --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", help="Files or folders.")
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="Import every shipped bank (content/<exam>/ of each shipped blueprint); "
            "what bin/setup runs.",
        )
        parser.add_argument(
            "--blueprint",
            default=DEFAULT_BLUEPRINT_CODE,
            help="Blueprint for files that do not name one (Moodle XML). Default: %(default)s.",
        )
        parser.add_argument(
            "--objective",
            default="",
            help="Objective code for Moodle questions whose category path does not name "
            "the blueprint and an objective (…/MLS-C01/1.2).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Apply the files' versions even to questions changed in the app since.",
        )

    def handle(self, *args, **options) -> None:
        if options["shipped"] == bool(options["paths"]):
            raise CommandError("Name files or folders, or --shipped (not both).")
        paths = [str(path) for path in shipped_banks()] if options["shipped"] else options["paths"]
        report = import_paths(
            paths,
            blueprint_code=options["blueprint"],
            objective_code=options["objective"],
            force=options["force"],
        )
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for skipped in report.skipped:
            self.stdout.write(f"skipped: {skipped}")
        for kept in report.kept:
            self.stdout.write(f"kept: {kept}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
