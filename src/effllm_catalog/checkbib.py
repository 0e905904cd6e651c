"""Check a .bib file against verified published records, offline, and fix it in place.

For each entry the paper is looked up, in this order, by arXiv id, by DOI, then by normalised title
confirmed by a first author and a year window, in the bundled index (``bibindex.tsv.xz``, built by
``scripts/build_bibindex.py``): the catalog's entries verified against published records, plus the
accepted-paper lists of ML Anthology, the ACL Anthology and DBLP. Only verified published records
carry a venue; a catalog entry whose venue is unconfirmed counts as a preprint, so its claimed
venue is never offered as an upgrade.

A fix edits the original text by spans: only the changed fields (and the entry type of an upgraded
preprint) are rewritten, so keys, field order, comments, macros and every untouched entry stay
byte for byte. A file with a block that cannot be parsed is reported and never written.
"""

from __future__ import annotations

import difflib
import functools
import json
import lzma
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LoadError, UsageError
from .findings import Issue, Report

__all__ = [
    "INDEX_PATH",
    "INDEX_VERSION",
    "BibIndex",
    "CheckBibResult",
    "Record",
    "check_bib",
    "check_bib_text",
    "load_index",
]

INDEX_PATH = Path(__file__).with_name("bibindex.tsv.xz")
INDEX_VERSION = 1

#: The name written into ``booktitle``/``journal`` for a venue's short name.
VENUE_NAMES: dict[str, str] = {
    "NeurIPS": "Advances in Neural Information Processing Systems",
    "ICML": "International Conference on Machine Learning",
    "ICLR": "International Conference on Learning Representations",
    "TMLR": "Transactions on Machine Learning Research",
    "JMLR": "Journal of Machine Learning Research",
    "DMLR": "Journal of Data-centric Machine Learning Research",
    "AISTATS": "International Conference on Artificial Intelligence and Statistics",
    "COLT": "Conference on Learning Theory",
    "UAI": "Conference on Uncertainty in Artificial Intelligence",
    "CVPR": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
    "ICCV": "IEEE/CVF International Conference on Computer Vision",
    "ECCV": "European Conference on Computer Vision",
    "WACV": "IEEE/CVF Winter Conference on Applications of Computer Vision",
    "CoRL": "Conference on Robot Learning",
    "ACL": "Annual Meeting of the Association for Computational Linguistics",
    "EMNLP": "Conference on Empirical Methods in Natural Language Processing",
    "NAACL": "Conference of the North American Chapter of the Association for Computational"
    " Linguistics",
    "EACL": "Conference of the European Chapter of the Association for Computational Linguistics",
    "AACL": "Conference of the Asia-Pacific Chapter of the Association for Computational"
    " Linguistics",
    "COLING": "International Conference on Computational Linguistics",
    "CoNLL": "Conference on Computational Natural Language Learning",
    "TACL": "Transactions of the Association for Computational Linguistics",
    "Findings of ACL": "Findings of the Association for Computational Linguistics: ACL",
    "Findings of EMNLP": "Findings of the Association for Computational Linguistics: EMNLP",
    "Findings of NAACL": "Findings of the Association for Computational Linguistics: NAACL",
    "Findings of EACL": "Findings of the Association for Computational Linguistics: EACL",
    "Findings of AACL": "Findings of the Association for Computational Linguistics: AACL",
    "COLM": "Conference on Language Modeling",
    "AAAI": "AAAI Conference on Artificial Intelligence",
    "IJCAI": "International Joint Conference on Artificial Intelligence",
    "KDD": "ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
    "SIGIR": "International ACM SIGIR Conference on Research and Development in Information"
    " Retrieval",
    "WWW": "The ACM Web Conference",
    "MLSys": "Proceedings of Machine Learning and Systems",
    "OSDI": "USENIX Symposium on Operating Systems Design and Implementation",
    "SOSP": "ACM Symposium on Operating Systems Principles",
    "ATC": "USENIX Annual Technical Conference",
    "NSDI": "USENIX Symposium on Networked Systems Design and Implementation",
    "EuroSys": "European Conference on Computer Systems",
    "ASPLOS": "ACM International Conference on Architectural Support for Programming Languages"
    " and Operating Systems",
    "ISCA": "International Symposium on Computer Architecture",
    "MICRO": "IEEE/ACM International Symposium on Microarchitecture",
    "HPCA": "IEEE International Symposium on High-Performance Computer Architecture",
    "SC": "International Conference for High Performance Computing, Networking, Storage and"
    " Analysis",
    "PPoPP": "ACM SIGPLAN Symposium on Principles and Practice of Parallel Programming",
    "DAC": "ACM/IEEE Design Automation Conference",
    "VLDB": "Proceedings of the VLDB Endowment",
    "SIGMOD": "International Conference on Management of Data",
}

