"""Exports: golden files pin every format; hostile text stays inert; BibTeX round-trips."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.export import EXPORTERS

from .conftest import BUNDLED, QLORA, SPARSEGPT, MakeCatalog

FIXTURE = Path(__file__).parent / "fixtures" / "golden"
GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {
    "bibtex": "bib",
    "biblatex": "bib",
    "csl-json": "json",
    "markdown": "md",
    "json": "json",
    "csv": "csv",
}


@pytest.fixture
def golden_catalog(tmp_path: Path) -> Path:
    """The golden fixture catalog on the bundled taxonomy."""
    folder = tmp_path / "golden"
    folder.mkdir()
    shutil.copy(FIXTURE / "references.yaml", folder)
    shutil.copy(BUNDLED / "taxonomy.yaml", folder)
    return folder


def _export(runner: CliRunner, folder: Path, *args: str) -> str:
    result = runner.invoke(app, ["export", *args, "--catalog", str(folder)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_golden(fmt: str, golden_catalog: Path, runner: CliRunner) -> None:
    """Each format's output is byte-identical to its reviewed golden file."""
    out = _export(runner, golden_catalog, fmt)
    golden = GOLDEN / f"export.{fmt}.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with UPDATE_GOLDEN=1 and review it"
    assert out == golden.read_text(encoding="utf-8")


def test_ascii_bibtex_golden(golden_catalog: Path, runner: CliRunner) -> None:
    """--ascii turns every non-ASCII character into a LaTeX macro."""
    out = _export(runner, golden_catalog, "bibtex", "--ascii")
    assert out.isascii()
    assert "Louradour, J{\\'e}r{\\^o}me" in out


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_deterministic(fmt: str, golden_catalog: Path, runner: CliRunner) -> None:
    """Two runs give the same bytes."""
    assert _export(runner, golden_catalog, fmt) == _export(runner, golden_catalog, fmt)


def test_bibtex_is_inert(golden_catalog: Path, runner: CliRunner) -> None:
    """No control sequence from catalog text survives into the .bib unescaped."""
    out = _export(runner, golden_catalog, "bibtex", "--key", "hostile2024input")
    for command in ("\\input", "\\write18", "\\def", "\\include", "\\catcode"):
        assert command not in out
    assert "\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{}" in out
    # Braces in every field value balance, so no value can end early and start a new field.
    for line in out.splitlines()[1:-1]:
        value = line.split(" = ", 1)[1].rstrip(",")
        depth = 0
        for char in value:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, line
        assert depth == 0, line


def test_markdown_is_inert(golden_catalog: Path, runner: CliRunner) -> None:
    """No HTML tag, image or link other than our own http(s) links comes from catalog text."""
    out = _export(runner, golden_catalog, "markdown", "--key", "hostile2024input")
    assert "<script>" not in out and "<b>" not in out
    assert "javascript:" not in out.replace("javascript:alert", "")  # only as escaped text
    links = re.findall(r"(?<!\\)\]\((?!#)([^)]*)\)", out)
    assert links, out
    for link in links:
        assert link.startswith(("https://", "http://")), link
    assert "![img]" not in out


def test_csv_formula_injection(golden_catalog: Path, runner: CliRunner, tmp_path: Path) -> None:
    """A title starting with '=' is neutralised for spreadsheets."""
    text = (
        (FIXTURE / "references.yaml")
        .read_text(encoding="utf-8")
        .replace("title: Curriculum Learning", "title: '=HYPERLINK(\"http://x\")'")
    )
    (golden_catalog / "references.yaml").write_text(text, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(_export(runner, golden_catalog, "csv"))))
    assert rows[0]["title"].startswith("'=")


def test_csl_json_items(golden_catalog: Path, runner: CliRunner) -> None:
    """CSL-JSON items carry the fields Zotero and pandoc need, with the right types."""
    items = {i["id"]: i for i in json.loads(_export(runner, golden_catalog, "csl-json"))}
    lora = items["hu2022lora"]
    assert lora["type"] == "paper-conference"
    assert lora["author"][0] == {"family": "Hu", "given": "Edward J."}
    assert lora["issued"] == {"date-parts": [[2022]]}
    assert lora["container-title"] == "ICLR"
    assert items["fedus2022switch"]["type"] == "article-journal"
    assert items["kaplan2020scaling"]["number"] == "arXiv:2001.08361"
    assert items["bengio2009curriculum"]["DOI"] == "10.1145/1553374.1553380"


