#!/usr/bin/env python3
"""Build ``data/references.yaml`` from the parsed public paper lists and the supplement files.

Run from the repository root::

    python scripts/build_catalog.py [--papers PATH] [--lists DIR] [--added YYYY-MM-DD]

Inputs (all read-only):

- ``papers.jsonl`` / ``papers_stats.json`` / ``lists/*.jsonl`` -- the merged and per-list records
  parsed from eleven public "awesome" lists (default: ``/work/shared/data``);
- ``data/taxonomy.yaml`` -- node ids that tags must come from;
- ``scripts/heading_map.yaml`` -- reviewed heading -> node table;
- ``scripts/title_rules.yaml`` -- ordered title rules that refine or place papers;
- ``scripts/sources/*.yaml`` -- supplements (``landmarks.yaml``: full entries for papers the lists
  lack; ``lookups.yaml``: authors/venue/year for list papers), all optional;
- ``data/references.yaml`` -- if present, its keys (and ``added`` dates) are kept: keys are frozen.

Outputs: ``data/references.yaml``, ``scripts/build_report.json``, ``scripts/needs_authors.jsonl``.
Only the standard library and PyYAML are used; the output depends only on the inputs (and on
``--added`` for entries that are new).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from effllm_catalog.keys import make_key  # noqa: E402
from effllm_catalog.models import FIELD_ORDER  # noqa: E402
from effllm_catalog.store import SCHEMA_HEADER, dump_entries  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data")

# ------------------------------------------------------------------------------------------ venues

#: canonical venue -> entry type. Anything not listed here is not accepted as a venue.
JOURNALS = {
    "TMLR",
    "JMLR",
    "TACL",
    "TASLP",
    "TIST",
    "TCAD",
    "IEEE Micro",
    "IEEE Computer Architecture Letters",
    "Scientific Reports",
    "IEEE/ACM Transactions on Networking",
    "PACMMOD",
    "AI Open",
}
CONFERENCES = {
    "NeurIPS",
    "ICML",
    "ICLR",
    "ACL",
    "EMNLP",
    "NAACL",
    "EACL",
    "AACL",
    "COLING",
    "LREC-COLING",
    "AAAI",
    "IJCAI",
    "COLM",
    "MLSys",
    "OSDI",
    "SOSP",
    "NSDI",
    "ATC",
    "EuroSys",
    "ASPLOS",
    "ISCA",
    "MICRO",
    "HPCA",
    "DAC",
    "SC",
    "PPoPP",
    "CVPR",
    "ICCV",
    "ECCV",
    "WACV",
    "KDD",
    "WWW",
    "SIGIR",
    "CIKM",
    "WSDM",
    "Findings of ACL",
    "Findings of EMNLP",
    "Findings of NAACL",
    "Findings of EACL",
    "Findings of AACL",
    "ICASSP",
    "Interspeech",
    "CoNLL",
    "VLDB",
    "SIGMOD",
    "SIGCOMM",
    "MobiCom",
    "SenSys",
    "INFOCOM",
    "FAST",
    "ICCAD",
    "ASP-DAC",
    "FPGA",
    "IPDPS",
    "ICPP",
    "ISC",
    "CoRL",
    "ACM MM",
    "UAI",
    "COLT",
    "ECAI",
    "CPAL",
    "CoLLAs",
    "SemEval",
    "MICCAI",
    "IJCNN",
    "ICMLA",
    "AICAS",
    "ISCAS",
    "GLSVLSI",
    "ARITH",
    "CICC",
    "EUSIPCO",
    "COMPSAC",
    "ICPC",
    "AutoML",
    "NeurIPS Workshop",
    "ICML Workshop",
    "ICLR Workshop",
    "ACL Workshop",
    "NAACL Workshop",
    "EMNLP Workshop",
    "CVPR Workshop",
}
_VENUE_ALIASES = [
    # (regex on the cleaned string, canonical)
    (r"^(neurips|nips|neruips|neurlps)\b", "NeurIPS"),
    (r"^icml\b", "ICML"),
    (r"^iclr\b", "ICLR"),
    (r"^acl\b", "ACL"),
    (r"^emnlp\b", "EMNLP"),
    (r"^naacl\b", "NAACL"),
    (r"^eacl\b", "EACL"),
    (r"^aacl\b", "AACL"),
    (r"^lrec-coling$", "LREC-COLING"),
    (r"^coling\b", "COLING"),
    (r"^aaai\b", "AAAI"),
    (r"^ijcai\b", "IJCAI"),
    (r"^colm\b", "COLM"),
    (r"^mlsys\b", "MLSys"),
    (r"^tmlr\b", "TMLR"),
    (r"^(ieee )?sc\d*$", "SC"),
    (r"^(usenix )?atc$", "ATC"),
    (r"^(acm ?mm|mm|acmmm)$", "ACM MM"),
    (r"^(acm )?sigcomm$", "SIGCOMM"),
    (r"^aspdac$", "ASP-DAC"),
    (r"^nature scientific reports$", "Scientific Reports"),
    (r"^acm transactions on networking$", "IEEE/ACM Transactions on Networking"),
    (r"^(conference on lifelong learning agents|collas)$", "CoLLAs"),
    (r"^cikm\b", "CIKM"),
]
_WORKSHOP_HINT = re.compile(
    r"workshop|enlsp|es[- ]?fomo|esfomo|\bwant\b|tf2m|mlncp|\bsrw\b|tinypapers|scope|ttodler|elvm|sllm|"
    r"machine learning and compression|building trust|practical ml|lock-llm|sustainlp|privatenlp|deelio",
    re.I,
)
_WORKSHOP_HOST = [
    (
        re.compile(r"neurips|nips|enlsp|mlncp|machine learning and compression|lock-llm", re.I),
        "NeurIPS Workshop",
    ),
    (
        re.compile(
            r"icml|es[- ]?fomo|esfomo|\bwant\b|tf2m|ttodler|efficient systems for foundation", re.I
        ),
        "ICML Workshop",
    ),
    (re.compile(r"iclr|sllm|scope|tinypapers|practical ml|building trust", re.I), "ICLR Workshop"),
    (re.compile(r"naacl", re.I), "NAACL Workshop"),
    (re.compile(r"acl|privatenlp|deelio|sustainlp", re.I), "ACL Workshop"),
    (re.compile(r"cvpr|elvm", re.I), "CVPR Workshop"),
]
NOT_VENUES = re.compile(
    r"^(arxiv|technical report|blog|github|website|openreview|iclr submission|pmlr|biorxiv|techrxiv|"
    r"icml tutorial|naacl abstract|hpc|ipca|sigmobile|ivus|icoris|cis-ram|unlp)$",
    re.I,
)


def normalise_venue(raw: str | None) -> tuple[str | None, str]:
    """Return ``(canonical venue or None, status)``; status is ok / none / not-a-venue / unrecognised."""
    if raw is None or not raw.strip():
        return None, "none"
    text = re.sub(r"\s+", " ", raw).strip()
    if text.lower().startswith("arxiv, "):  # "arXiv, ICML"
        text = text[7:]
    if NOT_VENUES.match(text):
        return None, "not-a-venue"
    if _WORKSHOP_HINT.search(text):
        for pattern, name in _WORKSHOP_HOST:
            if pattern.search(text):
                return name, "ok"
        return None, "unrecognised"
    findings = re.search(r"findings", text, re.I)
    if findings:
        for conf in ("EMNLP", "NAACL", "EACL", "AACL", "ACL"):
            if re.search(conf, text, re.I):
                return f"Findings of {conf}", "ok"
    # strip decorations: tracks, awards, oral/spotlight, emoji, trailing year fragments
    cleaned = re.sub(
        r"\((?:[^)]*)\)|\b(industry track|industry|main|oral|spotlight|outstanding( award)?|best paper|"
        r"demo|short|featured certification|datasets and benchmarks track|survey track)\b|[^\w\s/&-]|'\d*",
        " ",
        text,
        flags=re.I,
    )
    cleaned = re.sub(r"[-\s]+$", "", re.sub(r"\s+", " ", cleaned)).strip()
    for pattern, name in _VENUE_ALIASES:
        if re.search(pattern, cleaned, re.I):
            return name, "ok"
    for name in sorted(CONFERENCES | JOURNALS):
        if cleaned.lower() == name.lower():
            return name, "ok"
    return None, "unrecognised"


def entry_type(venue: str | None) -> str:
    """BibTeX-like entry type for a canonical venue."""
    if venue is None or venue == "arXiv":
        return "misc"
    if venue in JOURNALS:
        return "article"
    return "inproceedings"


# ------------------------------------------------------------------------------------------ authors

_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "da",
    "di",
    "du",
    "del",
    "della",
    "dos",
    "das",
    "la",
    "le",
    "ten",
    "ter",
    "zu",
    "vom",
    "bin",
    "al",
    "el",
    "st.",
}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_TRUNCATION = re.compile(r"^(et\.? al\.?|others|etc\.?|and others|\.\.\.)$", re.I)
_LATEX_ACCENT = re.compile(r"\{?\\([\"'`^~=.])\{?\s*([A-Za-z])\}?\}?")
_ACCENT_COMBINING = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}


def fix_latex(text: str) -> str:
    """Turn LaTeX accent residue (``Lo\\"ic``, ``{\\'e}``) into Unicode and drop stray braces."""
    text = _LATEX_ACCENT.sub(
        lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENT_COMBINING[m.group(1)]), text
    )
    return text.replace("{", "").replace("}", "")


