"""Search relevance: success@1, success@3 and MRR over the queries in ``relevance.yaml``.

Scores, side by side on the same catalog (the bundled ``data/`` unless ``--catalog``):

- ``new``: this checkout's ranking (in-process, through the same ``run_search`` as the CLI);
- ``old``: a previous version of effllm, run with that version's own Python (``--old-python``,
  e.g. a venv with main at 9be2fc8 installed), through its library;
- ``papis``: ``papis list QUERY`` over the catalog's BibTeX export imported into a throw-away papis
  library (``--papis PATH``; config and library in a temp dir, no network);
- ``new+names``: only with ``--names FILE``: the new ranking on a copy of the catalog where the
  benchmark's target entries get the ``names`` the file gives (the data team is filling ``names``
  for every entry; this shows what the name queries gain when they land). Reported separately,
  never mixed into the figures for the bundled catalog.

A query that errors counts as a miss and is listed. Nothing here asserts; it measures and prints.

    python benchmarks/relevance.py
    python benchmarks/relevance.py --old-python /tmp/old/.venv/bin/python \\
        --papis /tmp/papis/bin/papis --names benchmarks/relevance_names.yaml
    python benchmarks/relevance.py --show-misses
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUERIES = HERE / "relevance.yaml"
DEPTH = 10

#: Runs the queries with an older effllm through its library; reads and writes JSON.
OLD_DRIVER = r"""
import json, sys
from pathlib import Path
from effllm_catalog.index import open_index
from effllm_catalog.query import build_query
job = json.load(sys.stdin)
index = open_index(Path(job["catalog"]))
out = []
for q in job["queries"]:
    try:
        result = index.search(build_query(q), limit=job["depth"])
        out.append({"keys": [r["key"] for r in result.rows]})
    except Exception as exc:
        out.append({"keys": [], "error": f"{type(exc).__name__}: {exc}"})
