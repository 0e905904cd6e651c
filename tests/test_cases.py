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

from .conftest import BUNDLED, CASES, MakeCatalog


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
    # `also`: further findings the same run must report (every finding of an entry at once).
    for check, line in expected.get("also", []):
        assert (check, line) in [(c, n) for c, n, _ in found], found
    # `message`, `hint`, `excerpt`: words the expected finding must show (in the catalog's words).
    issue = next(
        i
        for i in report["issues"]
        if (i["check"], i["line"], i["severity"])
        == (expected["check"], expected["line"], expected["severity"])
    )
    for part in ("message", "hint", "excerpt"):
        for words in expected.get(part, []):
            assert words in (issue[part] or ""), (part, words, issue)
    # `only`: the expected finding is the one finding on its line (no second, contradictory one).
    if expected.get("only"):
        assert [f for f in found if f[1] == expected["line"]] == [
            (expected["check"], expected["line"], expected["severity"])
        ], found
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


def test_check_boundaries(tmp_path: Path) -> None:
    """Where each check starts and stops: years 1950 and next year pass, one beyond fails; new
    arXiv ids need a month 01..12 and a year from 2007; escaped braces are balanced; control
    characters are found in every text field, authors and extra fields included; titles of at
    least twelve letters and digits can be near-duplicates, shorter ones cannot."""
    import datetime as dt

    from effllm_catalog.validate import validate_catalog

    year = dt.date.today().year

    def entry(key: str, **fields: object) -> dict[str, object]:
        data: dict[str, object] = {
            "key": key,
            "type": "misc",
            "title": f"Title For {key} Entry",
            "authors": ["Doe, Jane"],
            "year": 2020,
            "venue": "arXiv",
            "doi": f"10.1000/{key}",
            "tags": ["inference"],
        }
        return {**data, **fields}

    rows = [
        entry("y1950", year=1950),
        entry("y1949", year=1949),
        entry("ynext", year=year + 1),
        entry("yfar", year=year + 2),
        entry("a0704", arxiv="0704.0001", year=2007),
        entry("a0612", arxiv="0612.0001", year=2007),
        entry("a2312", arxiv="2312.00001", year=2023),
        entry("a2300", arxiv="2300.00001", year=2023),
        entry("besc", title="Escaped \\{ brace and {balanced} ones"),
        entry("bstray", title="}{ backwards braces"),
        entry("cextra", extra={"note": "bell\u0007"}),
        entry("cvenue", venue="Ven\u202bue"),
        entry("cabs", abstract="line\u2028sep"),
        entry("cnotes", notes="bidi\u202a"),
        entry("cauthor", authors=["Doe\u0007, Jane"]),
        entry("t11a", title="abcdefghijk"),
        entry("t11b", title="ABCDEFGHIJK!"),
        entry("t12a", title="abcdefghijkl"),
        entry("t12b", title="ABCDEFGHIJKL?"),
        entry("bnest", title="{{Nested}} braces balance"),
    ]
    folder = tmp_path / "edge"
    folder.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", folder)
    (folder / "references.yaml").write_text(
        yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    report, _ = validate_catalog(folder)
    # Warnings every row shares (no summary, no sources) are not what this test is about.
    found = [
        (i.key, i.check, i.message)
        for i in report.issues
        if i.check not in ("missing-summary", "missing-sources", "unknown-venue")
    ]
    assert found == [
        ("y1949", "implausible-year", f"year 1949 is not plausible (1950..{year + 1})"),
        ("yfar", "implausible-year", f"year {year + 2} is not plausible (1950..{year + 1})"),
        (
            "a0612",
            "bad-arxiv-id",
            "arXiv id 0612.0001 has no valid YYMM prefix (new-style ids start in 0704)",
        ),
        (
            "a2300",
            "bad-arxiv-id",
            "arXiv id 2300.00001 has no valid YYMM prefix (the month must be 01-12)",
        ),
        ("bstray", "unbalanced-braces", "title has a stray '}' at column 1"),
        ("cextra", "control-char", "extra.note contains control character U+0007"),
        ("cvenue", "control-char", "venue contains control character U+202B"),
        ("cabs", "control-char", "abstract contains control character U+2028"),
        ("cnotes", "control-char", "notes contains control character U+202A"),
        ("cauthor", "control-char", "authors.0 contains control character U+0007"),
        (
            "t12b",
            "near-duplicate-title",
            f"title matches 't12a' ({folder / 'references.yaml'}:182) under a different id",
        ),
    ]


def test_validate_paths_library(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    """validate_paths: no paths means the given (or default) catalog; a missing path is an
    unreadable-input error naming it; files are checked against the catalog they lie in, or the
    one passed for files outside any catalog; a file inside a folder also named is not counted
    twice; taxonomy.yaml stands for its folder; strictness and the size bound carry through."""
    from effllm_catalog.errors import CatalogNotFoundError
    from effllm_catalog.validate import validate_paths

    from .conftest import SPARSEGPT

    folder = make_catalog(SPARSEGPT.replace("Alistarh, Dan", "Dan Alistarh"))
    assert validate_paths([], catalog=folder).entries == 1
    with pytest.raises(CatalogNotFoundError) as info:
        validate_paths([tmp_path / "missing"], catalog=folder)
    error = info.value
    assert (error.message, error.hint, error.check) == (
        "no such file or folder",
        "check the path",
        "unreadable",
    )
    assert error.file == str(tmp_path / "missing")
    loose = tmp_path / "loose.yaml"
    loose.write_text(SPARSEGPT, encoding="utf-8")
    outside = validate_paths([loose], catalog=folder)
    assert (outside.entries, outside.ok, outside.files[1:]) == (1, True, [str(loose)])
    both = validate_paths([folder, folder / "references.yaml"], catalog=folder)
    assert both.entries == 1
    assert validate_paths([folder / "taxonomy.yaml"]).entries == 1
    lenient = validate_paths([folder])
    strict = validate_paths([folder], strict=True)
    assert (lenient.ok, lenient.strict, strict.ok, strict.strict) == (True, False, False, True)
    assert validate_paths([], catalog=folder, strict=True).ok is False
    assert validate_paths([folder], max_bytes=10).issues[0].check == "file-too-large"
    assert validate_paths([], catalog=folder, max_bytes=10).issues[0].check == "file-too-large"
