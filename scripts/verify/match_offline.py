"""Stage 1: find published versions offline in the accepted-paper lists of ``shared/data/venues``.

For every catalog entry (or the keys given), look its normalised title up among ~146k accepted papers
(exact; then with only a short name of up to three words put in front, "SpecBranch: <title>", as
papers are often renamed at publication; then fuzzy at >= 93 similarity), and accept a match only
when the first author agrees (the entry's first family name among the record's first three, or the
record's first among the entry's) and the venue year lies in the window [arXiv year - 1, arXiv
year + 3]. A row without author names (most ICLR 2026 rows) needs a non-fuzzy title and the narrower
window [arXiv year - 1, arXiv year + 2]. A main-track paper wins over
a workshop version. Writes ``ledger/offline-venues.jsonl`` (one record per matched entry, with the
record's title, authors, venue, year and its citable URL) and prints what it found.

    python scripts/verify/match_offline.py            # the whole catalog
    python scripts/verify/match_offline.py KEY ...    # some entries only (printed, not written)
    python scripts/verify/match_offline.py --retitled # preprints published under a new title

``--retitled`` is the looser net a title match cannot cast: a preprint and a record by the same
first author, in the year window, whose titles share at least ``RETITLE_OVERLAP`` of their content
words (SMT at ICLR 2025 was "Sparse Matrix in Large Language Model Fine-tuning" on arXiv), or
that holds at least ``RETITLE_AUTHORS`` of the preprint's authors by full name, whatever the title
(Compress-then-Prompt is "Soft Prompt Recovers Compressed LLMs, Transferably" at ICML 2024). With
``--abstracts DIR`` (the pipeline's cache) and ``--record-abstracts FILE`` (JSON maps of a record's
``venue/year/id`` or OpenReview id to its abstract) each candidate gets the word-vector cosine of
the two abstracts, and the list is sorted by it: a renamed paper scores near 1, a different paper
by the same group rarely above 0.5. It only prints candidates: the same authors write several
papers on one topic, so a reader decides and writes a ``lead-review`` line.

    python scripts/verify/match_offline.py --retitled --abstracts /work/notes/cache \
        --record-abstracts /work/notes/cache/mlanthology_abstracts.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    LEDGER_DIR,
    ROOT,
    VENUES_FILE,
    abstract_key,
    family_names,
    load_abstracts,
    load_references,
    merged_ledger,
    norm_name,
    norm_title,
    read_json,
    read_jsonl,
    run,
    write_jsonl,
)
from rapidfuzz import fuzz, process

#: (source, venue id) -> catalog short venue name (data/venues.yaml), entry type.
VENUE_MAP: dict[str, tuple[str, str]] = {
    "iclr": ("ICLR", "inproceedings"),
    "icml": ("ICML", "inproceedings"),
    "neurips": ("NeurIPS", "inproceedings"),
    "nips": ("NeurIPS", "inproceedings"),
    "tmlr": ("TMLR", "article"),
    "jmlr": ("JMLR", "article"),
    "dmlr": ("DMLR", "article"),
    "mloss": ("JMLR", "article"),
    "aistats": ("AISTATS", "inproceedings"),
    "colt": ("COLT", "inproceedings"),
    "uai": ("UAI", "inproceedings"),
    "cvpr": ("CVPR", "inproceedings"),
    "iccv": ("ICCV", "inproceedings"),
    "eccv": ("ECCV", "inproceedings"),
    "corl": ("CoRL", "inproceedings"),
    "iclrw": ("ICLR Workshop", "inproceedings"),
    "icmlw": ("ICML Workshop", "inproceedings"),
    "acl": ("ACL", "inproceedings"),
    "naacl": ("NAACL", "inproceedings"),
    "coling": ("COLING", "inproceedings"),
    "colm": ("COLM", "inproceedings"),
    "aaai": ("AAAI", "inproceedings"),
    "ijcai": ("IJCAI", "inproceedings"),
    "www": ("WWW", "inproceedings"),
    "kdd": ("KDD", "inproceedings"),
    "sigir": ("SIGIR", "inproceedings"),
    "mlsys": ("MLSys", "inproceedings"),
}


#: Accepted-paper lists imported by ``import_2026.py`` (venues the shared data does not cover yet),
#: and their ``source`` values (rows keyed by OpenReview id).
EXTRA_FILES = sorted((LEDGER_DIR.parent / "sources").glob("accepted-*.jsonl.gz"))
IMPORTED_SOURCES = ("icml2026-schedule", "iclr2026-openreview", "pmlr-v306")

_SUP = str.maketrans("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ")
_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


def plain_title(title: str) -> str:
    """A record's title with its LaTeX math written as plain Unicode (catalog text is plain):
    ``$\\text{D}_{2}\\text{O}$`` -> ``D₂O``, ``S$^4$C`` -> ``S⁴C``, ``Top-$k$`` -> ``Top-k``."""

    def math(m: re.Match[str]) -> str:
        body = re.sub(
            r"\\(?:text|mathrm|textit|mathbf|mathbb|textbf|emph)\s*\{([^{}]*)\}", r"\1", m.group(1)
        )
        body = re.sub(r"\\(?:text|mathrm|textit|mathbf|mathbb|textbf|emph)(?=[A-Z])", "", body)
        body = re.sub(r"\^\{?([0-9+\-n]+)\}?", lambda x: x.group(1).translate(_SUP), body)
        body = re.sub(r"_\{?([0-9+\-]+)\}?", lambda x: x.group(1).translate(_SUB), body)
        body = body.replace("\\times", "×").replace("\\cdot", "·")
        return body.replace("\\", "").replace("{", "").replace("}", "")

    title = title.translate({0x2010: "-", 0x2011: "-"})  # Unicode hyphens -> ASCII
    title = re.sub(r"\$([^$]*)\$", math, title)
    title = re.sub(r"\\(?:textit|textbf|emph)\s*\{?([^{}\s]*)\}?", r"\1", title)
    return " ".join(title.split())


def evidence_url(row: dict[str, Any]) -> str | None:
    """The citable page of an accepted-paper row, where its source gives one."""
    rid = row.get("id") or ""
    if row["source"] == "mlanthology" and rid:
        return f"https://mlanthology.org/{row['venue']}/{row['year']}/{rid}"
    if row["source"] == "paperlists" and rid:
        if row["venue"] in ("acl", "naacl", "coling") and "." in rid:
            return f"https://aclanthology.org/{rid}/"
        if row["venue"] in ("colm", "iclr", "www") and len(rid) >= 8:
            return f"https://openreview.net/forum?id={rid}"
    if row.get("pmlr"):
        return f"https://proceedings.mlr.press/v306/{row['pmlr']}.html"
    if row["source"] in IMPORTED_SOURCES and rid:
        return f"https://openreview.net/forum?id={rid}"
    return None


def venue_of(row: dict[str, Any]) -> tuple[str, str, bool]:
    """(venue, type, is_workshop) of a row in the catalog's vocabulary."""
    venue, etype = VENUE_MAP[row["venue"]]
    workshop = row["venue"] in ("iclrw", "icmlw")
    if row["source"] == "paperlists":
        if row["type"] == "Findings":
            venue = f"Findings of {venue}"
        elif row["type"] == "Workshop":
            venue, workshop = f"{venue} Workshop", True
    return venue, etype, workshop