json.dump(out, sys.stdout)
"""


def run_new(catalog: Path, queries: list[str]) -> list[dict[str, Any]]:
    """This checkout's ranking, through the CLI's own search function."""
    sys.path.insert(0, str(REPO / "src"))
    from effllm_catalog.index import open_index
    from effllm_catalog.search import run_search

    index = open_index(catalog)
    out: list[dict[str, Any]] = []
    for q in queries:
        try:
            result = run_search(index, q, limit=DEPTH)
            out.append({"keys": [r["key"] for r in result.rows], "notes": result.notes})
        except Exception as exc:  # noqa: BLE001 -- a benchmark records failures, never stops
            out.append({"keys": [], "error": f"{type(exc).__name__}: {exc}"})
    return out


#: Fields the catalog gained after the old version: left out of the copy the old code reads, so
#: its schema accepts the entries (it could not index them anyway).
NEW_FIELDS = ("names", "summary", "kind")


def old_catalog_copy(catalog: Path, work: Path) -> Path:
    """The catalog without the fields an older effllm does not know."""
    import yaml

    out = work / "old-catalog"
    out.mkdir(parents=True, exist_ok=True)
    (out / "taxonomy.yaml").write_bytes((catalog / "taxonomy.yaml").read_bytes())
    entries = yaml.safe_load((catalog / "references.yaml").read_text(encoding="utf-8"))
    for entry in entries:
        for name in NEW_FIELDS:
            entry.pop(name, None)
    text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=10_000)
    (out / "references.yaml").write_text(text, encoding="utf-8")
    return out


def run_old(python: str, catalog: Path, queries: list[str], cache: Path) -> list[dict[str, Any]]:
    """An older effllm, in its own interpreter (its own installed package), on the same entries."""
    catalog = old_catalog_copy(catalog, cache)
    job = json.dumps({"catalog": str(catalog), "queries": queries, "depth": DEPTH})
    env = {**os.environ, "EFFLLM_CACHE_DIR": str(cache / "old")}
    proc = subprocess.run(
        [python, "-c", OLD_DRIVER],
        input=job,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tempfile.gettempdir(),  # never import this checkout's package by accident
    )
    return list(json.loads(proc.stdout))


def papis_library(papis: str, catalog: Path, work: Path) -> dict[str, str]:
    """A temporary papis library holding the catalog's BibTeX export; returns its environment."""
    sys.path.insert(0, str(REPO / "src"))
    from effllm_catalog.export import export_rows
    from effllm_catalog.index import open_index

    index = open_index(catalog)
    rows = index.search(None).rows
    bib = work / "catalog.bib"
    bib.write_text(export_rows("bibtex", rows, index.taxonomy), encoding="utf-8")
    library = work / "papis-library"
    library.mkdir()
    config = work / "config" / "papis"
    config.mkdir(parents=True)
    (config / "config").write_text(
        f"[settings]\ndefault-library = bench\n\n[bench]\ndir = {library}\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_CACHE_HOME": str(work / "cache"),
    }
    subprocess.run(
        [papis, "bibtex", "read", str(bib), "import", "--all", "--batch"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return env


def run_papis(papis: str, env: dict[str, str], queries: list[str]) -> list[dict[str, Any]]:
    """``papis list QUERY`` per query, keys in the order papis prints them."""
    out: list[dict[str, Any]] = []
    for q in queries:
        proc = subprocess.run(
            [papis, "list", "--all", "--format", "{doc[ref]}", q],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        keys = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
        entry: dict[str, Any] = {"keys": keys[:DEPTH]}
        if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
            entry["error"] = proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"
        out.append(entry)
    return out


def catalog_with_names(catalog: Path, names_file: Path, work: Path) -> Path:
    """A copy of the catalog where the entries in ``names_file`` get those ``names``."""
    sys.path.insert(0, str(REPO / "src"))
    from effllm_catalog.store import dump_entries

    supplement: dict[str, list[str]] = yaml.safe_load(names_file.read_text(encoding="utf-8"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries = yaml.load((catalog / "references.yaml").read_text(encoding="utf-8"), Loader=loader)
    for entry in entries:
        if entry["key"] in supplement:
            entry["names"] = list(supplement[entry["key"]])
    target = work / "catalog-with-names"
    target.mkdir()
    (target / "taxonomy.yaml").write_bytes((catalog / "taxonomy.yaml").read_bytes())
    (target / "references.yaml").write_text(dump_entries(entries), encoding="utf-8")
    return target


def score(cases: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    """success@1, success@3, MRR (at depth 10) and errors, overall and per kind."""
    groups: dict[str, list[tuple[int | None, bool]]] = defaultdict(list)
    for case, result in zip(cases, results, strict=True):
        want = set(case["want"])
        rank = next((i + 1 for i, k in enumerate(result["keys"]) if k in want), None)
        for group in ("all", case["kind"]):
            groups[group].append((rank, "error" in result))
    table = {}
    for group, ranks in groups.items():
        n = len(ranks)
        table[group] = {
            "n": n,
            "s@1": sum(1 for r, _ in ranks if r == 1) / n,
            "s@3": sum(1 for r, _ in ranks if r is not None and r <= 3) / n,
            "mrr": sum(1 / r for r, _ in ranks if r is not None) / n,
            "errors": sum(1 for _, e in ranks if e),
        }
    return table


def print_table(scores: dict[str, dict[str, Any]], kinds: list[str]) -> None:
    """One row per query kind, one column group per engine."""
    engines = list(scores)
    header = f"{'kind':<12} {'n':>3}  " + "  ".join(
        f"{e + ' s@1/s@3/MRR/err':>32}" for e in engines
    )
    print(header)
    print("-" * len(header))
    for kind in ["all", *kinds]:
        n = scores[engines[0]][kind]["n"]
        cells = []
        for e in engines:
            s = scores[e][kind]
            cells.append(
                f"{s['s@1'] * 100:>7.0f}% {s['s@3'] * 100:>6.0f}% {s['mrr']:>6.2f} {s['errors']:>4}"
            )
        print(f"{kind:<12} {n:>3}  " + "  ".join(f"{c:>32}" for c in cells))


def main() -> None:
    """Parse options, run every engine asked for, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", type=Path, default=REPO / "data")
    parser.add_argument("--old-python", help="Python of a venv with an older effllm installed")
    parser.add_argument("--papis", help="papis executable (in its own venv)")
    parser.add_argument("--names", type=Path, help="names supplement for a separate new+names run")
    parser.add_argument("--show-misses", action="store_true", help="list queries not in the top 3")
    parser.add_argument("--json", type=Path, help="also write every engine's results here")
    args = parser.parse_args()

    cases: list[dict[str, Any]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    queries = [c["q"] for c in cases]
    kinds = list(dict.fromkeys(c["kind"] for c in cases))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["EFFLLM_CACHE_DIR"] = str(work / "cache")
        results: dict[str, list[dict[str, Any]]] = {}
        if args.old_python:
            results["old"] = run_old(args.old_python, args.catalog, queries, work)
        results["new"] = run_new(args.catalog, queries)
        if args.papis:
            env = papis_library(args.papis, args.catalog, work)
            results["papis"] = run_papis(args.papis, env, queries)
        if args.names:
            named = catalog_with_names(args.catalog, args.names, work)
            results["new+names"] = run_new(named, queries)
    print(
        f"{len(cases)} queries from {QUERIES.name}; catalog {args.catalog}; a hit is any wanted key"
    )
    print("new+names: the catalog plus the names supplement, NOT the bundled data as is\n")
    scores = {engine: score(cases, res) for engine, res in results.items()}
    print_table(scores, kinds)
    for engine, res in results.items():
        errors = [(c["q"], r["error"]) for c, r in zip(cases, res, strict=True) if "error" in r]
        if errors:
            print(f"\n{engine}: {len(errors)} queries failed")
            for q, e in errors:
                print(f"  {q!r}: {e}")
    if args.show_misses:
        for engine, res in results.items():
            print(f"\n{engine}: not in the top 3")
            for c, r in zip(cases, res, strict=True):
                if not set(c["want"]) & set(r["keys"][:3]):
                    print(f"  [{c['kind']}] {c['q']!r} want {c['want']} got {r['keys'][:3]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
