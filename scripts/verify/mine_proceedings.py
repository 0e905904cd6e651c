"""Find candidate LLM-efficiency papers among imported accepted papers, for the add helpers.

Reads ``sources/accepted-*.jsonl.gz`` (``import_2026.py``) and the abstract cache it wrote, keeps
the papers whose title + abstract name a language model AND an efficiency contribution (two keyword
patterns below), drops those already in the catalog (normalised title), and writes candidate lines
in the add helpers' batch format. Keyword hits are only a net: about half the candidates fail the
scope rule of docs/tagging.md when a helper reads the abstract, and are skipped there.

    python scripts/verify/mine_proceedings.py --abstracts FILE --out DIR --per-batch 60 --prefix y
    # a wider net over what earlier rounds left: one efficiency word in the abstract is enough
    python scripts/verify/mine_proceedings.py --abstracts FILE --out DIR --prefix k \
        --min-abstract-hits 1 --skip-read OLD_BATCHES/*.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path
from typing import Any

from common import load_references, norm_title, read_json, read_jsonl, run, write_batches
from match_offline import EXTRA_FILES, VENUE_MAP, evidence_url, plain_title, to_family_given

LANGUAGE_MODEL = re.compile(
    r"\b(LLMs?|large language models?|language models?|transformers?|\bMoE\b|mixture[- ]of[- ]experts"
    r"|KV[- ]cache|attention|tokens?|speculative decoding|state[- ]space models?|Mamba|VLMs?|MLLMs?)",
    re.I,
)
EFFICIENCY = re.compile(
    r"(efficien|quantiz|prun|sparsif|sparsity|distill|low[- ]rank|LoRA\b|parameter[- ]efficient"
    r"|compress|speed[- ]?up|latency|throughput|memory[- ]efficient|memory footprint|FLOPs"
    r"|KV[- ]cache|cache eviction|scaling laws?|compute[- ]optimal|serving|accelerat|linear attention"
    r"|sub-?quadratic|early[- ]exit|token (?:pruning|merging|reduction)|data selection|data pruning"
    r"|curriculum|deduplicat|speculative|draft model|offload|inference cost|training cost|cheaper"
    r"|budget)",
    re.I,
)


def score(title: str, abstract: str, min_abstract_hits: int = 3) -> int:
    """How strongly title and abstract read as an LLM-efficiency paper (0 = not a candidate).

    A paper without an efficiency word in its title needs ``min_abstract_hits`` in its abstract.
    """
    text = f"{title} {abstract}"
    if not LANGUAGE_MODEL.search(text):
        return 0
    in_title = len(EFFICIENCY.findall(title))
    in_abstract = len(EFFICIENCY.findall(abstract))
    if in_title == 0 and in_abstract < max(min_abstract_hits, 1):
        return 0
    return 3 * in_title + in_abstract


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--abstracts", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-batch", type=int, default=60)
    parser.add_argument("--prefix", default="y")
    parser.add_argument(
        "--min-abstract-hits",
        type=int,
        default=3,
        help="efficiency words an abstract needs when the title has none (a wider net: 1)",
    )
    parser.add_argument(
        "--skip-read",
        type=Path,
        nargs="*",
        default=[],
        help="batch files of earlier rounds: their titles were read already and are not offered again",
    )
    args = parser.parse_args()
    abstracts: dict[str, str] = read_json(args.abstracts)
    known = {norm_title(e["title"]) for e in load_references()}
    for batch_file in args.skip_read:
        known.update(norm_title(rec["title"]) for _, rec in read_jsonl(batch_file))
    cands: list[tuple[int, dict[str, Any]]] = []
    for path in EXTRA_FILES:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                title = plain_title(row["title"])
                abstract = re.sub(r"<[^>]+>", " ", abstracts.get(row["id"], ""))
                abstract = " ".join(abstract.split())
                s = score(title, abstract, args.min_abstract_hits)
                if not s or norm_title(title) in known or not abstract:
                    continue
                venue, etype = VENUE_MAP[row["venue"]]
                cands.append(
                    (
                        s,
                        {
                            "origin": "proceedings",
                            "title": title,
                            "authors": [to_family_given(a) for a in row["authors"]],
                            "venue": venue,
                            "type": etype,
                            "year": row["year"],
                            "workshop": False,
                            "arxiv": None,
                            "code": None,
                            "evidence": evidence_url(row),
                            "record_source": row["source_commit"],
                            "list_sources": [],
                            "abstract": abstract,
                            "score": s,
                        },
                    )
                )
    cands.sort(key=lambda c: (-c[0], c[1]["venue"], c[1]["title"]))
    write_batches(args.out, [cand for _, cand in cands], args.per_batch, args.prefix)
    by_venue: dict[str, int] = {}
    for _, cand in cands:
        by_venue[cand["venue"]] = by_venue.get(cand["venue"], 0) + 1
    print(f"{len(cands)} candidates {by_venue} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