def to_family_given(name: str) -> str:
    """'Given Family' (paperlists, DBLP) -> 'Family, Given'; names with a comma are kept."""
    sys.path.insert(0, str(LEDGER_DIR.parents[2] / "src"))
    from effllm_catalog.models import Person

    return name if "," in name else str(Person.parse(name))


def keep_dates(records: list[dict[str, Any]], previous: list[dict[str, Any]]) -> None:
    """A record the last run wrote the same way keeps that run's ``checked`` date, so that a re-run
    changes only the lines whose match changed (the file is rewritten whole on every run)."""
    before = {str(r["key"]): r for r in previous}
    for rec in records:
        old = before.get(str(rec["key"]))
        if old and {**old, "checked": rec["checked"]} == rec:
            rec["checked"] = old["checked"]


def load_rows() -> list[dict[str, Any]]:
    rows = []
    for path in (VENUES_FILE, *EXTRA_FILES):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh)
    return rows


def arxiv_year(entry: dict[str, Any]) -> int:
    arxiv = str(entry.get("arxiv") or "")
    if arxiv[:4].isdigit() and "." in arxiv:
        yy = int(arxiv[:2])
        return 2000 + yy
    return int(entry["year"])


def _same_person(mine: str, theirs: str) -> bool:
    """The same two name parts in either order: a record that swapped family and given name
    (``Luohe, Shi`` for Shi Luohe) still names the entry's first author."""

    def parts(name: str) -> set[str]:
        return {norm_name(p) for p in name.replace(",", " ").split() if norm_name(p)}

    a, b = parts(mine), parts(theirs)
    return len(a) >= 2 and a == b


