"""Named checks over a catalog. Each check is a small function that yields :class:`Issue` objects.

``validate_catalog`` runs every check and returns a :class:`Report`; nothing here prints.
Check ids are stable: CI configurations and the documentation refer to them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import store
from .catalog import Catalog, Entry, arxiv_base, read_catalog
from .errors import CatalogNotFoundError, InvalidCatalogError
from .findings import Issue, Report, Severity
from .messages import YEAR_MIN, plausible_years
from .models import TRUNCATED_AUTHOR, TYPE_FOR_KIND, URL_PATTERN

__all__ = [
    "CHECKS",
    "CHECK_IDS",
    "load_catalog",
    "normalise_title",
    "run_checks",
    "validate_catalog",
    "validate_paths",
]


@dataclass
class Context:
    """What a check gets: the catalog and a way to point at a value."""

    catalog: Catalog
    locator: store.Locator

    def issue(
        self,
        check: str,
        severity: Severity,
        entry: Entry,
        path: Sequence[str | int],
        message: str,
        hint: str | None = None,
    ) -> Issue:
        """A finding located at ``path`` inside ``entry``."""
        line, col = self.locator.locate(entry.file, (entry.index, *path))
        return Issue(check, severity, entry.file, line, col, entry.ref.key, message, hint)

    def taxonomy_issue(
        self, check: str, index: int, path: Sequence[str | int], message: str, hint: str | None
    ) -> Issue:
        """A finding located in the taxonomy file."""
        file = self.catalog.taxonomy.file
        line, col = self.locator.locate(file, ("nodes", index, *path))
        return Issue(check, "error", file, line, col, None, message, hint)


Check = Callable[[Context], Iterator[Issue]]

# --------------------------------------------------------------------------- helpers

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TRUNCATED = TRUNCATED_AUTHOR
_BRACE_TOKEN = re.compile(r"\\.|[{}]", re.DOTALL)  # an escaped character, or a brace
_NEW_ARXIV = re.compile(r"^(\d{2})(\d{2})\.(\d+)")
_URL = re.compile(URL_PATTERN)
#: A public paper list a reference was taken from: ``list:<owner>/<repo>@<commit>``.
LIST_SOURCE_PATTERN = r"^list:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{7,40}$"
_LIST_SOURCE = re.compile(LIST_SOURCE_PATTERN)


#: A LaTeX command name (``\text``, ``\mathbf``): dropped before titles are compared, so that
#: ``$\text{D}_{2}\text{O}$`` and ``D₂O`` are the same title.
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")


def normalise_title(title: str) -> str:
    """Lower-case letters and digits only, accents and LaTeX command names stripped: the key
    near-duplicates share."""
    title = _LATEX_COMMAND.sub("", title)
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", folded)


def _text_fields(entry: Entry) -> Iterator[tuple[tuple[str | int, ...], str]]:
    ref = entry.ref
    for name in ("title", "venue", "abstract", "notes"):
        value = getattr(ref, name)
        if value:
            yield (name,), value
    for i, person in enumerate(ref.authors):
        yield ("authors", i), str(person)
    for name, value in ref.extra.items():
        yield ("extra", name), value


def _brace_balance(text: str) -> int | None:
    """Index of the first brace that breaks balance, or -1 for unclosed, None when balanced."""
    if "{" not in text and "}" not in text:
        return None
    depth = 0
    for match in _BRACE_TOKEN.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return match.start()
    return -1 if depth else None


# --------------------------------------------------------------------------- reference checks


def check_duplicate_keys(ctx: Context) -> Iterator[Issue]:
    """Citation keys are unique across every file of the catalog."""
    first: dict[str, Entry] = {}
    for entry in ctx.catalog.entries:
        key = entry.ref.key
        if key in first:
            other = first[key]
            line, _ = ctx.locator.locate(other.file, (other.index, "key"))
            yield ctx.issue(
                "duplicate-key",
                "error",
                entry,
                ("key",),
                f"citation key '{key}' is already used at {other.file}:{line}",
                "give this entry a new key by the key rule (add a suffix a, b, ...)",
            )
        else:
            first[key] = entry


def _duplicate_ids(
    ctx: Context, field_name: str, check: str, norm: Callable[[str], str]
) -> Iterator[Issue]:
    first: dict[str, Entry] = {}
    for entry in ctx.catalog.entries:
        value = getattr(entry.ref, field_name)
        if not value:
            continue
        ident = norm(value)
        if ident in first:
            other = first[ident]
            line, _ = ctx.locator.locate(other.file, (other.index, field_name))
            yield ctx.issue(
                check,
                "error",
                entry,
                (field_name,),
                f"{field_name} {value} is already in the catalog as '{other.ref.key}'"
                f" ({other.file}:{line})",
                "merge the two entries; one paper has one entry",
            )
        else:
            first[ident] = entry


def check_duplicate_arxiv(ctx: Context) -> Iterator[Issue]:
    """One entry per arXiv id (versions ignored)."""
    yield from _duplicate_ids(ctx, "arxiv", "duplicate-arxiv", arxiv_base)


def check_duplicate_doi(ctx: Context) -> Iterator[Issue]:
    """One entry per DOI (case-insensitive)."""
    yield from _duplicate_ids(ctx, "doi", "duplicate-doi", str.lower)


def check_tags(ctx: Context) -> Iterator[Issue]:
    """Every tag is a taxonomy node id and every metric is in the metrics facet."""
    taxonomy = ctx.catalog.taxonomy
    for entry in ctx.catalog.entries:
        for i, tag in enumerate(entry.ref.tags):
            if tag not in taxonomy:
                alias = taxonomy.aliases.get(tag)
                close = [alias] if alias else taxonomy.suggest(tag)
                hint = f"did you mean {', '.join(close)}?" if close else None
                yield ctx.issue(
                    "unknown-tag",
                    "error",
                    entry,
                    ("tags", i),
                    f"tag '{tag}' is not a taxonomy node id",
                    (hint + " " if hint else "") + "`effllm taxonomy` lists the ids",
                )
        if len(set(entry.ref.tags)) != len(entry.ref.tags):
            yield ctx.issue(
                "duplicate-tag",
                "warning",
                entry,
                ("tags",),
                "the same tag is listed twice",
                "list each tag once",
            )
        for i, metric in enumerate(entry.ref.metrics):
            if metric not in taxonomy.metric_ids:
                yield ctx.issue(
                    "unknown-metric",
                    "error",
                    entry,
                    ("metrics", i),
                    f"metric '{metric}' is not in the taxonomy's metrics facet",
                    f"use one of: {', '.join(sorted(taxonomy.metric_ids))}",
                )


def check_years(ctx: Context) -> Iterator[Issue]:
    """Years are plausible, and not earlier than the arXiv id says the paper appeared.

    A published paper may be posted to arXiv after its venue (EMNLP in December, arXiv in March), so
    it may be one year earlier than its id; a preprint may not (except a January id: a paper
    submitted on 31 December is numbered in January).
    """
    _, latest = plausible_years()
    for entry in ctx.catalog.entries:
        ref = entry.ref
        if not YEAR_MIN <= ref.year <= latest:
            yield ctx.issue(
                "implausible-year",
                "error",
                entry,
                ("year",),
                f"year {ref.year} is not plausible ({YEAR_MIN}..{latest})",
                "write the four-digit year of publication",
            )
            continue
        match = _NEW_ARXIV.match(ref.arxiv or "")
        if match:
            posted = 2000 + int(match.group(1))
            # A paper submitted on 31 December is announced, and numbered, in January.
            earliest = posted - 1 if match.group(2) == "01" else posted
            if ref.venue not in (None, "arXiv"):
                earliest = posted - 1
            if ref.year < earliest:
                yield ctx.issue(
                    "year-before-arxiv",
                    "error",
                    entry,
                    ("year",),
                    f"year {ref.year} is before the arXiv id {ref.arxiv} ({posted})",
                    f"the paper cannot predate its preprint; use {earliest} or later",
                )


def check_arxiv_month(ctx: Context) -> Iterator[Issue]:
    """New-style arXiv ids: a real month (01-12), a year from 2007 on, and the right number of
    digits after the dot (4 for ids up to 1412, 5 from 1501 on)."""
    for entry in ctx.catalog.entries:
        arxiv = entry.ref.arxiv or ""
        match = _NEW_ARXIV.match(arxiv)
        if not match:
            continue
        year, month, number = int(match.group(1)), int(match.group(2)), match.group(3)
        if not 1 <= month <= 12 or year < 7:
            yield ctx.issue(
                "bad-arxiv-id",
                "error",
                entry,
                ("arxiv",),
                f"arXiv id {arxiv} has no valid YYMM prefix ("
                + (
                    "the month must be 01-12)"
                    if not 1 <= month <= 12
                    else "new-style ids start in 0704)"
                ),
                "copy the id from the paper's arxiv.org/abs/ page",
            )
            continue
        digits = 5 if (year, month) >= (15, 1) else 4
        if len(number) != digits:
            yield ctx.issue(
                "bad-arxiv-id",
                "error",
                entry,
                ("arxiv",),
                f"arXiv id {arxiv} has {len(number)} digits after the dot; ids from"
                f" {match.group(1)}{match.group(2)} have {digits}",
                "a digit is missing or extra; copy the id from the paper's arxiv.org/abs/ page",
            )


def check_venues(ctx: Context) -> Iterator[Issue]:
    """Venues come from the venue table, by their short name, and the entry type fits the venue
    (inproceedings for a conference or workshop, article for a journal, misc for arXiv)."""
    table = ctx.catalog.venues
    if table is None:
        return
    for entry in ctx.catalog.entries:
        ref = entry.ref
        if not ref.venue:
            continue
        venue = table.match(ref.venue)
        if venue is None:
            close = table.suggest(ref.venue)
            yield ctx.issue(
                "unknown-venue",
                "warning",
                entry,
                ("venue",),
                f"venue '{ref.venue}' is not in the venue table",
                (f"did you mean {', '.join(close)}? " if close else "")
                + "docs/venues.md lists the venues; add a new one to venues.yaml",
            )
            continue
        if ref.venue != venue.short:
            yield ctx.issue(
                "venue-alias",
                "warning",
                entry,
                ("venue",),
                f"venue '{ref.venue}' is another name for '{venue.short}'",
                f"write venue: {venue.short}",
            )
        expected = TYPE_FOR_KIND[venue.kind]
        if ref.type in ("inproceedings", "article", "misc") and ref.type != expected:
            if venue.kind == "preprint":
                message = f"type {ref.type} with venue {venue.short}: a preprint is type misc"
                hint = (
                    "if the paper was published, name its venue (and keep arxiv:);"
                    " otherwise write type: misc"
                )
            else:
                message = f"type {ref.type} does not fit venue {venue.short} (a {venue.kind})"
                hint = f"write type: {expected}"
            yield ctx.issue("venue-type", "error", entry, ("type",), message, hint)


def check_provenance(ctx: Context) -> Iterator[Issue]:
    """Entries say where their metadata came from (``sources``: URLs or list references) and
    what the paper does (``summary``); both are warnings."""
    for entry in ctx.catalog.entries:
        ref = entry.ref
        if not ref.sources:
            yield ctx.issue(
                "missing-sources",
                "warning",
                entry,
                ("title",),
                "entry has no sources",
                "add 'sources:' with the URL of the record the fields were taken from"
                " (arXiv abstract page, proceedings page, DOI)",
            )
        for i, source in enumerate(ref.sources):
            if not (_URL.match(source) or _LIST_SOURCE.match(source)):
                yield ctx.issue(
                    "bad-source",
                    "warning",
                    entry,
                    ("sources", i),
                    f"source '{source[:80]}' is neither an http(s) URL nor a list reference",
                    "write the URL of the record, or 'list:<owner>/<repo>@<commit>' for a"
                    " public paper list; notes go in 'notes:'",
                )
        if not ref.summary:
            yield ctx.issue(
                "missing-summary",
                "warning",
                entry,
                ("title",),
                "entry has no summary",
                "add 'summary:' with one or two sentences in your own words: what the paper"
                " contributes and what it makes cheaper",
            )


#: Hosts whose paper pages are stable records (an OpenReview forum, an anthology or proceedings
#: page): a published paper with neither arXiv id nor DOI can still be found again by such a URL.
RECORD_HOSTS = (
    "openreview.net",
    "aclanthology.org",
    "proceedings.mlr.press",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "mlanthology.org",
    "dl.acm.org",
    "www.usenix.org",
    "ieeexplore.ieee.org",
    "jmlr.org",
    "www.jmlr.org",
    "openaccess.thecvf.com",
    "ojs.aaai.org",
    "www.ijcai.org",
    "proceedings.mlsys.org",
)


def is_record_url(url: str | None) -> bool:
    """Whether ``url`` is an https page on one of the ``RECORD_HOSTS``."""
    host = re.sub(r"^https://([^/]+)/.+$", r"\1", url or "")
    return host != (url or "") and host in RECORD_HOSTS


def check_ids_present(ctx: Context) -> Iterator[Issue]:
    """Every entry can be found again: an arXiv id, a DOI, or a URL on a proceedings record page."""
    for entry in ctx.catalog.entries:
        ref = entry.ref
        if not ref.arxiv and not ref.doi and not is_record_url(ref.url):
            yield ctx.issue(
                "missing-id",
                "warning",
                entry,
                ("title",),
                "entry has neither an arXiv id, a DOI nor a URL of its proceedings record",
                "add 'arxiv:' or 'doi:', or set 'url:' to the paper's page in the proceedings"
                " (OpenReview, ACL Anthology, PMLR ...) so readers can find the paper",
            )


def check_text(ctx: Context) -> Iterator[Issue]:
    """Text fields hold no control characters and balanced braces (they end up in BibTeX)."""
    for entry in ctx.catalog.entries:
        for path, value in _text_fields(entry):
            where = ".".join(str(p) for p in path)
            bad = _CONTROL.search(value)
            if bad:
                yield ctx.issue(
                    "control-char",
                    "error",
                    entry,
                    path,
                    f"{where} contains control character U+{ord(bad.group()):04X}",
                    "delete the invisible character (often pasted from a PDF)",
                )
            position = _brace_balance(value)
            if position is not None:
                what = (
                    "an unclosed '{'" if position < 0 else f"a stray '}}' at column {position + 1}"
                )
                yield ctx.issue(
                    "unbalanced-braces",
                    "error",
                    entry,
                    path,
                    f"{where} has {what}",
                    "balance the braces or remove them",
                )


def check_authors(ctx: Context) -> Iterator[Issue]:
    """Author lists are complete: no 'et al.' or 'others' standing in for names."""
    for entry in ctx.catalog.entries:
        for i, person in enumerate(entry.ref.authors):
            if any(
                _TRUNCATED.match(text) for text in (person.display, person.family, person.given)
            ):
                yield ctx.issue(
                    "truncated-authors",
                    "error",
                    entry,
                    ("authors", i),
                    f"author list is truncated ('{person}')",
                    "list every author; look them up on the paper's arXiv page",
                )


def check_near_duplicate_titles(ctx: Context) -> Iterator[Issue]:
    """The same paper under two ids: titles equal after normalisation (a warning)."""
    first: dict[str, Entry] = {}
    for entry in ctx.catalog.entries:
        norm = normalise_title(entry.ref.title)
        if len(norm) < 12:  # "GPT-4", "LLaMA": too short to say two entries are one paper
            continue
        if norm in first:
            other = first[norm]
            line, _ = ctx.locator.locate(other.file, (other.index, "title"))
            yield ctx.issue(
                "near-duplicate-title",
                "warning",
                entry,
                ("title",),
                f"title matches '{other.ref.key}' ({other.file}:{line}) under a different id",
                "if both are one paper, merge them; if not, make the titles distinguishable",
            )
        else:
            first[norm] = entry


# --------------------------------------------------------------------------- taxonomy checks


def check_taxonomy(ctx: Context) -> Iterator[Issue]:
    """Node ids are unique, parents exist and prefix their children's ids, no cycles, no clashes."""
    taxonomy = ctx.catalog.taxonomy
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, node in enumerate(taxonomy.nodes):
        if node.id in seen:
            yield ctx.taxonomy_issue(
                "taxonomy-duplicate-id",
                index,
                ("id",),
                f"node id '{node.id}' is defined twice",
                "node ids must be unique; rename or remove one",
            )
            continue
        seen[node.id] = index
        names[node.id] = node.id
    for index, node in enumerate(taxonomy.nodes):
        if node.parent is None:
            if "." in node.id:
                yield ctx.taxonomy_issue(
                    "taxonomy-missing-parent",
                    index,
                    ("id",),
                    f"node '{node.id}' has no parent but a dotted id",
                    f"add 'parent: {node.id.rsplit('.', 1)[0]}'",
                )
            continue
        if node.parent not in taxonomy:
            close = taxonomy.suggest(node.parent)
            yield ctx.taxonomy_issue(
                "taxonomy-unknown-parent",
                index,
                ("parent",),
                f"parent '{node.parent}' of '{node.id}' does not exist",
                f"did you mean {', '.join(close)}?" if close else "name an existing node id",
            )
        elif node.id.rsplit(".", 1)[0] != node.parent:
            yield ctx.taxonomy_issue(
                "taxonomy-id-prefix",
                index,
                ("id",),
                f"id '{node.id}' does not extend its parent's id '{node.parent}'",
                f"name it '{node.parent}.<segment>'",
            )
        if node.origin == "extension" and node.section:
            yield ctx.taxonomy_issue(
                "taxonomy-section",
                index,
                ("section",),
                f"extension node '{node.id}' carries a survey section",
                "only nodes with origin 'survey' have a § number",
            )
    # Cycles: follow parents; a walk that comes back to where it started is a cycle.
    reported: set[str] = set()
    for node_id, index in seen.items():
        path = [node_id]
        current = taxonomy.by_id[node_id].parent
        while current is not None and current in taxonomy and current not in path:
            path.append(current)
            current = taxonomy.by_id[current].parent
        if current == node_id and node_id not in reported:
            reported.update(path)
            yield ctx.taxonomy_issue(
                "taxonomy-cycle",
                index,
                ("parent",),
                "parent cycle: " + " -> ".join([*path, node_id]),
                "a node cannot be its own ancestor",
            )
    for index, node in enumerate(taxonomy.nodes):
        for i, alias in enumerate(node.aliases):
            if alias in names and names[alias] != node.id:
                yield ctx.taxonomy_issue(
                    "taxonomy-alias-clash",
                    index,
                    ("aliases", i),
                    f"alias '{alias}' of '{node.id}' is already used by '{names[alias]}'",
                    "aliases must name one node",
                )
            names.setdefault(alias, node.id)
    metric_seen: set[str] = set()
    for index, metric in enumerate(taxonomy.metrics):
        if metric.id in metric_seen:
            file = taxonomy.file
            line, col = ctx.locator.locate(file, ("metrics", index, "id"))
            yield Issue(
                "taxonomy-duplicate-id",
                "error",
                file,
                line,
                col,
                None,
                f"metric id '{metric.id}' is defined twice",
                "metric ids must be unique",
            )
        metric_seen.add(metric.id)


