"""Flag summaries whose figures the paper's abstract does not state, for a reader to settle.

A summary is written from the abstract (docs/data-sources.md), so every speed-up, percentage,
model size or bit width it quotes should be a number the abstract gives. The fourth session's
summary check rewrote summaries that carried a wrong size or speed-up (Lion is 13B, not 7B;
Ouroboros reaches 2.8x, not 2.4x); this lint finds the ones left: a number attached to a unit
(``x``/``×``, ``%``, ``B``/``M`` parameters, ``-bit``, ``GB``, ``times``) that the abstract never
writes. It only selects: a summary may round or convert ("halves" for 50%), and a reader decides.
Entries without a cached abstract are not flagged.

    python scripts/verify/summary_lint.py --abstracts /work/notes/cache [--format json]
"""

from __future__ import annotations

import re
from typing import Any

from common import run
from lintrun import lint_main

#: A number with the unit that makes it a claim (``2.8×``, ``40%``, ``13B``, ``4-bit``, ``3 times``).
FIGURE = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*(?:[x×](?![a-z])|%|percent|[BMK]\b|-?bits?\b|GB\b|times\b"
    r"|billion|million)",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _forms(number: str) -> set[str]:
    """A number as written and without trailing zeros (``2.50`` also as ``2.5``, ``1,000`` as
    ``1000``)."""
    number = number.replace(",", "")
    return {number, number.rstrip("0").rstrip(".")} if "." in number else {number}


def _numbers(text: str) -> set[str]:
    """Every number the text writes, in each of its forms."""
    out: set[str] = set()
    for raw in NUMBER.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text)):
        out |= _forms(raw)
    return out


def flags(entry: dict[str, Any], abstract: str) -> list[str]:
    """Figures the summary quotes that the abstract does not write (empty: nothing to flag)."""
    summary = entry.get("summary") or ""
    if not abstract or not summary:
        return []
    stated = _numbers(f"{entry['title']} {abstract}")
    missing = []
    for match in FIGURE.finditer(summary):
        if not _forms(match.group(1)) & stated:
            missing.append(match.group(0).strip())
    return [f"figure {f!r} is not in the abstract" for f in dict.fromkeys(missing)]


def main() -> int:
    return lint_main(__doc__ or "", flags, "summary", "summary")


if __name__ == "__main__":
    raise SystemExit(run(main))
