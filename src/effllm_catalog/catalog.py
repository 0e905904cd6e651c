"""The catalog: taxonomy + references + indexes by key, arXiv id and DOI.

:func:`read_catalog` is tolerant: it parses what it can and returns the problems it met as findings
(``validate`` reports them all at once). The strict loader, :func:`~effllm_catalog.validate.load_catalog`,
lives in ``validate`` so that imports flow one way (validate reads the catalog, never the reverse).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from . import store
from .errors import CatalogError
from .findings import Issue
from .models import (
    FIELD_ORDER,
    TRUNCATED_AUTHOR,
    Metric,
    Reference,
    TaxonomyFile,
    TaxonomyNode,
)
from .taxonomy import Taxonomy
from .venues import VenueTable, read_venues, venues_path

__all__ = ["Catalog", "Entry", "read_catalog", "read_taxonomy"]

# pydantic error -> (check id, hint) for the field it concerns.
_FIELD_CHECKS: dict[str, tuple[str, str]] = {
    "key": (
        "bad-key",
        "use letters, digits and _:.+- only, starting with a letter, e.g. hu2022lora",
    ),
    "arxiv": ("bad-arxiv-id", "write the bare id, e.g. 2106.09685 (no 'arXiv:' prefix, no URL)"),
    "doi": ("bad-doi", "write the bare DOI, e.g. 10.1145/1553374.1553380 (no https://doi.org/)"),
    "url": ("bad-url", "use a full http:// or https:// URL"),
    "code": ("bad-url", "use a full http:// or https:// URL"),
    "year": ("bad-year", "write the year as a number, e.g. 2023"),
    "tags": ("bad-tag", "list taxonomy node ids, e.g. [inference.quantization]"),
    "authors": ("bad-authors", "list every author as 'Family, Given'"),
    "type": (
        "bad-type",
        "one of: article, inproceedings, misc, techreport, book, incollection,"
        " phdthesis, mastersthesis",
    ),
}


@dataclass(frozen=True, slots=True)
class Entry:
    """A reference and where it was read from (file and position in that file's list)."""

    ref: Reference
    file: str
    index: int


@dataclass
class Catalog:
    """A loaded catalog: the taxonomy, the valid entries, and indexes over them."""

    taxonomy: Taxonomy
    entries: list[Entry] = field(default_factory=list)
    directory: Path | None = None
    files: list[str] = field(default_factory=list)
    #: The canonical venue table (the catalog's venues.yaml, else the bundled one); None skips
    #: the venue checks.
    venues: VenueTable | None = None

    def __post_init__(self) -> None:
        self.by_key: dict[str, Entry] = {}
        self.by_arxiv: dict[str, Entry] = {}
        self.by_doi: dict[str, Entry] = {}
        for entry in self.entries:
            ref = entry.ref
            self.by_key.setdefault(ref.key, entry)
            if ref.arxiv:
                self.by_arxiv.setdefault(arxiv_base(ref.arxiv), entry)
            if ref.doi:
                self.by_doi.setdefault(ref.doi.lower(), entry)

    @property
    def references(self) -> list[Reference]:
        """Every valid reference, in file order."""
        return [e.ref for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Reference]:
        return (e.ref for e in self.entries)

    def get(self, key: str) -> Reference | None:
        """The reference with citation key ``key``, if any."""
        entry = self.by_key.get(key)
        return entry.ref if entry else None


def arxiv_base(arxiv_id: str) -> str:
    """An arXiv id without its version suffix."""
    head, sep, tail = arxiv_id.rpartition("v")
    return head if sep and tail.isdigit() and head and head[-1].isdigit() else arxiv_id


def describe_error(error: ErrorDetails, known_fields: Sequence[str]) -> tuple[str, str, str]:
    """(check id, message, hint) for one pydantic error, in the catalog's words."""
    from .messages import plausible_years, translate

    loc = tuple(error["loc"])
    kind = error["type"]
    name = str(loc[0]) if loc else ""
    where = ".".join(str(p) for p in loc) or "entry"
    if kind in ("extra_forbidden", "invalid_key"):
        close = difflib.get_close_matches(name, known_fields, n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known_fields)}"
        )
        return "unknown-field", f"unknown field '{where}'", hint
    if kind == "missing":
        return "missing-field", f"required field '{where}' is missing", f"add '{where}:'"
    check, hint = _FIELD_CHECKS.get(name, ("schema", "see docs/catalog-format.md"))
    if name == "year" and kind in ("greater_than_equal", "less_than_equal"):
        low, high = plausible_years()
        return (
            "implausible-year",
            f"year {error.get('input')} is not plausible ({low}..{high})",
            "write the four-digit year of publication",
        )
    if kind in ("string_type", "int_type") and not isinstance(error.get("input"), dict | list):
        got = type(error.get("input")).__name__.replace("NoneType", "empty value")
        wanted = "a whole number" if kind == "int_type" else "text"
        message = f"{where} must be {wanted} (YAML read this value as {got})"
        hint = "quote the value, e.g. title: 'No', arxiv: '2106.09685', or year: 2023 unquoted"
        return check, message, hint
    return check, f"{where}: {translate(error)}", hint


