"""Find author names as OpenReview-derived data spells them and write them as their owners do.

The ICML/ICLR 2026 lists and ML Anthology carry profile names as typed: in capitals
(``WANG, NINGTAO``), in lower case (``zhang, Min``), run together (``YefeiChen``), with a nickname
or native-script spelling in brackets (``(Celine)Lin, Yingyan``, ``DONG(董方), Fang``), a suffix
after the given name (``Heath, Robert W., Jr.``), or a bare family name (``Li``). This lists every
such name in the catalog and, with ``--write FILE``, appends a ``lead-review`` line per entry with
the repaired list (``authors_exact``): capitals and lower case become title case (initials such as
``JS`` in a given name stay), a run-together ``FamilyGiven`` is split, bracketed nicknames are
dropped and a suffix joins the family name (``Heath Jr.``). A bare family name cannot be repaired
here: it is printed for a look-up. A Chinese name whose "family" part is a two-syllable pinyin
given name and whose "given" part a common surname (``Minshen, Yu``: the profile was typed
family-first) is printed as a likely swap for the lead to confirm; it is never rewritten here,
since ``Qiao, Yu`` is right and looks alike. A family name that another entry writes with more
particles for the same given name (``Van Broeck, Guy`` beside ``Van den Broeck, Guy``: ML Anthology
dropped the ``den``) is printed as a lost particle for the lead to confirm.

    python scripts/verify/fix_names.py [--write ledger/zz-w-round3.jsonl] [--skip KEY ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from common import PARTICLES, load_references, run

#: Given-name tokens this short and in capitals are initials (``Clemens JS``), not shouting.
INITIALS = 2


def _case(token: str, shortest: int, particles: bool = True) -> str:
    """``WANG`` -> ``Wang``, ``zhang`` -> ``Zhang``, ``JAE-JOON`` -> ``Jae-Joon``,
    ``seung-won`` -> ``Seung-won``; mixed case (``Wen-tau``, ``McDonald``) is left alone."""
    letters = token.replace("-", "")
    if (
        len(letters) < shortest
        or not letters.isalpha()
        or (particles and token.lower() in PARTICLES)
    ):
        return token
    if token.isupper():
        return "-".join(p[:1] + p[1:].lower() for p in token.split("-"))
    if token.islower():
        return token[0].upper() + token[1:]
    return token


#: Common Chinese family names in pinyin (a likely swap has one of these in the given-name slot).
SURNAMES = frozenset(
    """wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng
    liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai ye du
    cheng wei su lu ding ren shen yao cui zhong tan fan jin shi liao jia xia fu fang bai zou meng
    xiong qin qiu xue yan duan lei hou long tao gu mao hao gong shao wan qian dai mo kong xiang""".split()  # noqa: SIM905
)
_INITIAL = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
_FINAL = (
    "(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un"
    "|ia|ie|iu|ua|uo|ui|ue|a|e|i|o|u)"
)
#: Two pinyin syllables, each with its own initial (``minshen``, ``luohe``) — a given name; a
#: one-syllable surname such as ``qiao`` or ``guan`` does not split this way.
TWO_SYLLABLES = re.compile(f"{_INITIAL}{_FINAL}{_INITIAL}{_FINAL}")


def likely_swapped(name: str) -> bool:
    """``Minshen, Yu`` (given name in the family slot), not ``Qiao, Yu`` or ``Yu, Minshen``."""
    family, sep, given = (part.strip().lower() for part in name.partition(","))
    return bool(sep) and given in SURNAMES and bool(TWO_SYLLABLES.fullmatch(family))


#: A nickname or a native-script spelling in brackets or quotes (``(Celine)``, ``"Helen"``,
#: ``(董方)``): profile data, not part of the name a paper prints.
NICKNAME = re.compile(r'\s*(?:\([^)]*\)|"[^"]*")\s*')
#: A generational suffix after the given name (``Heath, Robert W., Jr.``), which BibTeX would
#: read as ``von Last, Jr, First`` with the given name in the suffix slot.
SUFFIX = re.compile(r"^([^,]+),\s*([^,]+),\s*(Jr\.?|Sr\.?|II|III|IV)$")


def strip_extras(name: str) -> str:
    """``(Celine)Lin, Yingyan`` -> ``Lin, Yingyan``; ``Heath, Robert W., Jr.`` ->
    ``Heath Jr., Robert W.`` (the suffix stays with the family name in every export)."""
    suffix = SUFFIX.match(name)
    if suffix:
        return f"{suffix.group(1)} {suffix.group(3)}, {suffix.group(2)}"
    cleaned = NICKNAME.sub(" ", name).strip()
    return re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", cleaned))


def repair(name: str) -> str | None:
    """The name written as its owner would, or None when it cannot be repaired here."""
    name = strip_extras(name)
    family, sep, given = (part.strip() for part in name.partition(","))
    if not sep:
        run = re.fullmatch(r"([A-Z][a-z]+)([A-Z][a-zA-Z]+)", family)
        if run:  # ``YefeiChen``: given then family, as the profile shows it
            return f"{run.group(2)}, {run.group(1)}"
        return None if " " not in family else name
    # A name typed wholly in capitals or lower case has no initials to keep (``GAO, KE``).
    whole = name.replace(",", "").replace(" ", "")
    shortest = 1 if whole.isupper() or whole.islower() else INITIALS + 1
    family = " ".join(_case(t, 2) for t in family.split())
    given = " ".join(_case(t, shortest, particles=False) for t in given.split())
    return f"{family}, {given}"


def _particles(family: str) -> int:
    return len(family.split()) - 1


def lost_particles(entries: list[dict[str, Any]]) -> dict[str, str]:
    """Lower-cased names that another entry spells with more particles for the same person,
    mapped to that family name: ``van broeck, guy`` -> ``Van den Broeck`` (the core family name
    and the given name agree; a source dropped ``den``). Case-only variants (``von Werra`` and
    ``Von Werra``) are not reported."""
    spellings: dict[tuple[str, str], set[str]] = {}
    for entry in entries:
        for name in entry["authors"]:
            family, sep, given = (part.strip() for part in str(name).partition(","))
            if sep and family:
                spellings.setdefault((given.lower(), family.split()[-1].lower()), set()).add(family)
    out = {}
    for (given, _), families in spellings.items():
        fullest = max(families, key=_particles)
        for family in families:
            if _particles(family) < _particles(fullest):
                out[f"{family}, {given}".lower()] = fullest
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="ledger file to append lead-review lines to")
    parser.add_argument(
        "--skip", nargs="*", default=[], help="keys whose names are right as they are"
    )
    args = parser.parse_args()
    lines = []
    entries = load_references()
    fuller = lost_particles(entries)
    for entry in entries:
        if entry["key"] in args.skip:
            continue
        authors = [str(a) for a in entry["authors"]]
        fixed = [repair(a) for a in authors]
        for old, new in zip(authors, fixed, strict=True):
            if new is None and len(authors) > 1:
                print(f"{entry['key']}: bare name {old!r}: needs a look-up")
            elif likely_swapped(old):
                print(f"{entry['key']}: {old!r} looks swapped (family-first profile?): confirm")
            elif old.lower() in fuller:
                print(f"{entry['key']}: {old!r} lost a particle? another entry writes "
                      f"{fuller[old.lower()]!r}: confirm")  # fmt: skip
        repaired = [new or old for old, new in zip(authors, fixed, strict=True)]
        if repaired == authors:
            continue
        changes = [f"{o} -> {n}" for o, n in zip(authors, repaired, strict=True) if o != n]
        print(f"{entry['key']}: " + "; ".join(changes))
        lines.append(
            {
                "key": entry["key"],
                "checked": dt.date.today().isoformat(),
                "method": "lead-review",
                "authors": repaired,
                "authors_exact": True,
                "note": "names as their owners write them (profile data in capitals, lower case "
                "or run together): " + "; ".join(changes),
            }
        )
    if args.write and lines:
        with args.write.open("a", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} entries to repair")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
