"""Build the static site: a home page, a page per taxonomy node, per paper, and a stats page.

:func:`render_site` is pure: catalog in, ``{relative path: bytes}`` out, the same bytes for the same
catalog (sorted iteration, no clock, no absolute paths). :func:`write_site` puts those files in a
folder without ever leaving a half-written site behind. Every page links with relative URLs so the
folder works from ``file://`` and from any sub-path of a web server (GitHub Pages).

Catalog text reaches the pages only through Jinja2 with autoescaping on, and links only through
:func:`safe_url`; the search data is JSON with ``<``, ``>`` and ``&`` escaped. A hostile title, summary
or URL renders as text.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from effllm_catalog.catalog import Catalog
from effllm_catalog.errors import WriteError
from effllm_catalog.export.bibtex import export_biblatex, export_bibtex
from effllm_catalog.models import Reference
from effllm_catalog.stats import node_counts, venue_counts, year_by_dimension

from . import charts

__all__ = [
    "MARKER",
    "SiteResult",
    "build_site",
    "node_path",
    "paper_path",
    "render_site",
    "safe_url",
    "write_site",
]

#: A file every built site holds, so that ``write_site`` only ever replaces a folder it made.
MARKER = ".effllm-site"
#: Papers shown under "What is new" on the home page.
NEW_COUNT = 12
#: Papers listed under "Other papers in the same node" on a paper page, per node.
SAME_NODE_COUNT = 8
#: Venues drawn in the per-venue chart (the table behind it lists them all).
VENUE_BARS = 15

_STATIC_FILES = (
    ("style.css", "assets/style.css"),
    ("site.js", "assets/site.js"),
    ("vendor/minisearch.js", "assets/minisearch.js"),
    ("vendor/minisearch.LICENSE.txt", "assets/minisearch.LICENSE.txt"),
)
_SAFE_SCHEMES = ("http", "https")
# Control characters, bidi overrides and separators that could disguise a URL when shown.
_URL_INVISIBLE = re.compile(r"[\x00-\x20\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069\"'<>`\\]")


@dataclass(frozen=True)
class SiteResult:
    """What a build wrote: the folder, pages per kind, file count and total size."""

    directory: Path
    pages: dict[str, int]
    files: int
    size: int

    def to_data(self) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        return {
            "directory": str(self.directory),
            "pages": self.pages,
            "files": self.files,
            "bytes": self.size,
        }


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host and nothing that hides its target.

    Anything else (``javascript:``, ``data:``, relative, protocol-relative, control characters)
    gives ``None`` and the template shows no link.
    """
    if not url or _URL_INVISIBLE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return url


def paper_path(key: str) -> str:
    """The site path of a paper page. ``:`` (valid in keys) would read as a URL scheme on some
    servers and is not allowed in Windows file names; ``~`` is never in a key, so the map is 1:1."""
    return "paper/" + quote(key.replace(":", "~"), safe="~+-._") + ".html"


def node_path(node_id: str) -> str:
    """The site path of a taxonomy node page."""
    return "node/" + quote(node_id, safe="-._") + ".html"


# --------------------------------------------------------------------------- page data


@dataclass
class _Paper:
    ref: Reference
    path: str
    published: bool
    bibtex: str = ""
    biblatex: str = ""
    same_node: list[tuple[str, list[_Paper]]] = field(default_factory=list)
    # The paper's list item as node and paper pages (one folder down) show it, rendered once:
    # a paper appears in many lists, and re-rendering the macro each time was most of the build.
    item: Markup = field(default_factory=Markup)
    item_data: Markup = field(default_factory=Markup)

    @property
    def authors(self) -> list[str]:
        return [p.display for p in self.ref.authors]

    @property
    def sort_title(self) -> str:
        return self.ref.title.casefold()


def _is_published(ref: Reference) -> bool:
    return bool(ref.venue) and (ref.venue or "").strip().lower() != "arxiv"


def _split_bib(text: str, keys: Sequence[str]) -> dict[str, str]:
    """Split an exported .bib into one block per key (the exporter writes them in input order)."""
    blocks = re.split(r"\n(?=@)", text.strip("\n"))
    if len(blocks) != len(keys):  # pragma: no cover - guards an exporter change
        raise ValueError("bibliography export did not give one block per entry")
    return {key: block.strip("\n") + "\n" for key, block in zip(keys, blocks, strict=True)}


