"""Cold review of bank files: a key-free answer sheet, then the reviewer's answers scored.

    python content/tools/blind_review.py sheet [--drafts] FILE... > sheet.md
        Stems and options only (no key, rationale, explanation or difficulty), options in a
        seeded shuffle so that the authored order gives nothing away. Labels A, B, C, ...
        A case study's scenario is printed once, before its first question.
    python content/tools/blind_review.py score [--drafts] ANSWERS FILE...
        ANSWERS has one line per item, written before the reviewer opens the files:
          single / multiple   ``<id>: <letters>``          e.g. ``mls-2.1-004: BD``
          ordering            ``<id>: <letters in order>`` e.g. ``mla-3.3-004: CADB``
          matching            ``<id>: <number><letter>...`` e.g. ``mla-4.1-006: 1C 2A 3D``
        Prints agreement and every disagreement with the key.

--drafts includes draft items (a reviewer reads drafts before publishing them); without it only
published and pretest items are read. Needs only PyYAML: it never touches the database.
"""

from __future__ import annotations

import random
import re
import string
import sys
from pathlib import Path

import yaml


def _documents(paths: list[str]):
    for name in paths:
        for path in sorted(Path(name).glob("*.yaml")) if Path(name).is_dir() else [Path(name)]:
            yield yaml.safe_load(path.read_text(encoding="utf-8"))


def _items(paths: list[str], drafts: bool):
    """(item, case or None) for every item under review, a case's scenario with its first item."""
    statuses = ("published", "pretest", "draft") if drafts else ("published", "pretest")
    for document in _documents(paths):
        first_of_case = {
            case["questions"][0]: case for case in document.get("cases") or [] if case["questions"]
        }
        for item in document["questions"]:
            if item.get("status", "draft") in statuses:
                yield item, first_of_case.get(item["id"])


def _shuffled(item_id: str, entries: list) -> list[tuple[str, object]]:
    entries = list(entries)
    random.Random(item_id).shuffle(entries)
    return list(zip(string.ascii_uppercase, entries, strict=False))


def _prompts(item) -> list[tuple[int, dict]]:
    prompts = list(item["prompts"])
    random.Random(f"{item['id']}/prompts").shuffle(prompts)
    return list(enumerate(prompts, start=1))


def _key(item) -> str:
    kind = item["type"]
    if kind == "ordering":
        letter_of = {id(step): letter for letter, step in _shuffled(item["id"], item["choices"])}
        return "".join(letter_of[id(step)] for step in item["choices"])
    if kind == "matching":
        letter_of = {text: letter for letter, text in _shuffled(item["id"], item["responses"])}
        return " ".join(f"{n}{letter_of[p['match']]}" for n, p in _prompts(item))
    return "".join(
        letter for letter, c in _shuffled(item["id"], item["choices"]) if c.get("correct")
    )


def _normalised(kind: str, value: str) -> str:
    value = value.upper()
    if kind == "ordering":
        return re.sub(r"[^A-Z]", "", value)
    if kind == "matching":
        pairs = sorted(re.findall(r"(\d+)\s*([A-Z])", value), key=lambda pair: int(pair[0]))
        return " ".join(f"{n}{letter}" for n, letter in pairs)
    return "".join(sorted(re.sub(r"[^A-Z]", "", value)))


def sheet(paths: list[str], drafts: bool) -> None:
    for item, case in _items(paths, drafts):
        if case:
            print(f"# Case study {case['id']}: {case['title']}\n\n{case['scenario'].strip()}\n")
        kind = item["type"]
        if kind == "multiple":
            hint = f" (Choose {sum(1 for c in item['choices'] if c.get('correct'))}.)"
        elif kind == "ordering":
            hint = " (Put the steps in order: answer with the letters, first step first.)"
        elif kind == "matching":
            hint = " (Match each numbered prompt to one lettered response.)"
        else:
            hint = ""
        print(f"## {item['id']}\n\n{item['stem'].strip()}{hint}\n")
        if kind == "matching":
            for number, prompt in _prompts(item):
                print(f"{number}. {prompt['text']}")
            print()
            for letter, text in _shuffled(item["id"], item["responses"]):
                print(f"- {letter}. {text}")
        else:
            for letter, choice in _shuffled(item["id"], item["choices"]):
                print(f"- {letter}. {choice['text']}")
        print()


def score(answers_path: str, paths: list[str], drafts: bool) -> None:
    answers = {}
    for line in Path(answers_path).read_text(encoding="utf-8").splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            answers[key.strip()] = value
    agree = total = 0
    for item, _case in _items(paths, drafts):
        key = _key(item)
        given = _normalised(item["type"], answers.get(item["id"], ""))
        total += 1
        if given == key:
            agree += 1
        else:
            print(f"DISAGREE {item['id']}: reviewer {given or '-'} key {key}")
    print(f"agreement {agree}/{total} = {agree / total:.1%}" if total else "no items")


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    drafts = "--drafts" in rest
    rest = [arg for arg in rest if arg != "--drafts"]
    if command == "sheet":
        sheet(rest, drafts)
    elif command == "score":
        score(rest[0], rest[1:], drafts)
    else:
        sys.exit(__doc__)
