"""The cold-review tool: its sheet shows no key, and it scores each item type's answers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "content" / "tools" / "blind_review.py"

BANK = textwrap.dedent(
    """
    blueprint: MLA-C01
    cases:
      - id: mla-case-01
        title: A lender
        scenario: SCENARIO-TEXT
        questions: [mla-1.1-001]
    questions:
      - id: mla-1.1-001
        objective: "1.1"
        type: single
        status: draft
        stem: Which one?
        choices:
          - {text: RIGHT-ONE, correct: true, rationale: SECRET-RATIONALE}
          - {text: wrong two}
          - {text: wrong three}
          - {text: wrong four}
        explanation: SECRET-EXPLANATION
      - id: mla-3.3-001
        objective: "3.3"
        type: ordering
        status: draft
        stem: Which order?
        choices: [{text: first}, {text: second}, {text: third}, {text: fourth}]
      - id: mla-4.1-001
        objective: "4.1"
        type: matching
        status: draft
        stem: Match them.
        prompts:
          - {text: drift, match: Model Monitor}
          - {text: who called, match: CloudTrail}
          - {text: latency alarm, match: CloudWatch}
        responses: [Model Monitor, CloudTrail, CloudWatch, Clarify]
    """
)


def run(*args: str) -> str:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, check=True
    ).stdout


def answers_from_sheet(sheet: str) -> dict[str, str]:
    """Answer as a reviewer who knows the subject would, reading only the sheet."""
    blocks = {block.split("\n", 1)[0].strip(): block for block in sheet.split("## ")[1:]}

    def letter(block: str, text: str) -> str:
        return next(line[2] for line in block.splitlines() if line.endswith(f". {text}"))

    single = letter(blocks["mla-1.1-001"], "RIGHT-ONE")
    order = "".join(
        letter(blocks["mla-3.3-001"], step) for step in ("first", "second", "third", "fourth")
    )
    matching = blocks["mla-4.1-001"]
    wanted = {"drift": "Model Monitor", "who called": "CloudTrail", "latency alarm": "CloudWatch"}
    pairs = []
    for line in matching.splitlines():
        number, _, prompt = line.partition(". ")
        if number.isdigit():
            pairs.append(f"{number}{letter(matching, wanted[prompt])}")
    return {"mla-1.1-001": single, "mla-3.3-001": order, "mla-4.1-001": " ".join(pairs)}


def test_the_sheet_shows_the_scenario_once_and_no_key_rationale_or_explanation(tmp_path):
    (tmp_path / "bank.yaml").write_text(BANK)
    sheet = run("sheet", "--drafts", str(tmp_path))
    assert sheet.count("SCENARIO-TEXT") == 1
    assert "SECRET" not in sheet and "correct" not in sheet
    # The authored order of an ordering item is its key: the sheet must not keep it.
    steps = [
        line[5:]
        for line in sheet.split("## mla-3.3-001")[1].split("## ")[0].splitlines()
        if line.startswith("- ")
    ]
    assert sorted(steps) == ["first", "fourth", "second", "third"] and steps != [
        "first",
        "second",
        "third",
        "fourth",
    ]


def test_drafts_are_left_out_unless_asked_for(tmp_path):
    (tmp_path / "bank.yaml").write_text(BANK)
    assert run("sheet", str(tmp_path)).strip() == ""


def test_right_answers_to_every_type_agree_and_a_swapped_order_or_pair_does_not(tmp_path):
    (tmp_path / "bank.yaml").write_text(BANK)
    answers = answers_from_sheet(run("sheet", "--drafts", str(tmp_path)))
    sheet_file = tmp_path / "answers.txt"
    sheet_file.write_text("".join(f"{key}: {value}\n" for key, value in answers.items()))
    assert "agreement 3/3" in run("score", "--drafts", str(sheet_file), str(tmp_path))

    order = answers["mla-3.3-001"]
    answers["mla-3.3-001"] = order[1] + order[0] + order[2:]
    first, second, *rest = answers["mla-4.1-001"].split()
    answers["mla-4.1-001"] = " ".join([first[0] + second[1], second[0] + first[1], *rest])
    sheet_file.write_text("".join(f"{key}: {value}\n" for key, value in answers.items()))
    report = run("score", "--drafts", str(sheet_file), str(tmp_path))
    assert "DISAGREE mla-3.3-001" in report and "DISAGREE mla-4.1-001" in report
    assert "agreement 1/3" in report
