"""The search index: an embedded SQLite database with FTS5, built from the YAML and cached.

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
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import store
from .query import And, Code, Dim, Equals, Node, Not, Or, Text, Year, text_terms
from .taxonomy import Taxonomy

__all__ = [
    "ENV_CACHE_DIR",
    "SORTS",
    "Index",
    "SearchResult",
    "cache_dir",
    "catalog_hash",
    "open_index",
]

SCHEMA_VERSION = 2
ENV_CACHE_DIR = store.ENV_CACHE_DIR
SORTS: tuple[str, ...] = ("relevance", "year", "title", "added")
#: bm25 column weights: title, abstract, authors, venue.
_WEIGHTS = (10.0, 1.0, 3.0, 2.0)
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

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StoredNode:
    """A taxonomy node as the index stores it (no validation needed: it was validated on build)."""

    id: str
    parent: str | None
    title: str
    description: str
    origin: str
    section: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredMetric:
    """A metric as the index stores it."""

    id: str
    title: str
    description: str


@dataclass
class SearchResult:
    """Matching entries (as JSON-ready dicts, best first) and how many matched before ``limit``."""

    rows: list[dict[str, Any]]
    total: int
    query: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


cache_dir = store.cache_dir


def catalog_hash(directory: Path) -> str:
    """SHA-256 over the names and bytes of the taxonomy and every reference file."""
    digest = hashlib.sha256(f"effllm-index-v{SCHEMA_VERSION}\n".encode())
    for path in [directory / store.TAXONOMY_FILE, *store.catalog_files(directory)]:
        digest.update(path.name.encode() + b"\0")
        try:
            with path.open("rb") as handle:  # streamed: a 200 MB catalog is not held in memory
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def fold(text: str) -> str:
    """Lower-case, accents stripped, runs of non-alphanumerics collapsed to one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^\w]+", stripped)).strip()


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
    venue_norm TEXT NOT NULL,
    families TEXT NOT NULL,
    people TEXT NOT NULL,
    has_code INTEGER NOT NULL,
    arxiv TEXT,
    doi TEXT,
    added TEXT,
    data TEXT NOT NULL
);
CREATE TABLE tags (paper INTEGER NOT NULL, node TEXT NOT NULL);
CREATE INDEX tags_node ON tags(node, paper);
CREATE VIRTUAL TABLE fts USING fts5(
    title, abstract, authors, venue,
    content='', tokenize='porter unicode61 remove_diacritics 2'
);
"""


def _rows(data: dict[str, Any]) -> tuple[Any, ...]:
    people = [_split(a) for a in data["authors"]]
    return (
        data["key"],
        data["type"],
        data["title"],
        fold(data["title"]),
        data["year"],
        fold(data.get("venue") or ""),
        "|" + "|".join(fold(family) for family, _ in people) + "|",
        "|" + "|".join(fold(f"{given} {family}") for family, given in people) + "|",
        1 if data.get("code") else 0,
        data.get("arxiv"),
        (data.get("doi") or "").lower() or None,
        data.get("added"),
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    )


def _split(name: str) -> tuple[str, str]:
    family, _, given = name.partition(",")
    return family.strip(), given.strip()


def build_index(directory: Path, target: Path | str, progress: Progress | None = None) -> None:
    """Build the index database for the catalog in ``directory`` at ``target``.

    Raises :class:`~effllm_catalog.errors.InvalidCatalogError` when the catalog does not validate:
    a search over a broken catalog would silently miss the broken entries.
    """
    from .catalog import load_catalog

    catalog = load_catalog(directory)
    conn = sqlite3.connect(target)
    try:
        conn.executescript(_DDL)
        with conn:
            total = len(catalog)
            for i, entry in enumerate(catalog.entries):
                data = entry.ref.to_data()
                cur = conn.execute(
                    "INSERT INTO papers (key, type, title, title_sort, year, venue_norm, families,"
                    " people, has_code, arxiv, doi, added, data)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    _rows(data),
                )
                rowid = cur.lastrowid
                conn.executemany(
                    "INSERT INTO tags (paper, node) VALUES (?, ?)",
                    [(rowid, tag) for tag in dict.fromkeys(data["tags"])],
                )
                conn.execute(
                    "INSERT INTO fts (rowid, title, abstract, authors, venue) VALUES (?,?,?,?,?)",
                    (
                        rowid,
                        data["title"],
                        data.get("abstract") or "",
                        " ; ".join(" ".join(reversed(_split(a))) for a in data["authors"]),
                        data.get("venue") or "",
                    ),
                )
                if progress is not None and (i % 500 == 0 or i == total - 1):
                    progress(i + 1, total)
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


def _fts_text(term: Text) -> str:
    quoted = '"' + term.value.replace('"', '""') + '"'
    if term.prefix:
        quoted += "*"
    return f"title : {quoted}" if term.title_only else quoted


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
            params.append(_fts_text(node))
            return "p.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
        if isinstance(node, Dim):
            nodes = sorted(self.taxonomy.expand([node.name]))
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
        if node.field == "arxiv":
            params.append(re.sub(r"^(arxiv:)", "", value, flags=re.I))
            return "p.arxiv = ?"
        params.append(value.lower())
        return "p.doi = ?"

    # ---------------------------------------------------------------- run

    def search(
        self, query: Node | None, *, sort: str = "relevance", limit: int | None = None
    ) -> SearchResult:
        """Run a parsed query; rows come back in ``sort`` order, at most ``limit`` of them."""
        params: list[Any] = []
        where = self._where(query, params) if query is not None else "1"
        positive = text_terms(query)
        join, score = "", "NULL"
        if positive and sort == "relevance":
            join = (
                "LEFT JOIN (SELECT rowid, bm25(fts, ?, ?, ?, ?) AS score FROM fts"
                " WHERE fts MATCH ?) r ON r.rowid = p.id"
            )
            score = "r.score"
            params = [*_WEIGHTS, " OR ".join(_fts_text(t) for t in positive), *params]
        order = {
            "relevance": f"{score} IS NULL, {score}, p.year DESC, p.key",
            "year": "p.year DESC, p.key",
            "title": "p.title_sort, p.key",
            "added": "p.added IS NULL, p.added DESC, p.key",
        }[sort if sort in SORTS else "relevance"]
        sql = f"SELECT p.id FROM papers p {join} WHERE {where} ORDER BY {order}"
        try:
            ids = [row[0] for row in self.conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            from .errors import QueryError

            raise QueryError(
                f"the search engine rejected this query: {exc}",
                hint="quote words with special characters",
                check="query-syntax",
            ) from None
        chosen = ids if not limit or limit <= 0 else ids[:limit]
        return SearchResult(self.fetch(chosen), len(ids))

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
        """One entry by citation key (exact, then case-insensitive)."""
        row = self.conn.execute("SELECT data FROM papers WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT data FROM papers WHERE key = ? COLLATE NOCASE", (key,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def keys_like(self, key: str, n: int = 3) -> list[str]:
        """Keys close to ``key`` (for did-you-mean hints)."""
        import difflib

        keys = [k for (k,) in self.conn.execute("SELECT key FROM papers")]
        return difflib.get_close_matches(key, keys, n=n, cutoff=0.6)

    def tag_rows(self) -> list[tuple[int, str, int]]:
        """(paper id, node, year) for every tag of every paper."""
        return list(
            self.conn.execute(
                "SELECT t.paper, t.node, p.year FROM tags t JOIN papers p ON p.id = t.paper"
            )
        )

    def column(self, expr: str) -> list[tuple[Any, ...]]:
        """(id, value) pairs for a whitelisted column, for statistics."""
        allowed = {"year": "year", "venue": "json_extract(data, '$.venue')"}
        return list(self.conn.execute(f"SELECT id, {allowed[expr]} FROM papers"))


def _cleanup(folder: Path, keep: Path) -> None:
    """Drop index files of older catalog versions that nobody used for a week."""
    cutoff = time.time() - 7 * 86400
    for old in folder.glob("index-*.sqlite3"):
        if old != keep:
            with contextlib.suppress(OSError):
                if old.stat().st_atime < cutoff:
                    old.unlink()


def open_index(
    directory: Path | None = None, *, progress: Progress | None = None, rebuild: bool = False
) -> Index:
    """Open the cached index of a catalog, building it first if the catalog changed."""
    directory = store.resolve_catalog_dir(directory)
    digest = catalog_hash(directory)
    folder = cache_dir()
    path = folder / f"index-{digest[:32]}.sqlite3"
    if path.is_file() and not rebuild:
        try:
            return Index(sqlite3.connect(f"file:{path}?mode=ro", uri=True), path, digest)
        except (sqlite3.Error, KeyError, ValueError):
            pass  # a damaged cache file is rebuilt below
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
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "index.sqlite3"
        build_index(directory, target, progress)
        source = sqlite3.connect(target)
        try:
            source.backup(conn)
        finally:
            source.close()
