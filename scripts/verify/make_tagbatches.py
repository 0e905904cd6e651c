"""Second tagging pass input: batch files of the entries whose first-pass tags no checker has seen.

An entry's tags change only once an independent second pass (a ``tag-check`` ledger line) has read
them (``apply.py``). This writes, for every entry with a first-pass proposal (a look-up or add record
with ``tags``) and no tag-check line yet, what the checker needs: title, venue, year, our summary, the
abstract the first pass read (from the local cache, never committed), the first pass's tags, metrics
and kind, and the tags the entry had before.

    python scripts/verify/make_tagbatches.py OUT_DIR --abstracts /work/notes/cache [--prefix t] [--size 60]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import load_abstracts, load_references, merged_ledger, run, write_batches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--abstracts", type=Path, required=True)
    parser.add_argument("--prefix", default="t", help="batch file name prefix")
    parser.add_argument("--first", type=int, default=1, help="number of the first batch")
    parser.add_argument("--size", type=int, default=60)
    args = parser.parse_args()
    abstracts = load_abstracts(args.abstracts)
    entries = {e["key"]: e for e in load_references()}
    items = []
    for key, rec in sorted(merged_ledger().items()):
        methods = {c["method"] for c in rec["checks"]}
        if "tag-check" in methods or rec.get("tags") is None or rec.get("status") == "remove":
            continue
        entry = entries.get(key, {})
        items.append(
            {
                "key": key,
                "title": rec.get("title") or entry.get("title"),
                "venue": rec.get("venue") or entry.get("venue"),
                "year": rec.get("year") or entry.get("year"),
                "summary": rec.get("summary") or entry.get("summary"),
                "abstract": abstracts.get(key),
                "pass1": {k: rec.get(k) for k in ("tags", "metrics", "kind")},
                "old_tags": entry.get("tags") if "add" not in methods else None,
            }
        )
    write_batches(args.out, items, args.size, args.prefix, args.first)
    missing = sum(1 for i in items if not i["abstract"])
    print(f"{len(items)} entries to check ({missing} without a cached abstract)")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
