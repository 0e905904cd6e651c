"""The search index: an embedded SQLite database with FTS5, built from the YAML and cached.

What is indexed is what people search by: titles, the short names a field uses (``names``), the
name before a title's colon, CamelCase parts (``PagedAttention`` -> paged attention), the code
repository's name, summaries, abstracts, authors, venues, years, and the titles and aliases of each
entry's taxonomy nodes. Text goes through :mod:`effllm_catalog.text` on both sides, so British and
American spellings meet and ``performer`` never becomes ``performance``.

Ranking happens in two steps: FTS5's bm25 with field weights (names and titles far above summaries)
finds and scores the candidates, then :func:`rank` puts exact name and title matches first and,
among entries that match equally well, the original (earliest) before its follow-ups.

The cache file is named after a SHA-256 of the catalog files' bytes, so a hand edit, a ``git pull`` or
a checked-out pull request can never be served from a stale index: different bytes, different file.
A warm search reads the catalog files once (to hash them), opens the database and runs one query; it
parses no YAML and imports no pydantic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from . import paths
from .query import And, Code, Dim, Equals, Node, Not, Or, Text, Year, text_terms
from .taxonomy import Taxonomy
from .text import (
    camel_parts,
    compact,
    fold,
    identifier,
    normalise_url,
    stem,
    stems,
    title_head,
    words,
)

__all__ = [
    "ENV_CACHE_DIR",
    "SORTS",
    "Index",
    "SearchResult",
    "cache_dir",
    "catalog_hash",
    "open_index",
    "open_warm_index",
]

SCHEMA_VERSION = 7
ENV_CACHE_DIR = paths.ENV_CACHE_DIR
SORTS: tuple[str, ...] = ("relevance", "year", "title", "added")
#: Full-text columns and their bm25 weights: names and titles far above summaries and abstracts.
_COLUMNS = ("title", "names", "parts", "authors", "venue", "topics", "summary", "abstract", "year")
_WEIGHTS = (10.0, 12.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.5, 0.5)
#: Columns that ``title:`` searches: the title and what the title is known by.
_TITLE_COLUMNS = "{title names parts}"
Progress = Callable[[int, int], None]


class StoredNode(NamedTuple):
    """A taxonomy node as the index stores it (no validation needed: it was validated on build)."""

    id: str
    parent: str | None
    title: str
    description: str
    origin: str
    section: str | None
    aliases: tuple[str, ...] = ()


class StoredMetric(NamedTuple):
    """A metric as the index stores it."""

    id: str
    title: str
    description: str


class SearchResult:
    """Matching entries (as JSON-ready dicts, best first) and how many matched before ``limit``.

    ``notes`` say how the query was read or rewritten, for stderr ("dim:quantization is
    inference.quantization; ...").
    """

    def __init__(
        self,
        rows: list[dict[str, Any]],
        total: int,
        query: str = "",
        notes: list[str] | None = None,
    ) -> None:
        self.rows = rows
        self.total = total
        self.query = query
        self.notes: list[str] = notes if notes is not None else []


cache_dir = paths.cache_dir


def catalog_hash(directory: Path) -> str:
    """SHA-256 over the names and bytes of the taxonomy and every reference file."""
    digest = hashlib.sha256(f"effllm-index-v{SCHEMA_VERSION}\n".encode())
    for path in [directory / paths.TAXONOMY_FILE, *paths.catalog_files(directory)]:
        digest.update(path.name.encode() + b"\0")
        try:
            with path.open("rb") as handle:  # streamed: a 200 MB catalog is not held in memory
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


# --------------------------------------------------------------------------- building

_DDL = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    title_sort TEXT NOT NULL,
    year INTEGER NOT NULL,
    date INTEGER NOT NULL,
    venue_norm TEXT NOT NULL,
    families TEXT NOT NULL,
    people TEXT NOT NULL,
    has_code INTEGER NOT NULL,
    kind TEXT NOT NULL,
    metrics TEXT NOT NULL,
    arxiv TEXT,
    doi TEXT,
    url TEXT,
    code TEXT,
    added TEXT,
    rank TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX papers_arxiv ON papers(arxiv);
CREATE INDEX papers_doi ON papers(doi);
CREATE TABLE tags (paper INTEGER NOT NULL, node TEXT NOT NULL);
CREATE INDEX tags_node ON tags(node, paper);
CREATE TABLE vocab (word TEXT PRIMARY KEY, norm TEXT NOT NULL, stem TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX vocab_norm ON vocab(norm);
CREATE VIRTUAL TABLE fts USING fts5(
    title, names, parts, authors, venue, topics, summary, abstract, year,
    content='', tokenize='unicode61 remove_diacritics 2'
);
"""


def _split(name: str) -> tuple[str, str]:
    family, _, given = name.partition(",")
    return family.strip(), given.strip()


def _repo(code: str | None) -> str:
    """The repository name of a code link (``vllm`` in github.com/vllm-project/vllm)."""
    if not code:
        return ""
    parts = normalise_url(code).split("/")
    return parts[2] if len(parts) >= 3 and parts[0] in ("github.com", "gitlab.com") else ""


def _date(data: dict[str, Any]) -> int:
    """yyyymm of first appearance: from a new-style arXiv id, else January of the year."""
    arxiv = data.get("arxiv") or ""
    match = re.match(r"(\d\d)(\d\d)\.", arxiv) or re.search(r"/(\d\d)(\d\d)\d{3}", arxiv)
    if match:
        yy, mm = int(match.group(1)), int(match.group(2))
        return (2000 + yy if yy < 90 else 1900 + yy) * 100 + mm
    return int(data["year"]) * 100


def _joined(values: Sequence[str]) -> str:
    return " ".join(stem for value in values for stem in stems(value))


def _entry_rows(
    data: dict[str, Any], taxonomy: Taxonomy
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """(papers row, fts row) of one entry."""
    title = data["title"]
    names: list[str] = list(data.get("names") or [])
    head = title_head(title)
    repo = _repo(data.get("code"))
    people = [_split(a) for a in data["authors"]]
    topics = []
    for tag in dict.fromkeys(data["tags"]):
        node = taxonomy.by_id.get(tag)
        if node is not None:
            topics.extend([node.title, *node.aliases])
    known_as = [*names, *([head] if head else []), *([repo] if repo else [])]
    parts = [*camel_parts(title), *camel_parts(" ".join(names))]
    parts += [compact(n) for n in known_as] + words(repo)
    rank = {
        "t": sorted({*stems(title), *(stem(p) for p in parts), *_joined(names).split()}),
        "a": sorted({w for family, given in people for w in stems(f"{given} {family}")}),
        "x": sorted({"".join(stems(v)) for v in [*names, *([head] if head else []), title]}),
        # A repository named after the topic (speculative-decoding) is no name of the paper.
        "r": "" if set(stems(repo)) <= set(stems(title)) else "".join(stems(repo)),
        "f": fold(title),
        "s": " ".join(stems(title)),
    }
    paper = (
        data["key"],
        data["type"],
        title,
        fold(title),
        data["year"],
        _date(data),
        fold(data.get("venue") or ""),
        "|" + "|".join(fold(family) for family, _ in people) + "|",
        "|" + "|".join(fold(f"{given} {family}") for family, given in people) + "|",
        1 if data.get("code") else 0,
        data.get("kind") or "method",
        "|" + "|".join(data.get("metrics") or []) + "|",
        data.get("arxiv"),
        (data.get("doi") or "").lower() or None,
        normalise_url(data["url"]) if data.get("url") else None,
        normalise_url(data["code"]) if data.get("code") else None,
        data.get("added"),
        json.dumps(rank, separators=(",", ":")),
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    )
    fts = (
        _joined([title]),
        _joined(names),
        " ".join(stem(p) for p in parts),
        _joined([f"{given} {family}" for family, given in people]),
        _joined([data.get("venue") or ""]),
        _joined(topics),
        _joined([data.get("summary") or ""]),
        _joined([data.get("abstract") or ""]),
        str(data["year"]),
    )
    return paper, fts


def _vocabulary(data: dict[str, Any], taxonomy: Taxonomy) -> list[str]:
    """Words a query may be corrected to: from titles, names, summaries, authors and topics."""
    text = [data["title"], *(data.get("names") or []), data.get("summary") or ""]
    text += [_split(a)[0] for a in data["authors"]]
    for tag in data["tags"]:
        node = taxonomy.by_id.get(tag)
        if node is not None:
            text.append(node.title)
    return [w for value in text for w in words(value) if len(w) >= 3 and not w.isdigit()]


def build_index(directory: Path, target: Path | str, progress: Progress | None = None) -> None:
    """Build the index database for the catalog in ``directory`` at ``target``.

    Raises :class:`~effllm_catalog.errors.InvalidCatalogError` when the catalog does not validate:
    a search over a broken catalog would silently miss the broken entries.
    """
    from .validate import load_catalog

    catalog = load_catalog(directory)
    taxonomy = catalog.taxonomy
    vocabulary: Counter[str] = Counter()
    conn = sqlite3.connect(target)
    try:
        conn.executescript(_DDL)
        with conn:
            total = len(catalog)
            for i, entry in enumerate(catalog.entries):
                data = entry.ref.to_data()
                paper, fts = _entry_rows(data, taxonomy)
                cur = conn.execute(
                    "INSERT INTO papers (key, type, title, title_sort, year, date, venue_norm,"
                    " families, people, has_code, kind, metrics, arxiv, doi, url, code, added, rank,"
                    " data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    paper,
                )
                rowid = cur.lastrowid
                conn.executemany(
                    "INSERT INTO tags (paper, node) VALUES (?, ?)",
                    [(rowid, tag) for tag in dict.fromkeys(data["tags"])],
                )
                conn.execute(
                    f"INSERT INTO fts (rowid, {', '.join(_COLUMNS)}) VALUES (?{',?' * len(fts)})",
                    (rowid, *fts),
                )
                vocabulary.update(_vocabulary(data, taxonomy))
                if progress is not None and (i % 500 == 0 or i == total - 1):
                    progress(i + 1, total)
            conn.executemany(
                "INSERT INTO vocab (word, norm, stem, n) VALUES (?, ?, ?, ?)",
                [(w, stem_prefix(w), stem(w), n) for w, n in sorted(vocabulary.items())],
            )
            meta = {
                "schema": str(SCHEMA_VERSION),
                "taxonomy": json.dumps(catalog.taxonomy.to_data(), ensure_ascii=False),
                "directory": str(directory),
                "files": json.dumps(catalog.files),
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        conn.commit()
    finally:
        conn.close()


# --------------------------------------------------------------------------- querying


def _like(value: str) -> str:
    """A folded LIKE pattern: ``*`` is the wildcard, SQL wildcards in the input are literal."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def fts_expression(term: Text) -> str | None:
    """The FTS5 expression of a text term, on index terms; None when it holds no word."""
    tokens = words(term.value)
    if not tokens:
        return None
    terms = [stem(t) for t in tokens]
    if term.prefix:
        # A prefix is matched as typed (British spelling folded), not stemmed: "quantiz*".
        terms[-1] = stem_prefix(tokens[-1])
    quoted = '"' + " ".join(terms) + '"' + ("*" if term.prefix else "")
    return f"{_TITLE_COLUMNS} : {quoted}" if term.title_only else quoted


def stem_prefix(word: str) -> str:
    """A prefix as the index stores its words (British spelling folded, no suffix removed)."""
    return word.replace("yz", "ys").replace("iz", "is")


def _person_match(people: str, tokens_json: str) -> int:
    tokens = json.loads(tokens_json)
    for person in people.strip("|").split("|"):
        words = person.split()
        if all(
            any(w == t or (t.endswith("*") and w.startswith(t[:-1])) for w in words) for t in tokens
        ):
            return 1
    return 0


class Index:
    """An open search index over one catalog."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, digest: str) -> None:
        self.conn = conn
        self.path = path
        self.hash = digest
        conn.create_function("effllm_person", 2, _person_match, deterministic=True)
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        tax = json.loads(meta["taxonomy"])
        self.taxonomy = Taxonomy(
            [StoredNode(**{**n, "aliases": tuple(n["aliases"])}) for n in tax["nodes"]],
            [StoredMetric(**m) for m in tax["metrics"]],
        )
        self.files: list[str] = json.loads(meta["files"])
        self.directory = Path(meta["directory"])
        self.notes: list[str] = []
        self._vocabulary: dict[str, int] | None = None
        self._terms_ready = False

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    # ---------------------------------------------------------------- compile

    def _where(self, node: Node, params: list[Any]) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self._where(c, params) for c in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self._where(c, params) for c in node.children) + ")"
        if isinstance(node, Not):
            return f"(NOT {self._where(node.child, params)})"
        if isinstance(node, Text):
            expression = self._expression(node)
            if expression is None:
                return "1"
            params.append(expression)
            return "p.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
        if isinstance(node, Dim):
            found, others = self.taxonomy.resolve_detail(node.name)
            if others:
                section = self.taxonomy.section(found)
                self.notes.append(
                    f"dim:{node.name} is {found}"
                    + (f" (§{section})" if section else "")
                    + f"; it could also mean {', '.join(others)}"
                )
            nodes = sorted(self.taxonomy.descendants(found))
            params.extend(nodes)
            marks = ",".join("?" * len(nodes))
            return f"p.id IN (SELECT paper FROM tags WHERE node IN ({marks}))"
        if isinstance(node, Year):
            parts = []
            if node.low is not None:
                parts.append("p.year >= ?")
                params.append(node.low)
            if node.high is not None:
                parts.append("p.year <= ?")
                params.append(node.high)
            return "(" + " AND ".join(parts or ["1"]) + ")"
        if isinstance(node, Code):
            return "p.has_code = 1" if node.present else "p.has_code = 0"
        return self._equals(node, params)

    def _equals(self, node: Equals, params: list[Any]) -> str:
        value = node.value.strip()
        if node.field == "venue":
            params.append(
                _like(
                    fold(value) if "*" not in value else "*".join(fold(v) for v in value.split("*"))
                )
            )
            return "p.venue_norm LIKE ? ESCAPE '\\'"
        if node.field == "author":
            if "," in value:  # "Family, Given" -> "Given Family"
                family, _, given = value.partition(",")
                value = f"{given} {family}"
            tokens = [
                t + ("*" if w.endswith("*") else "")
                for w in value.split()
                if (t := fold(w.rstrip("*")))
            ]
            if len(tokens) == 1:
                params.append("%|" + _like(tokens[0]) + "|%")
                return "p.families LIKE ? ESCAPE '\\'"
            params.append(json.dumps(tokens))
            return "effllm_person(p.people, ?) = 1"
        if node.field == "key":
            params.append(_like(value))
            return "p.key LIKE ? ESCAPE '\\'"
        if node.field == "type":
            params.append(value.lower())
            return "p.type = ?"
        if node.field == "kind":
            params.append(value.lower())
            return "p.kind = ?"
        if node.field == "metric":
            metric = value.lower()
            if metric not in self.taxonomy.metric_ids:
                from .errors import QueryError

                known = ", ".join(sorted(self.taxonomy.metric_ids))
                raise QueryError(
                    f"metric:{value} is not a metric of the taxonomy",
                    hint=f"use one of: {known}",
                    check="query-value",
                )
            params.append(f"%|{_like(metric)}|%")
            return "p.metrics LIKE ? ESCAPE '\\'"
        found = identifier(value) if node.field in ("arxiv", "doi", "url") else None
        field, value = found if found else (node.field, value)
        if field == "arxiv":
            params.append(re.sub(r"^(arxiv:)", "", value, flags=re.I).lower())
            return "lower(p.arxiv) = ?"
        if field == "url":
            url = normalise_url(value)
            params.extend([url, url])
            return "(p.url = ? OR p.code = ?)"
        params.append(value.lower())
        return "p.doi = ?"

    def _expression(self, term: Text) -> str | None:
        """:func:`fts_expression`, with a one-word prefix also matching the index terms of the
        words it begins (``quantizat*`` -> quantization's term ``quantis``)."""
        expression = fts_expression(term)
        tokens = words(term.value)
        if expression is None or not term.prefix or len(tokens) != 1:
            return expression
        stems_ = [
            s
            for (s,) in self.conn.execute(
                "SELECT DISTINCT stem FROM vocab WHERE norm >= ? AND norm < ? LIMIT 64",
                (stem_prefix(tokens[0]), stem_prefix(tokens[0]) + "\U0010ffff"),
            )
        ]
        if not stems_:
            return expression
        inner = " OR ".join([expression, *(f'"{s}"' for s in stems_)])
        return f"{_TITLE_COLUMNS} : ({inner})" if term.title_only else f"({inner})"

    # ---------------------------------------------------------------- run

    def search(
        self, query: Node | None, *, sort: str = "relevance", limit: int | None = None
    ) -> SearchResult:
        """Run a parsed query; rows come back in ``sort`` order, at most ``limit`` of them.

        Notes about how the query was read (which node an ambiguous ``dim:`` chose) are in
        ``result.notes``.
        """
        self.notes = []
        params: list[Any] = []
        where = self._where(query, params) if query is not None else "1"
        positive = text_terms(query)
        expressions = [e for t in positive if (e := self._expression(t)) is not None]
        ranked = bool(expressions) and sort == "relevance"
        if ranked:
            weights = ", ".join(str(w) for w in _WEIGHTS)
            sql = (
                "SELECT p.id, r.score, p.date, p.rank FROM papers p LEFT JOIN"
                f" (SELECT rowid, bm25(fts, {weights}) AS score FROM fts WHERE fts MATCH ?) r"
                f" ON r.rowid = p.id WHERE {where}"
            )
            params = [" OR ".join(expressions), *params]
        else:
            order = {
                "relevance": "p.year DESC, p.key",  # filters only: newest first, as before
                "year": "p.year DESC, p.key",
                "title": "p.title_sort, p.key",
                "added": "p.added IS NULL, p.added DESC, p.key",
            }[sort if sort in SORTS else "relevance"]
            sql = f"SELECT p.id FROM papers p WHERE {where} ORDER BY {order}"
        try:
            found = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            from .errors import QueryError

            raise QueryError(
                f"the search engine rejected this query: {exc}",
                hint="quote words with special characters",
                check="query-syntax",
            ) from None
        ids = rank(found, positive) if ranked else [row[0] for row in found]
        chosen = ids if not limit or limit <= 0 else ids[:limit]
        return SearchResult(self.fetch(chosen), len(ids), notes=list(self.notes))

    def fetch(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Entries by row id, in the given order."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for rowid, data in self.conn.execute(
                f"SELECT id, data FROM papers WHERE id IN ({marks})", chunk
            ):
                found[rowid] = json.loads(data)
        return [found[i] for i in ids if i in found]

    def get(self, key: str) -> dict[str, Any] | None:
        """One entry by citation key (exact, then case-insensitive), arXiv id/URL, DOI or link."""
        row = self.conn.execute("SELECT data FROM papers WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT data FROM papers WHERE key = ? COLLATE NOCASE", (key,)
            ).fetchone()
        if row is None and (found := identifier(key)) is not None:
            params: list[Any] = []
            where = self._equals(Equals(*found), params)
            row = self.conn.execute(f"SELECT data FROM papers p WHERE {where}", params).fetchone()
        return json.loads(row[0]) if row else None

    def keys_like(self, key: str, n: int = 3) -> list[str]:
        """Keys close to ``key`` (for did-you-mean hints)."""
        import difflib

        keys = [k for (k,) in self.conn.execute("SELECT key FROM papers")]
        return difflib.get_close_matches(key, keys, n=n, cutoff=0.6)

    # ---------------------------------------------------------------- vocabulary

    def _terms(self) -> None:
        """The index's terms as a table (fts5vocab, in the temp schema: the file stays read-only)."""
        if not self._terms_ready:
            self.conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, fts, row)"
            )
            self._terms_ready = True

    def known(self, word: str) -> bool:
        """True when a folded word occurs in the index (as its index term)."""
        self._terms()
        term = stem(word)
        row = self.conn.execute(
            "SELECT 1 FROM fts_terms WHERE term = ? LIMIT 1", (term,)
        ).fetchone()
        return row is not None

    def has_prefix(self, prefix: str) -> bool:
        """True when some index term starts with ``prefix`` (as :func:`stem_prefix` folds it)."""
        self._terms()
        start = stem_prefix(prefix)
        for table, column in (("fts_terms", "term"), ("vocab", "norm")):
            row = self.conn.execute(
                f"SELECT 1 FROM {table} WHERE {column} >= ? AND {column} < ? LIMIT 1",
                (start, start + "\U0010ffff"),
            ).fetchone()
            if row is not None:
                return True
        return False

    def close_words(self, word: str, n: int = 3) -> list[str]:
        """Words of the index spelt like ``word`` (most frequent first among equally close)."""
        import difflib

        if self._vocabulary is None:
            self._vocabulary = dict(self.conn.execute("SELECT word, n FROM vocab"))
        pool = [w for w in self._vocabulary if abs(len(w) - len(word)) <= 2]
        close = difflib.get_close_matches(word, pool, n=n * 3, cutoff=0.75)
        scored = sorted(
            close,
            key=lambda w: (
                -round(difflib.SequenceMatcher(None, word, w).ratio(), 2),
                -self._vocabulary[w],  # type: ignore[index]
            ),
        )
        return scored[:n]

    def tag_rows(self) -> list[tuple[int, str, int]]:
        """(paper id, node, year) for every tag of every paper."""
        return list(
            self.conn.execute(
                "SELECT t.paper, t.node, p.year FROM tags t JOIN papers p ON p.id = t.paper"
            )
        )

    def column(self, expr: str) -> list[tuple[Any, ...]]:
        """(id, value) pairs for a whitelisted column, for statistics."""
        allowed = {
            "year": "year",
            "venue": "json_extract(data, '$.venue')",
            "metrics": "metrics",
            "kind": "kind",
        }
        return list(self.conn.execute(f"SELECT id, {allowed[expr]} FROM papers"))


