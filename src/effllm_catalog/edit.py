"""Commands that change the catalog: add, import, fmt. All writes go through store (atomic, locked).

The rule for every write: validate first, write second, and never lose a byte the user wrote.
``add`` and ``import`` append text to ``references.yaml`` (existing bytes, comments included, stay as
they are); ``fmt`` rewrites the layout only and refuses to run when it would drop a comment.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import store
from .catalog import Catalog, Entry, arxiv_base, describe_error
from .errors import CatalogError, InvalidCatalogError, LoadError
from .findings import Issue
from .keys import make_key
from .models import FIELD_ORDER, Reference
from .validate import normalise_title, run_checks

__all__ = [
    "AddResult",
    "FormatResult",
    "ImportReport",
    "add_entry",
    "find_duplicate",
    "format_catalog",
    "import_bibtex",
]


# --------------------------------------------------------------------------- duplicates


class DuplicateFinder:
    """Finds an existing paper by arXiv id, DOI, or a near-identical title with the same year or
    first author (rapidfuzz ratio >= 95 on normalised titles)."""

    def __init__(self, refs: Iterable[Reference]) -> None:
        self.by_arxiv: dict[str, str] = {}
        self.by_doi: dict[str, str] = {}
        self.titles: list[str] = []
        self.meta: list[tuple[str, int, str]] = []
        for ref in refs:
            self.add(ref)

    def add(self, ref: Reference) -> None:
        """Remember a reference."""
        if ref.arxiv:
            self.by_arxiv.setdefault(arxiv_base(ref.arxiv), ref.key)
        if ref.doi:
            self.by_doi.setdefault(ref.doi.lower(), ref.key)
        self.titles.append(normalise_title(ref.title))
        self.meta.append((ref.key, ref.year, _family(ref)))

    def find(self, ref: Reference) -> tuple[str, str] | None:
        """(existing key, reason) when ``ref`` is already known."""
        if ref.arxiv and arxiv_base(ref.arxiv) in self.by_arxiv:
            return self.by_arxiv[arxiv_base(ref.arxiv)], "same arXiv id"
        if ref.doi and ref.doi.lower() in self.by_doi:
            return self.by_doi[ref.doi.lower()], "same DOI"
        title = normalise_title(ref.title)
        if len(title) < 12 or not self.titles:
            return None
        from rapidfuzz import fuzz, process

        for _, score, index in process.extract(
            title, self.titles, scorer=fuzz.ratio, score_cutoff=95, limit=5
        ):
            key, year, family = self.meta[index]
            if year == ref.year or family == _family(ref):
                return key, f"near-identical title ({score:.0f}%) and same " + (
                    "year" if year == ref.year else "first author"
                )
        return None


def _family(ref: Reference) -> str:
    return normalise_title(ref.authors[0].family)


def find_duplicate(catalog: Catalog, ref: Reference) -> tuple[str, str] | None:
    """The key of an existing entry that is the same paper as ``ref``, and why."""
    return DuplicateFinder(catalog).find(ref)


# --------------------------------------------------------------------------- appending


def _append(target: Path, entries: Sequence[Reference]) -> None:
    """Append entries to ``target`` keeping every existing byte. Caller holds the lock."""
    old = target.read_bytes().decode("utf-8") if target.exists() else store.SCHEMA_HEADER
    lines = old.splitlines(keepends=True)
    body = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]
    if not body or (len(body) == 1 and lines[body[0]].split("#", 1)[0].strip() == "[]"):
        # An empty catalog ("[]", maybe among comments): entries cannot follow the "[]", so it
        # goes; every comment stays, or the schema header is written when there are none.
        for i in body:
            lines[i] = lines[i].replace("[]", "", 1).lstrip()
        old = "".join(lines) if "".join(lines).strip() else store.SCHEMA_HEADER
    text = store.dump_entries([r.to_data(mode="python") for r in entries])
    joined = old + ("" if old.endswith("\n") or not old else "\n") + text
    store.atomic_write(target, joined)


def _new_errors(catalog: Catalog, additions: Sequence[Reference]) -> list[Issue]:
    """Errors the additions would cause (duplicates, unknown tags, ...), checked in memory."""
    entries = [
        *catalog.entries,
        *(Entry(r, "<new entry>", -1 - i) for i, r in enumerate(additions)),
    ]
    trial = Catalog(catalog.taxonomy, entries, catalog.directory, catalog.files)
    keys = {r.key for r in additions}
    return [
        i
        for i in run_checks(trial, store.Locator())
        if i.severity == "error" and i.key in keys and i.file == "<new entry>"
    ]


def _load_for_write(directory: Path | None) -> tuple[Catalog, Path]:
    from .validate import validate_catalog

    report, catalog = validate_catalog(directory)
    if not report.ok:
        first = report.errors[0]
        raise InvalidCatalogError(
            f"the catalog has {len(report.errors)} error(s); fix them before adding entries:"
            f" {first.message}",
            file=first.file,
            line=first.line,
            col=first.col,
            hint="run `effllm validate` to see all",
            check=first.check,
        )
    assert catalog.directory is not None
    return catalog, catalog.directory / store.REFERENCES_FILE


def _assign_key(data: dict[str, Any], taken: set[str]) -> None:
    if not data.get("key"):
        authors = data.get("authors") or []
        from .models import Person

        family = Person.parse(authors[0]).family if authors and isinstance(authors[0], str) else ""
        year = data.get("year") if isinstance(data.get("year"), int) else 0
        data["key"] = make_key(family, year or 0, str(data.get("title") or ""), taken)


def _validated(data: dict[str, Any], where: str, line: int | None = None) -> Reference:
    from pydantic import ValidationError

    ordered = {k: data[k] for k in FIELD_ORDER if data.get(k) not in (None, "", [], {})}
    try:
        return Reference.model_validate(ordered)
    except ValidationError as exc:
        check, message, hint = describe_error(exc.errors()[0], FIELD_ORDER)
        raise CatalogError(message, file=where, line=line, hint=hint, check=check) from None


@dataclass
class AddResult:
    """The entry that was (or, in a dry run, would be) added."""

    reference: Reference
    file: Path
    written: bool


def add_entry(
    data: dict[str, Any],
    directory: Path | None = None,
    *,
    dry_run: bool = False,
    today: str | None = None,
) -> AddResult:
    """Validate one new entry against the catalog, then append it to ``references.yaml``."""
    import datetime as dt

    target = store.writable_catalog_dir(directory) / store.REFERENCES_FILE
    with store.file_lock(target):
        # Read under the lock: another writer may have appended a moment ago.
        catalog, target = _load_for_write(directory)
        data = dict(data)
        data.setdefault("added", today or dt.date.today().isoformat())
        _assign_key(data, set(catalog.by_key))
        ref = _validated(data, "<new entry>")
        duplicate = find_duplicate(catalog, ref)
        if duplicate:
            raise CatalogError(
                f"this paper is already in the catalog as '{duplicate[0]}' ({duplicate[1]})",
                hint=f"see `effllm show {duplicate[0]}`",
                check="duplicate",
            )
        errors = _new_errors(catalog, [ref])
        if errors:
            raise CatalogError(
                errors[0].message, file=str(target), hint=errors[0].hint, check=errors[0].check
            )
        if not dry_run:
            _append(target, [ref])
    return AddResult(ref, target, not dry_run)


# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did with each BibTeX entry (with its line in the .bib file)."""

    file: str
    imported: list[tuple[int, str, str]] = field(default_factory=list)  # line, bib key, new key
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # line, bib key, reason
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # line, bib key, problem
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``import --format json``)."""

        def rows(items: list[tuple[int, str, str]], last: str) -> list[dict[str, Any]]:
            return [{"line": a, "bib_key": b, last: c} for a, b, c in items]

        return {
            "file": self.file,
            "written": self.written,
            "imported": rows(self.imported, "key"),
            "skipped": rows(self.skipped, "reason"),
            "failed": rows(self.failed, "problem"),
        }


def import_bibtex(
    path: Path,
    directory: Path | None = None,
    *,
    tags: Sequence[str] = (),
    dry_run: bool = False,
    today: str | None = None,
) -> ImportReport:
    """Import a .bib file: convert, key, de-duplicate, validate, then append in one atomic write."""
    import datetime as dt

    from .importers.bibtex import parse_bibtex

    text = store.read_text(path)
    parsed = parse_bibtex(text)
    report = ImportReport(str(path))
    report.failed.extend((line, "?", f"not parsable BibTeX: {msg}") for line, msg in parsed.failed)
    if not parsed.drafts and not parsed.failed:
        report.failed.append((1, "?", "no BibTeX entries found in this file"))
    target = store.writable_catalog_dir(directory) / store.REFERENCES_FILE
    with store.file_lock(target):
        catalog, target = _load_for_write(directory)
        resolved = [catalog.taxonomy.resolve(t) for t in tags]
        seen = DuplicateFinder(catalog)
        taken = set(catalog.by_key)
        accepted: list[Reference] = []
        for draft in parsed.drafts:
            data = dict(draft.data)
            data["tags"] = list(dict.fromkeys([*resolved, *_keyword_tags(data, catalog)]))
            data.setdefault("added", today or dt.date.today().isoformat())
            data["sources"] = [f"bibtex:{path.name}:{draft.source_key}"]
            if not data["tags"]:
                report.failed.append(
                    (
                        draft.line,
                        draft.source_key,
                        "no taxonomy tag: pass --tag NODE (or keywords naming nodes)",
                    )
                )
                continue
            _assign_key(data, taken)
            try:
                ref = _validated(data, str(path), draft.line)
            except CatalogError as exc:
                report.failed.append((draft.line, draft.source_key, exc.message))
                continue
            duplicate = seen.find(ref)
            if duplicate:
                report.skipped.append(
                    (draft.line, draft.source_key, f"duplicate of {duplicate[0]}: {duplicate[1]}")
                )
                continue
            errors = _new_errors(catalog, [*accepted, ref])
            mine = [e for e in errors if e.key == ref.key]
            if mine:
                report.failed.append((draft.line, draft.source_key, mine[0].message))
                continue
            accepted.append(ref)
            seen.add(ref)
            taken.add(ref.key)
            report.imported.append((draft.line, draft.source_key, ref.key))
        if accepted and not dry_run:
            _append(target, accepted)
            report.written = True
    return report


def _keyword_tags(data: dict[str, Any], catalog: Catalog) -> list[str]:
    keywords = (data.get("extra") or {}).get("keywords", "")
    found = []
    for word in re.split(r"[;,]", keywords):
        word = word.strip().lower()
        if word and (word in catalog.taxonomy or word in catalog.taxonomy.aliases):
            found.append(catalog.taxonomy.resolve(word))
    return found


# --------------------------------------------------------------------------- fmt


@dataclass
class FormatResult:
    """One file's formatting: whether it changed, and the unified diff."""

    file: Path
    changed: bool
    diff: str


