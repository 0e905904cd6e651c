"""Stage 3: write what the ledger established into ``data/references.yaml``.

For every entry with ledger records, the merged record's fields (type, title, authors, year, venue,
doi, names, summary; tags, metrics and kind once a second tagging pass checked them) replace the
entry's, ``sources`` become the list references that brought the
paper in plus the ledger's evidence URLs, and entries the ledger marks ``remove`` leave the catalog
(their keys stay reserved in ``ledger/removed.txt`` is not needed: keys are never re-assigned because
the key rule only runs for new entries). Keys never change. The file is written in the canonical
layout (what ``effllm fmt`` writes), atomically.

Author lists: the record's list wins (published author order and membership), but an author the
entry already spells with the same name tokens keeps the entry's spelling (diacritics, particles,
family/given split), and the record's quirks are cleaned: ALL-CAPS names, quoted nicknames. A record
with ``"authors_exact": true`` (a lead's correction of the entry's own spelling, e.g. swapped family
and given names) is taken as written.

    python scripts/verify/apply.py [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from typing import Any

import yaml
from common import (
    FIELDS,
    PRIMARY_HOSTS,
    REFERENCES,
    ROOT,
    load_references,
    merged_ledger,
    run,
    strip_accents,
)

sys.path.insert(0, str(ROOT / "src"))
from effllm_catalog import store
from effllm_catalog.edit import canonical_text

#: The metrics facet in its defined order (``data/taxonomy.yaml``).
METRIC_ORDER: list[str] = [
    str(m["id"])
    for m in yaml.safe_load((ROOT / "data" / "taxonomy.yaml").read_text(encoding="utf-8"))[
        "metrics"
    ]
]


def _tokens(name: str) -> tuple[str, ...]:
    text = strip_accents(name).lower()
    return tuple(sorted(t for t in re.split(r"[^a-z0-9]+", text) if t))


def _joined(name: str) -> str:
    family, _, given = name.partition(",")
    return "".join(_tokens_unsorted(given + " " + family))


def _tokens_unsorted(text: str) -> list[str]:
    text = strip_accents(text).lower()
    return [t for t in re.split(r"[^a-z0-9]+", text) if t]


def _clean(name: str) -> str:
    name = re.sub(r'\s*"[^"]*"', "", name).strip()
    parts = [p.strip() for p in name.split(",", 1)]
    fixed = []
    for part in parts:
        letters = [c for c in part if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            part = " ".join(w.capitalize() if len(w) > 1 else w for w in part.split(" "))
            part = "-".join(w[:1].upper() + w[1:] for w in part.split("-"))
        fixed.append(part)
    return ", ".join(fixed)


def merge_authors(current: list[str], record: list[str]) -> list[str]:
    """The record's author list, each author spelled as the entry had it when the name agrees."""
    out = []
    for name in record:
        keep = next(
            (
                old
                for old in current
                if _tokens(old) == _tokens(name) or _joined(old) == _joined(name)
            ),
            None,
        )
        out.append(keep if keep is not None else _clean(name))
    return out


def is_primary(url: str) -> bool:
    host = re.sub(r"^https?://([^/]+).*$", r"\1", url).lower()
    return any(host == h or host.endswith("." + h) for h in PRIMARY_HOSTS)


#: The fields an ``add`` record gives a new entry before the usual fields are applied.
NEW_ENTRY = ("type", "title", "authors", "year", "venue", "arxiv", "doi", "url", "code", "tags")


