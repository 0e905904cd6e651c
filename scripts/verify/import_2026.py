"""Import the 2026 accepted-paper lists the shared venue data lacks (ICLR 2026, ICML 2026).

``shared/data/venues`` stops at 2025 for ICLR and ICML. Two public repositories hold their 2026
accepted papers, scraped from the conferences' own sites; this script reads them from local mirrors
(``fetch`` brings them) and writes the bibliographic facts only -- title, authors, OpenReview id,
venue, year, status -- to ``scripts/verify/sources/accepted-2026.jsonl.gz``, in the row format of
``accepted-papers.jsonl.gz`` so that ``match_offline.py`` reads both. Abstracts are not committed:
with ``--abstracts FILE`` they go to a cache file for the tagging passes.

- ICML 2026: the eight poster sessions of the ICML 2026 virtual-site schedule
  (Min-Kang-3B/icml2026-schedule, ``data/papers/s68685.js`` ... ``s68692.js``); every main-track
  paper, oral or not, has a poster. Authors are "Given Family" strings, comma separated.
- ICLR 2026: the accepted papers with their OpenReview decision (``status`` Poster / Oral) from
  hazirliver/iclr_2026_analysis (``iclr_2026_accepted.parquet``). This source has no author names,
  so ``match_offline.py`` accepts its rows only on an exact title match (see there).
- ICML 2026 proceedings, optionally (``--pmlr FILE``): the PMLR volume 306 bibliography
  (mlresearch/v306 ``icml26.bib``), transcribed to ``sources/pmlr-v306.jsonl.gz`` (PMLR key,
  OpenReview id, title and author fields as the bib writes them). The proceedings are the published
  record, so a schedule row with the same OpenReview id takes the proceedings' title and authors
  (LaTeX decoded) and cites ``proceedings.mlr.press/v306/<key>.html``; a proceedings paper missing
  from the schedule is added.
- ICLR 2026 orals, optionally (``--iclr-orals``): bmtlima/iclr-2026-oral (``data/papers.json``)
  lists the 224 oral papers with their OpenReview author lists; those rows get their names
  (``authors_from`` names the list), so they match like any row with authors.

    python scripts/verify/import_2026.py --icml MIRROR --iclr MIRROR [--iclr-orals MIRROR]
        [--pmlr sources/pmlr-v306.jsonl.gz] [--abstracts FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

from common import run

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
OUT = SOURCES_DIR / "accepted-2026.jsonl.gz"
ICML_SESSIONS = range(68685, 68693)


def git_show(git_dir: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], capture_output=True, check=True
    ).stdout


def git_head(git_dir: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", git_dir, "rev-parse", "--short=7", "HEAD"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()


def icml_rows(git_dir: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    decoder = json.JSONDecoder()
    commit = git_head(git_dir)
    rows, abstracts = [], {}
    seen: set[str] = set()
    for session in ICML_SESSIONS:
        text = git_show(git_dir, f"data/papers/s{session}.js").decode("utf-8")
        papers, _ = decoder.raw_decode(text[text.index("=") + 1 :].lstrip())
        for paper in papers:
            link = str(paper.get("link") or "")
            rid = link.rsplit("id=", 1)[-1] if "openreview.net/forum?id=" in link else ""
            if not rid or rid in seen:
                continue
            seen.add(rid)
            authors = [a.strip() for a in str(paper.get("authors") or "").split(",") if a.strip()]
            rows.append(
                {
                    "source": "icml2026-schedule",
                    "source_commit": f"Min-Kang-3B/icml2026-schedule@{commit}",
                    "venue": "icml",
                    "year": 2026,
                    "type": "Poster",
                    "id": rid,
                    "title": " ".join(str(paper["en"]).split()),
                    "authors": authors,
                }
            )
            abstracts[rid] = str(paper.get("abs") or "")
    return rows, abstracts


def iclr_rows(git_dir: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    import io

    try:
        import pyarrow.parquet as pq  # only for this import step; not a project dependency
    except ImportError as exc:
        raise SystemExit(
            "error: reading the ICLR 2026 parquet file needs pyarrow, which the project does not "
            "depend on: install it next to the script (pip install pyarrow) and run again"
        ) from exc

    commit = git_head(git_dir)
    table = pq.read_table(io.BytesIO(git_show(git_dir, "iclr_2026_accepted.parquet")))
    rows, abstracts = [], {}
    for rec in table.select(["openreview_id", "title", "status", "abstract"]).to_pylist():
        status = str(rec["status"]).replace("ICLR 2026 ", "")
        rows.append(
            {
                "source": "iclr2026-openreview",
                "source_commit": f"hazirliver/iclr_2026_analysis@{commit}",
                "venue": "iclr",
                "year": 2026,
                "type": status,
                "id": rec["openreview_id"],
                "title": " ".join(str(rec["title"]).split()),
                "authors": [],
            }
        )
        abstracts[rec["openreview_id"]] = str(rec["abstract"] or "")
    return rows, abstracts


def apply_pmlr(rows: list[dict[str, Any]], path: Path) -> tuple[int, int]:
    """Give ICML schedule rows the title and authors of their PMLR v306 record (matched by
    OpenReview id) and add the records the schedule lacks; returns (updated, added)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from effllm_catalog.importers.bibtex import decode

    by_id = {row["id"]: row for row in rows if row["venue"] == "icml"}
    updated = added = 0
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            title = " ".join(decode(rec["title"]).split())
            authors = [" ".join(decode(a).split()) for a in rec["author"].split(" and ")]
            row = by_id.get(rec["openreview"])
            if row is None:
                row = {"venue": "icml", "year": 2026, "type": "Poster", "id": rec["openreview"]}
                rows.append(row)
                added += 1
            else:
                updated += 1
            row.update(
                {
                    "source": "pmlr-v306",
                    "source_commit": "mlresearch/v306 icml26.bib",
                    "pmlr": rec["pmlr"],
                    "title": title,
                    "authors": authors,
                }
            )
    return updated, added


