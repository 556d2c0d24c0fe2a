import json

from django.core.management.base import BaseCommand

from bench.assembly import measure


class Command(BaseCommand):
    help = "Time assembly from banks of several sizes; one JSON line per size."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sizes", default="1000,10000,100000")
        parser.add_argument("--repeats", type=int, default=15)

    def handle(self, *args, **options) -> None:
        for size in [int(s) for s in options["sizes"].split(",")]:
            self.stdout.write(json.dumps(measure(size, options["repeats"])))
