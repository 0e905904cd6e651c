"""Bring entries to the spelling of their published record, from an imported proceedings source.

An entry added from a conference's schedule carries the title and the author names the schedule
showed: OpenReview profile names ("Rouhani, Bita Darvish", "Golubev, Aleksandr", no middle
initials) and the title of the day the schedule was scraped. The proceedings are the record a
reader cites, so where an imported row of a proceedings source (``--source``, e.g. ``pmlr-v306``:
ICML 2026, PMLR volume 306) is the entry's paper -- the same OpenReview id in the entry's url or
sources, else the same normalised title in the same venue and year -- this writes one ledger line
per entry whose title or author list differs from the record's, with the record's values as it
spells them (``authors_exact``) and its page as evidence. A record that lists other people (not the
same family names in some order, give or take one) is reported, not written: the lead decides.

Proceedings built from OpenReview profiles carry the profiles' slips too, so a record's name is
not taken where it is the entry's name with family and given swapped ("Xiao, Zhou" for the arXiv
author line's Xiao Zhou), the entry's name with its accents dropped ("Re" for "Ré") or with its
particles split into the given name ("Hengel, Anton Van Den"): the entry keeps the spelling an
earlier check took from the paper.

    python scripts/verify/record_sync.py --source pmlr-v306 --out ledger/zz-...-pmlr.jsonl \
        [--skip KEY[:FIELD] ...] [--dry-run]

``--skip`` leaves a field (or the whole entry) as it is where the record itself is wrong. Reviewed
on 2026-12-01 for pmlr-v306: mayaki2026generalization:title (the bib runs two words together,
"Mixture-of-ExpertsTransformers"), letu2026protokv:authors (the bib splits "Le Tu Ngoc Minh" as
"Minh, Le Tu Ngoc").
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from common import (
    PARTICLES,
    family_names,
    load_references,
    norm_title,
    run,
    strip_accents,
    write_jsonl,
)
from match_offline import evidence_url, load_rows, plain_title, venue_of

OPENREVIEW_ID = re.compile(r"openreview\.net/(?:forum|pdf)\?id=([A-Za-z0-9_-]+)")


def openreview_ids(entry: dict[str, Any]) -> set[str]:
    """The OpenReview ids an entry's url and sources name."""
    urls = [str(entry.get("url") or "")] + [str(s) for s in entry.get("sources", [])]
    return {m.group(1) for u in urls for m in OPENREVIEW_ID.finditer(u)}


def same_people(ours: list[str], theirs: list[str]) -> bool:
    """True when two author lists name the same people, give or take one and in any order (a
    record that added or dropped one author, or reordered them, is still this paper)."""
    a, b = family_names(ours), family_names(theirs)
    common = sum(min(a.count(n), b.count(n)) for n in set(a))
    return common >= max(len(a), len(b)) - 1


def _swapped(mine: str, name: str) -> bool:
    """True when ``name`` is ``mine`` with its family and given parts exchanged."""
    if mine.count(",") != 1 or name.count(",") != 1:
        return False
    (f1, g1), (f2, g2) = (
        [p.strip().lower() for p in n.split(",")]
        for n in (strip_accents(mine), strip_accents(name))
    )
    return f1 != f2 and (f1, g1) == (g2, f2)


def _particles_home(name: str) -> str:
    """``Family, Given P1 P2`` (particles split into the given name) -> ``P1 P2 Family, Given``."""
    if name.count(",") != 1:
        return name
    family, given = (p.strip() for p in name.split(","))
    words = given.split()
    cut = len(words)
    while cut > 1 and words[cut - 1].lower() in PARTICLES:
        cut -= 1
    if cut == len(words):
        return name
    return f"{' '.join([*words[cut:], family])}, {' '.join(words[:cut])}"


def record_spelling(ours: list[str], theirs: list[str]) -> list[str]:
    """The record's author list, except where a name is one of ours with family and given swapped,
    with its accents dropped, or with name particles BibTeX split into the given name: there ours
    stands (a split the entry does not have is put right: "Keulen, Maurice Van" -> "Van Keulen,
    Maurice")."""
    out = []
    for raw in theirs:
        name = _particles_home(raw)
        kept = next(
            (
                mine
                for mine in ours
                if mine != name
                and (
                    _swapped(mine, name)
                    or (strip_accents(mine) == name and mine != strip_accents(mine))
                    or (name != raw and mine.lower() == name.lower())
                )
            ),
            None,
        )
        out.append(kept or name)
    return out


def sync(
    entries: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    source: str,
    checked: str,
    skip: frozenset[str] = frozenset(),
) -> tuple[list[dict[str, Any]], list[str]]:
    """(ledger lines, reports) that make each matched entry read as its record."""
    mine = [r for r in rows if r.get("source") == source]
    by_id = {str(r["id"]): r for r in mine if r.get("id")}
    by_title: dict[tuple[str, int, str], dict[str, Any]] = {}
    for row in mine:
        venue, _etype, _workshop = venue_of(row)
        by_title[(venue, int(row["year"]), norm_title(plain_title(row["title"])))] = row
    lines, reports = [], []
    for entry in entries:
        if entry["key"] in skip:
            continue
        row = next((by_id[i] for i in sorted(openreview_ids(entry)) if i in by_id), None)
        if row is None:
            vy = (str(entry.get("venue")), int(entry["year"]), norm_title(entry["title"]))
            row = by_title.get(vy)
        if row is None:
            continue
        title = plain_title(row["title"])
        ours = [str(a) for a in entry["authors"]]
        authors = record_spelling(ours, [str(a) for a in row["authors"]])
        if not same_people(ours, authors):
            reports.append(
                f"{entry['key']}: {evidence_url(row)} lists other people: {'; '.join(authors)}"
            )
            continue
        line: dict[str, Any] = {
            "key": entry["key"],
            "checked": checked,
            "method": f"record-sync:{source}",
        }
        if title != entry["title"] and f"{entry['key']}:title" not in skip:
            line["title"] = title
        if authors != ours and f"{entry['key']}:authors" not in skip:
            line["authors"] = authors
            line["authors_exact"] = True
        if len(line) > 3:
            line["evidence"] = [evidence_url(row)]
            line["note"] = f"spelled as the {source} record spells it"
            lines.append(line)
    return lines, reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", required=True, help="row source of the proceedings, e.g. pmlr-v306"
    )
    parser.add_argument("--out", required=True, help="ledger file to write")
    parser.add_argument("--checked", default="2026-12-01", help="date written on each line")
    parser.add_argument(
        "--skip", nargs="*", default=[], help="KEY or KEY:FIELD whose record is wrong (see above)"
    )
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = parser.parse_args()
    rows = load_rows()
    if not any(r.get("source") == args.source for r in rows):
        parser.error(f"no imported rows come from {args.source!r}")
    lines, reports = sync(load_references(), rows, args.source, args.checked, frozenset(args.skip))
    for report in reports:
        print(report)
    titles = sum("title" in line for line in lines)
    authors = sum("authors" in line for line in lines)
    print(
        f"{len(lines)} entries to sync ({titles} titles, {authors} author lists), {len(reports)} reported"
    )
    if not args.dry_run:
        write_jsonl(Path(args.out), lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