def confirm(entry: dict[str, Any], row: dict[str, Any], how: str = "exact") -> bool:
    """First author and year window agree (a source without authors: exact title and year window)."""
    if not row["authors"]:
        y0 = arxiv_year(entry)
        return how in ("exact", "subtitle") and y0 - 1 <= int(row["year"]) <= y0 + 2
    mine = family_names([str(a) for a in entry["authors"]])
    theirs = family_names(row["authors"])
    if not mine or not theirs:
        return False
    if (
        mine[0] not in theirs[:3]
        and theirs[0] not in mine[:3]
        and not _same_person(str(entry["authors"][0]), str(row["authors"][0]))
    ):
        return False
    y0 = arxiv_year(entry)
    return y0 - 1 <= int(row["year"]) <= y0 + 3


#: Share of content words two titles must have in common to be offered as a retitle.
RETITLE_OVERLAP = 0.45
_STOP = frozenset(
    {"the", "and", "for", "with", "via", "from", "into", "large", "language", "models", "model",
     "llms", "llm", "efficient", "towards", "using", "based"}
)  # fmt: skip


def content_words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", title.lower()) if len(w) > 2 and w not in _STOP}


#: Share of a preprint's authors (full names) a record must hold to be offered whatever its title.
RETITLE_AUTHORS = 0.5


def person(name: str) -> str:
    """A full name as an order-free key: ``Xu, Zhaozhuo`` and ``Zhaozhuo Xu`` give the same."""
    family, comma, given = name.partition(",")
    text = f"{given} {family}" if comma else name
    return "".join(sorted(norm_name(t) for t in re.split(r"[\s.\-]+", text) if norm_name(t)))


