"""Hostile input, crashes mid-write and concurrency: the CI gate must never lie or lose data.

Every case here asserts behaviour: the exit code, a located message, no traceback, and for writes
that the file is either byte-identical to before or a valid new catalog.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.validate import validate_catalog

from .conftest import BUNDLED, QLORA, SPARSEGPT, MakeCatalog

EFFLLM = str(Path(sys.executable).with_name("effllm"))


def _validate(runner: CliRunner, folder: Path) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    doc = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, doc, result.output


# --------------------------------------------------------------------------- YAML level


def test_syntax_errors_at_many_positions(make_catalog: MakeCatalog) -> None:
    """Breaking the YAML anywhere gives a located YAML finding, never an exception.

    Junk is inserted at 60 random positions; wherever libyaml (the parser the catalog uses) refuses
    the result, validate must report a yaml-* finding with a line. Enough insertions break the YAML that the test cannot
    quietly turn into one that checks nothing.
    """
    text = SPARSEGPT + QLORA
    rng = random.Random(7)
    broken = 0
    for position in sorted(rng.sample(range(len(text)), 60)):
        for junk in (": [", "\t", '"', "- - :", "{"):
            mangled = text[:position] + junk + text[position:]
            folder = make_catalog(mangled)
            report, _ = validate_catalog(folder)
            for issue in report.issues:
                assert issue.file and issue.message
                if issue.check.startswith("yaml"):
                    assert issue.line is not None
            try:
                yaml.load(mangled, Loader=yaml.CSafeLoader)  # the safe C loader
            except yaml.YAMLError:
                broken += 1
                assert not report.ok, (position, junk)
                assert any(i.check.startswith("yaml") and i.line for i in report.issues), (
                    position,
                    junk,
                    report.issues,
                )
    assert broken >= 50, broken  # 70 of the 300 with this seed


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("- key: a\n  key: b\n", "duplicate-yaml-key"),
        (
            SPARSEGPT.replace("  tags:", "  extra:\n    pages: '1'\n    pages: '2'\n  tags:"),
            "duplicate-yaml-key",
        ),
        ("- {key: a, key: b}\n", "duplicate-yaml-key"),
        ("- key: x\n  authors: &a ['A, B']\n- key: y\n  authors: *a\n", "yaml-alias"),
        ("- key: !!python/object:os.system x\n", "yaml-tag"),
        ("- key: !!python/object/new:subprocess.Popen [['true']]\n", "yaml-tag"),
        ("- key: !include /etc/passwd\n", "yaml-tag"),
        ("[" * 2000, "yaml-depth"),
        ("- key: x\n\ttitle: y\n", "yaml-syntax"),
        ("- ? [a, b]\n  : c\n", "yaml-value"),
        ("- added: 2026-13-45\n", "yaml-value"),
        ("key: value\n", "top-level-shape"),
        ("", "top-level-shape"),
        ("# only a comment\n", "top-level-shape"),
        ("- 42\n", "entry-shape"),
    ],
)
def test_yaml_level(runner: CliRunner, make_catalog: MakeCatalog, text: str, check: str) -> None:
    """Each YAML-level problem exits 1 with its check id, a file and a line."""
    code, doc, _ = _validate(runner, make_catalog(text))
    assert code == 1
    issues = doc["issues"]
    assert isinstance(issues, list)
    assert any(i["check"] == check and i["line"] for i in issues), issues


@pytest.mark.parametrize(
    ("field", "raw", "check"),
    [
        ("title", "no", "schema"),  # YAML 1.1 boolean
        ("title", "null", "schema"),
        ("title", "2024-01-01", "schema"),  # a date
        ("title", "''", "schema"),
        ("title", "'" + "x" * 600 + "'", "schema"),
        ("year", "'2023'", "bad-year"),  # a string is not a year
        ("year", "2023.0", "bad-year"),
        ("year", "on", "bad-year"),
        ("year", "1e3", "bad-year"),
        ("arxiv", "2301.00774", "bad-arxiv-id"),  # unquoted: YAML reads a float
        ("venue", "[ICML]", "schema"),
        ("authors", "'Frantar, Elias'", "bad-authors"),
        ("authors", "[]", "bad-authors"),
        ("tags", "inference.pruning", "bad-tag"),
        ("url", "data:text/html,<script>", "bad-url"),
        ("code", "javascript:alert(1)", "bad-url"),
        ("key", "'has space'", "bad-key"),
        ("type", "blog", "bad-type"),
    ],
)
def test_schema_level(
    runner: CliRunner, make_catalog: MakeCatalog, field: str, raw: str, check: str
) -> None:
    """Wrong types, empty and over-long values are errors on the line of the field."""
    lines = SPARSEGPT.splitlines()
    index = next(i for i, ln in enumerate(lines) if ln.startswith((f"  {field}:", f"- {field}:")))
    prefix = "- " if lines[index].startswith("- ") else "  "
    end = index + 1
    while end < len(lines) and lines[end].startswith("  - "):
        end += 1
    lines[index:end] = [f"{prefix}{field}: {raw}"]
    code, doc, _ = _validate(runner, make_catalog("\n".join(lines) + "\n"))
    assert code == 1
    found = [(i["check"], i["line"]) for i in doc["issues"]]  # type: ignore[union-attr]
    assert (check, index + 1) in found, found


def test_numbers_as_keys(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A number used as a field name is an unknown field, not a crash."""
    code, doc, _ = _validate(runner, make_catalog(SPARSEGPT + "  1: one\n"))
    assert code == 1
    assert any(i["check"] == "unknown-field" for i in doc["issues"])  # type: ignore[union-attr]


