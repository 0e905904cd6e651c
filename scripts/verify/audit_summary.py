"""Count an audit's verdicts: right / wrong / not judged per field, before and after verification.

An audit file (``scripts/verify/audit/*.jsonl``) holds one verdict a line: ``before`` and ``after``
map a field to true (right), false (wrong) or null (not judgeable from the records reached);
``before`` is null for entries the verification added. Prints the per-field table and the entries
with any wrong field after verification.

    python scripts/verify/audit_summary.py scripts/verify/audit/2026-12-01-online-sample60.jsonl
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from common import read_jsonl, run

FIELDS = ("venue_year_type", "title", "authors", "summary", "names", "tags", "metrics", "kind")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    rows = [row for path in args.files for _, row in read_jsonl(path)]
    counts: Counter[tuple[str, str, object]] = Counter()
    wrong_after = []
    out_of_scope = []
    for row in rows:
        for side in ("before", "after"):
            verdicts = row.get(side) or {}
            for field in FIELDS:
                if field in verdicts:
                    counts[(side, field, verdicts[field])] += 1
        bad = [f for f in FIELDS if (row.get("after") or {}).get(f) is False]
        if bad:
            wrong_after.append(f"{row['key']}: {', '.join(bad)}")
        if row.get("in_scope") is False:
            out_of_scope.append(row["key"])
    print(f"{len(rows)} entries ({sum(1 for r in rows if r.get('before'))} with a before)")
    print("| field | before right / wrong / not judged | after right / wrong / not judged |")
    print("|---|---|---|")
    for field in FIELDS:
        cells = []
        for side in ("before", "after"):
            r, w, n = (counts[(side, field, v)] for v in (True, False, None))
            cells.append(f"{r} / {w} / {n}" if r + w + n else "—")
        print(f"| {field} | {cells[0]} | {cells[1]} |")
    print(f"entries with any wrong field after: {len(wrong_after)} of {len(rows)}")
    for line in wrong_after:
        print(f"  {line}")
    print(f"out of scope: {len(out_of_scope)} {out_of_scope}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