CHECKS: dict[str, Check] = {
    "taxonomy": check_taxonomy,
    "duplicate-key": check_duplicate_keys,
    "duplicate-arxiv": check_duplicate_arxiv,
    "duplicate-doi": check_duplicate_doi,
    "tags": check_tags,
    "years": check_years,
    "arxiv-month": check_arxiv_month,
    "ids-present": check_ids_present,
    "text": check_text,
    "authors": check_authors,
    "near-duplicate-title": check_near_duplicate_titles,
    "venues": check_venues,
    "provenance": check_provenance,
}

#: Every check id a finding can carry, with its meaning (the documentation is generated from this).
CHECK_IDS: dict[str, str] = {
    "unreadable": "a file cannot be read (exit code 2)",
    "encoding": "a file is not valid UTF-8",
    "file-too-large": "a file is larger than the configured bound",
    "yaml-syntax": "YAML syntax error",
    "yaml-depth": "nesting deeper than any catalog needs",
    "yaml-alias": "YAML anchors/aliases, refused to rule out expansion bombs",
    "yaml-tag": "an explicit YAML tag such as !!python/object",
    "yaml-value": "a YAML value that cannot be constructed (e.g. an unhashable key)",
    "duplicate-yaml-key": "the same key twice in one mapping (YAML would keep only the last)",
    "top-level-shape": "a file whose top level is not what the catalog expects",
    "entry-shape": "an entry that is not a mapping",
    "unknown-field": "a field the schema does not know (with a did-you-mean hint)",
    "missing-field": "a required field is absent",
    "schema": "a value of the wrong type or out of range",
    "bad-key": "a citation key that is not BibTeX-safe",
    "bad-type": "an entry type that is not one of the BibTeX types we use",
    "bad-authors": "an author list that is empty or malformed",
    "bad-tag": "tags that are not a list of node ids",
    "bad-arxiv-id": "arXiv id syntax: YYMM with a month 01-12, 4 digits after the dot up to 1412,"
    " 5 from 1501 on",
    "bad-doi": "DOI syntax",
    "bad-url": "a URL that is not http(s)",
    "bad-year": "a year that is not a number",
    "implausible-year": "a year outside 1950..next year",
    "year-before-arxiv": "a year earlier than the arXiv id's year (a published paper, or a January"
    " id, may be one year earlier)",
    "duplicate-key": "two entries with one citation key",
    "duplicate-arxiv": "two entries with one arXiv id",
    "duplicate-doi": "two entries with one DOI",
    "unknown-tag": "a tag that is not a taxonomy node id",
    "duplicate-tag": "the same tag twice on one entry (warning)",
    "unknown-metric": "a metric that is not in the metrics facet",
    "missing-id": "an entry with neither arXiv id, DOI nor proceedings-record URL (warning)",
    "control-char": "control or bidi-override characters in a text field",
    "unbalanced-braces": "unbalanced { } in a text field",
    "truncated-authors": "an author list ending in 'et al.' or 'others'",
    "author-format": "an author not written as 'Family, Given' (warning)",
    "near-duplicate-title": "the same normalised title under two entries (warning)",
    "unknown-venue": "a venue that is not in the venue table, with a did-you-mean hint (warning)",
    "venue-alias": "a venue written by an alias instead of its short name (warning)",
    "venue-type": "an entry type that does not fit the venue (inproceedings for a conference or"
    " workshop, article for a journal, misc for arXiv)",
    "venue-table": "a problem in venues.yaml (schema, or one name for two venues)",
    "bad-source": "a source that is neither an http(s) URL nor 'list:owner/repo@commit' (warning)",
    "missing-sources": "an entry without sources (warning)",
    "missing-summary": "an entry without a summary (warning)",
    "taxonomy-duplicate-id": "a taxonomy node or metric id defined twice",
    "taxonomy-missing-parent": "a dotted node id without a parent",
    "taxonomy-unknown-parent": "a parent id that does not exist",
    "taxonomy-id-prefix": "a node id that does not extend its parent's id",
    "taxonomy-cycle": "a cycle of parents",
    "taxonomy-alias-clash": "an alias that names two nodes",
    "taxonomy-section": "a § number on an extension node",
}


