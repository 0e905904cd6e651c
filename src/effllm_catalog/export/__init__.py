"""Export formats: one module per format, registered in :data:`EXPORTERS`.

Every exporter takes entries as catalog data (the dicts of ``Reference.to_data()``, which is also what
the search index stores) and the taxonomy, and returns the whole file as a string. Same input, same
bytes: exporters never read the clock or depend on dict ordering other than the input's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from effllm_catalog.export import bibtex, csl_json, markdown, tabular
from effllm_catalog.taxonomy import Taxonomy

__all__ = ["EXPORTERS", "Exporter", "export_rows"]

Exporter = Callable[..., str]

EXPORTERS: dict[str, Exporter] = {
    "bibtex": bibtex.export_bibtex,
    "biblatex": bibtex.export_biblatex,
    "csl-json": csl_json.export_csl_json,
    "markdown": markdown.export_markdown,
    "json": tabular.export_json,
    "csv": tabular.export_csv,
}

#: One line per format for help texts and the docs.
DESCRIPTIONS: dict[str, str] = {
    "bibtex": "BibTeX for bibtex/plain.bst; preprints as @misc with a readable howpublished",
    "biblatex": "biblatex/biber; arXiv ids as eprint + archivePrefix (+ primaryClass when known)",
    "csl-json": "CSL-JSON items for Zotero and pandoc",
    "markdown": "an awesome-list page: one section per taxonomy node, linked titles, code links",
    "json": "the catalog entries as a JSON array",
    "csv": "one row per paper, tags joined with ';'",
}


def export_rows(
    fmt: str, rows: Sequence[dict[str, Any]], taxonomy: Taxonomy, **options: Any
) -> str:
    """Export catalog entries (as data dicts) in format ``fmt``."""
    return EXPORTERS[fmt](rows, taxonomy, **options)