_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ARXIV_HINT = re.compile(r"arxiv|corr\b|eprint", re.IGNORECASE)
_PREPRINT_VENUE = re.compile(
    r"^\s*$|arxiv|\bcorr\b|preprint|openreview|biorxiv|medrxiv|ssrn|techrxiv|submitted|under review",
    re.IGNORECASE,
)
_YEAR_WINDOW = (-1, 3)  # record year - entry year: a preprint is cited before it appears
_FUZZY_CUTOFF = 93.0


def norm_title(text: str) -> str:
    """Lower-case ASCII letters and digits only: the form titles are compared in."""
    if not text.isascii():  # most titles are ASCII: skip the slow Unicode pass for them
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", text.lower())


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _family(name: str) -> str:
    """The last word of a family name, reduced: 'de Jong' and 'Jong' compare equal, and so do
    'de G. Matthews' (a middle name read as a particle) and 'Matthews'."""
    name = " ".join(name.split())
    family = name.partition(",")[0] if "," in name else name
    words = family.split()
    return re.sub(r"\d+", "", norm_title(words[-1] if words else ""))


# --------------------------------------------------------------------------- the index


@dataclass(slots=True)  # not frozen: a frozen __init__ doubles the index's load time
class Record:
    """One bibliographic record of the index; ``venue`` is empty for a known preprint."""

    source: str
    venue: str
    year: int
    type: str
    title: str
    authors: tuple[str, ...]
    arxiv: str
    doi: str
    url: str

    @property
    def published(self) -> bool:
        """True when the record is a verified published version (it has a venue)."""
        return bool(self.venue)

    @property
    def workshop(self) -> bool:
        """True for a workshop paper (a main-track version wins over it)."""
        return "workshop" in self.venue.lower()

    def cite(self) -> str:
        """Where the record comes from, for the report: source plus its page or id."""
        where = self.url or (f"https://doi.org/{self.doi}" if self.doi else "")
        if not where and self.arxiv:
            where = f"arXiv:{self.arxiv}"
        return f"{self.source} {where}".strip()

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return {
            "source": self.source,
            "venue": self.venue or None,
            "year": self.year,
            "type": self.type,
            "title": self.title,
            "authors": list(self.authors),
            "arxiv": self.arxiv or None,
            "doi": self.doi or None,
            "url": self.url or None,
        }


@dataclass
class BibIndex:
    """The records with their look-up tables (arXiv id, DOI, normalised title)."""

    meta: dict[str, Any]
    records: list[Record]
    by_arxiv: dict[str, list[int]] = field(default_factory=dict)
    by_doi: dict[str, list[int]] = field(default_factory=dict)
    by_title: dict[str, list[int]] = field(default_factory=dict)
    _titles: list[str] | None = None
    _names: dict[str, list[int]] | None = None

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> BibIndex:
        """Build from the index text: a JSON header line, then one tab-separated record a line."""
        it = iter(lines)
        meta = json.loads(next(it))
        records: list[Record] = []
        for line in it:
            if not line:
                continue
            src, venue, year, etype, title, authors, arxiv, doi, url = line.split("\t")
            records.append(
                Record(
                    src,
                    venue,
                    int(year),
                    etype,
                    title,
                    tuple(authors.split(" and ")) if authors else (),
                    arxiv,
                    doi.lower(),
                    url,
                )
            )
        index = cls(meta, records)
        for i, r in enumerate(records):
            if r.arxiv:
                index.by_arxiv.setdefault(r.arxiv, []).append(i)
            if r.doi:
                index.by_doi.setdefault(r.doi, []).append(i)
            index.by_title.setdefault(norm_title(r.title), []).append(i)
        return index

    def names(self) -> dict[str, list[int]]:
        """Records by the short name their title opens with (built on first use)."""
        if self._names is None:
            self._names = {}
            for i, r in enumerate(self.records):
                name = _name_of(r.title)
                if name:
                    self._names.setdefault(name, []).append(i)
        return self._names

    def titles(self) -> list[str]:
        """The distinct normalised titles, for fuzzy look-up (built on first use)."""
        if self._titles is None:
            self._titles = list(self.by_title)
        return self._titles


