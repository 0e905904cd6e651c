"""Plain output for pipes: one record a line, tab-separated fields, nothing truncated or wrapped.

What ``search``, ``taxonomy`` and ``stats`` print when stdout is not a terminal (as ``gh`` and
``git`` do), and the JSON of ``search --format json``. No rich, no typer: the search fast path
writes through this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

__all__ = [
    "RESULT_FIELDS",
    "dump_json",
    "result_record",
    "search_json",
    "search_keys",
    "search_lines",
    "stats_node_lines",
    "stats_venue_lines",
    "stats_year_lines",
    "taxonomy_lines",
]

#: Result fields of ``search --format json``, in order: a documented, stable schema.
RESULT_FIELDS = (
    "key",
    "type",
    "title",
    "authors",
    "year",
    "venue",
    "tags",
    "arxiv",
    "doi",
    "url",
    "code",
    "added",
)


def _cell(value: object) -> str:
    """One field: tabs and line breaks inside a value become spaces, so records stay one line."""
    return " ".join(str(value if value is not None else "").split())


def _line(cells: Iterable[object]) -> str:
    return "\t".join(_cell(c) for c in cells) + "\n"


def dump_json(data: Any, out: IO[str]) -> None:
    """Write ``data`` as indented UTF-8 JSON with a trailing newline."""
    out.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    out.write("\n")


def result_record(data: dict[str, Any]) -> dict[str, Any]:
    """One search result in the documented JSON schema (every field present, null when unset)."""
    return {name: data.get(name) for name in RESULT_FIELDS}


def search_json(rows: Sequence[dict[str, Any]], total: int, out: IO[str], query: str) -> None:
    """Results as one JSON document: query, total, count, results[]."""
    dump_json(
        {
            "query": query,
            "total": total,
            "count": len(rows),
            "results": [result_record(r) for r in rows],
        },
        out,
    )


def search_keys(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    """One citation key per line."""
    for data in rows:
        out.write(data["key"] + "\n")


def search_lines(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    """key, year, venue, title, authors ("Family, Given; ..."), code link: one paper a line."""
    for data in rows:
        out.write(
            _line(
                [
                    data["key"],
                    data["year"],
                    data.get("venue") or "",
                    data["title"],
                    "; ".join(data["authors"]),
                    data.get("code") or "",
                ]
            )
        )


def taxonomy_lines(
    taxonomy: Any, counts: dict[str, Any] | None, ids: Sequence[str], out: IO[str]
) -> None:
    """id, § (or ``ext``), papers with descendants (with counts), title: one node a line."""
    for node_id in ids:
        node = taxonomy.by_id[node_id]
        origin = f"§{node.section}" if node.origin == "survey" and node.section else "ext"
        cells: list[object] = [node_id, origin]
        if counts is not None:
            cells.append(counts[node_id].total)
        cells.append(node.title)
        out.write(_line(cells))


def stats_year_lines(table: dict[str, Any], out: IO[str]) -> None:
    """A header line (year, one column per dimension, papers), then one line per year."""
    dims = table["dimensions"]
    out.write(_line(["year", *dims, "papers"]))
    for row in table["years"]:
        out.write(_line([row["year"], *[row["counts"][d] for d in dims], row["total"]]))


def stats_node_lines(taxonomy: Any, counts: dict[str, Any], out: IO[str]) -> None:
    """id, papers with descendants, ``thin`` for a leaf with few papers: one node a line."""
    from .stats import THIN

    for _, node_id in taxonomy.walk():
        total = counts[node_id].total
        thin = taxonomy.is_leaf(node_id) and total < THIN
        out.write(_line([node_id, total, "thin" if thin else ""]))


def stats_venue_lines(rows: Sequence[tuple[str, int]], out: IO[str]) -> None:
    """venue, papers: every venue, most frequent first."""
    for venue, count in rows:
        out.write(_line([venue, count]))