def word_vector(text: str) -> Counter[str]:
    return Counter(
        w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP
    )


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of two word-count vectors (0 when either is empty)."""
    dot = sum(n * b[w] for w, n in a.items() if w in b)
    norm = math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


@dataclass
class Retitle:
    """A record that may be a preprint published under a new title, and why it was offered."""

    entry: dict[str, Any]
    row: dict[str, Any]
    overlap: float  # share of title content words in common
    authors: float  # share of the preprint's authors the record holds (full names)
    similarity: float | None = None  # abstract cosine, when both abstracts are known


def retitled(entries: list[dict[str, Any]]) -> list[Retitle]:
    """Records that may be a preprint, or a workshop paper, under a new title: same first author
    and year window, and enough title words or enough of the authors in common. A workshop paper
    is searched too because the main venue wins over it (LightSeq, a NeurIPS 2023 workshop paper,
    is DISTFLASHATTN at COLM 2024)."""
    from effllm_catalog.venues import load_venues

    open_to_change = {"arXiv"} | {
        v.short for v in load_venues(ROOT / "data") if v.kind == "workshop"
    }
    rows = [r for r in load_rows() if r["venue"] in VENUE_MAP and r["authors"]]
    by_first: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_first[family_names(r["authors"])[0]].append(r)
    # A record's title words and people, worked out once per first family name asked for: the
    # common ones (Wang, Li) hold thousands of records that many preprints are compared with.
    prepared: dict[str, list[tuple[dict[str, Any], set[str], list[str]]]] = {}
    found = []
    for entry in entries:
        if entry.get("venue") not in open_to_change:
            continue
        mine = content_words(entry["title"])
        people = {person(str(a)) for a in entry["authors"]}
        first = family_names([str(a) for a in entry["authors"]])[0]
        if first not in prepared:
            prepared[first] = [
                (r, content_words(r["title"]), [person(str(a)) for a in r["authors"]])
                for r in by_first.get(first, [])
            ]
        for r, theirs, their_people in prepared[first]:
            if entry["venue"] != "arXiv" and venue_of(r)[2]:
                continue  # a workshop paper is only open to a main-venue record
            overlap = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
            same_first = person(str(entry["authors"][0])) == their_people[0]
            share = len(people & set(their_people)) / len(people)
            if (
                overlap >= RETITLE_OVERLAP or (same_first and share >= RETITLE_AUTHORS)
            ) and confirm(entry, r, "fuzzy"):
                found.append(Retitle(entry, r, overlap, share))
    return found


def rank_by_abstract(
    found: list[Retitle], abstracts: dict[str, str], record_abstracts: dict[str, str]
) -> list[Retitle]:
    """Set each candidate's abstract cosine and sort the best first (unknown ones last)."""
    for cand in found:
        ref = abstract_key(evidence_url(cand.row))
        mine, theirs = abstracts.get(cand.entry["key"]), record_abstracts.get(ref) if ref else None
        if mine and theirs:
            cand.similarity = cosine(
                word_vector(f"{cand.entry['title']} {mine}"),
                word_vector(f"{cand.row['title']} {theirs}"),
            )
    return sorted(found, key=lambda c: -1.0 if c.similarity is None else c.similarity, reverse=True)