@functools.cache
def load_index(path: Path = INDEX_PATH) -> BibIndex:
    """Read the bundled index (once per process); a missing or damaged file is a located error."""
    try:
        text = lzma.decompress(path.read_bytes()).decode("utf-8")
        index = BibIndex.from_lines(text.split("\n"))
    except (OSError, lzma.LZMAError, ValueError, StopIteration) as exc:
        raise LoadError(
            f"the check-bib index cannot be read: {exc}",
            file=str(path),
            hint="reinstall effllm-catalog, or rebuild it with scripts/build_bibindex.py",
            check="index",
        ) from None
    if index.meta.get("version") != INDEX_VERSION:
        raise LoadError(
            f"the check-bib index has version {index.meta.get('version')}, expected {INDEX_VERSION}",
            file=str(path),
            hint="rebuild it with scripts/build_bibindex.py",
            check="index",
        )
    return index


def sources(index: BibIndex | None = None) -> dict[str, Any]:
    """The index's sources, commits, licences and coverage (``check-bib --sources``)."""
    index = index or load_index()
    return {"records": len(index.records), **index.meta}


# --------------------------------------------------------------------------- the .bib text


@dataclass(frozen=True, slots=True)
class FieldSpan:
    """Where one field sits in the file: the whole ``name = value`` and the value alone."""

    name: str
    start: int
    value_start: int
    end: int


@dataclass
class BibEntry:
    """One entry of the user's file: its parsed fields and where its parts are in the text."""

    key: str
    entry_type: str
    line: int
    start: int
    end: int
    type_span: tuple[int, int]
    fields: dict[str, FieldSpan]
    data: dict[str, Any]


def _skip_value(text: str, i: int, end: int) -> int:
    """Index just after one BibTeX value (``{..}``, ``".."`` or a bare word, joined by ``#``)."""
    while True:
        while i < end and text[i].isspace():
            i += 1
        if i < end and text[i] == "{":
            depth = 0
            while i < end:
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
        elif i < end and text[i] == '"':
            i += 1
            depth = 0
            while i < end and not (text[i] == '"' and depth == 0):
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                i += 1
            i += 1
        else:
            while i < end and not text[i].isspace() and text[i] not in ",#}":
                i += 1
        j = i
        while j < end and text[j].isspace():
            j += 1
        if j < end and text[j] == "#":
            i = j + 1
            continue
        return i


def field_spans(text: str, start: int, end: int) -> dict[str, FieldSpan]:
    """Spans of the fields of the entry at ``text[start:end]`` (which begins with ``@type{key,``)."""
    spans: dict[str, FieldSpan] = {}
    i = text.find(",", start, end)
    if i < 0:
        return spans
    name_re = re.compile(r"\s*,?\s*([A-Za-z_][\w\-:.+]*)\s*=\s*")
    i += 1
    while i < end:
        m = name_re.match(text, i, end)
        if not m:
            break
        name = m.group(1).lower()
        value_start = m.end()
        value_end = _skip_value(text, value_start, end)
        spans.setdefault(name, FieldSpan(name, m.start(1), value_start, value_end))
        i = value_end
    return spans


