"""Print what the verification changed, against the catalog as it was before (a git revision).

Counts per outcome: preprints found published (by the kind of record that showed it), venues or
years corrected, titles and author lists changed, entries removed, summaries and names written, and
what is still open (never looked up, venue unresolved, flags).

    python scripts/verify/report.py [--before 9be2fc8] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from common import LIST_BUILT, ROOT, catalog_at, load_references, merged_ledger, norm_title, run

_KINDS = (
    ("mlanthology.org", "ML Anthology"),
    ("aclanthology.org", "ACL Anthology"),
    ("aclweb.org", "ACL Anthology"),
    ("openreview.net", "OpenReview"),
    ("proceedings.mlr.press", "PMLR"),
    ("neurips.cc", "NeurIPS site/proceedings"),
    ("nips.cc", "NeurIPS site/proceedings"),
    ("doi.org", "DOI / publisher"),
    ("dl.acm.org", "DOI / publisher"),
    ("usenix.org", "USENIX"),
    ("mlsys.org", "MLSys"),
    ("aaai.org", "AAAI"),
)


def record_kind(evidence: list[str], note: str) -> str:
    for needle, kind in _KINDS:
        if any(needle in u for u in evidence):
            return kind
    if "comment" in note.lower():
        return "arXiv comments"
    return "other primary record"


def coverage(before: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> None:
    """Before/after papers per taxonomy node and per recent year (issue 11's coverage figures)."""
    sys.path.insert(0, str(ROOT / "src"))
    from effllm_catalog.catalog import read_taxonomy
    from effllm_catalog.stats import node_counts

    taxonomy, _issues = read_taxonomy(ROOT / "data" / "taxonomy.yaml")

    def counts(entries: dict[str, dict[str, Any]]) -> dict[str, int]:
        pairs = [(i, str(t)) for i, e in enumerate(entries.values()) for t in e.get("tags", [])]
        return {node: c.total for node, c in node_counts(taxonomy, pairs).items()}

    old, new = counts(before), counts(now)
    print("papers per node, before -> now:")
    for node in taxonomy.by_id:
        print(f"  {node}: {old[node]} -> {new[node]}")
    years_old = Counter(int(e["year"]) for e in before.values())
    years_new = Counter(int(e["year"]) for e in now.values())
    print("papers per year, before -> now:")
    for year in sorted(set(years_old) | set(years_new)):
        if year >= 2022:
            print(f"  {year}: {years_old[year]} -> {years_new[year]}")
    added = [k for k in now if k not in before]
    print(f"entries added: {len(added)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before", default=LIST_BUILT, help="git revision of the unverified catalog"
    )
    args = parser.parse_args()
    before = catalog_at(args.before)
    now = {e["key"]: e for e in load_references()}
    ledger = merged_ledger()
    c: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for key, old in before.items():
        rec = ledger.get(key, {})
        new = now.get(key)
        if new is None:
            c["removed"] += 1
            continue
        status = rec.get("status")
        c[f"status {status or 'never looked up'}"] += 1
        if old.get("venue") == "arXiv" and new.get("venue") != "arXiv" and status == "published":
            found[record_kind(rec.get("evidence", []), str(rec.get("note", "")))] += 1
        elif status == "published" and (old.get("venue"), old["year"]) != (
            new.get("venue"),
            new["year"],
        ):
            c["published: venue or year corrected"] += 1
        if old.get("venue") != "arXiv" and new.get("venue") == "arXiv":
            c["claimed venue not confirmed, now preprint"] += 1
        if norm_title(old["title"]) != norm_title(new["title"]):
            c["title changed (wording)"] += 1
        if [str(a) for a in old["authors"]] != [str(a) for a in new["authors"]]:
            c["author list changed"] += 1
        if new.get("summary"):
            c["summary written"] += 1
        if new.get("names"):
            c["names written"] += 1
    print(f"entries before: {len(before)}, now: {len(now)}")
    print(f"preprints found published: {sum(found.values())}")
    for kind, n in found.most_common():
        print(f"  via {kind}: {n}")
    for name, n in sorted(c.items()):
        print(f"{name}: {n}")
    coverage(before, now)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
