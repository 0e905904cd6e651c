"""CSL-JSON, the citation format Zotero and pandoc read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from effllm_catalog.taxonomy import Taxonomy
from effllm_catalog.venues import VenueTable

__all__ = ["csl_item", "export_csl_json"]

_TYPES = {
    "inproceedings": "paper-conference",
    "article": "article-journal",
    "misc": "article",
    "techreport": "report",
    "book": "book",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
}


def _person(name: str) -> dict[str, str]:
    family, _, given = name.partition(",")
    person = {"family": family.strip()}
    if given.strip():
        person["given"] = given.strip()
    return person


def csl_item(data: dict[str, Any], venues: VenueTable | None = None) -> dict[str, Any]:
    """One catalog entry as a CSL-JSON item (``venues``: write the venue's full name)."""
    venue = data.get("venue")
    preprint = not venue or venue.lower() == "arxiv"
    if venue and venues is not None:
        venue = venues.full_name(venue, data.get("year"))
    item: dict[str, Any] = {
        "id": data["key"],
        "type": _TYPES.get(data["type"], "article"),
        "title": data["title"],
        "author": [_person(a) for a in data["authors"]],
        "issued": {"date-parts": [[data["year"]]]},
    }
    if preprint and data.get("arxiv"):
        item["type"] = "article"
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{data['arxiv']}"
    elif venue:
        item["container-title"] = venue
    if data.get("doi"):
        item["DOI"] = data["doi"]
    url = data.get("url") or (
        f"https://arxiv.org/abs/{data['arxiv']}" if data.get("arxiv") else None
    )
    if url:
        item["URL"] = url
    extra = data.get("extra") or {}
    for ours, theirs in (
        ("pages", "page"),
        ("volume", "volume"),
        ("number", "issue"),
        ("publisher", "publisher"),
    ):
        if extra.get(ours) and theirs not in item:
            item[theirs] = extra[ours].replace("--", "–")
    if data.get("abstract"):
        item["abstract"] = data["abstract"]
    return item


def export_csl_json(
    rows: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    *,
    venues: VenueTable | None = None,
    venue_style: str = "short",
    **_: Any,
) -> str:
    """A JSON array of CSL items."""
    table = venues if venue_style == "full" else None
    items = [csl_item(r, table) for r in rows]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