def decode_bib(data: bytes, file: str) -> str:
    """UTF-8 text of a .bib (BOM kept by the caller); a bad byte is a located error."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise LoadError(
            "this file is UTF-16, not UTF-8",
            file=file,
            line=1,
            col=1,
            hint="save it as UTF-8 (e.g. `iconv -f utf-16 -t utf-8`), then run check-bib again",
            check="encoding",
        )
    from .store import decode_utf8

    return decode_utf8(
        data,
        file,
        hint="save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), then run check-bib again",
    )


def parse_entries(text: str) -> tuple[list[BibEntry], list[tuple[int, str]]]:
    """The entries of a .bib with their spans, and the blocks that failed to parse (line, why)."""
    import logging

    from bibtexparser import middlewares
    from bibtexparser.entrypoint import parse_string

    from .importers.bibtex import _first_line, entry_to_draft

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = parse_string(
        text,
        append_middleware=[
            middlewares.NormalizeFieldKeys(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    line_starts = [0]
    line_starts += [nl.end() for nl in re.finditer("\n", text)]
    entries: list[BibEntry] = []
    for e in library.entries:
        line0 = e.start_line or 0
        start = text.find("@", line_starts[min(line0, len(line_starts) - 1)])
        raw = e.raw or ""
        found = text.find(raw, start) if raw else -1
        if found >= 0:
            start = found
        end = start + len(raw)
        head = re.match(r"@\s*([A-Za-z]+)", text[start:end])
        type_span = (start + head.start(1), start + head.end(1)) if head else (start + 1, start + 1)
        draft = entry_to_draft(e)
        entries.append(
            BibEntry(
                e.key,
                e.entry_type.lower(),
                draft.line,
                start,
                end,
                type_span,
                field_spans(text, start, end),
                {
                    **draft.data,
                    "_fields": {f.key.lower(): f.value for f in e.fields},
                },
            )
        )
    failed = [
        (
            (b.start_line or 0) + 1,
            f"duplicate-key:{getattr(b, 'key', '?')}"
            if type(b).__name__ == "DuplicateBlockKeyBlock"
            else _first_line(getattr(b, "error", None)),
        )
        for b in library.failed_blocks
    ]
    _resolve_crossrefs(entries)
    return entries, failed


def _resolve_crossref_value(value: Any) -> str:
    return str(value).strip().strip("{}").strip()


def _resolve_crossrefs(entries: list[BibEntry]) -> None:
    """An entry's missing venue and year come from the entry its ``crossref`` names."""
    by_key = {e.key.lower(): e for e in entries}
    for e in entries:
        ref = e.data["_fields"].get("crossref")
        parent = by_key.get(_resolve_crossref_value(ref).lower()) if ref else None
        if parent is None or parent is e:
            continue
        e.data["_crossref"] = parent.key
        for name in ("venue", "year"):
            if name not in e.data and name in parent.data:
                e.data[name] = parent.data[name]
        pf = parent.data["_fields"]
        for name in ("booktitle", "journal"):
            if name in pf and name not in e.data["_fields"]:
                e.data["_fields"][name] = pf[name]


# --------------------------------------------------------------------------- matching


def _plain(value: Any) -> str:
    """A raw field value without TeX grouping braces and backslashes (``Ar{X}iv`` -> ``ArXiv``)."""
    return re.sub(r"[{}\\]", "", value) if isinstance(value, str) else ""


def _arxiv_of(entry: BibEntry) -> str | None:
    if entry.data.get("arxiv"):
        m = _ARXIV_NEW.search(str(entry.data["arxiv"]))
        if m:
            return m.group(1)
    fields = entry.data["_fields"]
    for name in ("journal", "booktitle", "volume", "howpublished", "note", "url", "eprint", "doi"):
        value = _plain(fields.get(name))
        # DBLP cites arXiv as journal = {CoRR}, volume = {abs/2106.09685}.
        dblp = name == "volume" and value.startswith("abs/")
        if value and (_ARXIV_HINT.search(value) or name == "eprint" or dblp):
            m = _ARXIV_NEW.search(value)
            if m:
                return m.group(1)
    doi = str(fields.get("doi") or "")
    found = re.search(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})", doi, re.IGNORECASE)
    return found.group(1) if found else None


def is_preprint(entry: BibEntry) -> bool:
    """True when the entry cites a preprint (arXiv, CoRR, OpenReview submission, no venue)."""
    fields = entry.data["_fields"]
    venue = " ".join(_plain(fields.get(n)) for n in ("journal", "booktitle", "journaltitle"))
    if venue.strip():
        return bool(_PREPRINT_VENUE.search(venue))
    if _plain(fields.get("publisher")).strip():
        return bool(_PREPRINT_VENUE.search(_plain(fields["publisher"])))
    return entry.entry_type not in _NOT_PAPERS


_NOT_PAPERS = ("book", "phdthesis", "mastersthesis", "techreport", "incollection", "manual")


def _authors_agree(mine: list[str], theirs: Iterable[str]) -> bool:
    a = [_family(x) for x in mine if x.strip().lower() not in ("others", "et al.")]
    b = [_family(x) for x in theirs]
    if not a or not b:
        return False
    return a[0] in b[:3] or b[0] in a[:3]


def _year_agrees(entry_year: Any, record: Record) -> bool:
    if not isinstance(entry_year, int):
        return True
    low, high = _YEAR_WINDOW
    return low <= record.year - entry_year <= high


def _best(index: BibIndex, ids: Iterable[int]) -> Record | None:
    """The preferred record: a published main track over a workshop over a preprint; catalog first."""
    records = [index.records[i] for i in ids]
    if not records:
        return None
    return min(
        records,
        key=lambda r: (not r.published, r.workshop, r.source != "catalog", r.year),
    )


@dataclass
class Match:
    """The record found for an entry, how, and (for an id match) the catalog's preprint record."""

    record: Record
    how: str


