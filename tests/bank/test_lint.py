"""The bank lint (issue #18): each check on small hand-built banks, the loaders and the command."""

from __future__ import annotations

import textwrap

import pytest
from django.core.management import CommandError, call_command

from quiz.bank import lint as bank_lint
from quiz.bank.lint import (
    LintItem,
    check_difficulty_mix,
    check_duplicates,
    check_identifier_emphasis,
    check_item_rules,
    check_key_length,
    check_key_position,
    check_matching_distractors,
    check_matching_echo,
    check_multiple_share,
    check_ordering_steps,
    check_references,
    check_service_names,
    check_stem_overlap,
    chi_square_sf,
    format_report,
    items_from_yaml,
    lint,
)
from quiz.models import Question
from tests.factories import QuestionFactory

AWS = "https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html"
WIKI = "https://en.wikipedia.org/wiki/Precision_and_recall"
FILLERS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]


def item(
    n: int = 0,
    *,
    key: int | tuple[int, ...] = 1,
    options: int | None = None,
    texts: list[str] | None = None,
    stem: str | None = None,
    difficulty: str = "medium",
    references: tuple[str, ...] = (AWS,),
    status: str = "published",
    explanation: str = "",
) -> LintItem:
    """A valid item; ``key`` is the 1-based position(s) of the correct option(s)."""
    keys = (key,) if isinstance(key, int) else key
    kind = "multiple" if len(keys) > 1 else "single"
    if texts is None:
        count = options or (5 if kind == "multiple" else 4)
        texts = [f"Option {FILLERS[i]} {n}" for i in range(count)]
    return LintItem(
        id=f"q-{n:03d}",
        blueprint="MLS-C01",
        objective="1.1",
        type=kind,
        status=status,
        difficulty=difficulty,
        stem=stem if stem is not None else f"Scenario {n} with its own words number{n}.",
        choices=tuple((text, i + 1 in keys) for i, text in enumerate(texts)),
        references=references,
        explanation=explanation,
    )


def ids(result) -> set[str]:
    return {i for finding in result.findings for i in finding.ids}


def codes(result) -> set[str]:
    return {finding.code for finding in result.findings}


# --- Chi-square ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("chi2", "df", "p"),
    [
        (11.345, 3, 0.01),
        (7.815, 3, 0.05),
        (3.841, 1, 0.05),
        (6.635, 1, 0.01),
        (9.488, 4, 0.05),
        (23.209, 10, 0.01),
        (124.342, 100, 0.05),
        (2.366, 3, 0.50),
    ],
)
def test_chi_square_survival_matches_table_values(chi2, df, p):
    """The survival function reproduces printed critical values (series and continued fraction)."""
    assert chi_square_sf(chi2, df) == pytest.approx(p, abs=2e-4)


def test_chi_square_survival_edges():
    """No evidence gives p = 1; a huge statistic gives p near 0; df below 1 is refused."""
    assert chi_square_sf(0.0, 3) == 1.0
    assert chi_square_sf(200.0, 3) < 1e-30
    with pytest.raises(ValueError):
        chi_square_sf(1.0, 0)


# --- 1. Key position ----------------------------------------------------------------------------
def test_key_position_passes_when_single_keys_are_spread():
    items = [item(n, key=n % 4 + 1) for n in range(40)]
    result = check_key_position(items)
    assert result.passed, result
    assert any("p 1.000" in figure for figure in result.figures)


def test_key_position_fails_and_names_items_when_single_keys_pile_up():
    items = [item(n, key=1) for n in range(12)] + [item(n, key=n % 4 + 1) for n in range(12, 20)]
    result = check_key_position(items)
    assert not result.passed
    assert codes(result) == {"key_position_unbalanced"}
    # Position 1 is over-represented: the items keyed there are named.
    assert ids(result) == {f"q-{n:03d}" for n in range(12)} | {"q-012", "q-016"}


def test_key_position_ignores_single_items_without_four_options():
    items = [item(n, key=1, options=5) for n in range(20)]
    assert check_key_position(items).passed


def test_key_position_fails_when_multiple_keys_sit_first():
    items = [item(n, key=(1, 2)) for n in range(15)]
    result = check_key_position(items)
    assert not result.passed
    assert "multiple" in result.findings[0].message
    assert len(ids(result)) == 15


