"""add, import and fmt: validate before writing, keep every byte, never lose a comment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.edit import canonical_text

from .conftest import BUNDLED, QLORA, SPARSEGPT, MakeCatalog

LORA_ARGS = [
    "--title",
    "LoRA: Low-Rank Adaptation of Large Language Models",
    "-a",
    "Hu, Edward J.",
    "-a",
    "Shen, Yelong",
    "--year",
    "2022",
    "--venue",
    "ICLR",
    "--arxiv",
    "2106.09685",
    "--tag",
    "lora",
    "--summary",
    "Trains a low-rank update per layer instead of all weights.",
    "--source",
    "https://arxiv.org/abs/2106.09685",
]


def test_add_writes_the_file_as_fmt_would(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """After add, `fmt --check` passes: the new entry is in key order, the header comment kept."""
    original = "# my catalog\n" + SPARSEGPT + QLORA
    folder = make_catalog(original)
    result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert result.stdout.strip() == "hu2022lora"
    text = (folder / "references.yaml").read_text(encoding="utf-8")
    assert text.startswith("# my catalog\n")
    keys = [line[7:] for line in text.splitlines() if line.startswith("- key: ")]
    assert keys == ["dettmers2023qlora", "frantar2023sparsegpt", "hu2022lora"]
    fmt = runner.invoke(app, ["fmt", "--check", "--catalog", str(folder)])
    assert fmt.exit_code == 0 and fmt.exception is None, fmt.output
    check = runner.invoke(app, ["validate", str(folder), "--strict"])
    assert check.exit_code == 0, check.output
    assert sorted(p.name for p in folder.iterdir()) == ["references.yaml", "taxonomy.yaml"]


def test_add_refuses_to_drop_a_comment(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A comment between entries makes add refuse, naming the line, and write nothing."""
    original = SPARSEGPT + "# keep me\n" + QLORA
    folder = make_catalog(original)
    result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception
    assert "would drop the comment on line 17" in result.output
    assert (folder / "references.yaml").read_text(encoding="utf-8") == original