def run_checks(
    catalog: Catalog, locator: store.Locator, checks: Iterable[Check] | None = None
) -> list[Issue]:
    """Run the given checks (default: all) and return their findings."""
    ctx = Context(catalog, locator)
    issues: list[Issue] = []
    for check in checks if checks is not None else CHECKS.values():
        issues.extend(check(ctx))
    return issues


def validate_catalog(
    path: Path | None = None,
    files: Iterable[Path] | None = None,
    *,
    strict: bool = False,
    max_bytes: int | None = None,
) -> tuple[Report, Catalog]:
    """Read the catalog at ``path`` and run every check; the report holds all findings."""
    locator = store.Locator()
    catalog, issues = read_catalog(path, files, max_bytes=max_bytes, locator=locator)
    issues.extend(run_checks(catalog, locator))
    report = Report(
        issues=issues,
        files=[catalog.taxonomy.file, *catalog.files],
        entries=len(catalog),
        strict=strict,
    )
    report.sort()
    return report, catalog


def _catalog_dir_of(path: Path) -> Path | None:
    """The catalog folder a reference file belongs to, if it lies inside one."""
    for folder in (path.parent, path.parent.parent):
        if (folder / store.TAXONOMY_FILE).is_file():
            return folder
    return None


def validate_paths(
    paths: Sequence[Path],
    *,
    catalog: Path | None = None,
    strict: bool = False,
    max_bytes: int | None = None,
) -> Report:
    """Validate catalog folders and/or single reference files and merge the findings.

    A folder is validated as a whole catalog. A reference file is validated against the taxonomy of
    the catalog folder it lies in (or of ``catalog``/the default catalog when it lies in none), and
    cross-entry checks (duplicate keys, ids) run over the files named together.
    """
    if not paths:
        report, _ = validate_catalog(catalog, strict=strict, max_bytes=max_bytes)
        return report
    groups: dict[Path | None, list[Path] | None] = {}
    for path in paths:
        if not path.exists():
            raise CatalogNotFoundError(
                "no such file or folder", file=str(path), hint="check the path", check="unreadable"
            )
        if path.is_dir():
            groups[path] = None
        elif path.name == store.TAXONOMY_FILE:
            groups[path.parent] = None
        else:
            home = _catalog_dir_of(path) or catalog
            if home in groups and groups[home] is None:
                continue  # the whole folder is validated anyway
            groups.setdefault(home, []).append(path)  # type: ignore[union-attr]
    merged = Report(strict=strict)
    for home, files in groups.items():
        report, _ = validate_catalog(home, files, strict=strict, max_bytes=max_bytes)
        merged.issues.extend(report.issues)
        merged.files.extend(f for f in report.files if f not in merged.files)
        merged.entries += report.entries
    merged.sort()
    return merged


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load and validate a catalog; raise :class:`InvalidCatalogError` if it has errors.

    ``path`` is a catalog folder; without it, ``$EFFLLM_CATALOG`` or the bundled catalog is used.
    """
    report, catalog = validate_catalog(Path(path) if path is not None else None)
    if not report.ok:
        first = report.errors[0]
        more = len(report.errors) - 1
        raise InvalidCatalogError(
            first.message
            + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""),
            file=first.file,
            line=first.line,
            col=first.col,
            hint=(first.hint + "; " if first.hint else "") + "run `effllm validate` to see all",
            check=first.check,
        )
    return catalog