# BibTeX accent residue with the backslash already lost, as in alon-albalak ("D'aniel", "Jo~ao").
_BARE_ACCENT = re.compile(r"(?<=[a-zA-Z])([\"'`^~])([aeiouny])")
_URL = re.compile(r"^https://[^\s]+$")


def fix_bare_accents(name: str) -> str:
    """Repair ``Su'arez`` -> ``Suárez`` (only a lower-case vowel/n/y after the mark is combined)."""
    return _BARE_ACCENT.sub(
        lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENT_COMBINING[m.group(1)]), name
    )


def convert_author(name: str) -> str | None:
    """Convert ``Given Family`` to ``Family, Given``; return None for a truncation marker."""
    name = re.sub(r"\s+", " ", fix_latex(name)).strip().strip(",;")
    if not name or _TRUNCATION.match(name):
        return None
    if "," in name:  # already "Family, Given" (BibTeX style)
        family, _, given = name.partition(",")
        return f"{family.strip()}, {given.strip()}" if given.strip() else family.strip()
    tokens = name.split(" ")
    if len(tokens) == 1:
        return name
    suffix = ""
    if tokens[-1].lower() in _SUFFIXES and len(tokens) > 2:
        suffix = tokens.pop()
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in _PARTICLES:
        start -= 1
    family, given = " ".join(tokens[start:]), " ".join(tokens[:start])
    return f"{family}, {given}" + (f", {suffix}" if suffix else "")


