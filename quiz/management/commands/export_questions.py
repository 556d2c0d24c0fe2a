from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.bank.importers.export import (
    ExportError,
    export_moodle,
    export_yaml,
    moodle_differences,
    questions_for_export,
)
from quiz.models import Blueprint


class Command(BaseCommand):
    help = "Export the question bank as YAML (round-trips with import_questions) or Moodle XML."

    def add_arguments(self, parser) -> None:
        parser.add_argument("out", help="Output file ('-' for standard output).")
        parser.add_argument("--blueprint", default=DEFAULT_BLUEPRINT_CODE)
        parser.add_argument("--format", choices=["yaml", "moodle"], default="yaml")

    def handle(self, *args, **options) -> None:
        code = options["blueprint"]
        if not Blueprint.objects.filter(code=code).exists():
            raise CommandError(f"No blueprint with code {code!r}.")
        questions = list(questions_for_export(code))
        notes = []
        try:
            if options["format"] == "yaml":
                text = export_yaml(questions, blueprint_code=code)
            else:
                text = export_moodle(questions)
                notes = moodle_differences(questions)
        except ExportError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing exported: {len(error.problems)} question(s) cannot be exported."
            ) from error
        for note in notes:
            self.stderr.write(f"note: {note}")
        if options["out"] == "-":
            self.stdout.write(text, ending="")
        else:
            Path(options["out"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Exported {len(questions)} questions to {options['out']}.")
