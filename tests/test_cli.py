"""The validate command end to end through Typer's CliRunner: exit codes and report formats."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from effllm_catalog.cli import app

from .conftest import QLORA, SPARSEGPT, MakeCatalog


def test_bundled_catalog_validates_clean(runner: CliRunner) -> None:
    """With no arguments, the bundled catalog is validated and is clean."""
    result = runner.invoke(app, ["validate", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["entries"] > 0


def test_text_report_for_clean_catalog(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """The text reporter summarises a clean catalog."""
    result = runner.invoke(app, ["validate", str(make_catalog())])
    assert result.exit_code == 0
    assert "2 entries" in result.stdout
    assert "0 errors" in result.stdout


def test_all_findings_reported_at_once(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Several broken entries give several findings in one run, in line order."""
    broken = SPARSEGPT.replace("inference.pruning.unstructured", "nope") + QLORA.replace(
        "year: 2023", "year: 1200"
    )
    result = runner.invoke(app, ["validate", str(make_catalog(broken)), "--format", "json"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["issues"]
    assert [i["check"] for i in issues] == ["unknown-tag", "implausible-year"]
    assert issues[0]["line"] < issues[1]["line"]
    assert issues[0]["key"] == "frantar2023sparsegpt"


def test_github_annotations(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--format github prints workflow commands with file, line and column."""
    folder = make_catalog(SPARSEGPT.replace("inference.pruning.unstructured", "ptq"))
    result = runner.invoke(app, ["validate", str(folder), "--format", "github"])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=")
    assert ",line=14,col=5," in first
    assert "inference.quantization.post-training" in first  # the alias resolves in the hint


def test_strict_turns_warnings_into_failures(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A warning passes by default and fails under --strict."""
    folder = make_catalog(SPARSEGPT.replace("Alistarh, Dan", "Dan Alistarh"))
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(folder), "--strict"]).exit_code == 1


def test_single_file_uses_its_folder_taxonomy(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A reference file is validated against the taxonomy next to it."""
    folder = make_catalog()
    result = runner.invoke(app, ["validate", str(folder / "references.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output


def test_duplicates_across_files(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Keys and ids are unique across references.yaml and references/*.yaml."""
    folder = make_catalog()
    (folder / "references").mkdir()
    (folder / "references" / "more.yaml").write_text(SPARSEGPT, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    checks = {i["check"] for i in json.loads(result.stdout)["issues"]}
    assert result.exit_code == 1
    assert {"duplicate-key", "duplicate-arxiv"} <= checks


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """Unknown formats, missing paths and catalogs without taxonomy exit with 2."""
    assert runner.invoke(app, ["validate", "--format", "xml"]).exit_code == 2
    missing = runner.invoke(app, ["validate", str(tmp_path / "missing")])
    assert missing.exit_code == 2
    assert "no such file" in missing.output
    empty = runner.invoke(app, ["validate", "--catalog", str(tmp_path)])
    assert empty.exit_code == 2
    assert "taxonomy.yaml" in empty.output


def test_env_catalog(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """$EFFLLM_CATALOG selects the catalog when --catalog is absent."""
    folder = make_catalog(SPARSEGPT.replace("year: 2023", "year: 99999"))
    result = runner.invoke(app, ["validate"], env={"EFFLLM_CATALOG": str(folder)})
    assert result.exit_code == 1


def test_no_traceback_for_garbage(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Random bytes give a located finding, never a traceback."""
    folder = make_catalog(bytes(range(256)) * 4)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_help_teaches_with_examples(runner: CliRunner) -> None:
    """Every command's --help shows examples."""
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert "--format" in result.stdout


def test_version(runner: CliRunner) -> None:
    """--version prints the package version."""
    from effllm_catalog import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout
