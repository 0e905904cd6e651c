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

from check import load_abstracts
from common import load_references

Flags = Callable[[dict[str, Any], str], list[str]]


def lint_main(doc: str, flags: Flags, field: str) -> int:
    """Run ``flags(entry, abstract)`` over the catalog; ``field`` names the JSON key and the count."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--abstracts",
        type=Path,
        required=True,
        help="folder of cached abstracts (all_abstracts.json, abstracts-*.jsonl)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    abstracts = load_abstracts(args.abstracts)
    flagged = 0
    for entry in load_references():
        reasons = flags(entry, abstracts.get(entry["key"], ""))
        if not reasons:
            continue
        flagged += 1
        if args.format == "json":
            print(json.dumps({"key": entry["key"], f"{field}_flags": reasons}, ensure_ascii=False))
        else:
            print(f"{entry['key']}: " + "; ".join(reasons))
    print(f"{flagged} {field} fields flagged", file=sys.stderr)
    return 0
