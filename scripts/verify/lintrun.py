"""The command line the keyword lints share: read the catalog and the abstract cache, print each
entry a lint flags (text or JSON lines), count them on stderr. A lint only selects entries for a
reader; it never changes the catalog."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import load_abstracts, load_references, reviewed_values

Flags = Callable[[dict[str, Any], str], list[str]]


def lint_main(doc: str, flags: Flags, field: str, entry_field: str) -> int:
    """Run ``flags(entry, abstract)`` over the catalog; ``field`` names the JSON key and the count,
    ``entry_field`` the catalog field the lint reads (``--unreviewed`` skips its settled values)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--abstracts",
        type=Path,
        required=True,
        help="folder of cached abstracts (all_abstracts.json, abstracts-*.jsonl)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--unreviewed",
        action="store_true",
        help=f"leave out entries whose {entry_field} a reader already settled (the ledger's review "
        "lines); a later change to the field brings its flag back",
    )
    args = parser.parse_args()
    abstracts = load_abstracts(args.abstracts)
    settled = reviewed_values() if args.unreviewed else set()
    flagged = skipped = 0
    for entry in load_references():
        reasons = flags(entry, abstracts.get(entry["key"], ""))
        if not reasons:
            continue
        value = entry.get(entry_field, "" if entry_field == "summary" else [])
        if (entry["key"], entry_field, json.dumps(value, sort_keys=True)) in settled:
            skipped += 1
            continue
        flagged += 1
        if args.format == "json":
            print(json.dumps({"key": entry["key"], f"{field}_flags": reasons}, ensure_ascii=False))
        else:
            print(f"{entry['key']}: " + "; ".join(reasons))
    note = f" ({skipped} more already settled)" if args.unreviewed else ""
    print(f"{flagged} {field} fields flagged{note}", file=sys.stderr)
    return 0