def rank(rows: Sequence[tuple[Any, ...]], terms: Sequence[Text]) -> list[int]:
    """Order ``(id, bm25, date, rank info)`` rows for the query's positive text ``terms``.

    Tiers, best first: the query is an entry's name, the name before its title's colon or its
    whole title; the query is a long piece of a title (or holds a whole title); the query names the
    code repository; every query word is in the title or names; every word is in title, names or
    authors (``tri dao flash attention``); the rest. Within a tier, entries that match equally are
    ordered earliest first (the original before its follow-ups), with a phrase of three or more
    words ahead of the same words scattered; in the last tier, the most query words matched, then
    bm25.
    """
    query_words: list[tuple[str, bool]] = []
    for term in terms:
        tokens = words(term.value)
        for i, token in enumerate(tokens):
            prefix = term.prefix and i == len(tokens) - 1
            query_words.append((stem_prefix(token) if prefix else stem(token), prefix))
    whole = fold(" ".join(t.value for t in terms))
    whole_compact = "".join(w for w, prefix in query_words if not prefix)
    long_query = len(whole.split()) >= 4
    # A phrase match outranks scattered words once a query has three words or more; for two
    # words the original (earliest) goes first: "knowledge distillation" finds Hinton et al.,
    # whose title says "Distilling the Knowledge".
    phrase = " " + " ".join(w for w, _ in query_words) + " " if len(query_words) >= 3 else ""

    def covered(tokens: set[str]) -> int:
        return sum(
            1
            for w, prefix in query_words
            if (
                w in tokens
                if not prefix
                else any(t.startswith(w) or (len(t) >= 4 and w.startswith(t)) for t in tokens)
            )
        )

    keyed = []
    for rowid, score, date, info_json in rows:
        info = json.loads(info_json)
        bm25 = score if score is not None else 0.0
        title = info["f"]
        if whole_compact and whole_compact in info["x"]:
            key: tuple[Any, ...] = (0, date, bm25)
        elif (long_query and f" {whole} " in f" {title} ") or (
            len(title.split()) >= 3 and f" {title} " in f" {whole} "
        ):
            key = (1, date, bm25)
        elif whole_compact and whole_compact == info["r"]:
            key = (2, date, bm25)
        else:
            in_title = covered(set(info["t"]))
            in_any = covered(set(info["t"]) | set(info["a"]))
            scattered = bool(phrase) and phrase not in f" {info['s']} "
            if query_words and in_title == len(query_words):
                key = (3, scattered, date, bm25)
            elif query_words and in_any == len(query_words):
                key = (4, scattered, date, bm25)
            else:
                key = (5, -in_any, bm25, date)
        keyed.append((key, rowid))
    keyed.sort()
    return [rowid for _, rowid in keyed]


