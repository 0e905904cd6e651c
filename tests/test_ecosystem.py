"""Docs that cannot drift, the JSON Schema, the pre-commit hooks and the CI workflow."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.docs import GENERATED, check_docs
from effllm_catalog.schema import references_schema, taxonomy_schema
from effllm_catalog.validate import load_catalog

from .conftest import BUNDLED, REPO, SPARSEGPT, MakeCatalog


def test_generated_docs_are_current() -> None:
    """docs/ matches what `effllm docs --catalog data` generates (regenerate and commit if not)."""
    import typer.main

    assert check_docs(REPO / "docs", load_catalog(BUNDLED), typer.main.get_command(app)) == []


def test_every_command_is_documented() -> None:
    """The CLI reference has a section for every command the app registers."""
    import typer.main

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        assert f"## `effllm {name}`" in text, name


def test_readme_links_every_doc_page() -> None:
    """The README links each page under docs/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f"docs/{page.name}" in readme, page.name
    for name in GENERATED:
        assert (REPO / "docs" / name).is_file(), name


def test_schema_validates_bundled_data() -> None:
    """The generated schema accepts the bundled catalog and taxonomy (jsonschema library)."""
    catalog = load_catalog(BUNDLED)
    data = yaml.safe_load((BUNDLED / "references.yaml").read_text(encoding="utf-8"))
    for entry in data:  # YAML dates are JSON strings in the editor's view
        if "added" in entry:
            entry["added"] = entry["added"].isoformat()
    jsonschema.validate(data, references_schema(catalog.taxonomy))
    tax = yaml.safe_load((BUNDLED / "taxonomy.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(tax, taxonomy_schema())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tags", ["inference.quantisation"]),
        ("url", "javascript:alert(1)"),
        ("titel", "x"),
        ("arxiv", "arXiv:2106.09685"),
    ],
)
def test_schema_rejects_what_validate_rejects(field: str, value: object) -> None:
    """Unknown tags, bad URLs, unknown fields and bad ids fail the schema too."""
    catalog = load_catalog(BUNDLED)
    entry = yaml.safe_load(SPARSEGPT)[0]
    entry[field] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([entry], references_schema(catalog.taxonomy))