def convert_authors(names: Iterable[str]) -> tuple[list[str], bool]:
    """Convert a list of names; the bool is True when the list ends in a truncation marker."""
    out: list[str] = []
    truncated = False
    for raw in names:
        converted = convert_author(raw)
        if converted is None:
            truncated = True
            continue
        out.append(converted)
    return out, truncated


# ------------------------------------------------------------------------------------------ titles, urls

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_title(title: str, counts: collections.Counter[str]) -> str:
    """Normalise whitespace, strip a trailing dot, control characters and unbalanced braces."""
    original = title
    title = _CONTROL.sub(" ", title)
    title = re.sub(r"\s+", " ", title).strip()
    title = re.sub(r"(?<!\.)\.$", "", title).strip()
    if "{" in title or "}" in title:
        title = title.replace("{", "").replace("}", "")
        counts["title_braces_removed"] += 1
    title = fix_latex(title)
    if title != original:
        counts["titles_cleaned"] += 1
    return title


def norm_title(title: str) -> str:
    """Lower-case alphanumerics only, used for matching titles across sources."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", title).lower())


_CODE_HOSTS = re.compile(
    r"^https://(github\.com|gitlab\.com|huggingface\.co|bitbucket\.org|gitee\.com)/[^/\s]+/[^/\s]+",
    re.I,
)


def clean_code(urls: Iterable[str]) -> str | None:
    """First code URL on a known host, upgraded to https, without trailing slash / .git."""
    for url in urls:
        url = url.strip()
        if url.startswith("http://"):
            url = "https://" + url[7:]
        url = re.sub(r"(\.git)?/*$", "", url)
        if _CODE_HOSTS.match(url) and " " not in url:
            return url
    return None


def arxiv_year(arxiv: str) -> int | None:
    """Earliest possible year implied by an arXiv id (new-style YYMM.n or old-style cat/YYMMnnn)."""
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}$", arxiv) or re.match(
        r"^[a-z\-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}$", arxiv
    )
    if not match:
        return None
    yy = int(match.group(1))
    return 2000 + yy if yy < 90 else 1900 + yy


# ------------------------------------------------------------------------------------------ taxonomy & rules


class Taxonomy:
    """Node ids, parents and their file order."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.order: dict[str, int] = {}
        self.parent: dict[str, str | None] = {}
        for index, node in enumerate(data["nodes"]):
            self.order[node["id"]] = index
            self.parent[node["id"]] = node.get("parent")
        self.leaves = {n for n in self.order if n not in set(self.parent.values())}

    def ancestors(self, node: str) -> list[str]:
        """Strict ancestors of ``node``, nearest first."""
        out = []
        current = self.parent.get(node)
        while current:
            out.append(current)
            current = self.parent.get(current)
        return out

    def is_ancestor_or_self(self, maybe: str, node: str) -> bool:
        """True when ``maybe`` is ``node`` or one of its ancestors."""
        return maybe == node or maybe in self.ancestors(node)

    def top(self, node: str) -> str:
        """Top-level dimension of ``node``."""
        chain = [node, *self.ancestors(node)]
        return chain[-1]


