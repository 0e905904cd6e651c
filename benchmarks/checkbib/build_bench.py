"""Build the check-bib benchmark: 300 real citations of this field with known answers.

From the verified catalog (data/references.yaml + scripts/verify/ledger/), with a fixed seed:

- 180 papers whose ledger status is ``published`` (main track, venue verified), cited the way a
  paper's .bib cites a preprint: the title and author list the catalog had *before* verification
  (the lists' arXiv v1-ish fields, git revision 9be2fc8), the arXiv year, and one of three styles —
  Google Scholar (``journal = {arXiv preprint arXiv:ID}``), arXiv's own ``@misc`` with ``eprint``,
  and Semantic Scholar without any id (``journal = {ArXiv}``), so that a third must match by title.
- 80 papers whose ledger status is ``preprint`` (no published version found): answer "none".
- 40 published papers already cited correctly (``@inproceedings`` with the venue): answer "none".

Writes ``bench300.bib`` and ``answers.jsonl`` (key, kind, expected venue and year) beside this
script. Unresolved entries are left out: their answer is not known.

    python benchmarks/checkbib/build_bench.py
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "verify"))
sys.path.insert(0, str(ROOT / "src"))

from common import load_references, merged_ledger  # noqa: E402

from effllm_catalog.checkbib import VENUE_NAMES  # noqa: E402
from effllm_catalog.export.bibtex import format_authors  # noqa: E402
from effllm_catalog.export.latex import escape  # noqa: E402

BEFORE = "9be2fc8"
SEED = 15


def before_entries() -> dict[str, dict[str, Any]]:
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE}:data/references.yaml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {e["key"]: e for e in yaml.load(text, Loader=yaml.CSafeLoader)}  # a safe loader


def arxiv_year(arxiv: str) -> int:
    return 2000 + int(arxiv[:2])


def as_preprint(key: str, old: dict[str, Any], arxiv: str, style: int) -> str:
    title = escape(str(old["title"]))
    authors = format_authors([str(a) for a in old["authors"]])
    year = arxiv_year(arxiv)
    if style == 0:
        return (
            f"@article{{{key},\n  title={{{title}}},\n  author={{{authors}}},\n"
            f"  journal={{arXiv preprint arXiv:{arxiv}}},\n  year={{{year}}}\n}}\n"
        )
    if style == 1:
        return (
            f"@misc{{{key},\n      title={{{title}}},\n      author={{{authors}}},\n"
            f"      year={{{year}}},\n      eprint={{{arxiv}}},\n      archivePrefix={{arXiv}},\n"
            f"      primaryClass={{cs.CL}}\n}}\n"
        )
    return (
        f"@article{{{key},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
        f"  journal = {{ArXiv}},\n  year = {{{year}}}\n}}\n"
    )


def as_published(key: str, e: dict[str, Any]) -> str:
    venue = VENUE_NAMES.get(e["venue"], e["venue"])
    field = "journal" if e.get("type") == "article" else "booktitle"
    kind = "article" if field == "journal" else "inproceedings"
    return (
        f"@{kind}{{{key},\n  title = {{{escape(str(e['title']))}}},\n"
        f"  author = {{{format_authors([str(a) for a in e['authors']])}}},\n"
        f"  {field} = {{{escape(venue)}}},\n  year = {{{e['year']}}}\n}}\n"
    )


def main() -> int:
    rng = random.Random(SEED)
    ledger = merged_ledger()
    before = before_entries()
    now = load_references()
    published, preprints = [], []
    for e in now:
        rec = ledger.get(e["key"], {})
        arxiv = str(e.get("arxiv") or "")
        if not arxiv or e["key"] not in before or "." not in arxiv:
            continue
        if rec.get("status") == "published" and e.get("venue") not in (None, "arXiv"):
            if "Workshop" not in str(e["venue"]):
                published.append(e)
        elif rec.get("status") == "preprint" and e.get("venue") == "arXiv":
            preprints.append(e)
    rng.shuffle(published)
    rng.shuffle(preprints)
    chunks: list[str] = [
        "% check-bib benchmark: 300 citations with known answers (answers.jsonl)\n"
    ]
    answers: list[dict[str, Any]] = []
    for i, e in enumerate(published[:180]):
        old = before[e["key"]]
        chunks.append(as_preprint(f"b{i:03d}", old, str(e["arxiv"]), i % 3))
        answers.append(
            {
                "key": f"b{i:03d}",
                "catalog_key": e["key"],
                "kind": "published-cited-as-preprint",
                "style": ("google-scholar", "arxiv-misc", "no-id")[i % 3],
                "venue": e["venue"],
                "year": e["year"],
                "v1_title_differs": old["title"] != e["title"],
            }
        )
    for i, e in enumerate(preprints[:80]):
        key = f"p{i:03d}"
        chunks.append(as_preprint(key, before[e["key"]], str(e["arxiv"]), i % 3))
        answers.append(
            {
                "key": key,
                "catalog_key": e["key"],
                "kind": "unpublished-preprint",
                "style": ("google-scholar", "arxiv-misc", "no-id")[i % 3],
                "venue": None,
                "year": None,
            }
        )
    for i, e in enumerate(published[180:220]):
        key = f"c{i:03d}"
        chunks.append(as_published(key, e))
        answers.append(
            {
                "key": key,
                "catalog_key": e["key"],
                "kind": "published-cited-correctly",
                "style": "venue",
                "venue": None,
                "year": None,
            }
        )
    (HERE / "bench300.bib").write_text("\n".join(chunks), encoding="utf-8")
    with (HERE / "answers.jsonl").open("w", encoding="utf-8") as fh:
        for a in answers:
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    print(
        f"{len(answers)} citations: {len(published)} published and {len(preprints)} preprints available"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
