from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.bank.importers.export import export_moodle, export_yaml, questions_for_export
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
        questions = questions_for_export(code)
        if options["format"] == "yaml":
            text = export_yaml(questions, blueprint_code=code)
        else:
            text = export_moodle(questions)
        if options["out"] == "-":
            self.stdout.write(text, ending="")
        else:
            Path(options["out"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Exported {questions.count()} questions to {options['out']}.")
