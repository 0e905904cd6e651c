"""Regression cases as files: every folder under tests/cases/ is one test.

``invalid/<name>/`` holds a broken ``references.yaml`` (and optionally a ``taxonomy.yaml``) and an
``expected.yaml`` naming the check id, the line it must be reported on, its severity and the exit
code. ``valid/<name>/`` must validate with no findings at all. Adding a folder adds a test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog.cli import app

from .conftest import BUNDLED, CASES


def _folders(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if p.is_dir())


def _stage(case: Path, tmp_path: Path) -> Path:
    folder = tmp_path / case.name
    shutil.copytree(case, folder)
    if not (folder / "taxonomy.yaml").exists():
        shutil.copy(BUNDLED / "taxonomy.yaml", folder / "taxonomy.yaml")
    (folder / "expected.yaml").unlink(missing_ok=True)
    return folder


@pytest.mark.parametrize("case", _folders("invalid"), ids=lambda p: p.name)
def test_invalid_case(case: Path, tmp_path: Path, runner: CliRunner) -> None:
    """Each broken catalog yields its expected check id on its expected line, with its exit code."""
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    folder = _stage(case, tmp_path)
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == expected["exit"], result.output
    report = json.loads(result.stdout)
    found = [(i["check"], i["line"], i["severity"]) for i in report["issues"]]
    assert (expected["check"], expected["line"], expected["severity"]) in found, found
    for issue in report["issues"]:
        assert issue["file"].endswith(".yaml")
        assert issue["message"]
        assert issue["hint"], f"{issue['check']} has no hint"


@pytest.mark.parametrize("case", _folders("valid"), ids=lambda p: p.name)
def test_valid_case(case: Path, tmp_path: Path, runner: CliRunner) -> None:
    """Each valid catalog validates with no findings, even under --strict."""
    folder = _stage(case, tmp_path)
    result = runner.invoke(app, ["validate", str(folder), "--strict", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["issues"] == []


def test_every_invalid_case_has_expectations() -> None:
    """A case folder without expected.yaml would silently test nothing."""
    for case in _folders("invalid"):
        assert (case / "expected.yaml").is_file(), case
        assert (case / "references.yaml").is_file(), case


FINDINGS = Path(__file__).parent / "fixtures" / "findings"
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["references", "taxonomy"])
def test_findings_golden(name: str, tmp_path: Path, runner: CliRunner) -> None:
    """Every check's findings, exactly: check id, severity, line, column, key, message and hint
    (byte-identical to the reviewed golden file; UPDATE_GOLDEN=1 rewrites it). Every finding
    says how to fix it."""
    import datetime as dt
    import os

    folder = tmp_path / name
    if name == "references":
        folder.mkdir()
        shutil.copy(FINDINGS / "references.yaml", folder)
        shutil.copy(BUNDLED / "taxonomy.yaml", folder)
    else:
        shutil.copytree(FINDINGS / "taxonomy", folder)
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["issues"]
    assert all(issue["hint"] for issue in issues), issues
    text = json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
    text = text.replace(str(folder), "<catalog>")
    text = text.replace(f"(1950..{dt.date.today().year + 1})", "(1950..<next year>)")
    golden = GOLDEN / f"validate.{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")