def test_control_characters_and_braces(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Escaped control characters and bidi overrides in text fields are findings."""
    text = (
        SPARSEGPT.replace("'SparseGPT: Massive", '"SparseGPT:\\u202e Massive')
        .replace("One-Shot'", 'One-Shot"')
        .replace("venue: ICML", "venue: '{ICML'")
    )
    code, doc, _ = _validate(runner, make_catalog(text))
    checks = {i["check"] for i in doc["issues"]}  # type: ignore[union-attr]
    assert code == 1 and {"control-char", "unbalanced-braces"} <= checks


@pytest.mark.slow
def test_fifty_megabyte_file_is_refused_fast(make_catalog: MakeCatalog, runner: CliRunner) -> None:
    """A 50 MB file is refused by size before parsing, in well under a second."""
    folder = make_catalog()
    with (folder / "references.yaml").open("w", encoding="utf-8") as handle:
        line = "# " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            handle.write(line)
    start = time.perf_counter()
    code, doc, _ = _validate(runner, folder)
    assert time.perf_counter() - start < 5
    assert code == 1
    assert doc["issues"][0]["check"] == "file-too-large"  # type: ignore[index]


def test_crlf_bom_tabs_in_values(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """CRLF line endings and a BOM are fine; an escaped bell inside a quoted value is not."""
    data = ("\ufeff" + SPARSEGPT.replace("\n", "\r\n")).encode("utf-8")
    assert _validate(runner, make_catalog(data))[0] == 0
    belled = SPARSEGPT.replace("venue: ICML", 'venue: "IC\\aML"')
    assert _validate(runner, make_catalog(belled))[0] == 1


def test_duplicates_across_files(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A key, arXiv id or DOI repeated in another file of the catalog is found."""
    folder = make_catalog(SPARSEGPT.replace("  tags:", "  doi: 10.1000/x\n  tags:"))
    (folder / "references").mkdir()
    (folder / "references" / "b.yaml").write_text(
        QLORA.replace("dettmers2023qlora", "frantar2023sparsegpt")
        .replace("2305.14314", "2301.00774")
        .replace("  tags:", "  doi: 10.1000/X\n  tags:"),
        encoding="utf-8",
    )
    code, doc, _ = _validate(runner, folder)
    checks = {i["check"] for i in doc["issues"]}  # type: ignore[union-attr]
    assert code == 1
    assert {"duplicate-key", "duplicate-arxiv", "duplicate-doi"} <= checks


# --------------------------------------------------------------------------- exporters, defence in depth


def test_exporters_neutralise_hostile_data_even_without_the_model() -> None:
    """Exporters escape text and drop non-http(s) links even when handed unvalidated data."""
    from effllm_catalog.export import export_rows
    from effllm_catalog.export.markdown import md_escape

    hostile = {
        "key": "x",
        "type": "misc",
        "year": 2024,
        "tags": ["inference"],
        "title": "<img src=x onerror=alert(1)> [a](javascript:alert(1)) \\input{x}",
        "authors": ["<b>Eve</b>, [x](http://evil)"],
        "url": "javascript:alert(1)",
        "code": "data:text/html,hi",
        "venue": "`code` | pipe",
    }
    from effllm_catalog.validate import load_catalog

    taxonomy = load_catalog(BUNDLED).taxonomy
    md = export_rows("markdown", [hostile], taxonomy)
    assert "<img" not in md and "<b>" not in md
    import re

    links = re.findall(r"(?<!\\)\]\(([^)]*)\)", md)
    # Only our own links survive: the survey link in the intro and the table of contents.
    assert links and all(
        lk.startswith("#") or lk == "https://arxiv.org/abs/2312.00678" for lk in links
    )
    assert md_escape("a|b`c") == "a\\|b\\`c"
    bib = export_rows("bibtex", [hostile], taxonomy)
    assert "\\input{" not in bib


# --------------------------------------------------------------------------- writes


def _catalog_copy(tmp_path: Path, n: int | None = None) -> Path:
    folder = tmp_path / "live"
    folder.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", folder)
    shutil.copy(BUNDLED / "references.yaml", folder)
    return folder


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "EFFLLM_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}


def _add_cmd(folder: Path, n: int) -> list[str]:
    topic = ["Quantization", "Pruning", "Distillation", "Caching", "Routing", "Decoding"][n % 6]
    return [
        EFFLLM,
        "add",
        "--catalog",
        str(folder),
        "--title",
        f"{topic} Under Sudden Death {n}",
        "-a",
        "Tester, Ada",
        "--year",
        "2025",
        "--arxiv",
        f"2501.{90000 + n:05d}",
        "--tag",
        "ptq",
    ]


@pytest.mark.slow
def test_concurrent_adds_keep_both(tmp_path: Path) -> None:
    """Two adds at the same moment both land: the lock serialises them."""
    folder = _catalog_copy(tmp_path)
    env = _env(tmp_path)
    procs = [
        subprocess.Popen(
            _add_cmd(folder, n), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for n in (1, 2)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    text = (folder / "references.yaml").read_text(encoding="utf-8")
    assert "2501.90001" in text and "2501.90002" in text
    assert validate_catalog(folder)[0].ok


def test_failed_replace_changes_nothing(
    runner: CliRunner, make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final rename fails (read-only folder, full disk), the old file stays and the user
    gets a located error, not a traceback; no temporary file is left behind."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()

    def refuse(self: Path, target: Path) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    result = runner.invoke(
        app,
        [
            "add",
            "--catalog",
            str(folder),
            "--title",
            "New",
            "-a",
            "Tester, Ada",
            "--year",
            "2025",
            "--arxiv",
            "2501.99998",
            "--tag",
            "ptq",
        ],
    )
    assert result.exit_code == 1
    assert "Permission denied" in result.output and "references.yaml" in result.output
    assert (folder / "references.yaml").read_bytes() == before
    assert not list(folder.glob(".references.yaml.*"))


def test_missing_catalog_is_a_clear_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """Writing to a catalog that does not exist fails with exit 2 and creates nothing."""
    result = runner.invoke(
        app,
        [
            "add",
            "--catalog",
            str(tmp_path / "nope"),
            "--title",
            "T",
            "-a",
            "A, B",
            "--year",
            "2025",
            "--tag",
            "ptq",
        ],
    )
    assert result.exit_code == 2
    assert not (tmp_path / "nope").exists()