def new_entries(
    entries: list[dict[str, Any]], ledger: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Entries for the papers the ledger adds (method ``add``) that the catalog does not hold yet.

    A new entry starts from its add record: the bibliographic fields (the URL is the arXiv page, else
    the first evidence record), the first tagging pass (an
    entry needs a tag; a later tag-check line can still change it), ``added`` = the record's date,
    and the list references that brought it in. An add record whose key is taken by another paper
    (a different arXiv id) is an error: keys never change.
    """
    have = {e["key"]: e for e in entries}
    out = []
    for key, rec in sorted(ledger.items()):
        added = [c for c in rec.get("checks", []) if c["method"] == "add"]
        if not added or rec.get("status") == "remove":
            continue
        if key in have:
            mine = str(have[key].get("arxiv") or "")
            if rec.get("arxiv") and mine and mine != rec["arxiv"]:
                raise SystemExit(f"{added[0]['at']}: key {key} is taken by another paper")
            continue
        entry: dict[str, Any] = {"key": key}
        for name in NEW_ENTRY:
            if rec.get(name) not in (None, "", []):
                entry[name] = rec[name]
        if "url" not in entry and entry.get("arxiv"):
            entry["url"] = f"https://arxiv.org/abs/{entry['arxiv']}"
        elif "url" not in entry and rec.get("evidence"):
            entry["url"] = rec["evidence"][0]
        entry["added"] = dt.date.fromisoformat(added[0]["checked"])
        entry["sources"] = list(rec.get("list_sources", []))
        out.append(entry)
    return out


def apply(entries: list[dict[str, Any]], ledger: dict[str, dict[str, Any]]) -> Counter[str]:
    stats: Counter[str] = Counter()
    created = new_entries(entries, ledger)
    stats["added"] += len(created)
    entries += created
    entries.sort(key=lambda e: str(e["key"]))
    keep = []
    for entry in entries:
        rec = ledger.get(entry["key"])
        if rec is None:
            keep.append(entry)
            continue
        if rec.get("status") == "remove":
            stats["removed"] += 1
            continue
        for name in FIELDS:
            if name not in rec:
                continue
            value = rec[name]
            if name == "authors" and not rec.get("authors_exact"):
                value = merge_authors([str(a) for a in entry["authors"]], value)
            if value in (None, "", []):
                if name in entry and name in ("doi", "names", "summary"):
                    del entry[name]
                continue
            if entry.get(name) != value:
                stats[f"changed {name}"] += 1
                entry[name] = value
        if any(c["method"] == "tag-check" for c in rec.get("checks", [])):
            # Tags only once a second, independent pass checked them (a settle line wins).
            for name in ("tags", "metrics"):
                value = rec.get(name)
                if value is not None and name == "metrics":
                    # The facet's own order (taxonomy.yaml), whatever order a helper wrote.
                    last = len(METRIC_ORDER)  # an unknown id (validate reports it) goes last
                    value = sorted(
                        value, key=lambda m: METRIC_ORDER.index(m) if m in METRIC_ORDER else last
                    )
                if value is not None and entry.get(name, []) != value:
                    stats[f"changed {name}"] += 1
                    entry[name] = value
                    if not value:
                        del entry[name]
            kind = rec.get("kind", "method")
            if kind != entry.get("kind", "method"):
                stats["changed kind"] += 1
            entry.pop("kind", None)
            if kind != "method":
                entry["kind"] = kind
        lists = [s for s in entry.get("sources", []) if str(s).startswith("list:")]
        urls = [u for u in rec.get("evidence", []) if is_primary(u)]
        sources = lists + [u for u in urls if u not in lists]
        if not sources:
            # Nothing new was seen: keep what the entry already cited rather than citing nothing.
            old = [str(u) for u in entry.get("sources", [])]
            sources = [u for u in old if is_primary(u)] or old
        if sources != entry.get("sources"):
            stats["changed sources"] += 1
            entry["sources"] = sources
        keep.append(entry)
    entries[:] = keep
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    entries = load_references()
    stats = apply(entries, merged_ledger())
    text = canonical_text(store.SCHEMA_HEADER + store.dump_entries(entries), str(REFERENCES))
    if not args.dry_run:
        store.atomic_write(REFERENCES, text)
    print(dict(sorted(stats.items())), f"{len(entries)} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