def test_key_position_passes_for_multiple_keys_spread_over_varied_option_counts():
    items = [item(n, key=(n % 5 + 1, (n + 2) % 5 + 1)) for n in range(20)]
    items += [item(n, key=(n % 6 + 1, (n + 3) % 6 + 1), options=6) for n in range(20, 32)]
    assert check_key_position(items).passed


# --- 2. Key length ------------------------------------------------------------------------------
def _length_item(n: int, *, key_is: str) -> LintItem:
    texts = {
        "longest": ["A much longer correct option", "Short one", "Short two", "Medium opt"],
        "shortest": ["Tiny", "Short one", "Short two", "Medium opt"],
        "middle": ["Short zero", "Tiny", "A much longer wrong option", "Medium opt"],
    }[key_is]
    return item(n, key=1, texts=texts)


def test_key_length_passes_with_a_quarter_longest_and_a_quarter_shortest():
    items = [
        _length_item(n, key_is=("longest", "shortest", "middle", "middle")[n % 4])
        for n in range(40)
    ]
    result = check_key_length(items)
    assert result.passed, result
    assert "key longest 25.0% (15–35%; 10 of 40)" in result.figures


def test_key_length_fails_when_the_key_is_the_longest_too_often_and_names_those_items():
    items = [_length_item(n, key_is="longest" if n < 5 else "shortest") for n in range(10)]
    result = check_key_length(items)
    assert codes(result) == {"key_longest_too_often", "key_shortest_too_often"}
    longest = next(f for f in result.findings if f.code == "key_longest_too_often")
    assert set(longest.ids) == {f"q-{n:03d}" for n in range(5)}


def test_key_length_fails_when_the_key_is_never_the_longest():
    """Our first bank's pattern: the longest option was never the key."""
    items = [_length_item(n, key_is=("shortest", "middle")[n % 2]) for n in range(20)]
    result = check_key_length(items)
    assert "key_longest_too_rarely" in codes(result)


def test_key_length_counts_only_a_strictly_longest_key():
    tie = item(1, key=1, texts=["Same length A", "Same length B", "Short", "Tiny"])
    result = check_key_length([tie])
    assert "key longest 0.0% (15–35%; 0 of 1)" in result.figures


# --- 3. Stem overlap ----------------------------------------------------------------------------
STEM = "A retailer streams clickstream events into Amazon Kinesis and needs hourly aggregates."


def test_key_echoing_the_stem_most_is_a_finding_above_40_percent():
    echo = [
        item(
            n,
            stem=STEM,
            texts=[
                "Aggregate the clickstream events from Kinesis hourly",
                "Use a nightly batch export",
                "Train a model on images",
                "Store logs in a bucket",
            ],
        )
        for n in range(5)
    ]
    plain = [item(n) for n in range(5, 10)]
    result = check_stem_overlap(echo + plain)
    assert not result.passed
    assert codes(result) == {"key_echoes_stem"}
    assert ids(result) == {f"q-{n:03d}" for n in range(5)}


def test_stem_overlap_passes_when_distractors_share_the_stem_words():
    items = [
        item(
            n,
            stem=STEM,
            texts=[
                "Aggregate clickstream events hourly with a Lambda function",
                "Aggregate clickstream events hourly with a batch job",
                "Aggregate clickstream events hourly in a database",
                "Aggregate clickstream events hourly on a cluster",
            ],
        )
        for n in range(5)
    ]
    result = check_stem_overlap(items)
    assert result.passed
    assert "key echoes stem most 0.0% (≤ 40%; 0 of 5)" in result.figures


def test_stopwords_do_not_count_as_echo():
    """'the', 'which', 'solution' are in every stem: sharing them is not an echo."""
    stem = "Which solution meets the requirements with the least effort?"
    key = item(1, stem=stem, texts=["The solution with the least effort", "B x", "C y", "D z"])
    assert bank_lint.stem_overlaps(key) == [1, 0, 0, 0]  # only "effort" is distinctive


# --- 4. Multiple-response share -----------------------------------------------------------------
def test_multiple_share_passes_within_20_to_30_percent():
    items = [item(n, key=(1, 2)) for n in range(3)] + [item(n) for n in range(3, 12)]
    result = check_multiple_share(items)
    assert result.passed
    assert result.figures == ("multiple response 25.0% (20–30%; 3 of 12)",)


