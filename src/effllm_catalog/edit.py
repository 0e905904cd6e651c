"""Commands that change the catalog: add, import, edit, rm, fmt. All writes go through store
(atomic, locked).

The rule for every write: validate first, write second, and never lose a byte the user wrote.
Every command writes the file exactly as ``fmt`` would (entries sorted by key, fields in catalog
order, the comment header kept), so ``effllm fmt --check`` passes right after it; a comment that
the canonical layout cannot keep makes the command refuse, naming its line, instead of dropping it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import store
from .catalog import Catalog, Entry, arxiv_base, describe_error
from .errors import CatalogError, InvalidCatalogError, LoadError
from .findings import Issue
from .keys import make_key
from .models import FIELD_ORDER, Reference, normalise_arxiv, normalise_doi
from .validate import normalise_title, run_checks

__all__ = [
    "AddResult",
    "EditResult",
    "FormatResult",
    "ImportReport",
    "add_entry",
    "edit_entry",
    "find_duplicate",
    "format_catalog",
    "import_bibtex",
    "parse_assignment",
    "remove_entry",
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


def _rewrite(target: Path, change: Callable[[list[Any]], list[Any]]) -> None:
    """Apply ``change`` to the raw entries of ``target`` and write the file exactly as ``fmt``
    would, atomically. Caller holds the lock. Refuses (writing nothing) when the canonical layout
    would drop a comment, so no user byte that means something is lost."""
    old = store.read_text(target) if target.exists() else store.SCHEMA_HEADER
    data = store.parse_yaml(old, str(target)) if old.strip() else None
    items = list(data) if isinstance(data, list) else []
    _refuse_dropped_comments(old, str(target), "writing it in the canonical layout")
    store.atomic_write(target, _layout(change(items), _header(old)))


def _new_errors(catalog: Catalog, additions: Sequence[Reference]) -> list[Issue]:
    """Errors the additions would cause (duplicates, unknown tags, ...), checked in memory."""
    entries = [
        *catalog.entries,
        *(Entry(r, "<new entry>", -1 - i) for i, r in enumerate(additions)),
    ]
    trial = Catalog(catalog.taxonomy, entries, catalog.directory, catalog.files, catalog.venues)
    keys = {r.key for r in additions}
    return [
        i
        for i in run_checks(trial, store.Locator())
        if i.severity == "error" and i.key in keys and i.file == "<new entry>"
    ]


def _load_for_write(directory: Path | None, editing: str | None = None) -> tuple[Catalog, Path]:
    """The catalog, validated; refuses when it has errors (except those of the entry being
    edited, which the edit may be fixing)."""
    from .validate import validate_catalog

    report, catalog = validate_catalog(directory)
    errors = [e for e in report.errors if editing is None or e.key != editing]
    if errors:
        first = errors[0]
        raise InvalidCatalogError(
            f"the catalog has {len(errors)} error(s); fix them before changing it: {first.message}",
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
        if catalog.venues is not None and isinstance(data.get("venue"), str):
            # A full name or alias (from Crossref, or typed) becomes the table's short name, and
            # without --type the venue decides it.
            data["venue"] = catalog.venues.canonical(data["venue"])
            data.setdefault("type", catalog.venues.entry_type(data["venue"]))
        data["type"] = data.get("type") or "inproceedings"
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
            _rewrite(target, lambda items: [*items, ref.to_data(mode="python")])
    return AddResult(ref, target, not dry_run)


# --------------------------------------------------------------------------- edit / rm

#: Fields that hold lists; ``--set`` splits their value on ';'.
_LIST_FIELDS = frozenset({"authors", "tags", "metrics", "names", "sources"})


def parse_assignment(text: str) -> tuple[str, Any]:
    """``FIELD=VALUE`` from the command line as (field, value): lists split on ';', a year as a
    number, ``extra.NAME`` for a further BibTeX field. The value is validated later, by the model."""
    from .errors import UsageError

    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    known = [*FIELD_ORDER, "extra.<name>"]
    if not sep or not name:
        raise UsageError(
            f"'{text}' is not FIELD=VALUE",
            hint="e.g. --set venue=NeurIPS --set year=2024 --set 'authors=Hu, Edward; Shen, Yelong'",
            check="usage",
        )
    if name == "key":
        raise UsageError(
            "a citation key never changes: documents cite it",
            hint="to replace a paper, `effllm rm` it and `effllm add` the right one",
            check="usage",
        )
    if name not in FIELD_ORDER and not name.startswith("extra."):
        close = difflib.get_close_matches(name, known, n=1)
        raise UsageError(
            f"unknown field '{name}'",
            hint=(f"did you mean '{close[0]}'? " if close else "") + "fields: " + ", ".join(known),
            check="usage",
        )
    if name in _LIST_FIELDS:
        return name, [part.strip() for part in value.split(";") if part.strip()]
    if name == "year" and value.lstrip("-").isdigit():
        return name, int(value)
    if name == "arxiv":
        return name, normalise_arxiv(value)
    if name == "doi":
        return name, normalise_doi(value)
    return name, value


@dataclass
class EditResult:
    """The entry after an edit (or removal), and the file that holds it."""

    reference: Reference | None
    file: Path
    written: bool


def _find_raw(catalog: Catalog, key: str) -> tuple[Path, int]:
    """The file and list position of the entry with ``key`` (valid or not)."""
    entry = catalog.by_key.get(key)
    if entry is not None:
        return Path(entry.file), entry.index
    for name in catalog.files:
        data = store.parse_yaml(store.read_text(Path(name)), name)
        for index, item in enumerate(data if isinstance(data, list) else []):
            if isinstance(item, dict) and item.get("key") == key:
                return Path(name), index
    close = difflib.get_close_matches(key, list(catalog.by_key), n=3)
    raise CatalogError(
        f"no entry with key '{key}'",
        hint=(f"did you mean {', '.join(close)}? " if close else "")
        + "`effllm search --format keys` lists keys",
        check="unknown-key",
    )


def edit_entry(
    key: str,
    directory: Path | None = None,
    *,
    assign: Sequence[tuple[str, Any]] = (),
    unset: Sequence[str] = (),
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    dry_run: bool = False,
) -> EditResult:
    """Change fields of one entry, validate it against the catalog, then write its file exactly as
    ``fmt`` would. The key never changes."""
    writable = store.writable_catalog_dir(directory)
    catalog, _ = _load_for_write(writable, editing=key)
    path, index = _find_raw(catalog, key)
    with store.file_lock(path):
        catalog, _ = _load_for_write(writable, editing=key)
        path, index = _find_raw(catalog, key)
        items = store.parse_yaml(store.read_text(path), str(path))
        data = dict(items[index])
        for name, value in assign:
            if name.startswith("extra."):
                data["extra"] = {**(data.get("extra") or {}), name[6:]: value}
            else:
                data[name] = value
        for name in unset:
            if name == "key" or name in ("type", "title", "authors", "year", "tags"):
                from .errors import UsageError

                raise UsageError(
                    f"'{name}' is required and cannot be removed", hint="--set it instead"
                )
            if name.startswith("extra."):
                data["extra"] = {
                    k: v for k, v in (data.get("extra") or {}).items() if k != name[6:]
                }
            else:
                data.pop(name, None)
        tags = [t for t in data.get("tags") or [] if isinstance(t, str)]
        drop = {catalog.taxonomy.resolve(t) if t not in tags else t for t in remove_tags}
        missing = sorted(drop - set(tags))
        if missing:
            raise CatalogError(
                f"entry '{key}' has no tag {', '.join(missing)}",
                hint="its tags: " + ", ".join(tags),
                check="usage",
            )
        tags = [t for t in tags if t not in drop]
        tags += [catalog.taxonomy.resolve(t) for t in add_tags]
        data["tags"] = list(dict.fromkeys(tags))
        ref = _validated(data, str(path))
        others = [e for e in catalog.entries if e.ref.key != key]
        trial = Catalog(catalog.taxonomy, others, catalog.directory, catalog.files, catalog.venues)
        errors = _new_errors(trial, [ref])
        if errors:
            raise CatalogError(
                errors[0].message, file=str(path), hint=errors[0].hint, check=errors[0].check
            )
        if not dry_run:
            new = ref.to_data(mode="python")
            _rewrite(path, lambda old: [new if i == index else e for i, e in enumerate(old)])
    return EditResult(ref, path, not dry_run)


def remove_entry(key: str, directory: Path | None = None, *, dry_run: bool = False) -> EditResult:
    """Remove one entry from its file, written exactly as ``fmt`` would."""
    writable = store.writable_catalog_dir(directory)
    catalog, _ = _load_for_write(writable, editing=key)
    path, _index = _find_raw(catalog, key)
    with store.file_lock(path):
        catalog, _ = _load_for_write(writable, editing=key)
        path, index = _find_raw(catalog, key)
        if not dry_run:
            _rewrite(path, lambda old: [e for i, e in enumerate(old) if i != index])
    return EditResult(None, path, not dry_run)


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
        lines: dict[str, tuple[int, str]] = {}
        for draft in parsed.drafts:
            data = dict(draft.data)
            data["tags"] = list(dict.fromkeys([*resolved, *_keyword_tags(data, catalog)]))
            data.setdefault("added", today or dt.date.today().isoformat())
            _fit_venue(data, catalog)
            if not data["tags"]:
                report.failed.append(
                    (
                        draft.line,
                        draft.source_key,
                        "no taxonomy tag: pass --tag NODE (or keywords naming nodes)",
                    )
                )
                continue
            if _RULE_SHAPED.match(draft.source_key) and draft.source_key not in taken:
                data["key"] = draft.source_key  # a citing document keeps working
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
            accepted.append(ref)
            seen.add(ref)
            taken.add(ref.key)
            lines[ref.key] = (draft.line, draft.source_key)
        # The catalog checks run once over everything (not once per entry, which is quadratic);
        # an entry with an error is reported and left out. Leaving entries out cannot give the
        # others new errors, so one pass settles it.
        failing: dict[str, str] = {}
        for issue in _new_errors(catalog, accepted):
            failing.setdefault(issue.key or "", issue.message)
        for ref in accepted:
            line, bib_key = lines[ref.key]
            if ref.key in failing:
                report.failed.append((line, bib_key, failing[ref.key]))
            else:
                report.imported.append((line, bib_key, ref.key))
        accepted = [r for r in accepted if r.key not in failing]
        report.failed.sort()
        if accepted and not dry_run:
            _rewrite(target, lambda items: [*items, *(r.to_data(mode="python") for r in accepted)])
            report.written = True
    return report


#: A key with the shape of the catalog's key rule (family + year + word + suffix). Import keeps such
#: a BibTeX key (from our own export, or Google Scholar) instead of making a new one.
_RULE_SHAPED = re.compile(r"^[a-z]+\d{4}[a-z0-9]*$")


def _fit_venue(data: dict[str, Any], catalog: Catalog) -> None:
    """Map a venue's full name or alias to its short name, and the entry type to what the venue
    calls for: reference managers write ``@article{journal={arXiv preprint ...}}`` for preprints
    and ``@article`` for conference papers."""
    table = catalog.venues
    venue = data.get("venue")
    if table is None or not isinstance(venue, str):
        return
    data["venue"] = table.canonical(venue)
    expected = table.entry_type(venue)
    if expected and data.get("type") in ("inproceedings", "article", "misc"):
        data["type"] = expected


def _keyword_tags(data: dict[str, Any], catalog: Catalog) -> list[str]:
    """Tags from the BibTeX ``keywords`` field (as Zotero and JabRef write them, and as our export
    does). Keywords that name taxonomy nodes become tags; the others stay in ``extra``."""
    extra = dict(data.get("extra") or {})
    keywords = extra.pop("keywords", "")
    found, rest = [], []
    for raw in re.split(r"[;,]", keywords):
        word = raw.strip()
        if not word:
            continue
        try:  # an id, an alias or a unique id suffix, as --tag takes them
            found.append(catalog.taxonomy.resolve(word))
        except CatalogError:
            rest.append(word)
    if rest:
        extra["keywords"] = ", ".join(rest)
    if extra:
        data["extra"] = extra
    else:
        data.pop("extra", None)
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


def _refuse_dropped_comments(text: str, file: str, action: str) -> None:
    header_lines = _header(text).count("\n")
    stray = [n for n in _comment_lines(text) if n > header_lines]
    if stray:
        raise CatalogError(
            f"{action} would drop the comment on line {stray[0]}"
            + (f" (and {len(stray) - 1} more)" if len(stray) > 1 else ""),
            file=file,
            line=stray[0],
            hint="move the comment into the entry's 'notes' field or to the top of the file",
            check="fmt-comment",
        )


def _layout(data: list[Any], header: str) -> str:
    """Entries sorted by key, fields in catalog order (unknown fields after the known ones)."""
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
    _refuse_dropped_comments(text, file, "fmt")
    return _layout(data, _header(text))


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