class Mapper:
    """Apply the heading map and the title rules to one listing."""

    def __init__(self, taxonomy: Taxonomy, heading_path: Path, rules_path: Path) -> None:
        self.tax = taxonomy
        self.headings = yaml.safe_load(heading_path.read_text(encoding="utf-8"))
        self.rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
        for entry in self.headings:
            for node in [*(entry.get("nodes") or []), entry.get("fallback")]:
                if node is not None and node not in taxonomy.order:
                    raise SystemExit(f"heading_map: unknown node {node!r} in {entry}")
        for rule in self.rules:
            if rule["node"] is not None and rule["node"] not in taxonomy.order:
                raise SystemExit(f"title_rules: unknown node {rule['node']!r}")
            rule["_re"] = re.compile(rule["pattern"], re.I)
            rule["_unless"] = re.compile(rule["unless"], re.I) if rule.get("unless") else None
        self.rule_hits: collections.Counter[str] = collections.Counter()
        self.unmapped: collections.Counter[str] = collections.Counter()

    def heading(self, source: str, path: list[str]) -> dict[str, Any] | None:
        """The heading entry with the longest prefix of ``path``."""
        best = None
        for entry in self.headings:
            prefix = entry["prefix"]
            if (
                entry["source"] == source
                and path[: len(prefix)] == prefix
                and (best is None or len(prefix) > len(best["prefix"]))
            ):
                best = entry
        return best

    def _applicable(self, rule: dict[str, Any], coarse: str) -> bool:
        also = rule.get("also_from") or []
        if "*" in also or coarse in also:
            return True
        return rule["node"] is not None and self.tax.is_ancestor_or_self(coarse, rule["node"])

    def _first_rule(self, title: str, coarse: str) -> dict[str, Any] | None:
        for rule in self.rules:
            if not self._applicable(rule, coarse):
                continue
            if rule["node"] is not None and rule["node"] == coarse:
                continue  # no-op refinement; keep looking for something more specific
            if rule["_re"].search(title) and not (
                rule["_unless"] and rule["_unless"].search(title)
            ):
                return rule
        return None

    def tags(self, source: str, path: list[str], title: str) -> tuple[set[str], str]:
        """Tags for one listing, and a reason code when it yields none."""
        entry = self.heading(source, path)
        if entry is None:
            self.unmapped[f"{source} :: {' > '.join(path)}"] += 1
            return set(), "heading-unmapped"
        if not entry.get("nodes"):
            return set(), "heading-null"
        if entry.get("keep") and not re.search(entry["keep"], title, re.I):
            return set(), "heading-keep-filter"
        if entry.get("drop") and re.search(entry["drop"], title, re.I):
            return set(), "heading-drop-filter"
        out: set[str] = set()
        dropped = False
        for coarse in entry["nodes"]:
            rule = self._first_rule(title, coarse)
            if rule is not None:
                self.rule_hits[rule["name"]] += 1
                if rule["node"] is None:
                    dropped = True
                    continue
                out.add(rule["node"])
            elif not entry.get("place"):
                out.add(coarse)
        if dropped and not out:
            return set(), "title-rule-drop"
        if not out and entry.get("place"):
            if entry.get("fallback"):
                out.add(entry["fallback"])
            else:
                return set(), "place-no-rule"
        return out, ""

    def reduce(self, tags: set[str]) -> list[str]:
        """Drop a tag when a more specific descendant is also present; order by taxonomy."""
        keep = {t for t in tags if not any(o != t and t in self.tax.ancestors(o) for o in tags)}
        return sorted(keep, key=lambda t: self.tax.order[t])


