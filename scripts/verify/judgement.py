"""The judgement sweep: batches for readers, proposals for an arbiter, decisions as ledger lines.

The judgement fields (tags, metrics, kind, summary, names, scope) are read against each entry's
abstract and ``docs/tagging.md``. Two readers and an arbiter settle them (seventh session):

1. ``batches OUT --abstracts DIR``: reader input, ``judge-NN.jsonl`` of ``--size`` entries each
   (the entry's judgement fields and its cached abstract), shuffled by ``--seed``. A reader follows
   ``JUDGE.md`` and writes ``out-NN.jsonl``: per field ok or not, a ``fix`` for what is wrong, the
   close calls it let pass (``borderline``).
2. ``proposals OUT --abstracts DIR --readers DIR [DIR ...]``: arbiter input, ``arb-NN.jsonl``:
   every fix that changes a value (an absent list and ``[]`` are the same), every out-of-scope
   verdict, every close call on metrics, summaries or names, and with ``--property-lint`` every
   summary that names a property or model its abstract never writes ("training-free", "lossless",
   "one GPU", "LLaMA"). An arbiter follows ``ARBITER.md`` and writes ``out-NN.jsonl`` with one
   decision a proposal: apply, other (with a value) or keep.
3. ``ledger --decisions DIR --out FILE --label TEXT``: one ``lead-review`` line per applied or
   other value, one ``review`` line (the value read and kept) per kept metrics, summary or names
   value, so the lints leave it out. Out-of-scope decisions are printed for the lead, who writes
   the removal by hand; ``--skip KEY[:FIELD]`` leaves a decision out.

    python scripts/verify/judgement.py batches /tmp/judge --abstracts /work/notes/cache
    python scripts/verify/judgement.py proposals /tmp/arb --abstracts DIR --readers /tmp/judge
    python scripts/verify/judgement.py ledger --decisions /tmp/arb --out ledger/zz-...jsonl --label "..."
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path
from typing import Any

from common import load_abstracts, load_references, read_jsonl, run, write_batches, write_jsonl

#: The fields a reader judges, as the entry holds them.
JUDGED = ("title", "venue", "year", "tags", "names", "summary", "metrics", "kind")
#: Fields whose close calls go to the arbiter too (the ones audits found wrong most).
CLOSE_CALLS = ("metrics", "summary", "names")
#: Fields a kept value is recorded for (``common.REVIEWED_FIELDS``).
REVIEWABLE = ("metrics", "summary", "names")
LISTS = ("tags", "metrics", "names")
#: Properties and models a summary may only claim when the abstract says so.
PROPERTY_WORDS = (
    "training-free", "lossless", "parameter-free", "retraining", "plug-and-play", "zero-shot",
    "calibration-free", "data-free", "tuning-free", "without training", "no training", "exact",
    "provabl", "optimal", "no extra", "no additional", "negligible", "on-device", "single gpu",
    "one gpu", "consumer", "mobile", "edge", "llama", "mistral", "qwen", "gpt-", "bert", "vicuna",
    "pythia", "falcon", "mixtral", "gemma", "deepseek", "a100", "h100", "rtx", "cpu",
)  # fmt: skip


def _value(entry: dict[str, Any], field: str) -> Any:
    """A field as a reader sees it: an absent list is ``[]``, an absent kind is ``method``."""
    value = entry.get(field)
    if field in LISTS and value is None:
        return []
    if field == "kind" and value is None:
        return "method"
    return value


def _same(field: str, a: Any, b: Any) -> bool:
    if field in LISTS:
        return sorted(a or []) == sorted(b or [])
    return bool(a == b)


def property_words(summary: str, abstract: str) -> list[str]:
    """The property and model words a summary uses and its abstract never writes."""
    s, a = summary.lower(), abstract.lower()
    return [w for w in PROPERTY_WORDS if re.search(rf"\b{re.escape(w)}", s) and w not in a]


def proposals(
    entries: dict[str, dict[str, Any]],
    readings: list[dict[str, Any]],
    abstracts: dict[str, str],
    property_lint: bool = False,
) -> list[dict[str, Any]]:
    """Arbiter input: one line per (key, field) a reader marked wrong with a changing fix, found
    out of scope, or let pass as a close call on metrics, summary or names."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in readings:
        key = r["key"]
        entry = entries.get(key)
        if entry is None:
            continue
        fix = r.get("fix") or {}
        for field, ok in (r.get("ok") or {}).items():
            if ok is False and field in fix and not _same(field, _value(entry, field), fix[field]):
                found.setdefault((key, field), []).append({"proposed": fix[field], "why": r})
        if r.get("in_scope") is False:
            found.setdefault((key, "in_scope"), []).append({"proposed": False, "why": r})
        for field, why in (r.get("borderline") or {}).items():
            if field in CLOSE_CALLS and (key, field) not in found:
                note = {"note": f"close call a reader let pass: {why}"}
                found.setdefault((key, field), []).append({"proposed": None, "why": note})
    if property_lint:
        for key, entry in entries.items():
            words = property_words(str(entry.get("summary") or ""), abstracts.get(key, ""))
            if words and abstracts.get(key) and (key, "summary") not in found:
                note = (
                    f"lint: the summary says {', '.join(map(repr, words))} but the abstract never "
                    "writes it; keep if the abstract says the same in other words"
                )
                found[(key, "summary")] = [{"proposed": None, "why": {"note": note}}]
    out = []
    for (key, field), items in sorted(found.items()):
        entry = entries[key]
        first = next((i for i in items if i["proposed"] is not None), items[0])
        out.append(
            {
                "key": key,
                "field": field,
                "current": True if field == "in_scope" else _value(entry, field),
                "proposed": first["proposed"],
                "reader_note": " || ".join(str(i["why"].get("note", "")) for i in items)[:2500],
                "readers": len(items),
                **{f: entry.get(f) for f in ("title", "summary", "tags", "metrics", "names")},
                "abstract": abstracts.get(key) or None,
            }
        )
    return out


