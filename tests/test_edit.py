"""add, import and fmt: validate before writing, keep every byte, never lose a comment."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
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
    assert "error: <new entry>: code: 'javascript:alert(1)' is not a valid value" in bad_url.output
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


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions; see test_unwritable_folder_*"
)
def test_read_only_target_changes_nothing(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A read-only catalog folder gives a clear error and leaves the file as it was."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1
    assert "references.yaml" in result.output and "check that the folder" in result.output
    assert (folder / "references.yaml").read_bytes() == before


def test_unwritable_folder_changes_nothing_even_as_root(
    runner: CliRunner, make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the folder refuses new files (read-only, as root or not: simulated at the one call
    that creates the temporary file), add exits 1 with a located error and a hint, and the file
    is unchanged."""
    import tempfile

    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    assert result.exit_code == 1
    assert f"error: {folder / 'references.yaml'}: cannot write in this folder" in result.output
    assert "hint: check that the folder exists and is writable" in result.output
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


# --------------------------------------------------------------------------- import: duplicates


def _import_json(
    runner: CliRunner, folder: Path, bib: Path, *args: str
) -> tuple[int, dict[str, list[dict[str, object]]]]:
    result = runner.invoke(
        app, ["import", str(bib), "--catalog", str(folder), "--format", "json", *args]
    )
    return result.exit_code, json.loads(result.stdout)


