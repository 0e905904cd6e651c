"""Draw a random audit sample: the entries an independent auditor re-checks against primary records.

Writes ``audit/<name>.keys`` (the sampled keys, committed so that the sample can be re-drawn and
compared) and, outside the repository, the auditor's input: per entry the entry as the paper lists
built it (``before``; null for papers added later) and as it is now (``after``). Keys sampled by
earlier audits (``--exclude`` their ``.keys`` files) are left out, so each audit sees new entries.

    python scripts/verify/audit_sample.py NAME --size 60 --seed 3 --exclude audit/*.keys --out FILE
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from common import LEDGER_DIR, catalog_at, load_references, run

AUDIT_DIR = LEDGER_DIR.parent / "audit"
FIELDS = ("type", "title", "authors", "year", "venue", "arxiv", "doi", "tags")
AFTER = (*FIELDS, "names", "summary", "metrics", "kind")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--exclude", type=Path, nargs="*", default=[])
    parser.add_argument("--out", type=Path, required=True, help="auditor input (never committed)")
    args = parser.parse_args()
    seen = {k for f in args.exclude for k in f.read_text().split()}
    entries = [e for e in load_references() if e["key"] not in seen]
    if not 0 < args.size <= len(entries):
        parser.error(f"--size must be between 1 and {len(entries)}, the entries not yet audited")
    sample = random.Random(args.seed).sample(entries, args.size)
    before = catalog_at()
    (AUDIT_DIR / f"{args.name}.keys").write_text("".join(e["key"] + "\n" for e in sample))
    with args.out.open("w", encoding="utf-8") as fh:
        for e in sample:
            old = before.get(e["key"])
            row = {
                "key": e["key"],
                "before": {f: old.get(f) for f in FIELDS} if old else None,
                "after": {f: e.get(f) for f in AFTER},
                "after_tags_proposed": e.get("tags"),
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(sample)} of {len(entries)} entries -> {args.out}, keys in audit/{args.name}.keys")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
