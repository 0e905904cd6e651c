"""BibTeX -> catalog entry drafts, through bibtexparser 2.x and pylatexenc.

bibtexparser resolves ``@string`` macros, skips ``@comment`` and reports broken blocks with their line;
names are split by its ``SeparateCoAuthors``/``SplitNameParts`` middlewares *before* LaTeX is decoded,
so that a braced corporate author stays one name. Decoding uses pylatexenc. Nothing here touches the
catalog: a :class:`Draft` is a dict ready for ``Reference.model_validate`` plus where it came from.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import Entry

__all__ = ["Draft", "entry_to_draft", "parse_bibtex"]

_TYPES = {
    "article": "article",
    "inproceedings": "inproceedings",
    "conference": "inproceedings",
    "proceedings": "inproceedings",
    "misc": "misc",
    "online": "misc",
    "electronic": "misc",
    "preprint": "misc",
    "unpublished": "misc",
    "techreport": "techreport",
    "report": "techreport",
    "book": "book",
    "incollection": "incollection",
    "inbook": "incollection",
    "phdthesis": "phdthesis",
    "mastersthesis": "mastersthesis",
    "thesis": "phdthesis",
}
# Fields that become catalog fields (the rest is kept in `extra`).
_MAPPED = {
    "title",
    "author",
    "year",
    "date",
    "booktitle",
    "journal",
    "journaltitle",
    "howpublished",
    "eprint",
    "archiveprefix",
    "eprinttype",
    "doi",
    "url",
    "abstract",
    "code",
    "eprintclass",
}
# Fields kept verbatim: decoding would turn "1--10" into an en dash.
_RAW = {"pages", "url", "doi", "eprint", "isbn", "issn"}
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv[:\s]*|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE
)


@dataclass
class Draft:
    """A catalog entry built from one BibTeX entry, not yet validated against the catalog.

    Entry types the catalog does not use (``@online``, ``@unpublished``, ...) become ``misc``.
    """

    data: dict[str, Any]
    line: int
    source_key: str


@dataclass
class ParseResult:
    """Drafts in file order, and the blocks that could not be parsed (line, message)."""

    drafts: list[Draft]
    failed: list[tuple[int, str]]


@functools.cache
def _decoder() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    # The text-mode macros our exporter writes for characters that are special to TeX/BibTeX.
    context.add_context_category(
        "effllm-specials",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", simplify_repl="{"),
            MacroTextSpec("textbraceright", simplify_repl="}"),
            MacroTextSpec("textbackslash", simplify_repl="\\"),
            MacroTextSpec("textasciitilde", simplify_repl="~"),
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("url", simplify_repl="%s"),
        ],
    )
    return LatexNodes2Text(
        latex_context=context,
        math_mode="verbatim",
        keep_braced_groups=False,
        strict_latex_spaces=True,
    )


def decode(text: str) -> str:
    """LaTeX to Unicode text (pylatexenc), whitespace collapsed."""
    try:
        result = str(_decoder().latex_to_text(text))
    except Exception:  # noqa: BLE001  # pylatexenc raises assorted errors on malformed input
        result = text
    return " ".join(result.split())


def _name(parts: Any) -> str:
    family = " ".join([*parts.von, *parts.last])
    given = " ".join(parts.first)
    if parts.jr:
        given = f"{given}, {' '.join(parts.jr)}" if given else " ".join(parts.jr)
    family, given = decode(family), decode(given)
    return f"{family}, {given}" if given else family


def entry_to_draft(entry: Entry) -> Draft:
    """Map one parsed BibTeX entry onto the catalog's fields."""
    fields = {f.key.lower(): f.value for f in entry.fields}
    text = {k: (v if k in _RAW or not isinstance(v, str) else decode(v)) for k, v in fields.items()}
    data: dict[str, Any] = {"type": _TYPES.get(entry.entry_type.lower(), "misc")}
    if "title" in text:
        data["title"] = text["title"]
    authors = fields.get("author")
    if isinstance(authors, list):
        data["authors"] = [_name(p) for p in authors]
    year = str(text.get("year") or text.get("date") or "")
    match = re.match(r"\s*(\d{4})", year)
    if match:
        data["year"] = int(match.group(1))
    elif year:
        data["year"] = year  # invalid: validation reports it with the field name
    venue = text.get("booktitle") or text.get("journal") or text.get("journaltitle")
    arxiv = None
    prefix = str(text.get("archiveprefix") or text.get("eprinttype") or "").lower()
    if text.get("eprint") and (prefix == "arxiv" or not prefix):
        arxiv = re.sub(r"^arxiv:", "", str(text["eprint"]).strip(), flags=re.IGNORECASE)
    for candidate in (venue, text.get("howpublished"), text.get("note"), text.get("url")):
        if arxiv is None and isinstance(candidate, str):
            found = _ARXIV_IN_TEXT.search(candidate)
            if found:
                arxiv = found.group(1)
    if (venue and _ARXIV_IN_TEXT.search(venue)) or (venue or "").lower().startswith("arxiv"):
        venue = "arXiv"
    if (
        not venue
        and text.get("howpublished")
        and not _ARXIV_IN_TEXT.search(str(text["howpublished"]))
    ):
        venue = text["howpublished"]
    if not venue and arxiv:
        venue = "arXiv"
    if venue:
        data["venue"] = venue
    if arxiv:
        data["arxiv"] = arxiv
    if text.get("doi"):
        data["doi"] = re.sub(
            r"^(https?://(dx\.)?doi\.org/|doi:)", "", str(text["doi"]).strip(), flags=re.IGNORECASE
        )
    if text.get("url"):
        data["url"] = str(text["url"]).strip()
    elif arxiv:
        data["url"] = f"https://arxiv.org/abs/{arxiv}"
    if text.get("code"):
        data["code"] = str(text["code"]).strip()
    if text.get("abstract"):
        data["abstract"] = text["abstract"]
    extra = {
        k: str(v)
        for k, v in text.items()
        if k not in _MAPPED and not (k == "note" and _is_arxiv_note(v))
    }
    if extra:
        data["extra"] = extra
    return Draft(data, (entry.start_line or 0) + 1, entry.key)


def _is_arxiv_note(value: Any) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\s*arxiv:\s*\S+\s*", value, re.I))


def _first_line(error: object) -> str:
    lines = [ln for ln in str(error or "").splitlines() if ln.strip()]
    return lines[0] if lines else "could not be parsed"


def parse_bibtex(text: str) -> ParseResult:
    """Parse BibTeX text; broken blocks are returned with their line, never raised."""
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures come back as data
    library = parse_string(
        text,
        append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()],
    )
    drafts = [entry_to_draft(e) for e in library.entries]
    failed = [
        ((b.start_line or 0) + 1, _first_line(getattr(b, "error", None)))
        for b in library.failed_blocks
    ]
    return ParseResult(drafts, failed)
