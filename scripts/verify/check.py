"""Stage 4: re-check the ledger and the catalog against each other, and report coverage.

Checks, each printed as ``<file>:<line>: <key>: <problem>`` (exit 1 when any is found):
- every ledger line is a JSON object with a known key, a date, a method and only known fields;
- status/type/venue agree (a preprint is ``misc`` at ``arXiv``; a published paper is not);
- evidence is a list of URLs on primary-record hosts (arXiv, ACL Anthology, PMLR, OpenReview,
  proceedings, mlanthology, DBLP, DOI and publisher pages), and a published record cites one that is
  not arXiv unless the arXiv comments were the evidence (then ``note`` says so);
- a summary is at most 300 characters and shares no run of 8 words with the abstract read for it
  (when a cached abstract is at hand: ``--abstracts DIR``, never committed);
- offline records still match their accepted-paper row (``--offline``: re-reads shared/data/venues);
- the catalog holds what the ledger says (run ``apply.py`` when it does not).

Coverage (printed last): entries with a verified venue record, with a summary, with names, and
entries the ledger has never checked.

    python scripts/verify/check.py [--abstracts /work/notes/cache] [--offline]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from apply import is_primary, merge_authors
from common import (
    FIELDS,
    REVIEWED_FIELDS,
    STATUSES,
    iter_ledger,
    load_abstracts,
    load_references,
    merged_ledger,
    norm_title,
    run,
)

from effllm_catalog.validate import LIST_SOURCE_PATTERN

KNOWN = {
    "key", "checked", "method", "status", "type", "venue", "year", "title", "authors", "doi",
    "arxiv_version", "authors_exact", "distinct_from", "arxiv", "url", "code", "list_sources", "evidence", "leads", "names", "agree", "in_scope", "chose", "summary", "tags", "metrics", "kind", "flag", "note", "reviewed",
}  # fmt: skip
MAX_SUMMARY = 300
RUN = 8


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def copied_run(summary: str, abstract: str, n: int = RUN) -> str | None:
    """The first run of ``n`` words the summary shares with the abstract, if any."""
    a = _words(abstract)
    grams = {tuple(a[i : i + n]) for i in range(len(a) - n + 1)}
    s = _words(summary)
    for i in range(len(s) - n + 1):
        if tuple(s[i : i + n]) in grams:
            return " ".join(s[i : i + n])
    return None


#: What an ``add`` record (a paper new to the catalog) must establish.
ADD_REQUIRED = ("status", "type", "title", "authors", "year", "venue", "evidence", "summary", "tags")  # fmt: skip


def _check_add(rec: dict[str, Any]) -> list[str]:
    problems = [f"an add record needs {name}" for name in ADD_REQUIRED if not rec.get(name)]
    if rec.get("status") not in (None, "published", "preprint"):
        problems.append("an added paper is published or a preprint")
    arxiv = rec.get("arxiv")
    if arxiv is not None and not re.fullmatch(r"\d{4}\.\d{4,5}", str(arxiv)):
        problems.append(f"arxiv {arxiv!r} is not an id like 2401.01234 (no version)")
    for ref in rec.get("list_sources", []):
        if not re.match(LIST_SOURCE_PATTERN, str(ref)):
            problems.append(f"list source {ref!r} is not list:<owner>/<repo>@<commit>")
    for name in ("url", "code"):
        if rec.get(name) and not str(rec[name]).startswith("https://"):
            problems.append(f"{name} must be an https URL")
    return problems


def check_record(
    rec: dict[str, Any], abstracts: dict[str, str], merged: dict[str, Any] | None = None
) -> list[str]:
    """The problems of one ledger line; ``merged`` (the key's merged record) lets a published claim
    rest on evidence another line of the ledger recorded."""
    problems = []
    unknown = set(rec) - KNOWN
    if unknown:
        problems.append(f"unknown fields {sorted(unknown)}")
    for name in ("key", "checked", "method"):
        if not rec.get(name):
            problems.append(f"missing {name}")
    reviewed = rec.get("reviewed", {})
    if not isinstance(reviewed, dict) or set(reviewed) - set(REVIEWED_FIELDS):
        problems.append(f"reviewed must map some of {sorted(REVIEWED_FIELDS)} to the value kept")
    status = rec.get("status")
    if rec.get("method") == "add":
        problems += _check_add(rec)
    if status is not None and status not in STATUSES:
        problems.append(f"status {status!r} not one of {STATUSES}")
    if status == "preprint" and (rec.get("venue") != "arXiv" or rec.get("type") != "misc"):
        problems.append("a preprint must be type misc, venue arXiv")
    if status == "published" and (rec.get("venue") in (None, "arXiv") or rec.get("type") == "misc"):
        problems.append("a published record needs its venue and a non-misc type")
    evidence = rec.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(u, str) for u in evidence):
        problems.append("evidence must be a list of URLs")
        evidence = []
    for url in evidence:
        if not re.match(r"^https?://", url):
            problems.append(f"evidence {url!r} is not a URL")
        elif not is_primary(url):
            problems.append(f"evidence {url} is not a primary record")
    if status == "published" and "venue" in rec and (merged or {}).get("status") != "unresolved":
        pool = evidence + (merged or {}).get("evidence", [])
        venue_records = [u for u in pool if "arxiv.org" not in u]
        if not venue_records and "comment" not in str(rec.get("note", "")).lower():
            problems.append("published without a venue record or arXiv comments")
    summary = rec.get("summary")
    if summary is not None:
        if not isinstance(summary, str) or not summary.strip():
            problems.append("empty summary")
        elif len(summary) > MAX_SUMMARY:
            problems.append(f"summary has {len(summary)} characters (max {MAX_SUMMARY})")
        elif rec.get("key") in abstracts:
            run = copied_run(summary, abstracts[rec["key"]])
            if run:
                problems.append(f"summary copies the abstract: '{run}'")
    title = rec.get("title")
    superseded = merged is not None and merged.get("title") != title
    if (
        isinstance(title, str)
        and not superseded
        and (re.search(r"\$[^$]*\$", title) or re.search(r"\\[A-Za-z]", title))
    ):
        problems.append("title holds LaTeX; write it as plain Unicode")
    authors = rec.get("authors")
    if authors is not None and (
        not isinstance(authors, list) or any("et al" in str(a).lower() for a in authors)
    ):
        problems.append("authors must be a full list")
    return problems


def overridden_publications(records: Iterable[tuple[Path, int, dict[str, Any]]]) -> list[str]:
    """Entries a later line turned back into preprints after an earlier line found them published.

    Ledger files merge in name order, so a preprint sweep that sorts after ``offline-venues`` undoes
    an offline match (TurboBoA, ICLR 2026, in the fourth session). A ``lead-review`` line after both
    settles the question either way; without one, the entry's final status must not be a
    preprint's.
    """
    published: dict[str, str] = {}
    final: dict[str, tuple[str, str]] = {}
    for path, lineno, rec in records:
        key, status = rec.get("key"), rec.get("status")
        if not isinstance(key, str):
            continue
        if rec.get("method") == "lead-review" and status is not None:
            final.pop(key, None)  # the lead decided, whichever way
            published.pop(key, None)
            if status == "published":
                published[key] = f"{path.name}:{lineno}"
        elif status == "published":
            published[key] = f"{path.name}:{lineno}"
            final.pop(key, None)
        elif status == "preprint" and key in published:
            final[key] = (published[key], f"{path.name}:{lineno}")
    return [
        f"{at}: {key}: preprint again after {found} found it published; a lead-review line must "
        "settle which record stands"
        for key, (found, at) in final.items()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--abstracts",
        type=Path,
        help="folder of cached abstracts (all_abstracts.json, abstracts-*.jsonl)",
    )
    parser.add_argument("--offline", action="store_true", help="re-match offline records")
    args = parser.parse_args()
    abstracts = load_abstracts(args.abstracts)
    entries = {e["key"]: e for e in load_references()}
    findings = 0
    flags = []
    ledger = merged_ledger()
    for path, lineno, rec in iter_ledger():
        merged = ledger.get(rec.get("key"), {})
        final = merged.get("summary") == rec.get("summary") and merged.get("status") != "remove"
        problems = check_record(rec, abstracts if final else {}, merged)
        removed = ledger.get(rec.get("key"), {}).get("status") == "remove"
        if rec.get("key") not in entries and not removed:
            problems.append("no such entry in the catalog")
        reviewed = any(c["method"] == "lead-review" for c in merged.get("checks", []))
        if rec.get("flag") and not removed and not reviewed:
            flags.append(f"{path.name}:{lineno}: {rec['key']}: {rec['flag']}")
        for p in problems:
            findings += 1
            print(f"{path.name}:{lineno}: {rec.get('key')}: {p}")
    for problem in overridden_publications(iter_ledger()):
        findings += 1
        print(problem)
    if args.offline:
        sys.argv = [sys.argv[0]]
        import match_offline

        fresh = {r["key"]: r for r in match_offline.match(list(entries.values()))[0]}
        for path, lineno, rec in iter_ledger():
            if rec.get("method", "").startswith("offline-venues") and (
                fresh.get(rec["key"], {}).get("evidence") != rec.get("evidence")
            ):
                findings += 1
                print(f"{path.name}:{lineno}: {rec['key']}: offline match no longer reproduces")
    cov: Counter[str] = Counter()
    for key, entry in entries.items():
        rec = ledger.get(key)
        if rec is None:
            cov["never checked"] += 1
            continue
        if rec.get("status") in ("published", "preprint"):
            cov["venue verified"] += 1
        elif rec.get("status") == "unresolved":
            cov["venue unresolved"] += 1
        if rec.get("summary"):
            cov["summary"] += 1
        if "names" in rec:
            cov["names checked"] += 1
        for name in FIELDS:
            if name not in rec or rec[name] in (None, "", []):
                continue
            want = rec[name]
            if name == "authors" and not rec.get("authors_exact"):
                want = merge_authors([str(a) for a in entry["authors"]], want)
            if name == "title" and norm_title(str(entry.get("title"))) == norm_title(want):
                want = entry.get("title")
            if entry.get(name) != want:
                findings += 1
                print(f"references.yaml: {key}: {name} differs from the ledger (run apply.py)")
                break
    for line in flags:
        print(f"flag: {line}")
    print(f"{len(entries)} entries: " + ", ".join(f"{v} {k}" for k, v in sorted(cov.items())))
    print(f"{findings} problem(s), {len(flags)} flag(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(run(main))
