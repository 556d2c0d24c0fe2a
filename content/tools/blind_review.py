"""Cold review of bank files: a key-free answer sheet, then the reviewer's answers scored.

    python content/tools/blind_review.py sheet FILE... > sheet.md
        Stems and options only (no key, rationale, explanation or difficulty), options in a
        seeded shuffle so that the authored order gives nothing away. Labels A, B, C, ...
    python content/tools/blind_review.py score ANSWERS FILE...
        ANSWERS has one line per item, ``<id>: <letters>`` (e.g. ``mls-2.1-004: BD``), written
        before the reviewer opens the files. Prints agreement and every disagreement with the key.

Needs only PyYAML: it reads the YAML as data and never touches the database.
"""

from __future__ import annotations

import random
import re
import string
import sys
from pathlib import Path

import yaml


def _items(paths: list[str]):
    for name in paths:
        for path in sorted(Path(name).glob("*.yaml")) if Path(name).is_dir() else [Path(name)]:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            for item in document["questions"]:
                if item.get("status", "draft") in ("published", "pretest"):
                    yield item


def _shuffled(item) -> list[tuple[str, dict]]:
    choices = list(item["choices"])
    random.Random(item["id"]).shuffle(choices)
    return list(zip(string.ascii_uppercase, choices, strict=False))


def sheet(paths: list[str]) -> None:
    for item in _items(paths):
        correct = sum(1 for c in item["choices"] if c.get("correct"))
        hint = f" (Choose {correct}.)" if item["type"] == "multiple" else ""
        print(f"## {item['id']}\n\n{item['stem'].strip()}{hint}\n")
        for letter, choice in _shuffled(item):
            print(f"- {letter}. {choice['text']}")
        print()


def score(answers_path: str, paths: list[str]) -> None:
    answers = {}
    for line in Path(answers_path).read_text(encoding="utf-8").splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            answers[key.strip()] = "".join(sorted(re.sub(r"[^A-Z]", "", value.upper())))
    agree = total = 0
    for item in _items(paths):
        key = "".join(letter for letter, c in _shuffled(item) if c.get("correct"))
        given = answers.get(item["id"], "")
        total += 1
        if given == key:
            agree += 1
        else:
            print(f"DISAGREE {item['id']}: reviewer {given or '-'} key {key}")
    print(f"agreement {agree}/{total} = {agree / total:.1%}" if total else "no items")


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "sheet":
        sheet(rest)
    elif command == "score":
        score(rest[0], rest[1:])
    else:
        sys.exit(__doc__)
