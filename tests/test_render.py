"""What people read: the search table, the stats tables and their bars, cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.render import _bar, _short_authors

from .conftest import MakeCatalog


@pytest.fixture(autouse=True)
def _tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pin the screens a person sees: tables, as on a terminal (EFFLLM_FORCE_TTY)."""
    monkeypatch.setenv("EFFLLM_FORCE_TTY", "1")


FIXTURE_TEXT = (Path(__file__).parent / "fixtures" / "golden" / "references.yaml").read_text(
    encoding="utf-8"
)


def _cells(output: str) -> list[list[str]]:
    """The body rows of a rich table (box-drawing borders), each as its stripped cells."""
    rows = []
    for line in output.splitlines():
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def _invoke(runner: CliRunner, args: list[str], code: int = 0, **kw: object) -> str:
    result = runner.invoke(app, args, **kw)  # type: ignore[arg-type]
    assert result.exit_code == code, result.output
    return result.stdout


def test_stats_by_year_table(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """stats: one row per year, papers per dimension (blank for none), the total and a bar
    scaled to the busiest year (24 blocks wide)."""
    folder = make_catalog(FIXTURE_TEXT)
    out = _invoke(runner, ["stats", "-C", str(folder)])
    header = next(line for line in out.splitlines() if line.startswith("┃"))
    assert [c.strip() for c in header.strip("┃").split("┃")][:7] == [
        "year",
        "Budget",
        "Data",
        "Architecture",
        "Training & Tuning",
        "Inference",
        "papers",
    ]
    assert _cells(out) == [
        ["2009", "", "1", "", "", "", "1", "█" * 12],
        ["2020", "1", "", "", "", "", "1", "█" * 12],
        ["2022", "", "", "1", "1", "", "2", "█" * 24],
        ["2024", "", "", "", "", "1", "1", "█" * 12],
    ]


def test_stats_by_dim_table(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """stats --by dim: every node indented by depth with its count (descendants included); leaves
    with fewer than five papers are marked thin, inner nodes never are."""
    folder = make_catalog(FIXTURE_TEXT)
    rows = _cells(_invoke(runner, ["stats", "--by", "dim", "-C", str(folder)]))
    assert rows[:4] == [
        ["budget", "1", "█" * 24],
        ["budget.scaling-laws (thin)", "1", "█" * 24],
        ["data", "1", "█" * 24],
        ["data.filtering", "0", ""],
    ]
    raw = _invoke(runner, ["stats", "--by", "dim", "-C", str(folder)])
    assert "│    data.filtering.deduplication (thin) " in raw  # depth 2: four spaces


def test_stats_by_venue_table(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """stats --by venue: venues with their counts, bars scaled to the most frequent venue."""
    folder = make_catalog(FIXTURE_TEXT)
    rows = _cells(_invoke(runner, ["stats", "--by", "venue", "-C", str(folder)]))
    assert len(rows) == 5
    assert all(count == "1" and bar == "█" * 24 for _, count, bar in rows)


def test_search_table_wide_and_narrow(
    runner: CliRunner, make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search table shows key, year, venue, title, the first two authors (et al. beyond) on a
    wide terminal, a code mark, and a footer that counts matches and says when rows were cut."""
    folder = make_catalog(FIXTURE_TEXT)
    wide = _invoke(runner, ["search", "dim:peft OR title:curriculum", "-C", str(folder)])
    rows = [r for r in _cells(wide) if r[0]]
    # The title hit ranks first; the dim-only match has no text score and comes after it.
    assert rows == [
        [
            "bengio2009curriculum",
            "2009",
            "ICML",
            "Curriculum Learning",
            "Bengio, Louradour et …",
            "",
        ],
        [
            "hu2022lora",
            "2022",
            "ICLR",
            "LoRA: Low-Rank Adaptation of Large Language",
            "Hu, Shen et al.",
            "✓",
        ],
    ]
    assert wide.rstrip().endswith("2 matches")
    monkeypatch.setenv("COLUMNS", "80")
    narrow = _invoke(runner, ["search", "--sort", "year", "-n", "1", "-C", str(folder)])
    assert "authors" not in narrow
    assert narrow.rstrip().endswith("5 matches (showing 1; --limit 0 shows all)")
    one = _invoke(runner, ["search", "title:curriculum", "-C", str(folder)])
    assert one.rstrip().endswith("1 match")


def test_short_authors() -> None:
    """Family names of the first two authors, 'et al.' only when more follow."""
    assert _short_authors(["Hu, Edward", "Shen, Yelong"]) == "Hu, Shen"
    assert _short_authors(["Hu, Edward", "Shen, Yelong", "Li, Y"]) == "Hu, Shen et al."
    assert _short_authors(["OpenAI"]) == "OpenAI"
    assert _short_authors(["A, B", "C, D", "E, F"], n=1) == "A et al."


@pytest.mark.parametrize(
    ("value", "peak", "width", "bar"),
    [
        (1, 2, 24, "█" * 12),
        (2, 2, 24, "█" * 24),
        (0, 5, 24, ""),
        (3, 0, 24, ""),  # nothing to scale to
        (1, 3, 8, "██▋"),  # 8/3 blocks: two full, then the 5/8 block
        (1, 8, 1, "▏"),  # 1/8 of one block
        (7, 8, 1, "▉"),
    ],
)
def test_bar(value: int, peak: int, width: int, bar: str) -> None:
    """Bars are value/peak of the width in eighths of a block."""
    assert _bar(value, peak, width) == bar


def test_validate_text_report_exactly(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """The text report: one located line per finding with severity, check id, key and message,
    its hint indented below, then a summary with correct plurals; --strict prints warnings as
    errors and says why the run fails."""
    from .conftest import QLORA, SPARSEGPT

    folder = make_catalog(
        SPARSEGPT.replace("Alistarh, Dan", "Dan Alistarh")
        + QLORA.replace("inference.quantization", "nope")
    )
    path = folder / "references.yaml"
    lines = [
        f"{path}:6:5: warning author-format [frantar2023sparsegpt] author 'Dan Alistarh' is not"
        " written as 'Family, Given'",
        "    hint: write 'Alistarh, Dan'",
        f"{path}:32:5: error unknown-tag [dettmers2023qlora] tag 'nope' is not a taxonomy node id",
        "    hint: did you mean arch.positional.encoding? `effllm taxonomy` lists the ids",
    ]
    out = _invoke(runner, ["validate", str(folder)], code=1)
    assert out.splitlines() == [*lines, "✗ 2 entries in 2 files: 1 error, 1 warning"]
    strict = _invoke(runner, ["validate", str(folder), "--strict"], code=1)
    assert strict.splitlines() == [
        lines[0].replace(": warning author-format", ": error author-format"),
        *lines[1:],
        "✗ 2 entries in 2 files: 1 error, 1 warning (--strict: warnings fail)",
    ]
    clean = make_catalog(SPARSEGPT)
    assert _invoke(runner, ["validate", str(clean)]).splitlines() == [
        "✓ 1 entries in 2 files: 0 errors, 0 warnings"
    ]


def test_import_text_report_exactly(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """import's text report: imported, skipped and failed entries with their .bib line, then the
    counts; a dry run says so."""
    folder = make_catalog(FIXTURE_TEXT)
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@misc{a, title={Curriculum Learning}, author={Bengio, Yoshua}, year={2009}}\n"
        "@misc{b, title={New Thing Here}, author={Doe, Jane}, year={2024}}\n"
        "@misc{c, title={x}}\n",
        encoding="utf-8",
    )
    args = ["import", str(bib), "--tag", "ptq", "-C", str(folder)]
    dry = _invoke(runner, [*args, "--dry-run"], code=1)
    assert dry.splitlines() == [
        f"{bib}:2: would import b as doe2024new",
        f"{bib}:1: skipped a: duplicate of bengio2009curriculum: near-identical title (100%)"
        " and same year",
        f"{bib}:3: failed c: required field 'authors' is missing",
        "1 would import, 1 skipped, 1 failed (dry run: nothing written)",
    ]
    real = _invoke(runner, args, code=1)
    assert real.splitlines()[0] == f"{bib}:2: imported b as doe2024new"
    assert real.splitlines()[-1] == "1 imported, 1 skipped, 1 failed"


def test_show_panel(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """show: the title on top, the key below, people as 'Given Family', ids and links when
    present, each tag with its node title and survey §, extra fields and the abstract."""
    folder = make_catalog(FIXTURE_TEXT)
    out = _invoke(runner, ["show", "hu2022lora", "-C", str(folder)])
    rows = _cells(out)
    assert rows[0][0].startswith("authors  Edward J. Hu; Yelong Shen; Phillip Wallis;")
    assert [r[0].split()[0] for r in rows if r[0]] == [
        "authors",
        "year",
        "venue",
        "type",
        "arxiv",
        "url",
        "code",
        "added",
        "tags",
    ]
    assert ["tags     training.tuning.peft.low-rank  (Low-Rank Adaptation, §6)"] in rows
    assert "LoRA: Low-Rank Adaptation of Large Language Models" in out.splitlines()[0]
    assert "hu2022lora" in out.splitlines()[-1]
    other = _cells(_invoke(runner, ["show", "bengio2009curriculum", "-C", str(folder)]))
    names = [r[0].split()[0] for r in other if r[0]]
    assert names[-2:] == ["pages", "publisher"] and "arxiv" not in names and "doi" in names


def test_taxonomy_tree(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """taxonomy: the survey title at the root, each node's title, id, § (or 'ext') and count,
    thin leaves flagged; a subtree starts at the chosen node."""
    folder = make_catalog(FIXTURE_TEXT)
    tree = _invoke(runner, ["taxonomy", "-C", str(folder)]).splitlines()
    assert tree[0] == "The Efficiency Spectrum of LLMs (Ding et al., arXiv 2312.00678)"
    assert tree[1:3] == [
        "├── Budget Efficiency budget §3 1",
        "│   └── Scaling Laws budget.scaling-laws §3 1 (thin)",
    ]
    sub = _invoke(runner, ["taxonomy", "ptq", "-C", str(folder)]).splitlines()
    assert sub == [
        "Post-Training Quantization inference.quantization.post-training ext 1",
        "├── Weight-Only Quantization inference.quantization.post-training.weight-only ext 1 (thin)",
        "└── Weight-Activation Quantization"
        " inference.quantization.post-training.weight-activation ext 0 (thin)",
    ]
    bare = _invoke(runner, ["taxonomy", "ptq", "--no-counts", "-C", str(folder)]).splitlines()
    assert bare[0] == "Post-Training Quantization inference.quantization.post-training ext"


def test_dump_json_and_search_json(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """JSON output is indented by two, keeps non-ASCII as is and ends with a newline; search JSON
    carries the query, the total, the count and the results."""
    import io
    import json

    from effllm_catalog.render import dump_json

    buffer = io.StringIO()
    dump_json({"a": ["é"]}, buffer)
    assert buffer.getvalue() == '{\n  "a": [\n    "é"\n  ]\n}\n'
    folder = make_catalog(FIXTURE_TEXT)
    out = _invoke(runner, ["search", "louradour", "-f", "json", "-C", str(folder)])
    doc = json.loads(out)
    assert (doc["query"], doc["total"], doc["count"]) == ("louradour", 1, 1)
    assert doc["results"][0]["authors"][1] == "Louradour, Jérôme"
    assert "Jérôme" in out


MINIMAL = (Path(__file__).parent / "cases" / "valid" / "minimal" / "references.yaml").read_text(
    encoding="utf-8"
)


def test_show_panel_every_row(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """show lists every field that is set, in order: people, year, venue, type, (kind, names)
    summary, ids and links,
    tags (one per line, with title and §), metrics and sources one per line, extra fields,
    abstract and notes."""
    from .conftest import QLORA

    folder = make_catalog(
        MINIMAL
        + QLORA.replace(
            "- inference.quantization", "- inference.quantization.post-training.weight-only"
        )
    )
    rows = _cells(_invoke(runner, ["show", "frantar2023sparsegpt", "-C", str(folder)]))
    assert [r[0] for r in rows] == [
        "authors    Elias Frantar; Dan Alistarh",
        "year       2023",
        "venue      ICML",
        "type       inproceedings",
        "summary    Prunes GPT-scale models to half sparsity in one shot, without retraining, by"
        " solving a layer-wise sparse",
        "regression.",
        "arxiv      2301.00774",
        "doi        10.48550/arXiv.2301.00774",
        "url        https://arxiv.org/abs/2301.00774",
        "code       https://github.com/IST-DASLab/sparsegpt",
        "added      2026-11-29",
        "tags       inference.pruning.unstructured  (Unstructured and Semi-Structured Pruning, §7)",
        "metrics    memory",
        "latency",
        "sources    list:horseee/Awesome-Efficient-LLM@0123abc",
        "https://arxiv.org/abs/2301.00774",
        "pages      10323--10337",
        "publisher  PMLR",
        "abstract   We show for the first time that large-scale GPT models can be pruned to at least"
        " 50% sparsity in one",
        "shot.",
        "notes      Uses {braces} correctly.",
    ]
    rows2 = [
        r[0] for r in _cells(_invoke(runner, ["show", "dettmers2023qlora", "-C", str(folder)]))
    ]
    start = next(i for i, row in enumerate(rows2) if row.startswith("tags "))
    assert rows2[start : start + 2] == [
        "tags     training.tuning.peft.low-rank  (Low-Rank Adaptation, §6)",
        "inference.quantization.post-training.weight-only  (Weight-Only Quantization, §7)",
    ]


def test_stats_by_venue_scales_bars(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """stats --by venue: a header row, venues most frequent first, bars relative to the top."""
    from .conftest import QLORA

    second = QLORA.replace("dettmers2023qlora", "other2023qlora").replace(
        "2305.14314", "2305.14315"
    )
    folder = make_catalog(MINIMAL + QLORA + second)
    out = _invoke(runner, ["stats", "--by", "venue", "-C", str(folder)])
    header = next(line for line in out.splitlines() if line.startswith("┃"))
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["venue", "papers", ""]
    assert _cells(out) == [["NeurIPS", "2", "█" * 24], ["ICML", "1", "█" * 12]]


def test_search_keys_format(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--format keys prints one key per line and nothing else."""
    folder = make_catalog(FIXTURE_TEXT)
    out = _invoke(runner, ["search", "--sort", "year", "-n", "2", "-f", "keys", "-C", str(folder)])
    assert out == "hostile2024input\nfedus2022switch\n"


GOLDEN = Path(__file__).parent / "golden"

#: An entry whose key, venue and author names are longer than their table columns.
LONG_ENTRY = """\
- key: averyveryverylongkeyforcuts2021
  type: inproceedings
  title: Cutting Cells
  authors:
  - Averyveryverylongfamilyname, Given
  - Another, One
  year: 2021
  venue: The Extremely Long Venue Name Of A Workshop
  doi: 10.1000/cells
  tags:
  - data.filtering.quality
"""

#: Terminal outputs pinned byte for byte (layout, alignment, padding, truncation), on the golden
#: fixture catalog: name -> (terminal width, arguments).
SCREENS: dict[str, tuple[int, list[str]]] = {
    "search-wide": (120, ["search", "--sort", "year"]),
    "search-110": (110, ["search", "--sort", "year", "-n", "2"]),  # the narrowest wide layout
    "search-long": (120, ["search", "key:averyvery*"]),  # cells cut with an ellipsis
    "stats-dim": (100, ["stats", "--by", "dim"]),
    "search-narrow": (80, ["search", "--sort", "title", "-n", "3"]),
    "stats-year": (120, ["stats"]),
    "stats-venue": (80, ["stats", "--by", "venue"]),
    "show": (100, ["show", "hu2022lora"]),
    "taxonomy": (100, ["taxonomy", "training"]),
}


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("name", sorted(SCREENS))
def test_screens_match_golden(
    name: str,
    colour: bool,
    runner: CliRunner,
    make_catalog: MakeCatalog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What people read in a terminal is byte-identical to its reviewed golden file (rewritten
    only with UPDATE_GOLDEN=1): column order, alignment, widths, wrapping and footers, and with
    colours forced (FORCE_COLOR, 256 colours) the styles too."""
    import os

    width, args = SCREENS[name]
    monkeypatch.setenv("COLUMNS", str(width))
    if colour:
        monkeypatch.delenv("NO_COLOR")
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("TERM", "xterm-256color")
        monkeypatch.delenv("COLORTERM", raising=False)
    folder = make_catalog(FIXTURE_TEXT + LONG_ENTRY)
    out = _invoke(runner, [*args, "-C", str(folder)])
    golden = GOLDEN / f"screen.{name}{'.colour' if colour else ''}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with UPDATE_GOLDEN=1 and review it"
    assert out == golden.read_text(encoding="utf-8")


def test_errors_go_to_stderr_exactly(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """Errors print `error: <where>: <message>` and an indented hint on stderr, nothing on
    stdout; an error without a file has no location part."""
    missing = runner.invoke(app, ["validate", str(tmp_path / "missing")])
    assert missing.exit_code == 2
    assert missing.stdout == ""
    assert (
        missing.stderr
        == f"error: {tmp_path / 'missing'}: no such file or folder\n  hint: check the path\n"
    )
    folder = make_catalog(FIXTURE_TEXT)
    unknown = runner.invoke(app, ["show", "nokey", "-C", str(folder)])
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert unknown.stderr == (
        "error: no entry with key, arXiv id, DOI or link 'nokey'\n  hint: `effllm search --format keys` lists keys\n"
    )


def test_text_report_for_a_finding_without_key(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    """A finding that belongs to no entry (a YAML error) is printed without a key."""
    folder = make_catalog("- key: [\n")
    out = _invoke(runner, ["validate", str(folder)], code=1)
    assert out.splitlines() == [
        f"{folder / 'references.yaml'}:2:1: error yaml-syntax YAML syntax error: did not find"
        " expected node content",
        "    hint: fix the YAML syntax at this position",
        "✗ 0 entries in 2 files: 1 error, 0 warnings",
    ]