def _issue_from_error(
    error: ErrorDetails,
    file: str,
    prefix: Sequence[str | int],
    key: str | None,
    locator: store.Locator,
    known_fields: Sequence[str],
) -> Issue:
    check, message, hint = describe_error(error, known_fields)
    path = (*prefix, *error["loc"]) if check != "missing-field" else tuple(prefix)
    line, col = locator.locate(file, path, key=check == "unknown-field")
    return Issue(check, "error", file, line, col, key, message, hint)


def read_taxonomy(path: Path, locator: store.Locator | None = None) -> tuple[Taxonomy, list[Issue]]:
    """Read ``taxonomy.yaml``; problems come back as findings (the taxonomy may then be empty)."""
    locator = locator or store.Locator()
    file = str(path)
    try:
        data = store.read_yaml(path)
    except CatalogError as exc:
        if exc.exit_code == 2:
            raise
        return Taxonomy([], file=file), [_issue_from_exception(exc)]
    if not isinstance(data, dict) or "nodes" not in data:
        return Taxonomy([], file=file), [
            Issue(
                "top-level-shape",
                "error",
                file,
                1,
                1,
                None,
                "taxonomy file must be a mapping with 'nodes:'",
                "see data/taxonomy.yaml in the bundled catalog",
            )
        ]
    issues: list[Issue] = []
    try:
        parsed = TaxonomyFile.model_validate(data)
        return Taxonomy(parsed.nodes, parsed.metrics, file=file), issues
    except ValidationError as exc:
        for error in exc.errors():
            issues.append(
                _issue_from_error(error, file, (), None, locator, list(TaxonomyFile.model_fields))
            )
    # Keep the nodes that are valid so that reference checks can still run.
    nodes = [
        TaxonomyNode.model_validate(n) for n in data.get("nodes") or [] if _valid(TaxonomyNode, n)
    ]
    metrics = [Metric.model_validate(m) for m in data.get("metrics") or [] if _valid(Metric, m)]
    return Taxonomy(nodes, metrics, file=file), issues


def _valid(model: Any, value: Any) -> bool:
    try:
        model.model_validate(value)
    except ValidationError:
        return False
    return True


def _issue_from_exception(exc: CatalogError) -> Issue:
    return Issue(
        exc.check,
        "error",
        exc.file or "<input>",
        exc.line,
        exc.col,
        None,
        exc.message,
        exc.hint,
        getattr(exc, "excerpt", None),
    )


def read_references(
    path: Path, locator: store.Locator, max_bytes: int | None = None
) -> tuple[list[Entry], list[Issue]]:
    """Read one references file; invalid entries are skipped and reported as findings."""
    file = str(path)
    broken: list[Issue] = []
    try:
        data = store.iter_entries(path, max_bytes)
    except CatalogError as exc:
        if exc.exit_code == 2:
            raise
        # A syntax error in one entry: read every entry on its own, so the rest of the file is
        # still checked and each broken entry reports its own error.
        parts = None
        if exc.line and exc.check in _PER_ENTRY_CHECKS:
            try:
                parts = store.parse_entries_separately(path, max_bytes)
            except CatalogError:
                parts = None
        if parts is None:
            return [], [_issue_from_exception(exc)]
        data, load_errors = parts
        broken = [_issue_from_exception(e) for e in load_errors]
    if data is None:
        return [], [
            Issue(
                "top-level-shape",
                "error",
                file,
                1,
                1,
                None,
                "file is empty: expected a list of entries",
                "start the file with '- key: ...' entries, or delete it",
            )
        ]
    if not isinstance(data, list):
        return [], [
            Issue(
                "top-level-shape",
                "error",
                file,
                1,
                1,
                None,
                f"expected a list of entries at the top level, found a {type(data).__name__}",
                "each entry starts with '- key: ...' at the left margin",
            )
        ]
    entries: list[Entry] = []
    issues: list[Issue] = broken
    fields = list(FIELD_ORDER)
    for index, item in enumerate(data):
        if item is store.UNREADABLE:
            continue
        if not isinstance(item, dict):
            line, col = locator.locate(file, (index,))
            issues.append(
                Issue(
                    "entry-shape",
                    "error",
                    file,
                    line,
                    col,
                    None,
                    f"entry {index + 1} is a {type(item).__name__}, not a mapping",
                    "write the entry as 'key: value' lines",
                )
            )
            continue
        raw_key = item.get("key")
        key = raw_key if isinstance(raw_key, str) else None
        try:
            ref = Reference.model_validate(item)
        except ValidationError as exc:
            errors = exc.errors()
            for error in errors:
                issues.append(_issue_from_error(error, file, (index,), key, locator, fields))
            # The entry's other checks still run on what is valid, so every finding of an entry
            # shows at once instead of one fix at a time.
            salvaged = _salvage(item, errors)
            if salvaged is not None:
                entries.append(Entry(salvaged, file, index))
            continue
        entries.append(Entry(ref, file, index))
        issues.extend(_author_style(item, ref, file, index, locator))
    return entries, issues