def find(index: BibIndex, entry: BibEntry) -> tuple[Match | None, str | None]:
    """The best record for an entry and, when an id points to another paper, why it was refused."""
    title = norm_title(str(entry.data.get("title") or ""))
    authors = [str(a) for a in entry.data.get("authors") or []]
    year = entry.data.get("year")
    refused = None
    by_id: Match | None = None
    arxiv = _arxiv_of(entry)
    doi = str(entry.data.get("doi") or "").lower()
    for how, ids in (
        ("arXiv id", index.by_arxiv.get(arxiv or "", [])),
        ("DOI", index.by_doi.get(doi, []) if doi else []),
    ):
        record = _best(index, ids)
        if record is None:
            continue
        from rapidfuzz import fuzz

        if (
            title
            and fuzz.token_set_ratio(title, norm_title(record.title)) < 60
            and (not authors or not _authors_agree(authors, record.authors))
        ):
            refused = f"its {how} belongs to '{record.title}' ({record.cite()})"
            continue
        by_id = Match(record, how)
        break
    if by_id is not None and by_id.record.published and not by_id.record.workshop:
        return by_id, refused
    # By title: exact, then fuzzy; always confirmed by author and year.
    raw_title = str(entry.data.get("title") or "")
    candidates, how = _by_title(index, raw_title, authors, year)
    if by_id is not None:
        candidates = [i for i in candidates if index.records[i].published]
        better = _best(index, candidates)
        if better is not None and not better.workshop and not by_id.record.published:
            return Match(better, how), refused
        return by_id, refused
    record = _best(index, candidates)
    if record is None:
        return None, refused
    return Match(record, how), refused


def _name_of(title: str) -> str:
    """The short name a title opens with ('Medusa' of 'Medusa: Simple ...'), reduced; or ''."""
    head, colon, _ = title.partition(":")
    if not colon or len(head.split()) > 4:
        return ""
    name = norm_title(head)
    return name if len(name) >= 3 else ""


def _same_team(mine: list[str], theirs: Iterable[str]) -> bool:
    """The same first author and most of the same authors (at least two in common)."""
    a = [_family(x) for x in mine if x.strip().lower() not in ("others", "et al.")]
    b = [_family(x) for x in theirs]
    if not a or not b or a[0] != b[0]:
        return False
    common = len(set(a) & set(b))
    return common >= 2 and common >= 0.6 * min(len(set(a)), len(set(b)))


def _by_title(index: BibIndex, title: str, authors: list[str], year: Any) -> tuple[list[int], str]:
    """Records for a title, and how they were confirmed.

    Tier 1: the same title (exact, or similarity >= 93) and the first author among the record's
    first three. Tier 2, for titles renamed on publication: a similar title (>= 80) or the same
    opening name ('Palu: ...'), and the same first author with most co-authors in common. Both
    tiers need the year window.
    """
    from rapidfuzz import fuzz, process

    norm = norm_title(title)
    if len(norm) < 12 or not authors:
        return [], ""
    records = index.records

    def keep(ids: Iterable[int], agree: Any) -> list[int]:
        return [
            i for i in ids if agree(authors, records[i].authors) and _year_agrees(year, records[i])
        ]

    found = keep(index.by_title.get(norm, []), _authors_agree)
    if found:
        return found, "title, first author and year"
    near = process.extract(norm, index.titles(), scorer=fuzz.ratio, score_cutoff=80.0, limit=10)
    for choice, score, _ in near:
        if score >= _FUZZY_CUTOFF:
            found += keep(index.by_title[choice], _authors_agree)
    if found:
        return found, "title, first author and year"
    for choice, _score, _ in near:
        found += keep(index.by_title[choice], _same_team)
    name = _name_of(title)
    if name:
        found += keep(index.names().get(name, []), _same_team)
    return found, "renamed title, author list and year"


# --------------------------------------------------------------------------- findings and fixes


@dataclass
class Change:
    """One edit of the file: a span and its new text, why, and which record it comes from."""

    key: str
    line: int
    field: str
    start: int
    end: int
    new: str
    old: str
    source: str