def _cleanup(folder: Path, keep: Path) -> None:
    """Drop index files of older catalog versions that nobody used for a week."""
    cutoff = time.time() - 7 * 86400
    for old in folder.glob("index-*.sqlite3"):
        if old != keep:
            with contextlib.suppress(OSError):
                if old.stat().st_atime < cutoff:
                    old.unlink()


def open_warm_index(directory: Path | None = None) -> Index | None:
    """The cached index of a catalog if it is built and current, else None (never builds)."""
    directory = paths.resolve_catalog_dir(directory)
    digest = catalog_hash(directory)
    path = cache_dir() / f"index-{digest[:32]}.sqlite3"
    if not path.is_file():
        return None
    try:
        return Index(sqlite3.connect(f"file:{path}?mode=ro", uri=True), path, digest)
    except (sqlite3.Error, KeyError, ValueError):
        return None  # damaged: open_index rebuilds it


def open_index(
    directory: Path | None = None, *, progress: Progress | None = None, rebuild: bool = False
) -> Index:
    """Open the cached index of a catalog, building it first if the catalog changed."""
    if not rebuild and (warm := open_warm_index(directory)) is not None:
        return warm
    directory = paths.resolve_catalog_dir(directory)
    digest = catalog_hash(directory)
    folder = cache_dir()
    path = folder / f"index-{digest[:32]}.sqlite3"
    import tempfile  # only when building: a warm search does not pay for it

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError:
        # No writable cache: build in memory for this run.
        conn = sqlite3.connect(":memory:")
        _build_into(conn, directory, progress)
        return Index(conn, None, digest)
    try:
        Path(tmp).unlink()
        build_index(directory, tmp, progress)
        Path(tmp).replace(path)  # atomic: concurrent builders each publish a complete file
    finally:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
    _cleanup(folder, path)
    return Index(sqlite3.connect(f"file:{path}?mode=ro", uri=True), path, digest)


def _build_into(conn: sqlite3.Connection, directory: Path, progress: Progress | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "index.sqlite3"
        build_index(directory, target, progress)
        source = sqlite3.connect(target)
        try:
            source.backup(conn)
        finally:
            source.close()
