"""The only module that touches the network: the arXiv API and Crossref, for ``add --fetch``.

Standard library only (``urllib`` and ``xml.etree``): two GET requests need no HTTP client
dependency. ElementTree never fetches external entities, and expat 2.4 and later (what supported
Pythons ship or link) caps entity expansion, so a hostile answer cannot blow up.
Nothing here runs unless the user passes ``--fetch``; every failure (no network, a timeout, an
unknown id, an unexpected answer) becomes a :class:`FetchError` with a hint, and the caller writes
nothing.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .errors import CatalogError

__all__ = [
    "ARXIV_API",
    "CROSSREF_API",
    "FetchError",
    "Record",
    "fetch_arxiv",
    "fetch_doi",
    "parse_arxiv_atom",
    "parse_crossref",
]

ARXIV_API = "https://export.arxiv.org/api/query?id_list={id}&max_results=1"
CROSSREF_API = "https://api.crossref.org/works/{doi}"
TIMEOUT = 20.0
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


class FetchError(CatalogError):
    """A record could not be fetched or read; nothing was written."""


@dataclass
class Record:
    """Catalog fields read from a public record, the record's URL, and the abstract to read."""

    fields: dict[str, Any]
    source: str
    abstract: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _get(url: str, accept: str) -> bytes:
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"effllm-catalog/{__version__} (add --fetch)",
            "Accept": accept,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body: bytes = response.read(5_000_000)
            return body
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise FetchError(
                f"no record at {url} (HTTP 404)",
                hint="check the id; nothing was written",
                check="fetch",
            ) from None
        raise FetchError(
            f"{url} answered HTTP {exc.code}",
            hint="try again later, or add the entry without --fetch; nothing was written",
            check="fetch",
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"cannot reach {urllib.parse.urlsplit(url).netloc}: {reason}",
            hint="--fetch needs a network connection; without one, give --title, --author and"
            " --year yourself. Nothing was written.",
            check="fetch",
        ) from None


#: How requests are made; tests replace it with a reader of recorded responses.
opener: Callable[[str, str], bytes] = _get


def _text(element: ET.Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _person(name: str) -> str:
    from .models import Person

    return str(Person.parse(name))


def parse_arxiv_atom(data: bytes, arxiv_id: str) -> Record:
    """Read one entry of an arXiv API (Atom) answer."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FetchError(
            f"the arXiv API answer is not valid Atom: {exc}", hint="try again later", check="fetch"
        ) from None
    entry = root.find(f"{_ATOM}entry")
    title = _text(entry.find(f"{_ATOM}title")) if entry is not None else ""
    if entry is None or not title or title == "Error":
        raise FetchError(
            f"arXiv has no paper {arxiv_id}",
            hint="check the id on https://arxiv.org; nothing was written",
            check="fetch",
        )
    authors = [_person(_text(a.find(f"{_ATOM}name"))) for a in entry.findall(f"{_ATOM}author")]
    published = _text(entry.find(f"{_ATOM}published"))
    fields: dict[str, Any] = {
        "title": title,
        "authors": [a for a in authors if a],
        "year": int(published[:4]) if re.match(r"^\d{4}", published) else None,
        "arxiv": arxiv_id,
        "url": f"https://arxiv.org/abs/{arxiv_id}",
    }
    extra = {}
    comment = _text(entry.find(f"{_ARXIV}comment"))
    if comment:
        extra["comment"] = comment  # often names the venue ("Accepted at ICLR 2024")
    journal = _text(entry.find(f"{_ARXIV}journal_ref"))
    if journal:
        extra["journal_ref"] = journal
    return Record(
        fields,
        f"https://arxiv.org/abs/{arxiv_id}",
        _text(entry.find(f"{_ATOM}summary")) or None,
        extra,
    )


def parse_crossref(data: bytes, doi: str) -> Record:
    """Read a Crossref ``/works/{doi}`` answer (JSON)."""
    try:
        message = json.loads(data)["message"]
    except (ValueError, KeyError, TypeError):
        raise FetchError(
            "the Crossref answer is not the expected JSON", hint="try again later", check="fetch"
        ) from None
    authors = []
    for person in message.get("author") or []:
        family, given = person.get("family"), person.get("given")
        if family:
            authors.append(f"{family}, {given}" if given else family)
        elif person.get("name"):
            authors.append(person["name"])
    year = None
    for name in ("published-print", "published-online", "published", "issued"):
        parts = (message.get(name) or {}).get("date-parts") or [[None]]
        if parts[0] and parts[0][0]:
            year = int(parts[0][0])
            break
    titles = message.get("title") or []
    containers = message.get("container-title") or []
    kind = message.get("type", "")
    fields: dict[str, Any] = {
        "title": " ".join(str(titles[0]).split()) if titles else None,
        "authors": authors,
        "year": year,
        "doi": doi,
        "url": f"https://doi.org/{doi}",
        "venue": str(containers[0]) if containers else None,
        "type": {"proceedings-article": "inproceedings", "journal-article": "article"}.get(kind),
    }
    abstract = message.get("abstract")
    if isinstance(abstract, str):
        abstract = " ".join(re.sub(r"<[^>]+>", " ", abstract).split())  # JATS markup
    return Record(fields, f"https://doi.org/{doi}", abstract or None)


def fetch_arxiv(arxiv_id: str) -> Record:
    """Title, authors, year and abstract of an arXiv paper from the arXiv API."""
    url = ARXIV_API.format(id=urllib.parse.quote(arxiv_id, safe=""))
    return parse_arxiv_atom(opener(url, "application/atom+xml"), arxiv_id)


def fetch_doi(doi: str) -> Record:
    """Title, authors, year, venue and type of a DOI from Crossref."""
    url = CROSSREF_API.format(doi=urllib.parse.quote(doi, safe="/"))
    return parse_crossref(opener(url, "application/json"), doi)