def oral_authors(git_dir: str) -> tuple[dict[str, list[str]], str]:
    """OpenReview id -> author list ("Given Family") of the ICLR 2026 orals, and the list's ref."""
    import ast

    data = json.loads(git_show(git_dir, "data/papers.json"))
    out: dict[str, list[str]] = {}
    for paper in data["papers"]:
        names = paper.get("authors") or []
        if isinstance(names, str):  # some rows hold the list's Python repr
            names = ast.literal_eval(names)
        if paper.get("id") and names:
            out[str(paper["id"])] = [" ".join(str(n).split()) for n in names]
    return out, f"bmtlima/iclr-2026-oral@{git_head(git_dir)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icml", required=True, help="git dir of Min-Kang-3B/icml2026-schedule")
    parser.add_argument("--iclr", required=True, help="git dir of hazirliver/iclr_2026_analysis")
    parser.add_argument("--iclr-orals", help="git dir of bmtlima/iclr-2026-oral (author names)")
    parser.add_argument("--pmlr", type=Path, help="PMLR v306 transcription (sources/pmlr-v306...)")
    parser.add_argument("--abstracts", type=Path, help="write {id: abstract} here (never commit)")
    args = parser.parse_args()
    rows_a, abs_a = icml_rows(args.icml)
    if args.pmlr:
        updated, added = apply_pmlr(rows_a, args.pmlr)
        print(f"PMLR v306: {updated} schedule rows take the proceedings record, {added} added")
    rows_b, abs_b = iclr_rows(args.iclr)
    if args.iclr_orals:
        names, ref = oral_authors(args.iclr_orals)
        for row in rows_b:
            if row["id"] in names:
                row["authors"] = names[row["id"]]
                row["authors_from"] = ref
    rows = sorted(rows_a + rows_b, key=lambda r: (r["venue"], r["id"]))
    SOURCES_DIR.mkdir(exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    with gzip.GzipFile(tmp, "wb", mtime=0) as fh:
        for row in rows:
            fh.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    tmp.replace(OUT)
    if args.abstracts:
        args.abstracts.write_text(json.dumps({**abs_a, **abs_b}, ensure_ascii=False))
    print(f"ICML 2026: {len(rows_a)} papers, ICLR 2026: {len(rows_b)} papers -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
