"""BibTeX and biblatex, written through bibtexparser 2.x.

Conferences become ``@inproceedings`` with ``booktitle``, journals ``@article`` with ``journal``
(``journaltitle`` in biblatex), preprints ``@misc`` (``@online`` in biblatex) carrying the arXiv id the
way each dialect expects. An entry type whose required fields we cannot fill falls back to ``@misc`` so
that ``bibtex`` and ``biber`` run without warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from effllm_catalog.export.latex import escape, protect_title, to_ascii
from effllm_catalog.taxonomy import Taxonomy
from effllm_catalog.venues import VenueTable

__all__ = ["export_biblatex", "export_bibtex", "format_authors"]

# Field order in the output; extra fields follow in their own (catalog) order.
_ORDER = (
    "author",
    "title",
    "booktitle",
    "journal",
    "journaltitle",
    "year",
    "volume",
    "number",
    "pages",
    "publisher",
    "institution",
    "school",
    "howpublished",
    "eprint",
    "eprinttype",
    "archiveprefix",
    "primaryclass",
    "doi",
    "url",
    "keywords",
    "note",
)
# Extra fields that could change how other entries are read, or that we write ourselves.
_NEVER_COPY = frozenset(
    {
        "crossref",
        "xdata",
        "entryset",
        "related",
        "key",
        "ids",
        "author",
        "title",
        "year",
        "doi",
        "url",
        "eprint",
        "eprinttype",
        "archiveprefix",
        "primaryclass",
        "eprintclass",
        "keywords",
    }
)


def format_authors(authors: Sequence[str]) -> str:
    """``Family, Given and Family, Given``; a name that holds the word 'and' is brace-protected."""
    names = []
    for name in authors:
        family, _, given = name.partition(",")
        family, given = escape(family.strip()), escape(given.strip())
        if " and " in f" {family} ".lower() or " and " in f" {given} ".lower():
            family, given = "{" + family + "}", "{" + given + "}" if given else ""
        names.append(f"{family}, {given}" if given else family)
    return " and ".join(names)


def _fields(
    data: dict[str, Any], biblatex: bool, venues: VenueTable | None = None
) -> tuple[str, dict[str, str]]:
    kind = data["type"]
    venue = data.get("venue")
    if venue and venues is not None:  # --venue-style full: the edition's full name
        venue = venues.full_name(venue, data.get("year"))
    arxiv = data.get("arxiv")
    extra = {k.lower(): v for k, v in (data.get("extra") or {}).items()}
    preprint = not data.get("venue") or str(data.get("venue")).lower() == "arxiv"
    fields: dict[str, str] = {
        "author": format_authors(data["authors"]),
        "title": protect_title(data["title"]),
        "year": str(data["year"]),
    }
    if kind == "inproceedings" and not preprint:
        fields["booktitle"] = escape(venue or "")
    elif kind == "article" and not preprint:
        fields["journaltitle" if biblatex else "journal"] = escape(venue or "")
    elif (kind in ("phdthesis", "mastersthesis") and extra.get("school")) or (
        kind == "techreport" and extra.get("institution")
    ):
        pass  # the required field comes from extra below
    elif kind in ("book", "incollection") and extra.get("publisher"):
        if kind == "incollection" and not extra.get("booktitle") and venue:
            fields["booktitle"] = escape(venue)
    else:
        kind = "online" if biblatex and arxiv and preprint else "misc"
        if venue and not preprint:
            fields["howpublished"] = escape(venue)
        elif arxiv and not biblatex:
            fields["howpublished"] = f"arXiv preprint arXiv:{escape(arxiv)}"
    for name, value in extra.items():
        if name not in _NEVER_COPY and name not in fields:
            fields[name] = escape(value, ligatures=name == "pages")
    if arxiv:
        # eprint + archivePrefix: biber maps them to eprinttype; natbib styles, JabRef, Zotero and
        # our import read them in classic BibTeX too.
        fields["eprint"] = escape(arxiv)
        fields["archiveprefix"] = "arXiv"
        if extra.get("primaryclass"):
            fields["primaryclass"] = escape(extra["primaryclass"])
        if not biblatex and kind != "misc":
            fields["note"] = f"arXiv:{escape(arxiv)}"
    if data.get("doi"):
        fields["doi"] = escape(data["doi"])
    url = data.get("url") or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None)
    if url:
        # URLs are verbatim fields; the model already refuses braces, backslashes and spaces in them.
        fields["url"] = url
    # Taxonomy tags as keywords, the field Zotero and JabRef use for tags; import reads them back.
    keywords = [*(data.get("tags") or []), *([extra["keywords"]] if extra.get("keywords") else [])]
    if keywords:
        fields["keywords"] = escape(", ".join(keywords))
    ordered = {k: fields[k] for k in _ORDER if k in fields}
    ordered.update({k: v for k, v in fields.items() if k not in ordered})
    return kind, ordered


def _export(
    rows: Sequence[dict[str, Any]],
    *,
    biblatex: bool,
    ascii_only: bool,
    venues: VenueTable | None = None,
    venue_style: str = "short",
) -> str:
    library = Library()
    table = venues if venue_style == "full" else None
    for data in rows:
        kind, fields = _fields(data, biblatex, table)
        if ascii_only:
            fields = {k: to_ascii(v) if k != "url" else v for k, v in fields.items()}
        library.add(Entry(kind, data["key"], [Field(k, v) for k, v in fields.items()]))
    fmt = BibtexFormat()  # type: ignore[no-untyped-call]  # bibtexparser leaves __init__ unannotated
    fmt.indent = "  "
    fmt.block_separator = "\n"
    fmt.trailing_comma = False
    return str(write_string(library, bibtex_format=fmt))


def export_bibtex(
    rows: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    *,
    ascii_only: bool = False,
    venues: VenueTable | None = None,
    venue_style: str = "short",
    **_: Any,
) -> str:
    """Classic BibTeX (plain.bst and friends)."""
    return _export(
        rows, biblatex=False, ascii_only=ascii_only, venues=venues, venue_style=venue_style
    )


def export_biblatex(
    rows: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    *,
    ascii_only: bool = False,
    venues: VenueTable | None = None,
    venue_style: str = "short",
    **_: Any,
) -> str:
    """biblatex data model (biber)."""
    return _export(
        rows, biblatex=True, ascii_only=ascii_only, venues=venues, venue_style=venue_style
    )
