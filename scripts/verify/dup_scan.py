"""List pairs of catalog entries that may be the same paper under two titles (a retitled publication).

validate's near-duplicate check compares normalised titles; a paper renamed between its arXiv
version and its proceedings version slips past it. This scan pairs entries that share a short name
(``names``) and a first author or some title words, or that share the first author and a third of
their title words, or two thirds of their title words outright. Every pair is a lead for a person
to judge: the same paper is merged by a ``lead-review`` line (the published record moves to the
older key, the other key is removed); different papers get a ``lead-review`` line with
``"distinct_from": "<the other key>"``, and the scan stops listing the pair.

    python scripts/verify/dup_scan.py [--only-added]
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from common import iter_ledger, load_references, run


def _words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", title.lower()) if len(w) > 3}


def _first_family(entry: dict[str, Any]) -> str:
    return str(entry["authors"][0]).partition(",")[0].strip().lower()


def suspicious(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two entries look like one paper (see the module docstring for the rule)."""
    wa, wb = _words(str(a["title"])), _words(str(b["title"]))
    overlap = len(wa & wb) / max(1, len(wa | wb))
    names = {n.lower() for n in a.get("names", [])} & {n.lower() for n in b.get("names", [])}
    same_first = _first_family(a) == _first_family(b)
    return (
        (same_first and overlap > 0.3)
        or overlap > 0.6
        or (bool(names) and (same_first or overlap > 0.2))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only-added", action="store_true", help="pairs with an added entry only")
    args = parser.parse_args()
    entries = load_references()
    added = {r["key"] for _p, _l, r in iter_ledger() if r.get("method") == "add"}
    reviewed = {
        frozenset((str(r["key"]), str(r["distinct_from"])))
        for _p, _l, r in iter_ledger()
        if r.get("distinct_from")
    }
    found = 0
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            if args.only_added and a["key"] not in added and b["key"] not in added:
                continue
            if frozenset((a["key"], b["key"])) in reviewed or not suspicious(a, b):
                continue
            found += 1
            print(f"{a['key']} | {b['key']}\n    {a['title']}\n    {b['title']}")
    print(f"{found} pair(s) to judge")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
