"""What people read: the search table, the stats tables and their bars, cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.render import _bar, _short_authors

from .conftest import MakeCatalog

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