def _comment_lines(text: str) -> list[int]:
    """1-based lines holding a YAML comment (a '#' outside every scalar)."""
    if "#" not in text:
        return []
    loader = yaml.SafeLoader(text)  # the pure-Python scanner exposes token marks
    spans: list[tuple[int, int]] = []
    try:
        while loader.check_token():
            token = loader.get_token()  # type: ignore[no-untyped-call]  # PyYAML is untyped here
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return []
    finally:
        loader.dispose()
    lines = []
    for match in re.finditer("#", text):
        pos = match.start()
        if not any(start <= pos < end for start, end in spans):
            lines.append(text.count("\n", 0, pos) + 1)
    return sorted(set(lines))


def _header(text: str) -> str:
    """Leading comment and blank lines: kept verbatim at the top of the formatted file."""
    lines = text.splitlines(keepends=True)
    head = []
    for line in lines:
        if line.strip() == "" or line.lstrip().startswith("#"):
            head.append(line)
        else:
            break
    return "".join(head).rstrip("\n") + "\n" if "".join(head).strip() else ""


def canonical_text(text: str, file: str) -> str:
    """The canonical layout of a references file: header kept, entries sorted by key, fields in
    catalog order (unknown fields kept, after the known ones). Refuses to drop comments."""
    data = store.parse_yaml(text, file)
    if not isinstance(data, list):
        raise LoadError(
            "expected a list of entries at the top level",
            file=file,
            line=1,
            check="top-level-shape",
            hint="run `effllm validate` for details",
        )
    header = _header(text)
    header_lines = header.count("\n")
    stray = [n for n in _comment_lines(text) if n > header_lines]
    if stray:
        raise CatalogError(
            f"fmt would drop the comment on line {stray[0]}"
            + (f" (and {len(stray) - 1} more)" if len(stray) > 1 else ""),
            file=file,
            line=stray[0],
            hint="move the comment into the entry's 'notes' field or to the top of the file",
            check="fmt-comment",
        )
    entries = []
    for item in data:
        if isinstance(item, dict):
            known = {k: item[k] for k in FIELD_ORDER if k in item}
            known.update({k: v for k, v in item.items() if k not in known})
            entries.append(known)
        else:
            entries.append(item)
    order = sorted(
        range(len(entries)),
        key=lambda i: (
            0 if isinstance(entries[i], dict) and isinstance(entries[i].get("key"), str) else 1,
            str(entries[i].get("key")) if isinstance(entries[i], dict) else "",
            i,
        ),
    )
    body = store.dump_entries([entries[i] for i in order])
    return (header or store.SCHEMA_HEADER) + body


def format_catalog(
    directory: Path | None = None, *, check: bool = False, paths: Sequence[Path] = ()
) -> list[FormatResult]:
    """Rewrite references files in the canonical layout (or, with ``check``, only diff).

    ``paths`` may name catalog folders and single reference files; without them, every reference
    file of the catalog at ``directory`` (or the default catalog) is formatted.
    """
    files: list[Path] = []
    for path in paths or [store.writable_catalog_dir(directory)]:
        if path.is_dir():
            files.extend(store.catalog_files(path))
        elif path.name != store.TAXONOMY_FILE:
            files.append(path)
    results = []
    for path in files:
        with store.file_lock(path):
            old = store.read_text(path)
            new = canonical_text(old, str(path))
            changed = old != new
            diff = "".join(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"{path} (current)",
                    f"{path} (formatted)",
                )
            )
            if changed and not check:
                store.atomic_write(path, new)
        results.append(FormatResult(path, changed, diff))
    return results