def _links(ref: Reference) -> list[tuple[str, str]]:
    """(label, URL) pairs, each checked by :func:`safe_url`."""
    candidates: list[tuple[str, str | None]] = []
    if ref.arxiv:
        candidates.append(("arXiv", f"https://arxiv.org/abs/{quote(ref.arxiv, safe='/.')}"))
    if ref.url and "arxiv.org/" not in ref.url:
        candidates.append(("Venue page", ref.url))
    if ref.doi:
        candidates.append(("DOI", "https://doi.org/" + quote(ref.doi, safe="/.:;()_-")))
    if ref.code:
        candidates.append(("Code", ref.code))
    checked = [(label, safe_url(url)) for label, url in candidates]
    return [(label, url) for label, url in checked if url is not None]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("effllm_catalog.site", "templates"),
        autoescape=True,  # every template, whatever its name: catalog text is never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["paper_path"] = paper_path
    env.filters["node_path"] = node_path
    env.filters["links"] = _links
    return env


def _static(name: str) -> bytes:
    return (resources.files("effllm_catalog.site") / "static" / name).read_bytes()


def _json_js(name: str, value: Any) -> bytes:
    """A script that assigns ``value`` to ``window[name]``; no ``<``/``>``/``&`` survive, so the
    data cannot close a script element or open a comment if someone inlines it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window[{json.dumps(name)}]={text};\n".encode()


def _search_docs(papers: Iterable[_Paper]) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "p": p.path,
            "t": p.ref.title,
            "n": " ".join(p.ref.names),
            "s": p.ref.summary or "",
            "a": ", ".join(p.authors),
            "y": p.ref.year,
            "v": p.ref.venue or "",
        }
        for i, p in enumerate(papers)
    ]


def render_site(catalog: Catalog, *, title: str = "Efficient LLM papers") -> dict[str, bytes]:
    """Every file of the site as ``{relative path: content}``; same catalog, same bytes."""
    tax = catalog.taxonomy
    refs = sorted(catalog.references, key=lambda r: r.key)
    papers = {r.key: _Paper(r, paper_path(r.key), _is_published(r)) for r in refs}
    rows = [r.to_data() for r in refs]
    keys = [r.key for r in refs]
    if refs:
        bibtex = _split_bib(export_bibtex(rows), keys)
        biblatex = _split_bib(export_biblatex(rows), keys)
        for key, paper in papers.items():
            paper.bibtex, paper.biblatex = bibtex[key], biblatex[key]

    # Which papers sit in each node: tagged directly, and tagged with it or a descendant.
    direct: dict[str, list[_Paper]] = defaultdict(list)
    for paper in papers.values():
        for tag in sorted(set(paper.ref.tags)):
            if tag in tax:
                direct[tag].append(paper)
    newest_first = lambda p: (-p.ref.year, p.sort_title, p.ref.key)  # noqa: E731
    below: dict[str, list[_Paper]] = {}
    for node_id in tax.by_id:
        seen: dict[str, _Paper] = {}
        for descendant in tax.descendants(node_id):
            for paper in direct.get(descendant, []):
                seen.setdefault(paper.ref.key, paper)
        below[node_id] = sorted(seen.values(), key=newest_first)
    index = {p.ref.key: i for i, p in enumerate(papers.values())}
    counts = node_counts(
        tax, ((index[p.ref.key], tag) for p in papers.values() for tag in p.ref.tags)
    )
    ranked = {tag: sorted(group, key=newest_first) for tag, group in direct.items()}
    for paper in papers.values():
        for tag in sorted(set(paper.ref.tags), key=lambda t: (tax.order.get(t, 0), t)):
            head = ranked.get(tag, [])[: SAME_NODE_COUNT + 1]
            others = [p for p in head if p is not paper][:SAME_NODE_COUNT]
            if others:
                paper.same_node.append((tag, others))

    metrics = {m.id: m.title for m in tax.metrics}
    env = _environment()
    common = {"site_title": title, "taxonomy": tax, "counts": counts, "metrics": metrics}
    files: dict[str, bytes] = {}
    macros: Any = env.get_template("macros.html").make_module({})  # macros are dynamic attributes
    item_macro = macros.paper_item
    for paper in papers.values():
        # The macro's output is already escaped markup (autoescape); Markup keeps it from being
        # escaped a second time where the page template prints it.
        paper.item = Markup(item_macro(paper, "../"))
        paper.item_data = Markup(item_macro(paper, "../", with_data=True))

    def page(path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        html = env.get_template(template).render(root=root, path=path, **common, **context)
        files[path] = html.encode("utf-8")

    with_added = sorted(
        (p for p in papers.values() if p.ref.added is not None),
        key=lambda p: (p.ref.added, p.ref.year, p.sort_title, p.ref.key),
        reverse=True,
    )
    page(
        "index.html",
        "home.html",
        tree=list(tax.walk()),
        papers_total=len(papers),
        newest=with_added[:NEW_COUNT],
        with_code=sum(1 for p in papers.values() if p.ref.code),
    )
    for node_id in tax.by_id:
        node_papers = below[node_id]
        page(
            node_path(node_id),
            "node.html",
            node=tax.by_id[node_id],
            section=tax.section(node_id),
            ancestors=list(reversed(tax.ancestors(node_id))),
            children=tax.children.get(node_id, []),
            papers=node_papers,
            years=sorted({p.ref.year for p in node_papers}),
            # (casefold, text): venues that differ only in case must not be ordered by set order.
            venues=sorted(
                {p.ref.venue or "" for p in node_papers} - {""}, key=lambda v: (v.casefold(), v)
            ),
            node_metrics=sorted({m for p in node_papers for m in p.ref.metrics}),
        )
    for paper in papers.values():
        page(paper.path, "paper.html", paper=paper)

    years = year_by_dimension(
        tax,
        ((index[p.ref.key], tag, p.ref.year) for p in papers.values() for tag in p.ref.tags),
    )
    venues = venue_counts(p.ref.venue for p in papers.values())
    code_by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for paper in papers.values():
        cell = code_by_year[paper.ref.year]
        cell[0] += 1
        cell[1] += 1 if paper.ref.code else 0
    page(
        "stats.html",
        "stats.html",
        charts=[
            charts.years_by_area(years, {d: tax.by_id[d].title for d in years["dimensions"]}),
            charts.venues(venues, VENUE_BARS),
            charts.code_share(sorted((y, n, c) for y, (n, c) in code_by_year.items())),
        ],
        papers_total=len(papers),
    )

    for source, target in _STATIC_FILES:
        files[target] = _static(source)
    files["assets/search-data.js"] = _json_js(
        "EFFLLM_SEARCH", {"docs": _search_docs(papers.values())}
    )
    files[MARKER] = b"Built by `effllm site`; the whole folder is replaced on the next build.\n"
    return dict(sorted(files.items()))


# --------------------------------------------------------------------------- writing


def _is_site_or_empty(folder: Path) -> bool:
    return not folder.exists() or (folder / MARKER).is_file() or not any(folder.iterdir())


def write_site(files: dict[str, bytes], out: Path) -> SiteResult:
    """Write ``files`` to ``out``, replacing a site built there before, never anything else.

    The site is written next to ``out`` and moved into place, so a failed build leaves the old site
    untouched. A folder that exists, is not empty and was not made by ``effllm site`` is refused.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise WriteError(
            "the output path is a file, not a folder",
            file=str(out),
            hint="choose a folder for the site, e.g. -o site",
            check="write",
        )
    if not _is_site_or_empty(out):
        raise WriteError(
            f"folder is not empty and holds no {MARKER} file, so it was not built by `effllm site`",
            file=str(out),
            hint="choose a new or empty folder; nothing was written",
            check="write",
        )
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise WriteError(
            f"cannot write in this folder: {exc.strerror}",
            file=str(parent),
            hint="check that the folder exists and is writable",
            check="write",
        ) from None
    old: Path | None = None
    try:
        size = 0
        for rel, content in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            size += len(content)
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)  # mkdtemp makes 0700; a web server must be able to read it
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            out.replace(old / "site")
        staging.replace(out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists():
            with contextlib.suppress(OSError):
                (old / "site").replace(out)
        raise WriteError(
            f"cannot write the site: {exc.strerror}",
            file=str(out),
            hint="check free space and permissions; the old site is unchanged",
            check="write",
        ) from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    pages: dict[str, int] = defaultdict(int)
    for rel in files:
        if rel.endswith(".html"):
            pages[rel.split("/")[0] if "/" in rel else rel.removesuffix(".html")] += 1
    return SiteResult(out, dict(sorted(pages.items())), len(files), size)


def build_site(catalog: Catalog, out: Path, *, title: str = "Efficient LLM papers") -> SiteResult:
    """Render the catalog's site and write it to ``out`` (see :func:`write_site`)."""
    return write_site(render_site(catalog, title=title), out)