@dataclass
class CheckBibResult:
    """Findings, the edits a fix would make, and the fixed text."""

    file: str
    report: Report
    changes: list[Change]
    text: str
    fixed: str
    matched: int = 0
    preprints: int = 0
    upgrades: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    #: After a fix: the findings the fix could not settle (duplicates, ...).
    remaining: list[Issue] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when the file is (after a fix: now) up to date, 1 when anything is out of date."""
        if self.written:
            return 1 if self.remaining else 0
        return self.report.exit_code

    def diff(self) -> str:
        """The fix as a unified diff of the file."""
        return "".join(
            difflib.unified_diff(
                self.text.splitlines(keepends=True),
                self.fixed.splitlines(keepends=True),
                fromfile=self.file,
                tofile=f"{self.file} (fixed)",
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the report, the upgrades found and the edits a fix makes."""
        return {
            **self.report.to_dict(),
            "matched": self.matched,
            "preprints": self.preprints,
            "upgrades": self.upgrades,
            "changes": [
                {
                    "key": c.key,
                    "line": c.line,
                    "field": c.field,
                    "old": c.old,
                    "new": c.new,
                    "source": c.source,
                }
                for c in self.changes
            ],
            "written": self.written,
            "remaining": [i.to_dict() for i in self.remaining],
        }


def _wrap_like(old: str, new: str) -> str:
    """``new`` in the delimiters ``old`` used ({..}, {{..}} or "..")."""
    old = old.strip()
    if old.isdigit() and new.isdigit():  # year = 2019 stays bare
        return new
    if old.startswith("{{") and old.endswith("}}"):
        return "{{" + new + "}}"
    if old.startswith('"'):
        return '"' + new + '"'
    return "{" + new + "}"


def _authors_differ(mine: list[str], record: Record) -> bool:
    a = [_family(x) for x in mine]
    b = [_family(x) for x in record.authors]
    if a and a[-1] == "others":
        return a[:-1] != b[: len(a) - 1]
    return a != b


def _value(text: str, span: FieldSpan) -> str:
    return text[span.value_start : span.end]


def _edits_for(
    text: str, entry: BibEntry, record: Record, upgrade: bool, retitle: bool, reauthor: bool
) -> list[Change]:
    from .export.bibtex import format_authors
    from .export.latex import escape, protect_title

    changes: list[Change] = []
    source = record.cite()

    def put(name: str, value: str, *, replace: FieldSpan | None = None) -> None:
        span = replace or entry.fields.get(name)
        if span is not None:
            old = text[span.start : span.end]
            new = text[span.start : span.value_start]
            if replace is not None:
                new = _case_like(new, name)
            changes.append(
                Change(
                    entry.key,
                    entry.line,
                    name,
                    span.start,
                    span.end,
                    new + _wrap_like(_value(text, span), value),
                    old,
                    source,
                )
            )
            return
        # A new field goes after the last field, in the entry's own layout.
        last = max(entry.fields.values(), key=lambda s: s.end, default=None)
        if last is None:
            return
        line_start = text.rfind("\n", 0, last.start) + 1
        indent = text[line_start : last.start]
        indent = indent if not indent.strip() else "  "
        eq = text[last.start : last.value_start]
        pad = eq[len(last.name) :]
        sep = pad if "=" in pad else " = "
        newline = "\r\n" if "\r\n" in text[entry.start : entry.end] else "\n"
        new_text = f",{newline}{indent}{name}{sep}{{{value}}}"
        changes.append(
            Change(entry.key, entry.line, name, last.end, last.end, new_text, "", source)
        )

    if upgrade:
        kind = "article" if record.type == "article" else "inproceedings"
        venue_field = "journal" if kind == "article" else "booktitle"
        venue = escape(VENUE_NAMES.get(record.venue, record.venue))
        if entry.entry_type != kind:
            s, e = entry.type_span
            old = text[s:e]
            new = (
                kind.upper() if old.isupper() else kind.capitalize() if old[:1].isupper() else kind
            )
            changes.append(Change(entry.key, entry.line, "type", s, e, new, old, source))
        other = "booktitle" if venue_field == "journal" else "journal"
        if venue_field in entry.fields:
            put(venue_field, venue)
        elif other in entry.fields:
            put(venue_field, venue, replace=entry.fields[other])
        elif "howpublished" in entry.fields and re.search(
            r"arxiv|preprint", _value(text, entry.fields["howpublished"]), re.IGNORECASE
        ):
            put(venue_field, venue, replace=entry.fields["howpublished"])
        else:
            put(venue_field, venue)
        if "year" in entry.fields:
            if str(entry.data.get("year")) != str(record.year):
                put("year", str(record.year))
        else:
            put("year", str(record.year))
    if retitle:
        span = entry.fields.get("title")
        whole = span is not None and _value(text, span).strip().startswith("{{")
        # A title already braced whole needs no word-level protection inside.
        put("title", escape(record.title) if whole else protect_title(record.title))
    if reauthor:
        put("author", format_authors(list(record.authors)))
    return changes