def test_round_trip_bibtex_import(golden_catalog: Path, runner: CliRunner, tmp_path: Path) -> None:
    """catalog -> bibtex -> import into an empty catalog -> the same records."""
    from effllm_catalog.validate import load_catalog

    bib = tmp_path / "all.bib"
    bib.write_text(_export(runner, golden_catalog, "bibtex"), encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", empty)
    (empty / "references.yaml").write_text("[]\n", encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(bib), "--tag", "inference", "--catalog", str(empty), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["imported"]) == 5
    # Records are matched by id (the keys come back too: see the whole-catalog round trip).
    before = {r.arxiv or r.doi: r for r in load_catalog(golden_catalog)}
    after = {r.arxiv or r.doi: r for r in load_catalog(empty)}
    assert set(before) == set(after)
    assert after["2106.09685"].key == "hu2022lora"
    for key, ref in before.items():
        new = after[key]
        for name in ("type", "title", "authors", "year", "venue", "arxiv", "doi"):
            assert getattr(new, name) == getattr(ref, name), (key, name)
        for name, value in ref.extra.items():
            assert new.extra.get(name) == value, (key, name)


def test_into_readme_keeps_the_rest(
    golden_catalog: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """--into replaces only the text between the markers."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Mine\n\nintro\n<!-- effllm:start -->\nold\n<!-- effllm:end -->\nfooter\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["export", "markdown", "--into", str(readme), "--catalog", str(golden_catalog)]
    )
    assert result.exit_code == 0, result.output
    text = readme.read_text(encoding="utf-8")
    # The user's README keeps its own title: no "# ..." heading or preamble is inserted.
    assert text.startswith("# Mine\n\nintro\n<!-- effllm:start -->\n## Contents\n")
    assert "# Efficient LLM papers" not in text and "papers on the taxonomy" not in text
    assert text.endswith("<!-- effllm:end -->\nfooter\n")
    assert "old" not in text


def test_into_without_markers_fails_and_changes_nothing(
    golden_catalog: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """Missing markers: a located error, exit 1, file untouched."""
    readme = tmp_path / "README.md"
    readme.write_text("# Mine\n", encoding="utf-8")
    result = runner.invoke(
        app, ["export", "markdown", "--into", str(readme), "--catalog", str(golden_catalog)]
    )
    assert result.exit_code == 1
    assert "markers" in result.output
    assert readme.read_text(encoding="utf-8") == "# Mine\n"


def test_unknown_format_is_usage_error(runner: CliRunner) -> None:
    """An unknown export format exits 2."""
    assert runner.invoke(app, ["export", "docx"]).exit_code == 2


def test_biblatex_primary_class(golden_catalog: Path, runner: CliRunner) -> None:
    """A primaryclass kept in extra is written once, next to eprint, in both dialects."""
    path = golden_catalog / "references.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  tags:\n  - budget.scaling-laws",
            "  tags:\n  - budget.scaling-laws\n  extra:\n    primaryclass: cs.LG",
        ),
        encoding="utf-8",
    )
    biblatex = _export(runner, golden_catalog, "biblatex", "--key", "kaplan2020scaling")
    assert biblatex.count("primaryclass = {cs.LG}") == 1
    assert "archiveprefix = {arXiv}" in biblatex and "eprint = {2001.08361}" in biblatex
    bibtex = _export(runner, golden_catalog, "bibtex", "--key", "kaplan2020scaling")
    assert bibtex.count("primaryclass = {cs.LG}") == 1
    assert "archiveprefix = {arXiv}" in bibtex and "eprint = {2001.08361}" in bibtex


def test_golden_bibtex_full_venues(golden_catalog: Path, runner: CliRunner) -> None:
    """--venue-style full writes each edition's full name from the venue table (golden file)."""
    out = _export(runner, golden_catalog, "bibtex", "--venue-style", "full")
    golden = GOLDEN / "export.bibtex-full-venues.bib"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert "booktitle = {The Tenth International Conference on Learning Representations}" in out
    assert "journal = {Journal of Machine Learning Research}" in out
    short = _export(runner, golden_catalog, "bibtex")
    assert "booktitle = {ICLR}" in short  # short stays the default


def test_full_venue_names_per_edition(make_catalog: MakeCatalog, runner: CliRunner) -> None:
    """NeurIPS 2024 and ICML 2024 get their proceedings' names, in BibTeX and CSL-JSON."""
    folder = make_catalog(
        SPARSEGPT.replace("year: 2023", "year: 2024") + QLORA.replace("year: 2023", "year: 2024")
    )
    out = _export(runner, folder, "bibtex", "--venue-style", "full")
    assert "booktitle = {Advances in Neural Information Processing Systems 37}" in out
    assert (
        "booktitle = {Proceedings of the 41st International Conference on Machine Learning}" in out
    )
    items = json.loads(_export(runner, folder, "csl-json", "--venue-style", "full"))
    assert {i["container-title"] for i in items} == {
        "Advances in Neural Information Processing Systems 37",
        "Proceedings of the 41st International Conference on Machine Learning",
    }


def test_markdown_headings_keep_ampersands(golden_catalog: Path, runner: CliRunner) -> None:
    """Headings read 'Training & Tuning', not 'Training &amp; Tuning'; entities stay inert."""
    out = _export(runner, golden_catalog, "markdown")
    assert "## Training & Tuning Efficiency (§6)" in out
    assert "&amp;" not in out.replace("&amp;copy", "")


def test_markdown_dim_keeps_to_its_subtree(make_catalog: MakeCatalog, runner: CliRunner) -> None:
    """--dim NODE emits only that subtree's sections: a paper with other tags appears once."""
    folder = make_catalog()
    out = _export(runner, folder, "markdown", "--dim", "inference.quantization")
    assert out.count("QLoRA: Efficient Finetuning") == 1
    assert "Low-Rank Adaptation" not in out and "Parameter-Efficient" not in out
    assert out.splitlines()[0] == "# Efficient LLM papers"
    assert "\n## Quantization" in out  # the selected node is the top section


def test_empty_selection_writes_nothing(
    golden_catalog: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """An export that selects nothing exits 1 with a message, like search, and creates no file."""
    target = tmp_path / "out.bib"
    result = runner.invoke(
        app,
        ["export", "bibtex", "year:1960", "-o", str(target), "--catalog", str(golden_catalog)],
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "no entries match" in result.output
    assert not target.exists()


def test_round_trip_whole_bundled_catalog(runner: CliRunner, tmp_path: Path) -> None:
    """Bundled catalog -> bibtex -> import into an empty catalog: every entry comes back with
    its key, tags (from keywords), arXiv id, DOI, venue and type; no --tag needed."""
    from effllm_catalog.validate import load_catalog

    bib = tmp_path / "all.bib"
    result = runner.invoke(app, ["export", "bibtex", "-o", str(bib), "--catalog", str(BUNDLED)])
    assert result.exit_code == 0, result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", empty)
    result = runner.invoke(app, ["import", str(bib), "--catalog", str(empty), "--format", "json"])
    report = json.loads(result.stdout)
    assert report["failed"] == [] and report["skipped"] == [], (
        report["failed"][:3],
        report["skipped"][:3],
    )
    assert result.exit_code == 0
    before = {r.key: r for r in load_catalog(BUNDLED)}
    after = {r.key: r for r in load_catalog(empty)}
    assert set(after) == set(before)
    for key, ref in before.items():
        new = after[key]
        for name in ("tags", "arxiv", "doi", "venue", "type", "year"):
            assert getattr(new, name) == getattr(ref, name), (key, name)


def test_full_venue_names_import_back_to_short_names(
    golden_catalog: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """A --venue-style full export imports back with the short venue names (the table maps
    'The Tenth International Conference on Learning Representations' to ICLR)."""
    from effllm_catalog.validate import load_catalog

    bib = tmp_path / "full.bib"
    bib.write_text(_export(runner, golden_catalog, "bibtex", "--venue-style", "full"), "utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", empty)
    result = runner.invoke(app, ["import", str(bib), "--catalog", str(empty)])
    assert result.exit_code == 0, result.output
    before = {r.key: r.venue for r in load_catalog(golden_catalog)}
    after = {r.key: r.venue for r in load_catalog(empty)}
    assert after == before


@pytest.mark.parametrize(
    "authors",
    [["A, AND", "B"], ["Smith AND Sons", "C, D"], ["E, and"], ["Ltd. And Co., F"]],
)
def test_names_holding_and_in_any_case_survive_bibtex(authors: list[str]) -> None:
    """BibTeX splits authors on 'and' in any letter case, so a name holding the word 'AND' or 'And'
    is brace-protected and parses back as the same people (found by hypothesis)."""
    from effllm_catalog.importers.bibtex import parse_bibtex

    row = {
        "key": "k",
        "type": "misc",
        "title": "T",
        "authors": authors,
        "year": 2020,
        "venue": "arXiv",
        "arxiv": "2001.00001",
        "tags": ["inference"],
    }
    for fmt in ("bibtex", "biblatex"):
        parsed = parse_bibtex(EXPORTERS[fmt]([row]))
        assert parsed.failed == []
        assert parsed.drafts[0].data["authors"] == authors, fmt


def test_bibtex_import_mapping() -> None:
    """How BibTeX fields become catalog fields: entry types mapped (unknown ones to misc), names
    split with von and Jr parts and braced corporate names kept whole, year from year or date
    (kept as text when it is not one, for validation to report), venue from booktitle, journal or
    journaltitle or a non-arXiv howpublished, arXiv ids from eprint (arXiv prefix or none) or
    found in venue/howpublished/note text, DOI and URL prefixes stripped, unmapped fields kept
    in extra, a bare 'arXiv: id' note dropped, LaTeX decoded and whitespace collapsed."""
    from effllm_catalog.importers.bibtex import parse_bibtex

    text = (Path(__file__).parent / "fixtures" / "import" / "mapping.bib").read_text("utf-8")
    parsed = parse_bibtex(text)
    assert parsed.failed == []
    got = {d.source_key: (d.line, d.data) for d in parsed.drafts}
    assert got == {
        "c1": (
            1,
            {
                "type": "inproceedings",
                "title": "A GPU Paper",
                "authors": ["van der Berg, Jan", "Smith, John, Jr.", "OpenAI Team"],
                "year": 2023,
                "venue": "Proc. of NeurIPS",
                "arxiv": "2301.00001",
                "doi": "10.1000/ABC",
                "url": "https://arxiv.org/abs/2301.00001",
                "extra": {"pages": "1--10"},
            },
        ),
        "o1": (
            2,
            {
                "type": "misc",
                "title": "Preprint Only",
                "authors": ["Doe, Jane"],
                "year": 2024,
                "venue": "arXiv",
                "arxiv": "2401.00002v2",
                "url": "https://arxiv.org/abs/2401.00002v2",
                "code": "https://github.com/x/y",
                "abstract": "We do things.",
            },
        ),
        "a1": (
            3,
            {
                "type": "article",
                "title": "Journal Paper",
                "authors": ["Roe, R."],
                "year": "n.d.",
                "venue": "Journal of Things",
                "doi": "10.2000/xyz",
                "url": "https://example.org/p",
            },
        ),
        "m1": (
            4,
            {
                "type": "misc",
                "title": "Hidden Preprint",
                "authors": ["Poe, P."],
                "year": 2022,
                "venue": "arXiv",
                "arxiv": "2201.00003",
                "url": "https://arxiv.org/abs/2201.00003",
            },
        ),
        "m2": (
            5,
            {
                "type": "misc",
                "title": "Blog Post",
                "authors": ["Zoe, Z."],
                "year": 2021,
                "venue": "A Blog",
            },
        ),
        "t1": (
            6,
            {
                "type": "phdthesis",
                "title": "Thesis & More",
                "authors": ["Moe, M."],
                "year": 2019,
                "extra": {"school": "MIT", "keywords": "ptq"},
            },
        ),
        "u1": (
            7,
            {
                "type": "misc",
                "title": "Odd",
                "authors": ["Noe, N."],
                "year": 2018,
                "venue": "arXiv",
                "arxiv": "1801.00004",
                "url": "https://arxiv.org/abs/1801.00004",
            },
        ),
    }


@pytest.mark.parametrize(
    ("kind", "mapped"),
    [
        ("article", "article"),
        ("inproceedings", "inproceedings"),
        ("conference", "inproceedings"),
        ("proceedings", "inproceedings"),
        ("misc", "misc"),
        ("online", "misc"),
        ("electronic", "misc"),
        ("preprint", "misc"),
        ("unpublished", "misc"),
        ("techreport", "techreport"),
        ("report", "techreport"),
        ("book", "book"),
        ("incollection", "incollection"),
        ("inbook", "incollection"),
        ("phdthesis", "phdthesis"),
        ("mastersthesis", "mastersthesis"),
        ("thesis", "phdthesis"),
        ("Article", "article"),
    ],
)
def test_bibtex_entry_types(kind: str, mapped: str) -> None:
    """Every BibTeX/biblatex entry type maps onto one the catalog uses, in any letter case."""
    from effllm_catalog.importers.bibtex import parse_bibtex

    parsed = parse_bibtex(f"@{kind}{{k, title={{T}}, author={{A, B}}, year={{2020}}}}\n")
    assert parsed.drafts[0].data["type"] == mapped


#: Entries that take every branch of the BibTeX type mapping: reports and theses with and without
#: their required institution/school, books and collections with a publisher, preprints and
#: journal papers with arXiv ids, and extra fields that must never be copied (crossref).
TYPE_ROWS = [
    {"key": k, "title": "T", "authors": ["A, B"], "year": 2020, "tags": ["inference"], **extra}
    for k, extra in [
        ("t1", {"type": "techreport", "venue": "TR", "extra": {"institution": "MIT"}}),
        ("t2", {"type": "techreport", "venue": "TR"}),
        ("p1", {"type": "phdthesis", "extra": {"school": "MIT"}}),
        ("p2", {"type": "mastersthesis", "venue": "Uni"}),
        ("b1", {"type": "book", "venue": "V", "extra": {"publisher": "P"}}),
        ("i1", {"type": "incollection", "venue": "Coll", "extra": {"publisher": "P"}}),
        (
            "i2",
            {
                "type": "incollection",
                "venue": "Coll",
                "extra": {"publisher": "P", "booktitle": "BT"},
            },
        ),
        (
            "x1",
            {
                "type": "inproceedings",
                "venue": "arXiv",
                "arxiv": "2001.00001",
                "extra": {"primaryClass": "cs.CL", "crossref": "bad", "Pages": "1--2"},
            },
        ),
        ("x2", {"type": "article", "venue": "J", "arxiv": "2001.00002", "doi": "10.1/x"}),
        ("x3", {"type": "misc", "url": "https://example.org/x"}),
    ]
]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csl-json"])
def test_entry_types_golden(fmt: str) -> None:
    """Every entry-type branch of the exporters, byte-identical to its reviewed golden file."""
    out = EXPORTERS[fmt](TYPE_ROWS)
    golden = GOLDEN / f"types.{fmt}.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with UPDATE_GOLDEN=1 and review it"
    assert out == golden.read_text(encoding="utf-8")


def test_bibtex_import_edges(caplog: pytest.LogCaptureFixture) -> None:
    """arXiv ids are found in URLs and in an eprint without a prefix, but not in an eprint of
    another archive; a journal named 'ArXiv ...' is the venue arXiv; a 'DOI:' prefix goes in any
    case; a note that is not an arXiv id is kept; a missing year stays missing; broken blocks are
    reported with their line, and bibtexparser logs nothing."""
    import logging

    from effllm_catalog.importers.bibtex import parse_bibtex

    caplog.set_level(logging.DEBUG)
    parsed = parse_bibtex(
        "@misc{a, title={T}, author={A, B}, note={Oral talk},"
        " url={https://arxiv.org/abs/2301.00007}}\n"
        "@article{b, title={T}, author={A, B}, journal={ArXiv e-prints}, year={2020},"
        " doi={DOI:10.1000/x}}\n"
        "@misc{c, title={T}, author={A, B}, year={2020}, eprinttype={pubmed}, eprint={12345}}\n"
        "@misc{d, title={T}, author={A, B}, year={2020}, eprint={2301.00008}}\n"
        "\n@article{broken, title={x}\n"
    )
    got = {d.source_key: d.data for d in parsed.drafts}
    assert got["a"] == {
        "type": "misc",
        "title": "T",
        "authors": ["A, B"],
        "venue": "arXiv",
        "arxiv": "2301.00007",
        "url": "https://arxiv.org/abs/2301.00007",
        "extra": {"note": "Oral talk"},
    }
    assert (got["b"]["venue"], got["b"]["doi"]) == ("arXiv", "10.1000/x")
    assert "arxiv" not in got["c"] and "venue" not in got["c"]
    assert (got["d"]["arxiv"], got["d"]["venue"]) == ("2301.00008", "arXiv")
    assert parsed.failed == [(6, "could not be parsed")]
    assert not [r for r in caplog.records if r.name.startswith("bibtexparser")]


def test_csv_and_json_details() -> None:
    """CSV: formula-looking cells (=, +, -, @, tab, CR) are defused with a quote, lists are
    joined with ';', lines end in LF. JSON: dates as ISO text, non-ASCII kept."""
    import datetime as dt

    row = {
        "key": "k",
        "type": "misc",
        "title": "T",
        "authors": ["Ñandú, A"],
        "year": 2020,
        "tags": ["inference", "data"],
        "metrics": ["memory", "latency"],
        "added": dt.date(2026, 1, 2),
    }
    assert ",'\r1," in EXPORTERS["csv"]([{**row, "title": "\r1"}])
    for lead in ("=", "+", "-", "@", "\t"):
        out = EXPORTERS["csv"]([{**row, "title": lead + "1"}])
        assert next(csv.DictReader(io.StringIO(out, newline="")))["title"] == "'" + lead + "1"
    out = EXPORTERS["csv"]([row])
    assert "\r" not in out
    record = next(csv.DictReader(io.StringIO(out, newline="")))
    assert (record["tags"], record["metrics"]) == ("inference;data", "memory;latency")
    text = EXPORTERS["json"]([row])
    assert '"added": "2026-01-02"' in text and "Ñandú" in text and text.endswith("]\n")


def test_csl_json_details() -> None:
    """CSL-JSON carries the abstract, maps unknown types to 'article', keeps non-ASCII."""
    item = json.loads(
        EXPORTERS["csl-json"](
            [
                {
                    "key": "k",
                    "type": "unpublished",
                    "title": "Ñ",
                    "authors": ["A, B"],
                    "year": 2020,
                    "venue": "V",
                    "abstract": "Short.",
                    "tags": ["inference"],
                }
            ]
        )
    )[0]
    assert (item["type"], item["abstract"]) == ("article", "Short.")
    assert "Ñ" in EXPORTERS["csl-json"]([{**TYPE_ROWS[0], "title": "Ñ"}])


def test_markdown_links_anchors_and_markers() -> None:
    """Markdown: parentheses in URLs are percent-encoded (they would end the link), repeated
    headings get numbered anchors, and splice refuses missing, repeated or reversed markers with a
    located error and a hint, but accepts a marker on the first line."""
    from effllm_catalog.errors import CatalogError
    from effllm_catalog.export.markdown import END_MARKER, START_MARKER, _safe_url, _slug, splice

    assert _safe_url("https://x.org/a_(b)") == "https://x.org/a_%28b%29"
    seen: dict[str, int] = {}
    assert [_slug("Data Mixing", seen) for _ in range(3)] == [
        "data-mixing",
        "data-mixing-1",
        "data-mixing-2",
    ]
    assert splice(f"{START_MARKER}\nold\n{END_MARKER}\n", "new") == (
        f"{START_MARKER}\nnew\n{END_MARKER}\n"
    )
    for document, line in [
        ("no markers\n", None),
        (f"a\nb\n{START_MARKER}\n", 3),
        (f"{END_MARKER}\n{START_MARKER}\n", 2),
        (f"{START_MARKER}\n{START_MARKER}\n{END_MARKER}\n", 1),
        (f"{START_MARKER}{END_MARKER}\n{START_MARKER}", 1),
    ]:
        with pytest.raises(CatalogError) as info:
            splice(document, "new", "README.md")
        error = info.value
        assert (error.file, error.line, error.check) == ("README.md", line, "markers")
        assert error.message == "markers not found (or not in order, or repeated)"
        assert error.hint == (
            f"put a line '{START_MARKER}' and, below it, '{END_MARKER}' where the list goes"
        )


def test_markdown_paper_lines() -> None:
    """Markdown: papers newest first (then by key) under their node's heading; the title links to
    the URL, else the arXiv page, else is plain; up to six authors (five and 'et al.' beyond), as
    'Given Family'; venue and year in italics; the default page title."""
    from effllm_catalog.validate import load_catalog

    taxonomy = load_catalog(BUNDLED).taxonomy
    base = {"type": "misc", "venue": "arXiv", "tags": ["data.curriculum"]}
    people = [f"F{c}, G{c}" for c in "abcdefg"]
    rows = [
        {**base, "key": "a2020x", "title": "No Link At All", "authors": ["A, B"], "year": 2020},
        {
            **base,
            "key": "b2021x",
            "title": "Arxiv Link",
            "authors": people,
            "year": 2021,
            "arxiv": "2101.00001",
        },
        {
            **base,
            "key": "c2021x",
            "title": "Same Year Later Key",
            "authors": ["Zed, Z"],
            "year": 2021,
            "url": "https://x.org/p(1)",
            "venue": "ICML",
        },
    ]
    out = EXPORTERS["markdown"](rows, taxonomy)
    assert out.startswith("# Efficient LLM papers\n\n3 papers on the taxonomy of Ding et al.")
    section = out.split("### Curriculum Learning (§4)\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "- [Arxiv Link](https://arxiv.org/abs/2101.00001) — Ga Fa, Gb Fb, Gc Fc, Gd Fd, Ge Fe,"
        " et al. *arXiv 2021*.",
        "- [Same Year Later Key](https://x.org/p%281%29) — Z Zed. *ICML 2021*.",
        "- No Link At All — B A. *arXiv 2020*.",
    ]
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert EXPORTERS["markdown"](rows, taxonomy, title="Mine").startswith("# Mine\n")


def test_latex_escaping_details() -> None:
    """LaTeX text: ligature-forming runs (--, '', !`) are broken with {} except where asked
    (page ranges), control and bidi characters become spaces, whitespace collapses; titles
    brace words whose case BibTeX styles would change, and only those."""
    from effllm_catalog.export.latex import escape, protect_title

    assert escape("a--b x---y") == "a-{}-b x-{}-{}-y"
    assert escape("1--10", ligatures=True) == "1--10"
    assert escape("a\u0007b\u202ec\u2028d  e") == "a b c d e"
    assert [protect_title(t) for t in ("iPhone app", "ABc", "aB", "Abc", "GPT-4 (LLaMA)")] == [
        "{iPhone} app",
        "{ABc}",
        "{aB}",
        "Abc",
        "{GPT-4} ({LLaMA})",
    ]
    assert protect_title("a\tb\u0007c  iPhone") == "a b c {iPhone}"


def test_ascii_export_keeps_urls_verbatim() -> None:
    """--ascii turns non-ASCII text into LaTeX macros in every dialect but never touches URLs;
    a master's thesis with a school is a @mastersthesis."""
    row = {
        "key": "k",
        "type": "mastersthesis",
        "title": "Café",
        "authors": ["Dé, A"],
        "year": 2020,
        "tags": ["inference"],
        "url": "https://x.org/~a_é",
        "venue": "V",
        "extra": {"school": "École"},
    }
    for fmt in ("bibtex", "biblatex"):
        out = EXPORTERS[fmt]([row], ascii_only=True)
        assert out.startswith("@mastersthesis{k,")
        assert "title = {Caf{\\'e}}" in out and "school = {{\\'E}cole}" in out
        assert "url = {https://x.org/~a_é}" in out
