"""The validate command end to end through Typer's CliRunner: exit codes and report formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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
    """A warning passes by default and fails under --strict, where it is printed as an error."""
    folder = make_catalog(SPARSEGPT.replace("Alistarh, Dan", "Dan Alistarh"))
    lenient = runner.invoke(app, ["validate", str(folder)])
    assert lenient.exit_code == 0
    assert "warning author-format" in lenient.stdout and "0 errors, 1 warning" in lenient.stdout
    strict = runner.invoke(app, ["validate", str(folder), "--strict"])
    assert strict.exit_code == 1
    assert "error author-format" in strict.stdout and "(--strict: warnings fail)" in strict.stdout


def test_github_annotations_follow_strict(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A warning is a ::warning annotation by default and an ::error under --strict, matching
    the exit code (a failing run must show an error in the GitHub log)."""
    folder = make_catalog(SPARSEGPT.replace("Alistarh, Dan", "Dan Alistarh"))
    lenient = runner.invoke(app, ["validate", str(folder), "--format", "github"])
    assert lenient.exit_code == 0
    assert lenient.stdout.startswith("::warning file=")
    strict = runner.invoke(app, ["validate", str(folder), "--format", "github", "--strict"])
    assert strict.exit_code == 1
    assert strict.stdout.startswith("::error file=")
    assert "title=effllm author-format::" in strict.stdout.splitlines()[0]
    assert strict.stdout.splitlines()[-1] == (
        "effllm validate: 1 entries, 1 failing, 0 other findings"
    )


def test_github_annotation_escaping() -> None:
    """Workflow-command data escapes %, CR and LF; properties also escape ':' and ','. Anything
    else would let a message end the command early or a file name inject a property."""
    from effllm_catalog.findings import Issue
    from effllm_catalog.render import github_annotation

    issue = Issue(
        "bad-url",
        "error",
        "dir,line=1:x/references.yaml",
        3,
        4,
        "k",
        "bad\nvalue: a, b 100%\r",
        "fix: it",
    )
    assert github_annotation(issue) == (
        "::error file=dir%2Cline=1%3Ax/references.yaml,line=3,col=4,title=effllm bad-url"
        "::[k] bad%0Avalue: a, b 100%25%0D (hint: fix: it)"
    )
    bare = Issue("yaml-syntax", "warning", "r.yaml", None, None, None, "m")
    assert github_annotation(bare) == "::warning file=r.yaml,title=effllm yaml-syntax::m"
    assert github_annotation(bare, strict=True).startswith("::error ")


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
    assert f"{folder / 'references.yaml'}:7:9: error implausible-year" in result.stdout


def test_max_bytes(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--max-bytes (or $EFFLLM_MAX_BYTES) refuses larger files with a located finding and a hint;
    a bound the files fit passes; a bound below 1 is a usage error."""
    folder = make_catalog()
    size = (folder / "references.yaml").stat().st_size
    small = runner.invoke(
        app, ["validate", str(folder), "--max-bytes", str(size - 1), "--format", "json"]
    )
    assert small.exit_code == 1
    issue = json.loads(small.stdout)["issues"][0]
    assert issue["check"] == "file-too-large"
    assert issue["file"].endswith("references.yaml")
    assert f"more than the limit of {size - 1:,}" in issue["message"]
    assert "--max-bytes" in issue["hint"]
    assert runner.invoke(app, ["validate", str(folder), "--max-bytes", str(size)]).exit_code == 0
    env = runner.invoke(app, ["validate", str(folder)], env={"EFFLLM_MAX_BYTES": str(size - 1)})
    assert env.exit_code == 1 and "file-too-large" in env.stdout
    zero = runner.invoke(app, ["validate", str(folder), "--max-bytes", "0"])
    assert zero.exit_code == 2 and "--max-bytes" in zero.output


def test_no_traceback_for_garbage(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Random bytes give a located finding, never a traceback."""
    folder = make_catalog(bytes(range(256)) * 4)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _commands() -> list[str]:
    import typer.main

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_command_list_is_the_real_one() -> None:
    """The command list the help test walks is the real one (a rename cannot empty it)."""
    assert set(_commands()) >= {
        "search", "show", "taxonomy", "stats", "validate", "export", "import", "add", "edit",
        "rm", "fmt", "docs", "schema", "site", "check-bib",
    }, _commands()  # fmt: skip


@pytest.mark.parametrize("command", _commands())
def test_help_teaches_with_examples(runner: CliRunner, command: str) -> None:
    """Every command's --help shows an Examples section with at least one `effllm <command>` line."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    examples = result.stdout.split("Examples", 1)
    assert len(examples) == 2, result.stdout
    assert f"effllm {command}" in examples[1], result.stdout


def test_version(runner: CliRunner) -> None:
    """--version prints the package version."""
    from effllm_catalog import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_validate_paths_grouping(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Files are validated against the taxonomy of the catalog they lie in (references/*.yaml
    included) and checked across each other; a file inside a folder that is validated whole is
    not counted twice; naming taxonomy.yaml validates its folder."""
    folder = make_catalog()
    (folder / "references").mkdir()
    more = folder / "references" / "more.yaml"
    more.write_text(SPARSEGPT, encoding="utf-8")

    def run(*paths: Path) -> dict[str, object]:
        result = runner.invoke(app, ["validate", *map(str, paths), "--format", "json"])
        doc: dict[str, object] = json.loads(result.stdout)
        assert result.exit_code == (0 if doc["ok"] else 1)
        return doc

    both = run(folder / "references.yaml", more)
    assert both["entries"] == 3
    assert {i["check"] for i in both["issues"]} >= {"duplicate-key"}  # type: ignore[attr-defined]
    alone = run(more)
    assert (alone["entries"], alone["ok"]) == (1, True)
    whole = run(folder, folder / "references.yaml")
    assert whole["entries"] == 3
    assert whole["files"] == [
        str(folder / "taxonomy.yaml"),
        str(folder / "references.yaml"),
        str(more),
    ]
    assert run(folder / "taxonomy.yaml")["entries"] == 3
