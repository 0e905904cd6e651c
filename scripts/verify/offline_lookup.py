"""Find a paper in the offline accepted-paper lists before spending an online look-up on it.

Prints every accepted-paper row (``shared/data/venues``) whose normalised title contains all the
given words, with its venue, year, authors and evidence URL, and the ML Anthology abstract when a
local abstract cache is given (``--abstracts``: JSON 'venue/year/id' -> abstract, never committed).

    python scripts/verify/offline_lookup.py "chinchilla compute optimal" [--abstracts FILE] [--limit 10]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from common import abstract_key, norm_title, read_json, run
from match_offline import evidence_url, load_rows, venue_of


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", help="title words, all of which must occur")
    parser.add_argument("--abstracts", type=Path)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    abstracts = read_json(args.abstracts) if args.abstracts else {}
    wanted = [norm_title(w) for w in re.split(r"\s+", args.words) if norm_title(w)]
    shown = 0
    for row in load_rows():
        title = norm_title(str(row.get("title", "")))
        if not all(w in title for w in wanted):
            continue
        url = evidence_url(row)
        venue, kind, workshop = venue_of(row)
        print(f"{venue} {row['year']} ({kind}{', workshop' if workshop else ''}): {row['title']}")
        print(f"  authors: {'; '.join(row.get('authors') or [])}")
        print(f"  evidence: {url}")
        key = abstract_key(url)
        if key in abstracts:
            print(f"  abstract: {abstracts[key]}")
        shown += 1
        if shown >= args.limit:
            break
    if not shown:
        print("no accepted-paper row matches")
    return 0 if shown else 1


if __name__ == "__main__":
    raise SystemExit(run(main))
