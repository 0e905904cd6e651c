"""Flat formats for scripts and spreadsheets: JSON (the catalog entries) and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from effllm_catalog.taxonomy import Taxonomy

__all__ = ["CSV_COLUMNS", "export_csv", "export_json"]

CSV_COLUMNS = (
    "key",
    "type",
    "title",
    "authors",
    "year",
    "venue",
    "kind",
    "arxiv",
    "doi",
    "url",
    "code",
    "tags",
    "metrics",
    "added",
)


def export_json(rows: Sequence[dict[str, Any]], taxonomy: Taxonomy | None = None, **_: Any) -> str:
    """The entries as a JSON array, every field as in the catalog."""
    return json.dumps(list(rows), indent=2, ensure_ascii=False, default=str) + "\n"


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheet programs; a leading apostrophe keeps
    # a hostile title from running as one (OWASP's advice for CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(rows: Sequence[dict[str, Any]], taxonomy: Taxonomy | None = None, **_: Any) -> str:
    """One row per paper; authors joined with '; ', tags and metrics with ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for data in rows:
        values = {
            **{k: data.get(k) for k in CSV_COLUMNS},
            "authors": "; ".join(data["authors"]),
            "tags": ";".join(data["tags"]),
            "metrics": ";".join(data.get("metrics") or []),
            "kind": data.get("kind") or "method",
        }
        writer.writerow(
            [_cell(str(values[c])) if values[c] is not None else "" for c in CSV_COLUMNS]
        )
    return buffer.getvalue()