def _case_like(original: str, name: str) -> str:
    """``name = `` in the letter case of the field name it replaces (``Journal`` -> ``Booktitle``),
    with the ``=`` kept in its column when the padding allows (aligned DBLP-style entries)."""
    m = re.match(r"(\s*)([^\s=]+)(\s*)=(.*)$", original, re.S)
    if not m:
        return original
    lead, word, pad, rest = m.groups()
    if word.isupper():
        name = name.upper()
    elif word[:1].isupper():
        name = name.capitalize()
    if len(pad) > 1:
        pad = " " * max(1, len(word) + len(pad) - len(name))
    return f"{lead}{name}{pad}={rest}"


def apply_changes(text: str, changes: list[Change]) -> str:
    """The text with every change applied (later spans first, so offsets stay valid)."""
    out = text
    for c in sorted(changes, key=lambda c: (c.start, c.end), reverse=True):
        out = out[: c.start] + c.new + out[c.end :]
    return out


def _duplicate(
    report: Report,
    seen: dict[tuple[str, ...], BibEntry],
    ident: tuple[str, ...],
    entry: BibEntry,
    file: str,
    what: str,
) -> None:
    """Report ``entry`` when an earlier entry is the same paper; else remember it."""
    earlier = seen.setdefault(ident, entry)
    if earlier is entry:
        return
    report.issues.append(
        Issue(
            "duplicate",
            "error",
            file,
            entry.line,
            None,
            entry.key,
            f"the same paper as '{earlier.key}' (line {earlier.line}): '{what}'",
            f"cite one key for it; keys are never merged by --fix (\\cite{{{earlier.key}}})",
        )
    )