def test_schema_command(runner: CliRunner, tmp_path: Path) -> None:
    """effllm schema prints (or writes) the schema with the taxonomy's ids as an enum."""
    result = runner.invoke(app, ["schema", "references"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    tags = schema["$defs"]["Reference"]["properties"]["tags"]["items"]["enum"]
    assert "inference.quantization.post-training" in tags
    out = tmp_path / "t.json"
    assert runner.invoke(app, ["schema", "taxonomy", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "effllm-catalog taxonomy file"
    assert runner.invoke(app, ["schema", "nope"]).exit_code == 2


def test_data_files_point_editors_at_the_schema() -> None:
    """references.yaml starts with the yaml-language-server schema comment."""
    first = (BUNDLED / "references.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/schema/references.schema.json"


# --------------------------------------------------------------------------- pre-commit hooks


def _hook_run(
    hook: dict[str, object], repo: Path, files: list[str]
) -> subprocess.CompletedProcess[str]:
    """Run a hook the way pre-commit does: entry + args + the matching staged files."""
    import re

    pattern = re.compile(str(hook.get("files", "")))
    chosen = [f for f in files if pattern.search(f)]
    cmd = shlex.split(str(hook["entry"])) + list(hook.get("args", []))  # type: ignore[call-overload]
    if hook.get("pass_filenames", True):
        cmd += chosen
    cmd[0] = str(Path(sys.executable).with_name(cmd[0]))
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def hooks() -> dict[str, dict[str, object]]:
    """The hooks this repository exposes to others."""
    data = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {h["id"]: h for h in data}


@pytest.mark.slow
def test_pre_commit_hooks_run(hooks: dict[str, dict[str, object]], tmp_path: Path) -> None:
    """Both hooks pass on a clean catalog in a git repository and fail on a broken one."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")  # pragma: no cover
    repo = tmp_path / "survey"
    (repo / "data").mkdir(parents=True)
    shutil.copy(BUNDLED / "taxonomy.yaml", repo / "data")
    (repo / "data" / "references.yaml").write_text(
        "# yaml-language-server: $schema=../docs/schema/references.schema.json\n" + SPARSEGPT,
        encoding="utf-8",
    )
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    files = ["data/references.yaml", "data/taxonomy.yaml", "README.md"]
    assert set(hooks) == {"effllm-validate", "effllm-fmt"}
    for hook in hooks.values():
        result = _hook_run(hook, repo, files)
        assert result.returncode == 0, (hook["id"], result.stdout, result.stderr)
    (repo / "data" / "references.yaml").write_text(
        SPARSEGPT.replace("ICML", "ICML\n  venu: x"), encoding="utf-8"
    )
    bad = _hook_run(hooks["effllm-validate"], repo, files)
    assert bad.returncode == 1 and "unknown-field" in bad.stdout
    messy = SPARSEGPT.replace("  type: inproceedings\n", "") + "  type: inproceedings\n"
    (repo / "data" / "references.yaml").write_text(messy, encoding="utf-8")
    assert _hook_run(hooks["effllm-fmt"], repo, files).returncode == 1


def test_workflow_runs_the_readme_commands() -> None:
    """The GitHub workflow runs the README's test command and a strict validate with annotations."""
    from .test_repo import _readme_blocks

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    runs = "\n".join(step.get("run", "") for step in workflow["jobs"]["test"]["steps"])
    assert "\n".join(_readme_blocks()[1]) in runs
    assert "effllm validate data/ --format github --strict" in runs


def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def test_schema_patterns_are_ecma262() -> None:
    """Every pattern in both schemas compiles as an ECMA-262 unicode regex (what editors use)."""
    import regress

    patterns = _patterns(references_schema()) + _patterns(taxonomy_schema())
    assert len(patterns) >= 5
    for pattern in patterns:
        regress.Regex(pattern, "u")  # raises RegressError on an invalid escape such as \\"


def test_check_jsonschema_accepts_schema_and_bundled_data(tmp_path: Path) -> None:
    """check-jsonschema (the client CI runs) accepts `effllm schema` and the bundled catalog."""
    runner = CliRunner()
    schema = tmp_path / "references.schema.json"
    result = runner.invoke(app, ["schema", "--catalog", str(BUNDLED), "-o", str(schema)])
    assert result.exit_code == 0 and result.exception is None, result.output
    exe = Path(sys.executable).with_name("check-jsonschema")
    done = subprocess.run(
        [str(exe), "--schemafile", str(schema), str(BUNDLED / "references.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok" in done.stdout


# --------------------------------------------------------------------------- gates CI runs


def test_docs_check_exit_codes(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """`docs` writes the generated pages; `docs --check` then exits 0, and exits 1 naming the page
    when one is stale, writing nothing."""
    docs = tmp_path / "docs"
    args = ["docs", "--out", str(docs), "--catalog", str(make_catalog()), "--check"]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 1 and "out of date: cli.md" in missing.output
    assert not docs.exists()
    assert runner.invoke(app, args[:-1]).exit_code == 0
    current = runner.invoke(app, args)
    assert current.exit_code == 0, current.output
    assert "generated docs are current" in current.output
    page = docs / "cli.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nhand edit\n", encoding="utf-8")
    stale = runner.invoke(app, args)
    assert stale.exit_code == 1
    assert "out of date: cli.md" in stale.output
    assert page.read_text(encoding="utf-8").endswith("\nhand edit\n")
    rewrite = runner.invoke(app, args[:-1])
    assert rewrite.exit_code == 0 and f"wrote {page}" in rewrite.output
    assert runner.invoke(app, args).exit_code == 0


def test_bundled_catalog_is_canonical(runner: CliRunner, tmp_path: Path) -> None:
    """data/ is already in the layout `effllm fmt` writes (CI runs `effllm fmt --check data/`)."""
    copy = tmp_path / "data"
    shutil.copytree(BUNDLED, copy, ignore=shutil.ignore_patterns("*.lock"))
    result = runner.invoke(app, ["fmt", "--check", str(copy)])
    assert result.exit_code == 0, result.stdout[:2000]
    assert result.stdout == ""
    assert "already formatted" in result.output
