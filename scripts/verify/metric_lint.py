"""Flag metric lists the paper's abstract does not bear out, for a reader to settle.

Rule 6 of docs/tagging.md tags the efficiency measures a paper reports improving, from its
abstract. Readers disagree on it more than on any other field, so this lint picks the lists worth a
second look: a metric whose words never occur in the title or abstract, and an abstract that reports
a speed-up, a memory saving or energy without the matching metric. It only selects: keyword hits are
not judgements ("spectral energy" is not energy), and the fourth session's sweep kept about two
thirds of the 507 lists it flagged. Abstracts come from the pipeline's cache outside the repository.

    python scripts/verify/metric_lint.py --abstracts /work/notes/cache [--format json]
"""

from __future__ import annotations

import re
from typing import Any

from common import run
from lintrun import lint_main

#: Words that show a metric is at issue at all (title + abstract, lower case).
MENTIONS = {
    "parameters": r"parameters|params|prun|sparsit|trainable|smaller model|student",
    "model-size": r"\bbits?\b|-bit|compression ratio|model size|storage|\bgb\b|\bmb\b|bytes"
    r"|quantiz|compress",
    "flops": r"flops|compute|computation|fewer tokens|token (?:usage|budget|count)|training steps"
    r"|sample[- ]efficien|data[- ]efficien|tokens? (?:reduction|savings)|fewer (?:samples|steps)"
    r"|reasoning length|shorter",
    "latency": r"speed-?ups?|faster|latency|throughput|wall-?clock|time[- ]to[- ]first|tokens?/s"
    r"|\d(?:\.\d+)?\s*[x×]\b|accelerat|training time|inference time|runtime|seconds|hours",
    "memory": r"memory|kv[- ]cache (?:size|footprint)|footprint|vram|peak",
    "energy": r"energy|power consumption|joule|carbon|emission|watt",
}
#: Results an abstract reports that should carry the metric.
REPORTS = {
    "energy": r"\benergy\b|joule|emission",
    "latency": r"speed-?ups?|\d(?:\.\d+)?\s*[x×] (?:faster|speed|higher throughput|throughput)"
    r"|lower latency|latency reduction|reduces? (?:the )?latency",
    "memory": r"memory (?:usage|footprint|consumption|reduction|savings|cost)"
    r"|(?:reduces?|reducing|saves?|less|lower) (?:\w+ ){0,3}memory",
}


def flags(entry: dict[str, Any], abstract: str) -> list[str]:
    """Why the entry's metric list deserves a second reading (empty: nothing to flag)."""
    text = f"{entry['title']} {abstract}".lower()
    metrics = set(entry.get("metrics") or [])
    found = [
        f"{m}: tagged, but title and abstract never mention it"
        for m, pattern in MENTIONS.items()
        if m in metrics and not re.search(pattern, text)
    ]
    found += [
        f"{m}: the abstract reports it, not tagged"
        for m, pattern in REPORTS.items()
        if m not in metrics and re.search(pattern, text)
    ]
    return found


def main() -> int:
    return lint_main(__doc__ or "", flags, "metric", "metrics")


if __name__ == "__main__":
    raise SystemExit(run(main))