def match(
    entries: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Counter[str]]:
    """Ledger records for the entries found, workshop-only candidates, and counts."""
    rows = [r for r in load_rows() if r["venue"] in VENUE_MAP]
    by_title: dict[str, list[int]] = defaultdict(list)
    by_subtitle: dict[str, list[int]] = defaultdict(list)  # title after a short "Name: " prefix
    for i, r in enumerate(rows):
        by_title[norm_title(r["title"])].append(i)
        head, sep, rest = r["title"].partition(": ")
        if sep and len(head.split()) <= 3:
            by_subtitle[norm_title(rest)].append(i)
    titles = list(by_title)
    today = dt.date.today().isoformat()
    records = []
    candidates: list[dict[str, Any]] = []
    stats: Counter[str] = Counter()
    for entry in entries:
        nt = norm_title(entry["title"])
        cands = list(by_title.get(nt, []))
        how = "exact"
        if not cands and len(nt) >= 20:
            # The published title often only puts the method's name in front ("SpecBranch: ...").
            cands = list(by_subtitle.get(nt, []))
            how = "subtitle"
        if not cands and len(nt) >= 20:
            for t, _score, _ in process.extract(
                nt, titles, scorer=fuzz.ratio, limit=3, score_cutoff=93
            ):
                cands.extend(by_title[t])
            how = "fuzzy"
        ok = [rows[i] for i in cands if confirm(entry, rows[i], how)]
        ok = [r for r in ok if evidence_url(r)]
        if not ok:
            stats["no match"] += 1
            continue
        main_track = [r for r in ok if not venue_of(r)[2]]
        pick = sorted(
            main_track or ok, key=lambda r: (int(r["year"]), r["source"] != "mlanthology")
        )
        row = pick[0]
        venue, etype, workshop = venue_of(row)
        if workshop:
            # A workshop is the venue only when there is no main-track version, and these lists
            # do not cover EMNLP, ACL 2023+, systems venues...: leave it to a per-paper look-up.
            candidates.append(
                {
                    "key": entry["key"],
                    "workshop": f"{venue} {row['year']}",
                    "url": evidence_url(row),
                }
            )
            stats["workshop only: left for look-up"] += 1
            continue
        others = sorted({f"{venue_of(r)[0]} {r['year']}" for r in ok} - {f"{venue} {row['year']}"})
        rec: dict[str, Any] = {
            "key": entry["key"],
            "checked": today,
            "method": f"offline-venues:{row['source']}:{how}",
            "status": "published",
            "type": etype,
            "venue": venue,
            "year": int(row["year"]),
            "title": plain_title(row["title"]),
        }
        if row["authors"]:  # a source without names leaves the entry's own list standing
            rec["authors"] = [to_family_given(" ".join(a.split())) for a in row["authors"]]
        rec["evidence"] = [evidence_url(row)]
        if others:
            rec["note"] = "also listed: " + ", ".join(others)
        records.append(rec)
        stats[f"{row['source']}:{how}"] += 1
    return records, candidates, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", nargs="*")
    parser.add_argument(
        "--retitled", action="store_true", help="print preprints possibly published retitled"
    )
    parser.add_argument(
        "--abstracts", type=Path, help="with --retitled: the cache of the entries' abstracts"
    )
    parser.add_argument(
        "--record-abstracts",
        type=Path,
        action="append",
        default=[],
        help="with --abstracts: JSON map of a record's venue/year/id (or OpenReview id) to its "
        "abstract; repeatable",
    )
    args = parser.parse_args()
    if args.abstracts and not args.retitled:
        parser.error("--abstracts ranks the --retitled candidates; give --retitled too")
    if args.record_abstracts and not args.abstracts:
        parser.error("--record-abstracts needs --abstracts (the entries' side of the comparison)")
    entries = load_references()
    # Entries created from an accepted-paper record (ledger ``add`` lines) already carry it, and
    # later review lines may have corrected the record's own typos: matching them again would undo
    # that. Entries added as preprints (from a paper list) are matched like any other preprint.
    added = {
        k for k, r in merged_ledger().items() if any(c["method"] == "add" for c in r["checks"])
    }
    entries = [e for e in entries if e["key"] not in added or e.get("venue") == "arXiv"]
    if args.keys:
        unknown = sorted(set(args.keys) - {str(e["key"]) for e in entries})
        if unknown:
            print(f"error: not in the catalog (or added from a venue record): {', '.join(unknown)}",
                  file=sys.stderr)  # fmt: skip
            return 2
        entries = [e for e in entries if e["key"] in set(args.keys)]
    if args.retitled:
        found = retitled(entries)
        if args.abstracts:
            record_abstracts: dict[str, str] = {}
            for path in args.record_abstracts:
                record_abstracts.update(read_json(path))
            found = rank_by_abstract(found, load_abstracts(args.abstracts), record_abstracts)
        for c in found:
            sim = "" if c.similarity is None else f", abstracts {c.similarity:.2f}"
            print(f"{c.entry['key']}: {c.entry['title']!r} -> {c.row['venue']} {c.row['year']} "
                  f"{c.row['title']!r} (title words {c.overlap:.2f}, authors {c.authors:.2f}{sim}) "
                  f"{evidence_url(c.row) or ''}")  # fmt: skip
        print(f"{len(found)} candidates", file=sys.stderr)
        return 0
    records, candidates, stats = match(entries)
    out = LEDGER_DIR / "offline-venues.jsonl"
    if out.exists():
        keep_dates(records, [rec for _, rec in read_jsonl(out)])
    if args.keys:
        for rec in records:
            print(json.dumps(rec, ensure_ascii=False))
    else:
        write_jsonl(out, records)
        write_jsonl(LEDGER_DIR.parent / "work" / "workshop-candidates.jsonl", candidates)
    print(dict(stats), f"matched {len(records)} of {len(entries)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