def _bib(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.bib"
    path.write_text(text, encoding="utf-8")
    return path


# SparseGPT's title with one character changed: normalised, a rapidfuzz ratio above 95.
NEAR_TITLE = "SparseGPT: Massive Language Models Can Be Accurately Pruned in One Shot!"


@pytest.mark.parametrize(
    ("author", "year", "reason"),
    [
        ("Someone, Else", 2023, "and same year"),  # another first author, same year
        ("Frantar, Elias", 2024, "and same first author"),  # same first author, another year
    ],
)
def test_near_identical_title_with_same_year_or_same_first_author_is_a_duplicate(
    runner: CliRunner,
    make_catalog: MakeCatalog,
    tmp_path: Path,
    author: str,
    year: int,
    reason: str,
) -> None:
    """A near-identical title is the same paper when *either* the year or the first author
    matches, and the reason says which; the entry is skipped, not imported."""
    folder = make_catalog()
    bib = _bib(
        tmp_path,
        f"@misc{{n, title={{{NEAR_TITLE}}}, author={{{author}}}, year={{{year}}}}}\n",
    )
    code, report = _import_json(runner, folder, bib, "--tag", "ptq", "--dry-run")
    assert code == 0
    assert report["imported"] == []
    assert [s["bib_key"] for s in report["skipped"]] == ["n"]
    reason_text = str(report["skipped"][0]["reason"])
    assert "duplicate of frantar2023sparsegpt: near-identical title" in reason_text
    assert reason_text.endswith(reason)


def test_near_identical_title_alone_is_not_a_duplicate(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """A near-identical title with another year and another first author is a different paper."""
    folder = make_catalog()
    bib = _bib(
        tmp_path, f"@misc{{n, title={{{NEAR_TITLE}}}, author={{Else, Some}}, year={{2025}}}}\n"
    )
    code, report = _import_json(runner, folder, bib, "--tag", "ptq", "--dry-run")
    assert code == 0
    assert [r["bib_key"] for r in report["imported"]] == ["n"]
    assert report["skipped"] == []


@pytest.mark.parametrize(
    ("existing", "incoming"),
    [
        ("'2301.00774'", "2301.00774v3"),  # a versioned id matches the catalog's plain one
        ("2301.00774v2", "2301.00774"),  # and the other way round
        ("2301.00774v1", "arXiv:2301.00774v2"),
    ],
)
def test_arxiv_versions_are_the_same_paper(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path, existing: str, incoming: str
) -> None:
    """arXiv version suffixes are ignored when looking for duplicates, on both sides."""
    folder = make_catalog(SPARSEGPT.replace("'2301.00774'", existing) + QLORA)
    bib = _bib(
        tmp_path,
        f"@misc{{v, title={{A Completely Different Title Here}}, author={{Doe, Jane}},"
        f" year={{2023}}, eprint={{{incoming}}}, archivePrefix={{arXiv}}}}\n",
    )
    code, report = _import_json(runner, folder, bib, "--tag", "ptq", "--dry-run")
    assert code == 0
    assert report["imported"] == []
    assert report["skipped"][0]["reason"] == "duplicate of frantar2023sparsegpt: same arXiv id"


def test_doi_match_ignores_case(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """DOIs are case-insensitive: 10.1000/ABC in a .bib is the catalog's 10.1000/abc."""
    folder = make_catalog(SPARSEGPT.replace("  tags:", "  doi: 10.1000/abc.Def\n  tags:") + QLORA)
    bib = _bib(
        tmp_path,
        "@article{d, title={A Completely Different Title Here}, author={Doe, Jane},"
        " journal={J}, year={2023}, doi={10.1000/ABC.def}}\n",
    )
    code, report = _import_json(runner, folder, bib, "--tag", "ptq", "--dry-run")
    assert code == 0
    assert report["imported"] == []
    assert report["skipped"][0]["reason"] == "duplicate of frantar2023sparsegpt: same DOI"


def test_duplicate_finder_reasons() -> None:
    """The library's duplicate finder: arXiv id (any version), DOI (any case), then title with year
    or first author; a short or unrelated title never matches."""
    from effllm_catalog.edit import DuplicateFinder
    from effllm_catalog.models import Reference

    base = yaml.safe_load(SPARSEGPT)[0]
    finder = DuplicateFinder([Reference.model_validate({**base, "doi": "10.1000/AbC"})])

    def probe(**changes: object) -> tuple[str, str] | None:
        data = {**base, "key": "probe2024x", "arxiv": "2401.00001", "url": None, **changes}
        return finder.find(Reference.model_validate({k: v for k, v in data.items() if v}))

    assert probe(title="Unrelated Work On Something Else Entirely") is None
    assert probe(arxiv="2301.00774v9", title="Other") == ("frantar2023sparsegpt", "same arXiv id")
    assert probe(doi="10.1000/aBc", title="Other") == ("frantar2023sparsegpt", "same DOI")
    near = probe(title=NEAR_TITLE, year=2030)
    assert near is not None and near[1].endswith("and same first author")
    assert probe(title=NEAR_TITLE, year=2030, authors=["Other, Person"]) is None
    assert probe(title="GPT-4", year=2023) is None  # too short to judge by title


# --------------------------------------------------------------------------- import: tags


def test_import_takes_tags_from_bibtex_keywords(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """Without --tag, BibTeX keywords that name taxonomy nodes (ids or aliases, separated by ',' or
    ';') become the entry's tags; other keywords are ignored; --tag adds to them, first."""
    folder = make_catalog()
    bib = _bib(
        tmp_path,
        "@misc{k, title={Tagged By Its Keywords Alone}, author={Doe, Jane}, year={2024},"
        " eprint={2401.00002}, archivePrefix={arXiv},"
        " keywords={PTQ; not-a-node, data.curriculum}}\n",
    )
    code, report = _import_json(runner, folder, bib)
    assert code == 0, report
    assert [r["key"] for r in report["imported"]] == ["doe2024tagged"]
    entry = next(
        e
        for e in yaml.safe_load((folder / "references.yaml").read_text(encoding="utf-8"))
        if e["key"] == "doe2024tagged"
    )
    assert entry["tags"] == ["inference.quantization.post-training", "data.curriculum"]
    (folder / "references.yaml").write_text(SPARSEGPT + QLORA, encoding="utf-8")
    code, _ = _import_json(runner, folder, bib, "--tag", "lora")
    entry = next(
        e
        for e in yaml.safe_load((folder / "references.yaml").read_text(encoding="utf-8"))
        if e["key"] == "doe2024tagged"
    )
    assert entry["tags"] == [
        "training.tuning.peft.low-rank",
        "inference.quantization.post-training",
        "data.curriculum",
    ]


def test_import_without_any_tag_fails_that_entry(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """An entry with neither --tag nor a keyword naming a node fails with a hint; nothing is written."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    bib = _bib(
        tmp_path,
        "@misc{k, title={No Tags Anywhere}, author={Doe, Jane}, year={2024}, keywords={misc}}\n"
        "@misc{t, title={Tagged By A Keyword}, author={Doe, Jane}, year={2024}, keywords={ptq}}\n",
    )
    code, report = _import_json(runner, folder, bib, "--dry-run")
    assert code == 1
    assert [r["bib_key"] for r in report["imported"]] == ["t"]  # the import went on
    assert report["failed"] == [
        {
            "line": 1,
            "bib_key": "k",
            "problem": "no taxonomy tag: pass --tag NODE (or keywords naming nodes)",
        }
    ]
    assert (folder / "references.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("initial", "head"),
    [
        ("[]\n", "# yaml-language-server: $schema=../docs/schema/references.schema.json\n"),
        ("# mine\n[]\n", "# mine\n"),
        ("  # indented\n[]\n", "  # indented\n"),
        ("\n[]\n", "# yaml-language-server: $schema=../docs/schema/references.schema.json\n"),
    ],
)
def test_add_to_an_empty_catalog(
    runner: CliRunner, make_catalog: MakeCatalog, initial: str, head: str
) -> None:
    """Adding to a catalog that is an empty list ('[]', maybe under comments) replaces the '[]'
    (entries cannot follow it) and keeps the comments, or writes the schema header when there
    are none; the result is a valid catalog holding the new entry."""
    folder = make_catalog(initial)
    result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    assert result.exit_code == 0, result.output
    text = (folder / "references.yaml").read_text(encoding="utf-8")
    assert text.startswith(head + "- key: hu2022lora\n"), text
    assert "[]" not in text
    report = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert json.loads(report.stdout)["entries"] == 1


# --------------------------------------------------------------------------- fmt details


def test_fmt_keeps_the_header_as_written() -> None:
    """Leading comments (indented ones too) and blank lines are kept verbatim, with the blank
    lines before the first entry collapsed; a file without a header gets the schema header."""
    from effllm_catalog.store import SCHEMA_HEADER

    text = canonical_text("  # indented\n\n# two  \n\n" + QLORA + SPARSEGPT, "x")
    assert text.startswith("  # indented\n\n# two  \n- key: dettmers2023qlora\n")
    assert canonical_text(SPARSEGPT, "x").startswith(SCHEMA_HEADER + "- key: frantar2023sparsegpt")


def test_fmt_orders_odd_entries_last() -> None:
    """Entries with a string key come first, by key; anything else follows in file order."""
    assert canonical_text("- 1\n- key: b\n  year: 1\n- {x: 1}\n- key: a\n", "x").endswith(
        "- key: a\n- key: b\n  year: 1\n- 1\n- x: 1\n"
    )


def test_fmt_refusals_exactly() -> None:
    """fmt refuses a non-list file and a file with comments among the entries, naming the file,
    the line of the first comment (counting a leading blank line) and how many more there are."""
    from effllm_catalog.errors import CatalogError, LoadError

    with pytest.raises(LoadError) as syntax:
        canonical_text("- a: [\n", "f.yaml")
    assert (syntax.value.file, syntax.value.check) == ("f.yaml", "yaml-syntax")
    with pytest.raises(LoadError) as shape:
        canonical_text("key: v\n", "f.yaml")
    assert (shape.value.file, shape.value.line, shape.value.check) == (
        "f.yaml",
        1,
        "top-level-shape",
    )
    assert shape.value.message == "expected a list of entries at the top level"
    assert shape.value.hint == "run `effllm validate` for details"
    text = "\n" + SPARSEGPT.replace("year: 2023", "year: 2023  # a") + "# b\n# c\n" + QLORA
    with pytest.raises(CatalogError) as many:
        canonical_text(text, "f.yaml")
    assert (many.value.file, many.value.line, many.value.check) == ("f.yaml", 8, "fmt-comment")
    assert many.value.message == "fmt would drop the comment on line 8 (and 2 more)"
    assert many.value.hint == (
        "move the comment into the entry's 'notes' field or to the top of the file"
    )
    with pytest.raises(CatalogError) as one:
        canonical_text(SPARSEGPT + "# b\n" + QLORA, "f.yaml")
    assert one.value.message == "fmt would drop the comment on line 17"


def test_format_catalog_library(make_catalog: MakeCatalog) -> None:
    """format_catalog rewrites by default (check=False), takes folders and single files, skips
    taxonomy.yaml, and returns per file whether it changed with a unified diff."""
    from effllm_catalog.edit import format_catalog

    folder = make_catalog(SPARSEGPT + QLORA)
    (folder / "references").mkdir()
    extra = folder / "references" / "more.yaml"
    extra.write_text(QLORA.replace("dettmers2023qlora", "zz2023x"), encoding="utf-8")
    checked = format_catalog(
        check=True, paths=[folder / "references.yaml", folder / "taxonomy.yaml"]
    )
    assert [(r.file, r.changed) for r in checked] == [(folder / "references.yaml", True)]
    path = folder / "references.yaml"
    assert checked[0].diff.startswith(f"--- {path} (current)\n+++ {path} (formatted)\n@@ ")
    assert "\n+# yaml-language-server: $schema=" in checked[0].diff
    done = format_catalog(paths=[folder])
    assert [(r.file, r.changed) for r in done] == [(path, True), (extra, True)]
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server")
    assert [r.changed for r in format_catalog(paths=[folder])] == [False, False]


def test_import_report_for_unparsable_and_empty_files(
    make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """import_bibtex reports broken blocks as failed with their line, and an empty file as one
    failure on line 1; the report names the file; a real (not dry) run writes what it can."""
    from effllm_catalog.edit import import_bibtex

    folder = make_catalog()
    empty = tmp_path / "empty.bib"
    empty.write_text("% nothing here\n", encoding="utf-8")
    report = import_bibtex(empty, folder, tags=["ptq"])
    assert report.to_dict() == {
        "file": str(empty),
        "written": False,
        "imported": [],
        "skipped": [],
        "failed": [{"line": 1, "bib_key": "?", "problem": "no BibTeX entries found in this file"}],
    }
    mixed = tmp_path / "mixed.bib"
    mixed.write_text(
        "@misc{ok, title={A Fine New Paper}, author={Doe, Jane}, year={2024}}\n\n"
        "@article{broken, title={x}\n",
        encoding="utf-8",
    )
    report = import_bibtex(mixed, folder, tags=["ptq"], today="2026-01-02")
    assert report.written is True
    assert [(line, key) for line, key, _ in report.imported] == [(1, "ok")]
    assert [(line, key) for line, key, _ in report.failed] == [(3, "?")]
    assert report.failed[0][2].startswith("not parsable BibTeX: ")
    assert "added: 2026-01-02" in (folder / "references.yaml").read_text(encoding="utf-8")


def test_add_entry_library(make_catalog: MakeCatalog) -> None:
    """add_entry writes unless dry_run, stamps the given day (or today) as 'added', and refuses
    duplicates and entries that would break a check with located, explained errors."""
    import datetime as dt

    from effllm_catalog.edit import add_entry
    from effllm_catalog.errors import CatalogError

    folder = make_catalog()
    target = folder / "references.yaml"
    before = target.read_bytes()
    data = {
        "type": "misc",
        "title": "A Brand New Paper",
        "authors": ["Doe, Jane"],
        "year": 2024,
        "venue": "arXiv",
        "arxiv": "2401.00005",
        "tags": ["inference"],
    }
    dry = add_entry(dict(data), folder, dry_run=True)
    assert (dry.written, dry.file, dry.reference.key) == (False, target, "doe2024brand")
    assert dry.reference.added == dt.date.today()
    assert target.read_bytes() == before
    done = add_entry(dict(data), folder, today="2026-01-02")
    assert (done.written, done.file) == (True, target)
    written = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert next(e for e in written if e["key"] == "doe2024brand")["added"] == dt.date(2026, 1, 2)
    with pytest.raises(CatalogError) as dup:
        add_entry({**data, "title": "Another Title Entirely"}, folder)
    assert (
        dup.value.message
        == "this paper is already in the catalog as 'doe2024brand' (same arXiv id)"
    )
    assert (dup.value.hint, dup.value.check) == ("see `effllm show doe2024brand`", "duplicate")
    with pytest.raises(CatalogError) as early:
        add_entry({**data, "arxiv": "2402.00006", "year": 2020, "title": "Too Early"}, folder)
    assert early.value.check == "year-before-arxiv"
    assert early.value.file == str(target)
    assert early.value.message == "year 2020 is before the arXiv id 2402.00006 (2024)"
    assert early.value.hint == "the paper cannot predate its preprint; use 2024 or later"


def test_import_goes_on_after_failures(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """Entries that fail (a missing field, a failed check) are reported with their line and the
    import goes on; colliding keys get suffixes; no entry cites a pseudo-source (sources are URLs
    or list references only)."""
    folder = make_catalog()
    bib = _bib(
        tmp_path,
        "@misc{bad1, title={No Authors Here}, year={2024}}\n"
        "@misc{early, title={Too Early For Its Id}, author={Doe, Jane}, year={2020},"
        " eprint={2401.00003}, archivePrefix={arXiv}}\n"
        "@misc{g1, title={Same Key Maker One}, author={Doe, Jane}, year={2024}}\n"
        "@misc{g2, title={Same Key Maker Two}, author={Doe, Jane}, year={2024}}\n",
    )
    code, report = _import_json(runner, folder, bib, "--tag", "ptq")
    assert code == 1
    assert [(r["line"], r["bib_key"], r["key"]) for r in report["imported"]] == [
        (3, "g1", "doe2024same"),
        (4, "g2", "doe2024samea"),
    ]
    assert report["failed"] == [
        {"line": 1, "bib_key": "bad1", "problem": "required field 'authors' is missing"},
        {
            "line": 2,
            "bib_key": "early",
            "problem": "year 2020 is before the arXiv id 2401.00003 (2024)",
        },
    ]
    entries = yaml.safe_load((folder / "references.yaml").read_text(encoding="utf-8"))
    new = [e for e in entries if e["key"] in ("doe2024same", "doe2024samea")]
    assert len(new) == 2
    assert all(not s.startswith("bibtex:") for e in new for s in e.get("sources", []))


def test_add_after_a_last_line_without_newline(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    """A file whose last line has no newline still takes a new entry; the result is the canonical
    layout (ending in a newline) holding every entry."""
    original = (SPARSEGPT + QLORA).rstrip("\n")
    folder = make_catalog(original)
    result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    assert result.exit_code == 0, result.output
    text = (folder / "references.yaml").read_text(encoding="utf-8")
    assert text.endswith("\n")
    keys = [e["key"] for e in yaml.safe_load(text)]
    assert sorted(keys) == ["dettmers2023qlora", "frantar2023sparsegpt", "hu2022lora"]


def test_writes_refuse_a_broken_catalog(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """add refuses to write into a catalog that does not validate, pointing at its first error
    and counting them."""
    folder = make_catalog(
        SPARSEGPT.replace("year: 2023", "year: 1200") + QLORA.replace("year: 2023", "year: 1300")
    )
    before = (folder / "references.yaml").read_bytes()
    result = runner.invoke(app, ["add", *LORA_ARGS, "--catalog", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {folder / 'references.yaml'}:7:9: the catalog has 2 error(s); fix them before"
        " changing it: year 1200 is not plausible"
    )
    assert result.stderr.endswith("  hint: run `effllm validate` to see all\n")
    assert (folder / "references.yaml").read_bytes() == before
