"""Counts over the catalog: papers per taxonomy node (with descendants), per year and dimension."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .taxonomy import Taxonomy

__all__ = [
    "THIN",
    "NodeCount",
    "facet_counts",
    "node_counts",
    "venue_counts",
    "year_by_dimension",
]

#: A leaf with fewer papers than this is flagged as thin.
THIN = 5


@dataclass(frozen=True)
class NodeCount:
    """Papers tagged with a node itself, and with it or any descendant (distinct papers)."""

    node: str
    direct: int
    total: int


def node_counts(taxonomy: Taxonomy, tags: Iterable[tuple[int, str]]) -> dict[str, NodeCount]:
    """Count distinct papers per node from (paper id, tag) pairs."""
    direct: dict[str, set[int]] = defaultdict(set)
    for paper, node in tags:
        direct[node].add(paper)
    result: dict[str, NodeCount] = {}
    for node_id in taxonomy.by_id:
        below: set[int] = set()
        for descendant in taxonomy.descendants(node_id):
            below |= direct.get(descendant, set())
        result[node_id] = NodeCount(node_id, len(direct.get(node_id, ())), len(below))
    return result


def year_by_dimension(taxonomy: Taxonomy, rows: Iterable[tuple[int, str, int]]) -> dict[str, Any]:
    """A year x dimension table of distinct papers from (paper id, tag, year) rows."""
    cells: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    totals: dict[int, set[int]] = defaultdict(set)
    for paper, node, year in rows:
        if node in taxonomy:
            cells[year][taxonomy.dimension(node)].add(paper)
            totals[year].add(paper)
    dims = taxonomy.roots
    return {
        "dimensions": dims,
        "years": [
            {
                "year": year,
                "total": len(totals[year]),
                "counts": {d: len(cells[year].get(d, ())) for d in dims},
            }
            for year in sorted(cells)
        ],
    }


def venue_counts(venues: Iterable[str | None]) -> list[tuple[str, int]]:
    """Papers per venue, most frequent first (``arXiv`` included, missing venue as 'unknown')."""
    counts = Counter(v or "unknown" for v in venues)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))


def facet_counts(values: Iterable[str | None], known: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Papers per value of a facet stored as ``|a|b|`` (metrics) or a plain value (kind); every
    ``known`` value is listed, with 0 when no paper has it; most frequent first."""
    counts: Counter[str] = Counter(dict.fromkeys(known, 0))
    for value in values:
        if not value:
            continue
        parts = [p for p in value.split("|") if p] if "|" in value else [value]
        counts.update(parts)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