def check_bib_text(
    text: str,
    file: str = "<input>",
    index: BibIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckBibResult:
    """Check BibTeX text: every finding, and the changes ``--fix`` would make."""
    index = index or load_index()
    body = text.removeprefix("\ufeff")
    offset = len(text) - len(body)
    entries, failed = parse_entries(body)
    report = Report(files=[file], entries=len(entries))
    for line, why in failed:
        if why.startswith("duplicate-key:"):
            key = why.partition(":")[2]
            report.issues.append(
                Issue(
                    "duplicate-key",
                    "error",
                    file,
                    line,
                    None,
                    key,
                    f"the key '{key}' is used by an earlier entry too; BibTeX keeps only one",
                    "rename one of them (check-bib never changes keys); nothing is written until then",
                )
            )
            continue
        report.issues.append(
            Issue(
                "bib-syntax",
                "error",
                file,
                line,
                None,
                None,
                f"this block is not parsable BibTeX: {why}",
                "fix the braces or the `@type{key,` line; nothing is written while a block is broken",
            )
        )
    if not entries and not failed and body.strip():
        report.issues.append(
            Issue("bib-empty", "warning", file, 1, None, None, "no BibTeX entries found", None)
        )
    changes: list[Change] = []
    result = CheckBibResult(file, report, changes, text, text)
    seen: dict[tuple[str, ...], BibEntry] = {}
    for done, entry in enumerate(entries):
        if progress is not None:
            progress(done, len(entries))
        if entry.entry_type in ("proceedings", "mvproceedings"):
            continue  # a volume that entries crossref, not a paper
        match, refused = find(index, entry)
        if refused:
            report.issues.append(
                Issue(
                    "id-mismatch",
                    "warning",
                    file,
                    entry.line,
                    None,
                    entry.key,
                    f"not matched by id: {refused}",
                    "check the eprint/doi field; the title was used instead",
                )
            )
        if match is None:
            report.issues.append(
                Issue(
                    "unmatched",
                    "warning",
                    file,
                    entry.line,
                    None,
                    entry.key,
                    "no record found (not in the catalog or the bundled accepted-paper lists)",
                    "nothing to check against; `effllm check-bib --sources` lists what is covered",
                )
            )
            # Unmatched entries can still be the same paper twice: same arXiv id, or same title
            # and first author.
            arxiv = _arxiv_of(entry)
            title = norm_title(str(entry.data.get("title") or ""))
            authors = [str(a) for a in entry.data.get("authors") or []]
            if arxiv:
                _duplicate(report, seen, ("arxiv", arxiv), entry, file, f"arXiv {arxiv}")
            elif len(title) >= 12 and authors:
                by_title = ("title", title, _family(authors[0]))
                _duplicate(report, seen, by_title, entry, file, str(entry.data["title"]))
            continue
        result.matched += 1
        record = match.record
        ident: tuple[str, ...] = (
            ("arxiv", record.arxiv)
            if record.arxiv
            else ("record", record.source, record.venue, norm_title(record.title))
        )
        _duplicate(report, seen, ident, entry, file, record.title)
        preprint = is_preprint(entry)
        result.preprints += preprint
        upgrade = preprint and record.published
        if upgrade:
            result.upgrades.append(
                {"key": entry.key, "line": entry.line, "how": match.how, **record.to_dict()}
            )
            report.issues.append(
                Issue(
                    "published-version",
                    "error",
                    file,
                    entry.line,
                    None,
                    entry.key,
                    f"cited as a preprint; published in {record.venue} {record.year}"
                    f" (matched by {match.how}; record: {record.cite()})",
                    "run `effllm check-bib --fix` to cite the published version",
                )
            )
        mine_title = str(entry.data.get("title") or "")
        retitle = bool(mine_title) and norm_title(mine_title) != norm_title(record.title)
        if retitle and (record.published or record.source == "catalog"):
            report.issues.append(
                Issue(
                    "title-differs",
                    "error",
                    file,
                    entry.line,
                    None,
                    entry.key,
                    f"title differs from the record: '{record.title}' ({record.cite()})",
                    "run `effllm check-bib --fix` to take the record's title",
                )
            )
        mine_authors = [str(a) for a in entry.data.get("authors") or []]
        reauthor = (
            bool(mine_authors) and bool(record.authors) and _authors_differ(mine_authors, record)
        )
        if reauthor:
            shown = "; ".join(record.authors[:6]) + ("; ..." if len(record.authors) > 6 else "")
            report.issues.append(
                Issue(
                    "authors-differ",
                    "error",
                    file,
                    entry.line,
                    None,
                    entry.key,
                    f"author list differs from the record ({len(record.authors)} authors: {shown};"
                    f" {record.cite()})",
                    "run `effllm check-bib --fix` to take the record's author list",
                )
            )
        for c in _edits_for(body, entry, record, upgrade, retitle, reauthor):
            changes.append(c)
    if offset:
        for c in changes:
            c.start += offset
            c.end += offset
    result.fixed = apply_changes(text, changes)
    report.sort()
    return result


def read_bib(path: Path, max_bytes: int = 50_000_000) -> str:
    """The text of a .bib file (UTF-8, BOM kept), or a located error."""
    from .errors import CatalogNotFoundError

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(
                f"file is {size:,} bytes, more than the limit of {max_bytes:,}",
                file=str(path),
                hint="split the bibliography, or check that this is a .bib file",
                check="file-too-large",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogNotFoundError(
            f"cannot read file: {exc.strerror or exc}",
            file=str(path),
            hint="check the path and its permissions",
            check="unreadable",
        ) from None
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise LoadError(
            "this is a binary file, not BibTeX",
            file=str(path),
            line=1,
            hint="pass a .bib text file",
            check="encoding",
        )
    return decode_bib(data, str(path))


def check_bib(
    path: Path,
    *,
    fix: bool = False,
    dry_run: bool = False,
    index: BibIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckBibResult:
    """Check a .bib file; with ``fix`` write the corrected file atomically (never on a broken file)."""
    from . import store

    if dry_run and not fix:
        fix = True
    text = read_bib(path)
    result = check_bib_text(text, str(path), index, progress)
    if fix and not dry_run and result.changes:
        broken = [i for i in result.report.issues if i.check in ("bib-syntax", "duplicate-key")]
        if broken:
            first = broken[0]
            raise LoadError(
                f"not written: {len(broken)} block(s) cannot be parsed; {first.message}",
                file=str(path),
                line=first.line,
                hint="fix the syntax first; a file that cannot be parsed is never rewritten",
                check=first.check,
            ) from None
        # Re-read under the lock: the fix applies only to the text it was computed from.
        with store.file_lock(path):
            if read_bib(path) != text:
                raise UsageError(
                    "the file changed while it was being checked; nothing was written",
                    file=str(path),
                    hint="run check-bib --fix again",
                    check="write",
                )
            store.atomic_write(path, result.fixed)
        result.written = True
        # What a fix cannot settle (duplicates, ...) still fails the run.
        result.remaining = check_bib_text(result.fixed, str(path), index).report.errors
    return result