@pytest.mark.parametrize(("multiple", "code"), [(5, "too_many_multiple"), (1, "too_few_multiple")])
def test_multiple_share_fails_outside_the_band(multiple, code):
    items = [item(n, key=(1, 2)) for n in range(multiple)]
    items += [item(n) for n in range(multiple, 12)]
    assert codes(check_multiple_share(items)) == {code}


# --- 5. Difficulty mix --------------------------------------------------------------------------
def test_difficulty_mix_passes_with_few_easy_and_many_hard():
    levels = ["easy"] * 2 + ["medium"] * 4 + ["hard"] * 4
    result = check_difficulty_mix([item(n, difficulty=d) for n, d in enumerate(levels)])
    assert result.passed, result


def test_difficulty_mix_names_items_without_difficulty_and_easy_items_when_too_many():
    levels = ["", "easy", "easy", "easy", "hard", "hard", "hard", "hard", "medium", "medium"]
    result = check_difficulty_mix([item(n, difficulty=d) for n, d in enumerate(levels)])
    assert codes(result) == {"missing_difficulty", "too_many_easy"}
    by_code = {f.code: set(f.ids) for f in result.findings}
    assert by_code["missing_difficulty"] == {"q-000"}
    assert by_code["too_many_easy"] == {"q-001", "q-002", "q-003"}


def test_difficulty_mix_fails_when_too_few_are_hard():
    levels = ["hard"] * 3 + ["medium"] * 7
    result = check_difficulty_mix([item(n, difficulty=d) for n, d in enumerate(levels)])
    assert codes(result) == {"too_few_hard"}


# --- 6. References ------------------------------------------------------------------------------
def test_references_accept_aws_documentation_hosts():
    urls = [
        AWS,
        "https://aws.amazon.com/blogs/machine-learning/some-post/",
        "https://www.amazon.com/aws/some-page",
    ]
    items = [item(n, references=(url, WIKI)) for n, url in enumerate(urls)]
    assert check_references(items).passed


def test_references_flag_wikipedia_only_and_no_aws_documentation():
    items = [
        item(0, references=(WIKI,)),
        item(1, references=("https://scikit-learn.org/stable/modules/svm.html",)),
        item(2, references=("https://docs.aws.amazon.com.evil.example/x",)),
        item(3),
    ]
    result = check_references(items)
    by_code = {f.code: set(f.ids) for f in result.findings}
    assert by_code == {"wikipedia_only": {"q-000"}, "no_aws_reference": {"q-001", "q-002"}}


# --- 7. Service names ---------------------------------------------------------------------------
def test_outdated_service_names_are_findings_with_the_current_name():
    items = [
        item(0, stem="Records arrive through Amazon Kinesis Data Firehose into S3."),
        item(1, explanation="Kinesis Data Analytics runs the Flink job."),
        item(2, texts=["Amazon Elasticsearch Service", "B", "C", "D"]),
        item(3, stem="Train the model with Amazon SageMaker and deploy it."),
    ]
    result = check_service_names(items)
    assert codes(result) == {"outdated_service_name"}
    assert ids(result) == {"q-000", "q-001", "q-002", "q-003"}
    firehose = next(f for f in result.findings if f.ids == ("q-000",))
    assert '"Amazon Data Firehose"' in firehose.message
    assert len([f for f in result.findings if f.ids == ("q-000",)]) == 1  # reported once


def test_current_names_and_formerly_notes_are_fine():
    items = [
        item(0, stem="Use Amazon SageMaker AI (formerly Amazon SageMaker) to train."),
        item(1, stem="Amazon Data Firehose (previously Kinesis Data Firehose) delivers."),
        item(2, stem="Prepare data in Amazon SageMaker Canvas and Amazon SageMaker Studio."),
        item(3, stem="Query with Amazon Managed Service for Apache Flink."),
        item(4, stem="Call `firehose` with the name `Kinesis Data Firehose` in code."),
    ]
    assert check_service_names(items).passed


# --- 8. Duplicates ------------------------------------------------------------------------------
def test_identical_and_near_duplicate_stems_are_named_in_pairs():
    base = "A bank trains a fraud model on card transactions and must explain each decision."
    items = [
        item(0, stem=base),
        item(
            1,
            stem="A  bank trains a **fraud** model on card transactions and must explain"
            " each decision.",
        ),
        item(2, stem=base.replace("explain each decision", "explain every decision")),
        item(3, stem="A hospital labels chest X-rays with a small team of radiologists."),
    ]
    result = check_duplicates(items)
    pairs = {(f.code, f.ids) for f in result.findings}
    assert ("duplicate_stem", ("q-000", "q-001")) in pairs
    assert ("near_duplicate_stem", ("q-000", "q-002")) in pairs
    assert all("q-003" not in f.ids for f in result.findings)


