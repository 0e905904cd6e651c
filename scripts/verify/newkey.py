"""Give a paper that is not yet in the catalog its citation key, before its ``add`` ledger line is written.

Helpers adding papers in parallel each call this; the key follows the catalog rule
(``effllm_catalog.keys.make_key``: family name, year, first content word of the title) and skips
every key already taken by the catalog, by the ledger (removed entries keep their keys reserved) and
by other helpers' reservations. A paper already in the catalog, already added, already reserved or
removed earlier as off-topic (matched by arXiv id or normalised title) gets no key: the command says
which key it is under and exits 1.

    python scripts/verify/newkey.py --arxiv 2401.02954 --year 2024 \
        --first-author "Bi, Xiao" --title "DeepSeek LLM: Scaling Open-Source Language Models..."

Reservations live in ``scripts/verify/.reserved-keys.jsonl`` (not committed), written under a lock.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import LIST_BUILT, ROOT, catalog_at, iter_ledger, load_references, norm_title, run
from match_offline import plain_title

sys.path.insert(0, str(ROOT / "src"))
from effllm_catalog.keys import make_key

RESERVED = Path(__file__).resolve().parent / ".reserved-keys.jsonl"


def known_papers() -> list[tuple[str, dict[str, Any]]]:
    """Every paper a new key must not duplicate, with where it is: the catalog, the ledger's add
    records, the list-built entries the ledger removed, and other helpers' reservations."""
    known: list[tuple[str, dict[str, Any]]] = [("in the catalog", e) for e in load_references()]
    removed = set()
    for _path, _line, rec in iter_ledger():
        known.append(
            ("added by the ledger" if rec.get("method") == "add" else "in the ledger", rec)
        )
        if rec.get("status") == "remove":
            removed.add(rec["key"])
    try:
        before = catalog_at(LIST_BUILT)
    except (OSError, subprocess.CalledProcessError):  # no git history: removed papers unknown
        before = {}
    known += [("removed as off-topic", e) for k, e in before.items() if k in removed]
    if RESERVED.exists():
        for line in RESERVED.read_text(encoding="utf-8").splitlines():
            if line.strip():
                known.append(("reserved by another helper", json.loads(line)))
    return known


def find_existing(
    known: list[tuple[str, dict[str, Any]]], arxiv: str | None, title: str
) -> str | None:
    """Where the paper already is: ``"<key> (in the catalog)"`` and the like, or None."""
    want = norm_title(plain_title(title))
    for where, rec in known:
        if "title" not in rec and "arxiv" not in rec:
            continue  # a ledger line that names no paper
        if (arxiv and str(rec.get("arxiv") or "") == arxiv) or norm_title(
            plain_title(str(rec.get("title", "")))
        ) == want:
            return f"{rec['key']} ({where})"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arxiv", help="arXiv id without version, if the paper has one")
    parser.add_argument("--year", type=int, required=True, help="the year the entry will carry")
    parser.add_argument("--first-author", required=True, help='"Family, Given"')
    parser.add_argument("--title", required=True)
    args = parser.parse_args()
    RESERVED.parent.mkdir(parents=True, exist_ok=True)
    with (RESERVED.parent / ".reserved-keys.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known = known_papers()
        existing = find_existing(known, args.arxiv, args.title)
        if existing:
            print(f"already known: {existing}", file=sys.stderr)
            return 1
        family = args.first_author.partition(",")[0].strip()
        key = make_key(family, args.year, plain_title(args.title), {r["key"] for _w, r in known})
        with RESERVED.open("a", encoding="utf-8") as fh:
            rec = {"key": key, "arxiv": args.arxiv, "title": args.title}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(key)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