def ledger_lines(
    entries: dict[str, dict[str, Any]],
    decisions: list[dict[str, Any]],
    label: str,
    checked: str,
    skip: frozenset[str] = frozenset(),
) -> tuple[list[dict[str, Any]], list[str]]:
    """(ledger lines, out-of-scope reports) for an arbiter's decisions; the first decision on a
    (key, field) counts."""
    lines, scope = [], []
    seen: set[tuple[str, str]] = set()
    for d in decisions:
        key, field, decision = d["key"], d["field"], d["decision"]
        if (key, field) in seen or key not in entries or key in skip or f"{key}:{field}" in skip:
            continue
        seen.add((key, field))
        note = f"{label}: {d.get('note') or ''}"[:500]
        if field == "in_scope":
            if decision != "keep":
                scope.append(f"{key}: out of scope for reader and arbiter: {note}")
            continue
        head = {"checked": checked, "key": key}
        if decision in ("apply", "other"):
            value = d.get("value")
            if value is None and field in LISTS:
                value = []
            lines.append({**head, "method": "lead-review", field: value, "note": note})
        elif field in REVIEWABLE:
            kept = _value(entries[key], field)
            lines.append({**head, "method": "review", "reviewed": {field: kept}, "note": note})
    return lines, scope


def _read_dirs(dirs: list[Path], pattern: str) -> list[dict[str, Any]]:
    return [rec for d in dirs for p in sorted(d.glob(pattern)) for _, rec in read_jsonl(p)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    b = sub.add_parser("batches", help="reader input")
    b.add_argument("out", type=Path)
    b.add_argument("--abstracts", type=Path, required=True)
    b.add_argument("--size", type=int, default=50)
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--exclude", type=Path, nargs="*", default=[], help="files of keys to leave out")
    p = sub.add_parser("proposals", help="arbiter input")
    p.add_argument("out", type=Path)
    p.add_argument("--abstracts", type=Path, required=True)
    p.add_argument("--readers", type=Path, nargs="+", required=True, help="folders of out-*.jsonl")
    p.add_argument("--size", type=int, default=45)
    p.add_argument("--property-lint", action="store_true")
    g = sub.add_parser("ledger", help="decisions -> ledger lines")
    g.add_argument("--decisions", type=Path, nargs="+", required=True)
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--label", required=True)
    g.add_argument("--checked", default="2026-12-01")
    g.add_argument("--skip", nargs="*", default=[])
    args = parser.parse_args()
    refs = {str(e["key"]): e for e in load_references()}
    if args.step == "ledger":
        missing = [str(d) for d in args.decisions if not d.is_dir()]
        if missing:
            parser.error(f"not a folder of decisions: {', '.join(missing)}")
        decisions = _read_dirs(args.decisions, "out-*.jsonl")
        lines, scope = ledger_lines(refs, decisions, args.label, args.checked, frozenset(args.skip))
        for report in scope:
            print(report)
        write_jsonl(args.out, lines)
        print(f"{len(lines)} ledger lines -> {args.out}; {len(scope)} out-of-scope decisions above")
        return 0
    if args.size < 1:
        parser.error("--size must be at least 1")
    abstracts = load_abstracts(args.abstracts)
    if args.step == "batches":
        skip = {k for f in args.exclude for k in f.read_text().split()}
        rows = [
            {"key": k, "after": {f: e.get(f) for f in JUDGED}, "abstract": abstracts.get(k) or None}
            for k, e in refs.items()
            if k not in skip
        ]
        random.Random(args.seed).shuffle(rows)
        paths = write_batches(args.out, rows, args.size, "judge-")
        print(f"{len(rows)} entries in {len(paths)} batches -> {args.out}")
        return 0
    missing = [str(d) for d in args.readers if not d.is_dir()]
    if missing:
        parser.error(f"not a folder of readings: {', '.join(missing)}")
    props = proposals(refs, _read_dirs(args.readers, "out-*.jsonl"), abstracts, args.property_lint)
    random.Random(5).shuffle(props)
    paths = write_batches(args.out, props, args.size, "arb-")
    print(f"{len(props)} proposals in {len(paths)} batches -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
