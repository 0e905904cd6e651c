"""An awesome-list style Markdown page: one section per taxonomy node, in taxonomy order.

Every piece of catalog text is escaped so that it renders as text: no title, author or note can add a
link, an image, HTML or a heading. Links are only made from http(s) URLs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from effllm_catalog.taxonomy import Taxonomy

__all__ = ["END_MARKER", "START_MARKER", "export_markdown", "md_escape", "splice"]

START_MARKER = "<!-- effllm:start -->"
END_MARKER = "<!-- effllm:end -->"
# Characters that can start emphasis, code, links, images, tables, strikethrough or GitHub math.
# "<", ">" and "&" become entities, so no HTML survives.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
_HTML = {"<": "&lt;", ">": "&gt;", '"': "&quot;"}
# "&" only where it could start an entity ("&amp;", "&#60;"); "Training & Tuning" stays as written.
_ENTITY_START = re.compile(r"&(?=#?\w)")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MAX_AUTHORS = 6


def md_escape(text: str) -> str:
    """Text that Markdown and HTML render literally (one line, specials backslash-escaped)."""
    clean = " ".join(_INVISIBLE.sub(" ", text).split())
    clean = _ENTITY_START.sub("&amp;", clean)
    clean = "".join(_HTML.get(c, c) for c in clean)
    return _MD_SPECIAL.sub(r"\\\1", clean)


def _safe_url(url: str | None) -> str | None:
    if not url or not re.match(r"^https?://[^\s<>\"'`\\{}|^]+$", url):
        return None
    return url.replace("(", "%28").replace(")", "%29")


def _slug(text: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading: lower-case, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def _heading(taxonomy: Taxonomy, node_id: str) -> str:
    node = taxonomy.by_id[node_id]
    return f"{node.title} (§{node.section})" if node.origin == "survey" else node.title


def _paper(data: dict[str, Any]) -> str:
    title = md_escape(data["title"])
    url = _safe_url(data.get("url")) or (
        f"https://arxiv.org/abs/{data['arxiv']}" if data.get("arxiv") else None
    )
    line = f"[{title}]({url})" if url else title
    if data.get("kind") in ("survey", "benchmark"):
        line += f" ({data['kind']})"
    people = []
    for name in data["authors"]:
        family, _, given = name.partition(",")
        people.append(f"{given.strip()} {family.strip()}".strip())
    shown = people if len(people) <= _MAX_AUTHORS else [*people[: _MAX_AUTHORS - 1], "et al."]
    venue = data.get("venue") or ""
    names = md_escape(", ".join(shown))
    line += f" — {names}{'' if names.endswith('.') else '.'} *{md_escape(venue)} {data['year']}*."
    code = _safe_url(data.get("code"))
    if code:
        line += f" [[code]({code})]"
    return f"- {line}"


def export_markdown(
    rows: Sequence[dict[str, Any]],
    taxonomy: Taxonomy,
    *,
    title: str = "Efficient LLM papers",
    standalone: bool = True,
    dims: Sequence[str] | None = None,
    **_: Any,
) -> str:
    """The page: title, counts, table of contents, then one section per node with its papers.

    ``standalone=False`` leaves out the title and preamble (for ``--into``, where the text goes
    inside someone's README). ``dims`` keeps only the sections of those subtrees, so a paper
    selected by one node does not reappear under its other tags.
    """
    allowed: set[str] | None = None
    if dims:
        allowed = {d for dim in dims for d in taxonomy.descendants(dim)}
    by_node: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for data in rows:
        for tag in dict.fromkeys(data["tags"]):
            if allowed is None or tag in allowed:
                by_node[tag].append(data)
    nodes = [
        (depth, n)
        for depth, n in taxonomy.walk()
        if (allowed is None or n in allowed)
        and any(by_node.get(d) for d in taxonomy.descendants(n))
    ]
    top = min((depth for depth, _ in nodes), default=0)
    nodes = [(depth - top, n) for depth, n in nodes]
    seen: dict[str, int] = {}
    anchors = {n: _slug(_heading(taxonomy, n), seen) for _, n in nodes}
    out: list[str] = []
    if standalone:
        out += [
            f"# {md_escape(title)}",
            "",
            f"{len(rows)} papers on the taxonomy of Ding et al., *The Efficiency Spectrum of Large"
            " Language Models: An Algorithmic Survey*"
            " ([arXiv 2312.00678](https://arxiv.org/abs/2312.00678))."
            " § numbers are the survey's sections; other headings extend it.",
            "",
        ]
    out += ["## Contents", ""]
    for depth, node_id in nodes:
        out.append(
            f"{'  ' * depth}- [{md_escape(_heading(taxonomy, node_id))}](#{anchors[node_id]})"
        )
    for depth, node_id in nodes:
        out += ["", f"{'#' * min(depth + 2, 6)} {md_escape(_heading(taxonomy, node_id))}", ""]
        papers = sorted(by_node.get(node_id, []), key=lambda d: (-d["year"], d["key"]))
        out += [_paper(p) for p in papers]
        if not papers:
            out.pop()
    return "\n".join(out).rstrip() + "\n"


def splice(document: str, generated: str, file: str = "<input>") -> str:
    """Put ``generated`` between the start and end markers of ``document``; the rest is untouched."""
    from effllm_catalog.errors import CatalogError

    start = document.find(START_MARKER)
    end = document.find(END_MARKER)
    if start < 0 or end < 0 or end < start or document.count(START_MARKER) != 1:
        line = document[: max(start, 0)].count("\n") + 1 if start >= 0 else None
        raise CatalogError(
            "markers not found (or not in order, or repeated)",
            file=file,
            line=line,
            hint=f"put a line '{START_MARKER}' and, below it, '{END_MARKER}' where the list goes",
            check="markers",
        )
    head = document[: start + len(START_MARKER)]
    tail = document[end:]
    return f"{head}\n{generated.rstrip()}\n{tail}"