# ------------------------------------------------------------------------------------------ build


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_supplements(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """All records of ``scripts/sources/*.yaml`` as ``(file name, record)``; absent files are fine."""
    out = []
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(data, dict):
            data = data.get("entries") or data.get("papers") or []
        for record in data:
            if isinstance(record, dict):
                out.append((path.name, record))
    return out


def pick_year_venue(
    arxiv: str | None,
    claims: list[tuple[str | None, int | None]],
    counts: collections.Counter[str],
) -> tuple[int | None, str | None]:
    """Choose (year, venue) from per-listing (raw venue, year) claims; count wrong claims."""
    floor = arxiv_year(arxiv) if arxiv else None
    venues: collections.Counter[tuple[str, int | None]] = collections.Counter()
    years: list[int] = []
    for raw, year in claims:
        if year is not None and floor is not None and year < floor:
            counts["wrong_year_before_arxiv_id"] += 1
            year = None
        if year is not None:
            years.append(year)
        venue, status = normalise_venue(raw)
        if status in ("not-a-venue", "unrecognised"):
            counts[f"venue_{status.replace('-', '_')}"] += 1
        if venue:
            venues[(venue, year)] += 1
    if venues:
        main = [v for v in venues if "Workshop" not in v[0]] or list(venues)
        best = sorted(main, key=lambda v: (-venues[v], v[1] is None, -(v[1] or 0), v[0]))[0]
        venue, year = best
        if year is None:
            same = [y for (v, y) in venues if v == venue and y is not None]
            year = max(same) if same else (max(years) if years else floor)
        if len({y for (v, y) in venues if v == venue and y is not None}) > 1:
            counts["venue_year_disagreement"] += 1
        return year, venue
    if floor is not None:
        if years and max(years) > floor + 1:
            counts["listing_year_later_than_arxiv_without_venue"] += 1
        return floor, "arXiv"
    return (max(years) if years else None), None


def load_conflicts(path: Path) -> dict[str, dict[str, Any]]:
    """The reviewed table of which title belongs to each conflicting arXiv id."""
    if not path.is_file():
        return {}
    return {str(k): v for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()}


def resolve_conflict(
    paper: dict[str, Any],
    title_ids: dict[str, set[str]],
    counts: collections.Counter[str],
    reviewed: dict[str, dict[str, Any]],
) -> tuple[str, bool] | None:
    """(title, every listing belongs) for a ``conflict: true`` id, or None when unsure.

    The reviewed table (scripts/conflicts.yaml) decides first. Otherwise: a title variant that the
    other lists file under a *different* arXiv id belongs to that id, so it cannot be this id's
    title; when exactly one variant survives that test, it is this id's title.
    """
    variants = list(dict.fromkeys(paper.get("title_variants") or [paper["title"]]))
    own = paper["arxiv"]
    if own in reviewed:
        row = reviewed[own]
        same = bool(row.get("same_paper"))
        if not same:
            wrong = [v for v in variants if norm_title(v) != norm_title(row["title"])]
            counts["conflict_wrong_title_claims"] += len(wrong)
        return str(row["title"]), same
    survivors = [v for v in variants if not (title_ids.get(norm_title(v), set()) - {own})]
    if len(survivors) == 1 and len(variants) > 1:
        counts["conflict_wrong_title_claims"] += len(variants) - 1
        return survivors[0], False
    return None


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Run the whole pipeline; return the report."""
    data_dir: Path = args.data
    taxonomy = Taxonomy(ROOT / "data" / "taxonomy.yaml")
    mapper = Mapper(
        taxonomy, ROOT / "scripts" / "heading_map.yaml", ROOT / "scripts" / "title_rules.yaml"
    )
    papers = load_jsonl(data_dir / "papers.jsonl")
    stats = json.loads((data_dir / "papers_stats.json").read_text(encoding="utf-8"))
    commits: dict[str, str] = stats["generated_from"]
    counts: collections.Counter[str] = collections.Counter()
    dropped: collections.Counter[str] = collections.Counter()

    # per-list records, indexed by arXiv id and by normalised title
    records_by_id: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    records_by_title: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for path in sorted((data_dir / "lists").glob("*.jsonl")):
        for record in load_jsonl(path):
            if record.get("arxiv"):
                records_by_id[record["arxiv"]].append(record)
            else:
                records_by_title[norm_title(record["title"])].append(record)
    title_ids: dict[str, set[str]] = collections.defaultdict(set)
    for paper in papers:
        if paper["arxiv"] and not paper["conflict"]:
            title_ids[norm_title(paper["title"])].add(paper["arxiv"])

    # ---------------------------------------------------------------- duplicates (same title, several ids)
    dup_drop: set[str] = set()
    for _, ids in sorted(stats.get("same_normalised_title_under_several_arxiv_ids", {}).items()):
        non_conflict = {
            i: n
            for i, n in ids.items()
            if not any(p["arxiv"] == i and p["conflict"] for p in papers)
        }
        if len(non_conflict) < len(ids):
            counts["duplicate_title_ids_explained_by_conflict"] += 1
            continue  # the conflict resolution decides; the other id is the genuine one
        ranked = sorted(non_conflict.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) > 1 and ranked[0][1] > ranked[1][1]:
            for other, n in ranked[1:]:
                dup_drop.add(other)
                counts["duplicate_id_wrong_claims"] += n
        else:
            dup_drop.update(non_conflict)  # tie: unsure which id is right -> drop both
            counts["duplicate_title_unresolved_ties"] += 1

    # ---------------------------------------------------------------- supplements
    supplements = load_supplements(ROOT / "scripts" / "sources")
    reviewed = load_conflicts(ROOT / "scripts" / "conflicts.yaml")
    supp_by_id: dict[str, dict[str, Any]] = {}
    supp_new: list[tuple[str, dict[str, Any]]] = []
    paper_ids = {p["arxiv"] for p in papers if p["arxiv"]}
    for name, record in supplements:
        arxiv = str(record["arxiv"]) if record.get("arxiv") else None
        if arxiv and arxiv in paper_ids and "tags" not in record:
            supp_by_id.setdefault(arxiv, {}).update(
                {k: v for k, v in record.items() if k != "sources"}
            )
            supp_by_id[arxiv].setdefault("_sources", []).extend(record.get("sources") or [])
        elif "tags" in record:
            supp_new.append((name, record))
        else:
            counts["supplement_records_unmatched"] += 1

    # ---------------------------------------------------------------- list papers
    entries: list[dict[str, Any]] = []
    needs_authors: list[dict[str, Any]] = []
    for paper in papers:
        arxiv = paper["arxiv"]
        title = paper["title"]
        same_paper = False
        if paper["conflict"]:
            resolved = resolve_conflict(paper, title_ids, counts, reviewed)
            if resolved is None:
                dropped["conflict_unresolved"] += 1
                continue
            title, same_paper = resolved
        if arxiv in dup_drop:
            dropped["duplicate"] += 1
            continue
        # the listings that belong to this title (for conflicts, only the matching records)
        records = (
            records_by_id.get(arxiv, []) if arxiv else records_by_title.get(norm_title(title), [])
        )
        if paper["conflict"] and not same_paper:
            records = [r for r in records if norm_title(r["title"]) == norm_title(title)]
        listings = [(r["source_repo"], r["path"], r) for r in records] or [
            (li["source_repo"], li["path"], None) for li in paper["listings"]
        ]
        tags: set[str] = set()
        reasons: collections.Counter[str] = collections.Counter()
        for source, path, _ in listings:
            found, reason = mapper.tags(source, path, title)
            tags |= found
            if reason:
                reasons[reason] += 1
        if not tags:
            dropped["no_node"] += 1
            continue
        tag_list = mapper.reduce(tags)
        supp = supp_by_id.get(arxiv or "", {})
        if not arxiv:
            # Every entry must be findable again by an id; list papers without an arXiv id
            # carry no DOI either.
            dropped["no_id"] += 1
            continue
        if supp.get("title") and " ".join(str(supp["title"]).split()) != title:
            # A looked-up title was read on the paper's own page: it wins over the list's.
            counts["title_corrected_by_lookup"] += 1
            title = " ".join(str(supp["title"]).split())
        authors: list[str] | None = None
        if supp.get("authors"):
            authors = [re.sub(r"\s+", " ", a).strip() for a in supp["authors"]]
            counts["authors_from_lookups"] += 1
        elif paper["authors"] and not paper["authors_truncated"]:
            names = paper["authors"]
            if paper.get("authors_source") == "alon-albalak/data-selection-survey":
                fixed = [fix_bare_accents(n) for n in names]
                counts["author_accent_residue_fixed"] += sum(
                    a != b for a, b in zip(fixed, names, strict=True)
                )
                names = fixed
            authors, truncated = convert_authors(names)
            if truncated:
                counts["authors_truncation_marker_found"] += 1
                authors = None
        if not authors:
            reason = "truncated_authors" if paper["authors_truncated"] else "no_authors"
            dropped[reason] += 1
            needs_authors.append(
                {
                    "arxiv": arxiv,
                    "title": title,
                    "tags": tag_list,
                    "listings": sorted({f"{s} :: {' > '.join(p)}" for s, p, _ in listings}),
                    "truncated_authors": paper["authors"] if paper["authors_truncated"] else None,
                }
            )
            continue
        claims = [(r.get("venue"), r.get("year")) for _, _, r in listings if r is not None]
        year, venue = pick_year_venue(arxiv, claims, counts)
        if supp.get("year"):
            year = int(supp["year"])
        if supp.get("venue"):
            venue_s, _ = normalise_venue(str(supp["venue"]))
            venue = venue_s or ("arXiv" if supp["venue"].lower() == "arxiv" else venue)
        if year is None:
            dropped["no_year"] += 1
            continue
        if arxiv:
            url = f"https://arxiv.org/abs/{arxiv}"
        else:
            https = [("https://" + u[7:]) if u.startswith("http://") else u for u in paper["urls"]]
            url = next((u for u in https if _URL.match(u) and "arxiv.org/abs/arXiv" not in u), None)
            if url is None and https:
                counts["bad_urls_dropped"] += 1
        code_urls = [r["code"] for _, _, r in listings if r is not None and r.get("code")] + paper[
            "code"
        ]
        sources = sorted({f"list:{s}@{commits[s][:7]}" for s, _, _ in listings})
        sources += [s for s in supp.get("_sources", []) if s not in sources]
        doi = next(
            (
                re.sub(r"^https?://(dx\.)?doi\.org/", "", u)
                for u in paper["urls"]
                if re.match(r"^https?://(dx\.)?doi\.org/10\.", u) and "arXiv" not in u
            ),
            None,
        )
        entries.append(
            {
                "type": entry_type(venue),
                "title": clean_title(title, counts),
                "authors": authors,
                "year": year,
                "venue": venue,
                "arxiv": arxiv,
                "doi": doi,
                "url": url,
                "code": clean_code(code_urls),
                "tags": tag_list,
                "sources": sources,
            }
        )

    # ---------------------------------------------------------------- landmark supplements
    seen_ids = {e["arxiv"] for e in entries if e["arxiv"]}
    seen_titles = {norm_title(e["title"]) for e in entries}
    for name, record in supp_new:
        arxiv = str(record["arxiv"]) if record.get("arxiv") else None
        if (arxiv and arxiv in seen_ids) or norm_title(record["title"]) in seen_titles:
            counts["landmarks_already_in_lists"] += 1
            # merge tags/sources into the existing entry
            for entry in entries:
                if (arxiv and entry["arxiv"] == arxiv) or norm_title(entry["title"]) == norm_title(
                    record["title"]
                ):
                    entry["tags"] = mapper.reduce(
                        set(entry["tags"]) | set(record.get("tags") or [])
                    )
                    entry["sources"] += [
                        s for s in record.get("sources") or [] if s not in entry["sources"]
                    ]
            continue
        bad = [t for t in record.get("tags") or [] if t not in taxonomy.order]
        if bad or not record.get("authors") or not record.get("year"):
            counts[f"landmarks_rejected_{name}"] += 1
            continue
        if not arxiv and not record.get("doi"):
            counts[f"landmarks_without_id_{name}"] += 1
            continue
        venue = record.get("venue")
        entries.append(
            {
                "key": record.get("key"),
                "type": record.get("type") or entry_type(venue),
                "title": clean_title(str(record["title"]), counts),
                "authors": list(record["authors"]),
                "year": int(record["year"]),
                "venue": venue,
                "arxiv": arxiv,
                "doi": record.get("doi"),
                "url": record.get("url") or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
                "code": clean_code([record["code"]]) if record.get("code") else None,
                "tags": mapper.reduce(set(record["tags"])),
                "sources": list(record.get("sources") or []),
            }
        )
        seen_ids.add(arxiv)
        seen_titles.add(norm_title(record["title"]))
        counts["landmarks_added"] += 1

    # ---------------------------------------------------------------- keys (frozen once assigned)
    out_path = ROOT / "data" / "references.yaml"
    existing = yaml.safe_load(out_path.read_text(encoding="utf-8")) if out_path.exists() else []
    existing = existing or []
    frozen_by_id = {str(e["arxiv"]): e for e in existing if e.get("arxiv")}
    frozen_by_doi = {str(e["doi"]).lower(): e for e in existing if e.get("doi")}
    frozen_by_title = {
        norm_title(str(e["title"])): e for e in existing if not e.get("arxiv") and not e.get("doi")
    }
    taken = {e["key"] for e in existing}
    added_default = args.added
    entries.sort(key=lambda e: (0 if e["arxiv"] else 1, e["arxiv"] or "", e["title"]))
    for entry in entries:
        old = frozen_by_id.get(entry["arxiv"] or "") or frozen_by_doi.get(
            (entry["doi"] or "").lower()
        )
        if old is None and not entry["arxiv"] and not entry["doi"]:
            old = frozen_by_title.get(norm_title(entry["title"]))
        if old:
            entry["key"] = old["key"]
            entry["added"] = old.get("added") or added_default
            counts["keys_kept_from_existing"] += 1
            continue
        entry["added"] = added_default
        if entry.get("key") and entry["key"] not in taken:
            taken.add(entry["key"])
            continue
        family = entry["authors"][0].split(",")[0]
        entry["key"] = make_key(family, entry["year"], entry["title"], taken)
        taken.add(entry["key"])
    kept_keys = {e["key"] for e in entries}
    # An existing entry the inputs no longer produce is dropped but reported; its key stays reserved
    # (it is in `taken`), so it is never given to another paper.
    retired = sorted(old["key"] for old in existing if old["key"] not in kept_keys)
    if retired:
        counts["existing_entries_no_longer_produced"] = len(retired)
        print(
            "existing entries no longer produced (keys stay reserved):",
            ", ".join(retired),
            file=sys.stderr,
        )
    entries.sort(key=lambda e: e["key"])

    write_references(out_path, entries)
    write_needs_authors(ROOT / "scripts" / "needs_authors.jsonl", needs_authors, entries, taxonomy)
    return make_report(entries, taxonomy, mapper, counts, dropped, len(papers), len(needs_authors))


# ------------------------------------------------------------------------------------------ output


def write_references(path: Path, entries: list[dict[str, Any]]) -> None:
    """Write the catalog in the fixed field order, omitting empty optional fields, in the one
    canonical layout that ``effllm fmt`` also writes (so a fresh build passes ``fmt --check``)."""
    rows = []
    for entry in entries:
        row: dict[str, Any] = {}
        for field in FIELD_ORDER:
            value = entry.get(field)
            if value in (None, "", []):
                continue
            if field == "added" and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            row[field] = value
        rows.append(row)
    path.write_text(SCHEMA_HEADER + dump_entries(rows), encoding="utf-8")


def write_needs_authors(
    path: Path,
    needs: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    taxonomy: Taxonomy,
) -> None:
    """Papers that map to nodes but lack a full author list, most helpful (thinnest leaves) first."""
    per_tag = collections.Counter(t for e in entries for t in e["tags"])

    def value(item: dict[str, Any]) -> tuple[int, int, str]:
        thinnest = min((per_tag[t] for t in item["tags"] if t in taxonomy.leaves), default=10**6)
        leaf_bonus = 0 if any(t in taxonomy.leaves for t in item["tags"]) else 1
        return (leaf_bonus, thinnest, item["arxiv"] or "~" + item["title"])

    with path.open("w", encoding="utf-8") as handle:
        for item in sorted(needs, key=value):
            row = {
                "arxiv": item["arxiv"],
                "title": item["title"],
                "proposed_tags": item["tags"],
                "current_count_of_thinnest_tag": min((per_tag[t] for t in item["tags"]), default=0),
                "listings": item["listings"],
            }
            if item["truncated_authors"]:
                row["truncated_authors"] = item["truncated_authors"]
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def make_report(
    entries: list[dict[str, Any]],
    taxonomy: Taxonomy,
    mapper: Mapper,
    counts: collections.Counter[str],
    dropped: collections.Counter[str],
    n_papers: int,
    n_needs: int,
) -> dict[str, Any]:
    """Summary numbers for the console and ``build_report.json``."""
    per_tag = collections.Counter(t for e in entries for t in e["tags"])
    per_top = collections.Counter(
        taxonomy.top(t) for e in entries for t in {taxonomy.top(x) for x in e["tags"]}
    )
    leaves = {
        leaf: per_tag.get(leaf, 0) for leaf in sorted(taxonomy.leaves, key=taxonomy.order.get)
    }
    internal = {
        n: per_tag[n] for n in sorted(per_tag, key=taxonomy.order.get) if n not in taxonomy.leaves
    }
    at_leaf = sum(1 for e in entries if all(t in taxonomy.leaves for t in e["tags"]))
    return {
        "input_papers": n_papers,
        "total_entries": len(entries),
        "entries_all_tags_at_leaves": at_leaf,
        "per_top_level": dict(sorted(per_top.items(), key=lambda kv: taxonomy.order[kv[0]])),
        "per_leaf": leaves,
        "per_internal_node": internal,
        "thin_leaves_lt5": {k: v for k, v in leaves.items() if v < 5},
        "dropped": dict(sorted(dropped.items())),
        "needs_authors_written": n_needs,
        "wrong_or_odd_list_claims": dict(sorted(counts.items())),
        "title_rule_hits": dict(sorted(mapper.rule_hits.items())),
        "unmapped_headings": dict(sorted(mapper.unmapped.items())),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="directory with papers.jsonl and lists/"
    )
    parser.add_argument(
        "--added", default=dt.date.today().isoformat(), help="`added` date for new entries"
    )
    args = parser.parse_args(argv)
    report = build(args)
    (ROOT / "scripts" / "build_report.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
