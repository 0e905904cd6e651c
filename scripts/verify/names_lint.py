"""Flag `names` lists the paper's title and abstract do not bear out, for a reader to settle.

`names` are the short names the paper itself uses for its work (docs/catalog-format.md). The
audits of the fourth session found names the most often wrong field: a name the paper never uses
(a repository's or a follow-up's spelling), a paper-list's name given to a survey, and a method
the abstract names left without one. This lint picks the lists worth a second reading; it only
selects, a reader decides:

- ``absent``: a name that occurs nowhere in the title or abstract (case, spaces and hyphens
  ignored; an entry without a cached abstract is judged on its title only and marked so);
- ``not-a-name``: a name shaped like a list, a repository or a metric (``Awesome-…``, a URL, a
  bare ``LLM``);
- ``missing``: no names, though the title opens with a short name before a colon or the abstract
  says ``we propose X`` / ``called X`` / ``dubbed X`` with X shaped like a name (capitals inside,
  digits, or a capitalised acronym).

    python scripts/verify/names_lint.py --abstracts /work/notes/cache [--format json]
"""

from __future__ import annotations

import re
from typing import Any

from common import norm_title, run
from lintrun import lint_main

#: A token shaped like a method name: an inner capital or digit after a letter (``vLLM``, ``GPTQ``,
#: ``Llama2``, ``FlashAttention``), or all capitals of three or more letters.
NAME_SHAPE = r"(?:[A-Za-z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:[-+.][A-Za-z0-9]+)*|[A-Z]{3,})"
#: Abstract phrases that introduce the paper's own name.
INTRODUCED = re.compile(
    r"\b(?:we (?:propose|introduce|present|develop|design|build|release|call)"
    r"|(?:called|dubbed|named|termed|coined))\s+(?:(?:a|an|the)\s+)?(?:\w+[\s-]){0,5}?"
    rf"\(?({NAME_SHAPE})\)?(?=[\s,.;:)])"
)
#: A title that opens with a short name before a colon (``LoRA: Low-Rank …``).
TITLE_NAME = re.compile(r"^([^\s:][^:]{0,30}?)\s*:\s")
#: Capitalised words that are not names when they open a title or follow ``we propose``.
COMMON = frozenset(
    {"LLM", "LLMs", "LLMS", "AI", "NLP", "GPU", "GPUs", "CPU", "CPUs", "TPU", "MoE", "KV", "DNN",
     "DNNs", "SOTA", "API", "APIs", "RL", "SFT", "PEFT"}
)  # fmt: skip
NOT_A_NAME = re.compile(r"(?i)^(?:awesome\b|https?://|github\b)|(?i:\blist\b)$")


def flags(entry: dict[str, Any], abstract: str) -> list[str]:
    """Why the entry's names deserve a second reading (empty: nothing to flag)."""
    title = entry["title"]
    text = norm_title(f"{title} {abstract}")
    names = [str(n) for n in entry.get("names") or []]
    where = "title and abstract" if abstract else "title (no abstract cached)"
    found = [f"absent: {n!r} is not in the {where}" for n in names if norm_title(n) not in text]
    found += [f"not-a-name: {n!r}" for n in names if NOT_A_NAME.search(n) or n in COMMON]
    if not names:
        candidates: list[str] = []
        opening = TITLE_NAME.match(title)
        if opening and opening.group(1) not in COMMON:
            candidates.append(opening.group(1))
        candidates += [m for m in INTRODUCED.findall(abstract) if m not in COMMON]
        if candidates:
            unique = list(dict.fromkeys(candidates))
            found.append("missing: none given, candidates " + ", ".join(map(repr, unique)))
    return found


def main() -> int:
    return lint_main(__doc__ or "", flags, "name", "names")


if __name__ == "__main__":
    raise SystemExit(run(main))