def test_add_refuses_duplicates(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Adding a paper already present (same arXiv id) fails and writes nothing."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    args = [
        "add",
        "--title",
        "Something else",
        "-a",
        "Frantar, Elias",
        "--year",
        "2023",
        "--arxiv",
        "2301.00774",
        "--tag",
        "ptq",
        "--catalog",
        str(folder),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "frantar2023sparsegpt" in result.output
    assert (folder / "references.yaml").read_bytes() == before


def test_add_refuses_invalid(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A bad value or unknown tag is reported before the file is touched."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    bad_tag = runner.invoke(
        app, ["add", *LORA_ARGS[:-2], "--tag", "no-such-node", "--catalog", str(folder)]
    )
    assert bad_tag.exit_code == 2  # a usage error: the option names no node
    assert "unknown taxonomy node" in bad_tag.output
    bad_url = runner.invoke(
        app, ["add", *LORA_ARGS, "--code", "javascript:alert(1)", "--catalog", str(folder)]
    )
    assert bad_url.exit_code == 1
    assert (folder / "references.yaml").read_bytes() == before


def test_add_from_bibtex_stdin(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--bibtex - reads one entry from stdin, LaTeX decoded."""
    folder = make_catalog()
    bib = (
        "@inproceedings{x, title={{LoRA}: Low-Rank Adaptation of Large Language Models},"
        " author={Hu, Edward J. and Shen, Yelong}, booktitle={ICLR}, year={2022},"
        " eprint={2106.09685}, archivePrefix={arXiv}}"
    )
    result = runner.invoke(
        app, ["add", "--bibtex", "-", "--tag", "lora", "--catalog", str(folder)], input=bib
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "hu2022lora"


def test_import_reports_lines_and_reasons(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """import lists imported, skipped (with reason) and failed entries with their .bib lines."""
    folder = make_catalog()
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@string{icml = {ICML}}\n"
        "@comment{ignored}\n"
        "@inproceedings{a, title={SparseGPT: Massive Language Models Can Be Accurately Pruned in"
        " One-Shot}, author={Frantar, Elias and Alistarh, Dan}, booktitle=icml, year=2023}\n"
        "@article{b, title={Curriculum Learning}, author={Bengio, Yoshua and Louradour, J{\\'e}r"
        "{\\^o}me}, journal={ICML}, year={2009}, doi={10.1145/1553374.1553380}}\n"
        "@misc{c, title={No year here}, author={Doe, Jane}}\n"
        "@article{broken, title={x}\n",
        encoding="utf-8",
    )
    dry = runner.invoke(
        app,
        [
            "import",
            str(bib),
            "--tag",
            "curriculum",
            "--dry-run",
            "--catalog",
            str(folder),
            "--format",
            "json",
        ],
    )
    assert dry.exit_code == 1  # one entry failed
    report = json.loads(dry.stdout)
    assert report["written"] is False
    assert [(r["line"], r["key"]) for r in report["imported"]] == [(4, "bengio2009curriculum")]
    assert report["skipped"][0]["line"] == 3
    assert "duplicate of frantar2023sparsegpt" in report["skipped"][0]["reason"]
    assert {r["line"] for r in report["failed"]} == {5, 6}
    assert "bengio" not in (folder / "references.yaml").read_text(encoding="utf-8")
    real = runner.invoke(app, ["import", str(bib), "--tag", "curriculum", "--catalog", str(folder)])
    assert "Louradour, Jérôme" in (folder / "references.yaml").read_text(encoding="utf-8")
    assert real.exit_code == 1


def test_import_within_file_duplicates(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """The same paper twice in one .bib is imported once."""
    folder = make_catalog()
    entry = (
        "@article{k%d, title={Scaling Laws for Neural Language Models}, author={Kaplan,"
        " Jared}, journal={arXiv preprint arXiv:2001.08361}, year={2020}}\n"
    )
    bib = tmp_path / "dup.bib"
    bib.write_text(entry % 1 + entry % 2, encoding="utf-8")
    result = runner.invoke(
        app,
        ["import", str(bib), "--tag", "scaling-laws", "--catalog", str(folder), "--format", "json"],
    )
    report = json.loads(result.stdout)
    assert len(report["imported"]) == 1
    assert "same arXiv id" in report["skipped"][0]["reason"]


def test_fmt_is_idempotent_and_check_reports(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """fmt sorts by key and orders fields; a second run changes nothing; --check exits 1 first."""
    messy = QLORA.replace("  year: 2023\n", "").replace(
        "- key: dettmers2023qlora\n", "- year: 2023\n  key: dettmers2023qlora\n"
    )
    folder = make_catalog("# header comment\n" + SPARSEGPT + messy)
    check = runner.invoke(app, ["fmt", "--check", "--catalog", str(folder)])
    assert check.exit_code == 1
    assert "+- key: dettmers2023qlora" in check.stdout
    assert runner.invoke(app, ["fmt", "--catalog", str(folder)]).exit_code == 0
    text = (folder / "references.yaml").read_text(encoding="utf-8")
    assert text.startswith("# header comment\n- key: dettmers2023qlora\n  type: inproceedings\n")
    assert runner.invoke(app, ["fmt", "--check", "--catalog", str(folder)]).exit_code == 0
    assert canonical_text(text, "x") == text


def test_fmt_refuses_to_drop_comments(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A comment inside the entries makes fmt fail, naming the line, without writing."""
    original = SPARSEGPT.replace("  year: 2023\n", "  year: 2023  # camera-ready\n") + QLORA
    folder = make_catalog(original)
    result = runner.invoke(app, ["fmt", "--catalog", str(folder)])
    assert result.exit_code == 1
    assert ":7:" in result.output and "comment" in result.output
    assert (folder / "references.yaml").read_text(encoding="utf-8") == original


def test_fmt_keeps_hash_inside_strings(make_catalog: MakeCatalog) -> None:
    """A '#' inside a quoted or plain value is not a comment."""
    text = SPARSEGPT.replace("One-Shot'", "One-Shot #1'").replace("venue: ICML", "venue: ICML#2023")
    out = canonical_text(text, "x")
    assert "One-Shot #1" in out and "ICML#2023" in out


def test_fmt_keeps_unknown_fields(make_catalog: MakeCatalog) -> None:
    """fmt never drops a field, even one the schema does not know."""
    out = canonical_text(SPARSEGPT.replace("  venue: ICML\n", "  venu: ICML\n"), "x")
    assert "venu: ICML" in out


def test_read_only_target_changes_nothing(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A read-only catalog folder gives a clear error and leaves the file as it was."""
    import os

    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # running as root: permissions do not bind
            return
        result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
        assert result.exit_code == 1
        assert "Traceback" not in result.output
    finally:
        folder.chmod(0o755)
    assert (folder / "references.yaml").read_bytes() == before


def test_installed_catalog_is_never_edited(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, runner: CliRunner
) -> None:
    """With no --catalog, writing commands refuse the copy inside an installed package."""
    from effllm_catalog import paths

    packaged = tmp_path / "site" / "effllm_catalog"
    (packaged / "data").mkdir(parents=True)
    shutil.copy(BUNDLED / "taxonomy.yaml", packaged / "data")
    monkeypatch.setattr(paths, "package_dir", lambda: packaged)
    for args in (["fmt"], ["add", *LORA_ARGS]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "--catalog" in result.output
