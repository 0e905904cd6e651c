"""Cross-check entries that name a venue the offline accepted-paper lists cover.

``match_offline.py`` looks preprints up by title; this runs the other way. For every entry whose
venue and year appear in the lists (``shared/data/venues`` plus the imported 2026 lists), the
entry's normalised title must be among that venue-year's titles. When it is not, the closest title
there by the same first author is reported (a retitle the entry missed: Medusa's ICML 2024 record
reads "Simple LLM Inference Acceleration Framework", the entry kept the code project's wording), or
the entry is reported as not found in that venue-year (a wrong venue or year, or a gap in the list).
Nothing is written: the lead reads the report and records decisions as ledger lines.

    python scripts/verify/venue_check.py [--format json] [--skip KEY ...]

Findings reviewed on 2026-12-01 that stand (the record's typo or notation, a paper the list lacks,
a same-author false match, a list that kept a submission title): ruan2024observational
maharana2025adapt thawakar2024mobillama wang2024coreinfer wang2026scaling kim2024shortened
pioro2024moe wu2026hidivdrop.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from typing import Any

from common import family_names, load_references, norm_title, run
from match_offline import VENUE_MAP, evidence_url, load_rows, plain_title, venue_of
from rapidfuzz import fuzz

#: Below this title similarity a same-author row in the venue-year is not offered as the record.
MIN_SIMILARITY = 55


def check(entries: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One finding per entry whose covered venue-year does not hold its title, or whose record
    (same title) lists another number of authors or the same authors in another order."""
    by_venue: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    by_title: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["venue"] not in VENUE_MAP:
            continue
        venue, _etype, _workshop = venue_of(row)
        by_venue[(venue, int(row["year"]))].append(row)
        by_title[(venue, int(row["year"]), norm_title(plain_title(row["title"])))].append(row)
    findings = []
    for entry in entries:
        vy = (str(entry.get("venue")), int(entry["year"]))
        if vy not in by_venue:
            continue
        nt = norm_title(entry["title"])
        mine = family_names([str(a) for a in entry["authors"]])
        if (*vy, nt) in by_title:
            named = [r for r in by_title[(*vy, nt)] if r["authors"]]
            if named:
                theirs = family_names(named[0]["authors"])
                # Spellings differ often (run-together profile names, particles); a different
                # number of authors or the same people in another order is what the record shows.
                if len(theirs) != len(mine) or (theirs != mine and sorted(theirs) == sorted(mine)):
                    findings.append(
                        {"key": entry["key"], "venue": vy[0], "year": vy[1],
                         "title": entry["title"], "authors": [str(a) for a in entry["authors"]],
                         "record_authors": named[0]["authors"], "url": evidence_url(named[0])}
                    )  # fmt: skip
            continue
        best: tuple[float, dict[str, Any]] | None = None
        for row in by_venue[vy]:
            theirs = family_names(row["authors"]) if row["authors"] else []
            if theirs and mine and mine[0] not in theirs[:3] and theirs[0] not in mine[:3]:
                continue
            score = fuzz.token_set_ratio(nt, norm_title(plain_title(row["title"])))
            if score >= MIN_SIMILARITY and (best is None or score > best[0]):
                best = (score, row)
        finding: dict[str, Any] = {"key": entry["key"], "venue": vy[0], "year": vy[1]}
        finding["title"] = entry["title"]
        if best:
            finding["record_title"] = plain_title(best[1]["title"])
            finding["similarity"] = round(best[0])
            finding["url"] = evidence_url(best[1])
        findings.append(finding)
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--skip", nargs="*", default=[], help="keys whose findings were reviewed and stand"
    )
    args = parser.parse_args()
    entries = [e for e in load_references() if e["key"] not in set(args.skip)]
    findings = check(entries, load_rows())
    for f in findings:
        if args.format == "json":
            print(json.dumps(f, ensure_ascii=False))
        elif "record_authors" in f:
            print(
                f"{f['key']}: {f['venue']} {f['year']} record lists the authors as "
                f"{'; '.join(f['record_authors'])} ({f['url']}); entry: {'; '.join(f['authors'])}"
            )
        elif "record_title" in f:
            print(
                f"{f['key']}: {f['venue']} {f['year']} record reads {f['record_title']!r}"
                f" ({f['similarity']}%, {f['url']}); entry: {f['title']!r}"
            )
        else:
            print(f"{f['key']}: not in the {f['venue']} {f['year']} list: {f['title']!r}")
    retitled = sum("record_title" in f for f in findings)
    authors = sum("record_authors" in f for f in findings)
    print(
        f"{len(findings)} findings: {retitled} with a close record, {authors} author lists that"
        f" differ in number or order, {len(findings) - retitled - authors} not in their list",
        file=sys.stderr if args.format == "json" else sys.stdout,
    )
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(run(main))
