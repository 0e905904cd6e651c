"""Stage 2 input: batch files of entries for the look-up helpers.

Each line holds what a helper needs for one entry: its current fields, whether the offline stage
already found its published record (then only summary, names and tags are left), a workshop-only
candidate to check, and the abstract from ML Anthology when that record carries one (read from a local
cache made from a fetched copy of the ML Anthology data; abstracts are never committed).

    python scripts/verify/make_batches.py OUT_DIR [--size 50] [--abstracts FILE] [--only-unchecked]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from common import (
    LEDGER_DIR,
    abstract_key,
    load_references,
    merged_ledger,
    read_json,
    run,
    write_batches,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--abstracts", type=Path, help="JSON: 'venue/year/id' -> abstract")
    parser.add_argument(
        "--only-unchecked", action="store_true", help="leave out entries a look-up already did"
    )
    args = parser.parse_args()
    abstracts = read_json(args.abstracts) if args.abstracts else {}
    ledger = merged_ledger()
    candidates = {}
    cand_file = LEDGER_DIR.parent / "work" / "workshop-candidates.jsonl"
    if cand_file.exists():
        for line in cand_file.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            candidates[rec["key"]] = rec
    need, have = [], []
    for entry in load_references():
        rec = ledger.get(entry["key"], {})
        if args.only_unchecked and any(c["method"] == "lookup" for c in rec.get("checks", [])):
            continue
        item: dict[str, Any] = {
            k: entry.get(k)
            for k in ("key", "title", "authors", "year", "venue", "type", "arxiv", "doi", "url")
        }
        item["code"], item["tags"] = entry.get("code"), entry.get("tags")
        item["authors"] = [str(a) for a in entry["authors"]]
        if rec.get("status") == "published":
            item["offline_verified"] = {k: rec[k] for k in ("venue", "year", "evidence")}
            for url in rec["evidence"]:
                key = abstract_key(url)
                if key in abstracts:
                    item["abstract"], item["abstract_source"] = abstracts[key], url
        if entry["key"] in candidates:
            item["workshop_candidate"] = candidates[entry["key"]]
        (have if "offline_verified" in item else need).append(item)
    items = need + have
    write_batches(args.out, items, args.size, "b")
    print(f"{len(need)} need a look-up, {len(have)} only a summary; {len(items)} in batches")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