def test_different_scenarios_are_not_duplicates():
    items = [item(n) for n in range(5)]
    assert check_duplicates(items).passed


# --- 9. Identifier emphasis (issue #14) ---------------------------------------------------------
def test_identifiers_that_markdown_turns_into_emphasis_are_findings():
    items = [
        item(0, stem="Prefix each line with __label__ and the class."),
        item(1, texts=["Read path/*.csv and prefix/*.json", "B", "C", "D"]),
        item(2, explanation="The grid has 2*3*4 cells."),
        item(3, stem="Prefix each line with `__label__`; read `*.csv` and `*.json`."),
        item(4, stem="Use **LEAST** effort and *one* pass; `2*3*4` is code.\n\n```\na*b*c\n```"),
    ]
    result = check_identifier_emphasis(items)
    assert codes(result) == {"identifier_emphasis"}
    assert ids(result) == {"q-000", "q-001", "q-002"}


# --- The whole lint -----------------------------------------------------------------------------
def _good_bank() -> list[LintItem]:
    items = []
    for n in range(16):
        kind = ("longest", "shortest", "middle", "middle")[n % 4]
        texts = {
            "longest": ["A much longer correct option", "Short one", "Short two", "Medium opt"],
            "shortest": ["Tiny", "Short one", "Short two", "Medium opt"],
            "middle": ["Short zero", "Tiny", "A much longer wrong option", "Medium opt"],
        }[kind]
        # Rotate the options so the key visits every position.
        shift = (n // 4) % 4
        rotated = texts[-shift:] + texts[:-shift] if shift else texts
        items.append(item(n, key=shift + 1, texts=rotated, difficulty=("hard", "medium")[n % 2]))
    for n in range(16, 21):
        items.append(item(n, key=(n % 5 + 1, (n + 1) % 5 + 1), difficulty="hard"))
    return items


def test_lint_passes_a_good_bank_and_formats_a_readable_report():
    report = lint([*_good_bank(), item(99, status="retired", difficulty="")])
    text = format_report(report)
    assert report.passed, text
    assert report.linted == 21
    assert "left out: 1 retired" in text
    assert "[PASS] Key length" in text
    assert text.endswith("Bank lint passed.")


def test_lint_lints_only_published_items_unless_asked():
    items = [*_good_bank(), item(50, status="draft", difficulty="", references=(WIKI,))]
    assert lint(items).passed
    report = lint(items, statuses=("published", "draft"))
    assert not report.check("difficulty_mix").passed
    assert "q-050" in {i for f in report.findings for i in f.ids}


def test_a_failed_report_names_the_failing_checks_and_items():
    items = [*_good_bank(), item(60, references=(WIKI,))]
    report = lint(items)
    text = format_report(report)
    assert not report.passed
    assert "[FAIL] References" in text
    assert "q-060" in text
    assert text.endswith("Bank lint failed: 1 of 13 checks.")


# --- Loaders and entry points -------------------------------------------------------------------
YAML = textwrap.dedent(
    """\
    blueprint: MLS-C01
    questions:
      - id: lint-001
        objective: "1.1"
        type: single
        status: published
        difficulty: hard
        stem: A team stores images in Amazon S3. Which storage class costs least?
        choices:
          - text: S3 Standard
          - text: S3 Intelligent-Tiering
            correct: true
            rationale: Moves objects between tiers.
          - text: S3 Glacier Deep Archive
          - text: S3 One Zone-IA
        explanation: Intelligent-Tiering moves objects.
        references:
          - https://docs.aws.amazon.com/AmazonS3/latest/userguide/intelligent-tiering.html
      - id: lint-002
        objective: "2.1"
        type: multiple
        status: retired
        stem: Which two steps reduce overfitting in a gradient-boosted tree model?
        choices:
          - text: Lower max_depth
            correct: true
          - text: Raise the learning rate
          - text: Add early stopping
            correct: true
          - text: Remove the validation set
          - text: Train for more rounds
        references:
          - https://en.wikipedia.org/wiki/Overfitting
    """
)


def test_items_from_yaml_reads_every_question_with_its_status_and_difficulty(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(YAML, encoding="utf-8")
    first, second = items_from_yaml([tmp_path])
    assert first == LintItem(
        id="lint-001",
        blueprint="MLS-C01",
        objective="1.1",
        type="single",
        status="published",
        difficulty="hard",
        stem="A team stores images in Amazon S3. Which storage class costs least?",
        choices=(
            ("S3 Standard", False),
            ("S3 Intelligent-Tiering", True),
            ("S3 Glacier Deep Archive", False),
            ("S3 One Zone-IA", False),
        ),
        references=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/intelligent-tiering.html",
        ),
        explanation="Intelligent-Tiering moves objects.",
        rationales=("Moves objects between tiers.",),
        source=str(path),
    )
    assert (second.type, second.status, second.difficulty) == ("multiple", "retired", "")
    assert second.key_positions == [1, 3]


def test_items_from_yaml_refuses_an_invalid_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(YAML.replace("type: single", "type: essay"), encoding="utf-8")
    with pytest.raises(bank_lint.BankFileError) as error:
        items_from_yaml([path])
    assert [p.code for p in error.value.problems] == ["unknown_type"]


def test_module_entry_point_prints_per_file_figures_and_exits_1_on_failure(tmp_path, capsys):
    (tmp_path / "bank.yaml").write_text(YAML, encoding="utf-8")
    assert bank_lint.main([str(tmp_path), "--per-file"]) == 1
    out = capsys.readouterr().out
    assert out.count("Bank lint: ") == 2  # the file's figures, then the bank's report
    assert "1 published items (left out: 1 retired)" in out
    assert "[FAIL] Multiple-response share" in out


def test_command_on_yaml_paths_fails_with_command_error(tmp_path, capsys):
    (tmp_path / "bank.yaml").write_text(YAML, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("bank_lint", str(tmp_path))
    out = capsys.readouterr().out
    assert "[FAIL] Multiple-response share" in out
    assert "[PASS] Difficulty mix" in out


def test_command_lints_the_database_and_names_failing_items(db, capsys):
    QuestionFactory(external_id="db-wiki", references="https://en.wikipedia.org/wiki/F1_score")
    QuestionFactory(external_id="db-draft", status=Question.Status.DRAFT)
    with pytest.raises(CommandError):
        call_command("bank_lint", "--blueprint", "MLS-C01")
    out = capsys.readouterr().out
    assert "Bank lint: MLS-C01 — 1 published items (left out: 1 draft)" in out
    assert "db-wiki" in out
    assert "db-draft" not in out


def test_command_passes_on_a_database_bank_that_meets_every_check(db, capsys):
    """The database loader reads type, key, difficulty and references from the models."""
    for lint_item in _good_bank():
        question = QuestionFactory(
            external_id=lint_item.id,
            type=lint_item.type,
            stem=lint_item.stem,
            difficulty=lint_item.difficulty,
        )
        question.choices.all().delete()
        for order, (text, correct) in enumerate(lint_item.choices):
            question.choices.create(order=order, text=text, is_correct=correct)
    assert bank_lint.items_from_database("MLS-C01") == [
        LintItem(
            id=i.id,
            blueprint="MLS-C01",
            objective="1.1",
            type=i.type,
            status="published",
            difficulty=i.difficulty,
            stem=i.stem,
            choices=i.choices,
            references=(AWS,),
            explanation="Because the first option fits the constraint.",
        )
        for i in _good_bank()
    ]
    call_command("bank_lint")
    assert capsys.readouterr().out.rstrip().endswith("Bank lint passed.")


def test_command_refuses_an_unknown_blueprint(db):
    with pytest.raises(CommandError, match="No blueprint"):
        call_command("bank_lint", "--blueprint", "NOPE-01")


# --- Each shipped bank against its own exam (issue 19) ------------------------------------------
def test_check_blueprint_names_items_of_another_exam_and_unknown_objectives():
    from dataclasses import replace

    from quiz.bank.blueprint import MLA_C01
    from quiz.bank.lint import check_blueprint

    own = replace(item(1), blueprint="MLA-C01", objective="3.3")
    other = item(2)  # an MLS-C01 question
    unknown = replace(item(3), blueprint="MLA-C01", objective="3.4", status="draft")
    result = check_blueprint([own, other, unknown], MLA_C01)
    assert not result.passed
    assert {f.code: f.ids for f in result.findings} == {
        "other_blueprint": ("q-002",),
        "unknown_objective": ("q-003",),  # a draft too: it would not import either
    }
    assert check_blueprint([own], MLA_C01).passed
    assert lint([own, other], blueprint=MLA_C01).check("blueprint").passed is False
    assert "blueprint" not in {check.code for check in lint([own]).checks}


def test_shipped_lint_checks_each_exam_folder_against_its_own_objectives(tmp_path):
    (tmp_path / "mls-c01").mkdir()
    (tmp_path / "mls-c01" / "bank.yaml").write_text(
        YAML.replace('objective: "2.1"', 'objective: "3.5"'), encoding="utf-8"
    )
    # MLA-C01 has no objective 3.5, and its folder holds an MLS-C01 file.
    (tmp_path / "mla-c01").mkdir()
    (tmp_path / "mla-c01" / "1.1-ingest-store.yaml").write_text(
        YAML.replace("blueprint: MLS-C01", "blueprint: MLA-C01").replace(
            'objective: "1.1"', 'objective: "3.5"'
        ),
        encoding="utf-8",
    )
    out: list[str] = []
    assert not bank_lint.run_shipped(statuses=None, per_file=False, root=tmp_path, write=out.append)
    text = "\n".join(out)
    assert "[FAIL] Objectives of MLA-C01" in text
    assert "Names an objective MLA-C01 does not have" in text and "lint-001" in text
    assert "[PASS] Objectives of MLS-C01" in text


def test_shipped_lint_passes_on_an_exam_whose_folder_is_empty_or_missing(tmp_path):
    (tmp_path / "mls-c01").mkdir()
    out: list[str] = []
    assert bank_lint.run_shipped(statuses=None, per_file=False, root=tmp_path, write=out.append)
    text = "\n".join(out)
    assert "0 published items" in text
    assert "MLA-C01 — no folder" in text


def test_the_shipped_lint_runs_without_django_settings_or_a_database():
    """What make lint runs: python -m quiz.bank.lint --shipped, database-free."""
    import os
    import subprocess  # nosec B404: the project's own module, fixed arguments
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # unreachable if it were used
    done = subprocess.run(  # nosec B603
        [sys.executable, "-m", "quiz.bank.lint", "--shipped"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Bank lint passed." in done.stdout
    assert "[PASS] Objectives of MLS-C01" in done.stdout


def test_the_lint_entry_point_wants_paths_or_shipped():
    with pytest.raises(SystemExit):
        bank_lint.main([])
    with pytest.raises(SystemExit):
        bank_lint.main(["--shipped", "content/mls-c01"])


def test_command_on_paths_with_a_shipped_blueprint_checks_its_objectives(tmp_path, capsys):
    (tmp_path / "bank.yaml").write_text(
        YAML.replace("blueprint: MLS-C01", "blueprint: MLA-C01").replace(
            'objective: "1.1"', 'objective: "3.4"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("bank_lint", str(tmp_path), "--blueprint", "MLA-C01")
    out = capsys.readouterr().out
    assert "[FAIL] Objectives of MLA-C01" in out and "lint-001" in out


# --- Ordering and matching (issue #19) -----------------------------------------------------------
def ordering(n: int, steps: list[str] | None = None, **kwargs) -> LintItem:
    steps = steps or [f"Do {FILLERS[i]} {n}" for i in range(4)]
    return LintItem(
        id=f"o-{n:03d}",
        blueprint="MLA-C01",
        objective="3.3",
        type="ordering",
        status="published",
        difficulty="medium",
        stem=f"Order the steps of workflow {n}.",
        choices=tuple((step, False) for step in steps),
        references=(AWS,),
        **kwargs,
    )


def matching(
    n: int,
    *,
    prompts: tuple[str, ...] = ("Drift alerts", "API audit", "Latency alarm"),
    matches: tuple[str, ...] = ("Model Monitor", "CloudTrail", "CloudWatch"),
    responses: tuple[str, ...] = ("Model Monitor", "CloudTrail", "CloudWatch", "Clarify"),
) -> LintItem:
    return LintItem(
        id=f"m-{n:03d}",
        blueprint="MLA-C01",
        objective="4.1",
        type="matching",
        status="published",
        difficulty="medium",
        stem=f"Match each need {n} to a service.",
        choices=tuple((prompt, False) for prompt in prompts),
        references=(AWS,),
        matches=matches,
        responses=responses,
    )


def test_multiple_share_counts_only_single_and_multiple_response_items():
    # 3 multiple of 12 option items is 25%; ten ordering and matching items do not dilute it.
    bank = [item(n, key=(1, 2)) for n in range(3)] + [item(n) for n in range(3, 12)]
    bank += [ordering(n) for n in range(5)] + [matching(n) for n in range(5)]
    result = check_multiple_share(bank)
    assert result.passed
    assert result.figures == ("multiple response 25.0% (20–30%; 3 of 12)",)


def test_stem_overlap_share_counts_only_items_with_a_key_among_options():
    echo = item(
        0,
        stem="Which store holds parquet lakehouse tables?",
        texts=["Parquet lakehouse tables store", "Alpha", "Bravo", "Charlie"],
    )
    result = check_stem_overlap([echo, item(1), ordering(2), matching(3)])
    assert result.figures[0].endswith("; 1 of 2)")


def test_key_checks_leave_ordering_and_matching_items_out():
    bank = [ordering(n) for n in range(6)] + [matching(n) for n in range(6)]
    assert check_key_position(bank).passed
    assert check_key_length(bank).figures == (
        "key longest 0.0% (15–35%; 0 of 0)",
        "key shortest 0.0% (15–35%; 0 of 0)",
    )


def test_a_matching_item_without_a_distractor_response_is_named():
    no_extra = matching(1, responses=("Model Monitor", "CloudTrail", "cloudwatch"))
    result = check_matching_distractors([matching(0), no_extra])
    assert not result.passed
    assert codes(result) == {"matching_without_distractor"} and ids(result) == {"m-001"}


def test_a_prompt_naming_its_own_match_is_named():
    echo = matching(
        1,
        prompts=("Use CloudTrail to audit", "Drift alerts", "Latency alarm"),
        matches=("CloudTrail", "Model Monitor", "CloudWatch"),
    )
    result = check_matching_echo([matching(0), echo])
    assert codes(result) == {"prompt_names_match"} and ids(result) == {"m-001"}


@pytest.mark.parametrize(
    "cue", ["First, create", "Then deploy", "2. Register", "Step 3 deploy", "Finally approve"]
)
def test_an_ordering_step_that_cues_its_place_is_named(cue):
    cued = ordering(1, steps=["Create the group", cue, "Approve", "Deploy"])
    result = check_ordering_steps([ordering(0), cued])
    assert codes(result) == {"step_cues_order"} and ids(result) == {"o-001"}


def test_ordering_steps_report_their_counts_and_pass_without_cues():
    bank = [ordering(0), ordering(1, steps=["Thenar muscle", "Nextflow run", "Alpha"])]
    result = check_ordering_steps(bank)
    assert result.passed  # "Thenar", "Nextflow": words that only begin like a cue
    assert result.figures[0] == "ordering items by step count: 3:1 4:1"


def test_item_rules_report_a_broken_item_with_the_rules_code():
    broken = ordering(1, steps=["Only", "Two"])
    unknown = matching(2, matches=("Model Monitor", "CloudTrail", "Nowhere"))
    result = check_item_rules([ordering(0), matching(0), broken, unknown])
    assert {(f.ids[0], f.code) for f in result.findings} == {
        ("o-001", "ordering_step_count"),
        ("m-002", "unknown_match"),
    }


def test_yaml_loader_carries_matches_and_responses(tmp_path):
    (tmp_path / "bank.yaml").write_text(
        textwrap.dedent(
            """
            blueprint: MLS-C01
            questions:
              - id: t-4.1-006
                objective: "4.1"
                type: matching
                status: published
                stem: Match each need to the service.
                prompts:
                  - {text: Drift alerts, match: Model Monitor}
                  - {text: API audit, match: CloudTrail}
                  - {text: Latency alarm, match: CloudWatch}
                responses: [Model Monitor, CloudTrail, CloudWatch]
            """
        )
    )
    [loaded] = items_from_yaml([tmp_path])
    assert loaded.matches == ("Model Monitor", "CloudTrail", "CloudWatch")
    assert loaded.responses == ("Model Monitor", "CloudTrail", "CloudWatch")
    assert ids(check_matching_distractors([loaded])) == {"t-4.1-006"}