#: Load errors that belong to one entry: the file's other entries can still be read.
_PER_ENTRY_CHECKS = frozenset(
    {"yaml-syntax", "yaml-value", "yaml-tag", "duplicate-yaml-key", "control-char"}
)

_REQUIRED = frozenset(n for n, f in Reference.model_fields.items() if f.is_required())


def _salvage(item: dict[str, Any], errors: Sequence[ErrorDetails]) -> Reference | None:
    """The entry without its invalid parts (bad optional fields, bad list items, unknown
    fields), or None when a required field itself is unusable."""
    data = dict(item)
    drop_items: dict[str, set[int]] = {}
    for error in errors:
        loc = error["loc"]
        if not loc or not isinstance(loc[0], str):
            return None
        name = loc[0]
        if error["type"] == "extra_forbidden" and len(loc) == 1:
            data.pop(name, None)
        elif len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(name), list):
            drop_items.setdefault(name, set()).add(loc[1])
        elif name == "extra" and len(loc) >= 2 and isinstance(data.get(name), dict):
            data[name] = {k: v for k, v in data[name].items() if k != loc[1]}
        elif name in _REQUIRED:
            return None
        else:
            data.pop(name, None)
    for name, bad in drop_items.items():
        if isinstance(data.get(name), list):
            data[name] = [v for i, v in enumerate(data[name]) if i not in bad]
    try:
        return Reference.model_validate(data)
    except ValidationError:
        return None


def _author_style(
    item: dict[str, Any], ref: Reference, file: str, index: int, locator: store.Locator
) -> Iterator[Issue]:
    # "Given Family" parses, but is ambiguous for many names; the catalog spells "Family, Given".
    # Only the raw text shows which form was written, so this style check runs while loading.
    for i, name in enumerate(item.get("authors") or []):
        if isinstance(name, str) and TRUNCATED_AUTHOR.match(name.strip()):
            continue  # 'et al.' is not a name to reorder: truncated-authors reports it
        if isinstance(name, str) and "," not in name and " " in name.strip():
            line, col = locator.locate(file, (index, "authors", i))
            yield Issue(
                "author-format",
                "warning",
                file,
                line,
                col,
                ref.key,
                f"author '{name}' is not written as 'Family, Given'",
                f"write '{ref.authors[i]}'",
            )


def read_catalog(
    path: Path | None = None,
    files: Iterable[Path] | None = None,
    *,
    max_bytes: int | None = None,
    locator: store.Locator | None = None,
) -> tuple[Catalog, list[Issue]]:
    """Read a catalog folder (or the given reference files) and return it with load findings."""
    directory = store.resolve_catalog_dir(path)
    locator = locator or store.Locator()
    taxonomy, issues = read_taxonomy(directory / store.TAXONOMY_FILE, locator)
    chosen = list(files) if files is not None else store.catalog_files(directory)
    entries: list[Entry] = []
    for file in chosen:
        got, problems = read_references(file, locator, max_bytes)
        entries.extend(got)
        issues.extend(problems)
    venues, venue_issues = read_venues(venues_path(directory))
    issues.extend(venue_issues)
    catalog = Catalog(taxonomy, entries, directory, [str(f) for f in chosen], venues)
    return catalog, issues
