"""Tidy finished ledger files in place: evidence keeps only primary records.

A URL a look-up cited that is not on a primary-record host (an institutional repository, a summary
site) moves from ``evidence`` to ``leads``: it led to the record but proves nothing by itself. arXiv
mirror hosts are normalised to ``https://arxiv.org/abs/<id>``. Run it only on files no helper is still
appending to.

    python scripts/verify/tidy.py ledger/lookup-b01.jsonl ...
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from apply import is_primary
from common import run, write_jsonl

_ARXIV_MIRROR = re.compile(
    r"^https?://(?:[a-z0-9-]+\.)?arxiv\.org/(?:abs|pdf|html)/([^?#\s]+?)(?:\.pdf)?/?$"
)


def tidy(rec: dict[str, object]) -> dict[str, object]:
    evidence = rec.get("evidence")
    if not isinstance(evidence, list):
        return rec
    keep: list[str] = []
    leads = [str(u) for u in rec.get("leads", [])]  # type: ignore[attr-defined]
    for url in evidence:
        m = _ARXIV_MIRROR.match(url)
        if m:
            url = f"https://arxiv.org/abs/{re.sub(r'v[0-9]+$', '', m.group(1))}"
        (keep if is_primary(url) else leads).append(url)
    out = dict(rec)
    out["evidence"] = list(dict.fromkeys(keep))
    if leads:
        out["leads"] = list(dict.fromkeys(leads))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.files:
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        new = [tidy(r) for r in lines]
        if new != lines:
            write_jsonl(path, new)
            print(f"{path}: {sum(a != b for a, b in zip(lines, new, strict=True))} line(s) tidied")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
