"""Citation keys: one deterministic rule, applied once, then frozen.

The rule: ``<family><year><word>`` where

- ``family`` is the first author's family name, transliterated to ASCII, lower-cased, letters only
  (``Müller`` -> ``muller``, ``de Vries`` -> ``devries``);
- ``year`` is the entry's year;
- ``word`` is the first *significant* word of the title, lower-cased, ASCII letters and digits only
  (``LoRA:`` -> ``lora``, ``H2O:`` -> ``h2o``). Stop words (below), bare numbers and one-character
  words are skipped, so ``1-bit LLMs`` gives ``bit`` and a year never runs into a number
  (``wang20241`` cannot happen);
- when that key is already taken, the suffixes ``a``, ``b``, ... ``z``, ``aa``, ... are tried in order.

A key, once in the catalog, is never recomputed: editing a title or author list does not change it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

__all__ = ["STOP_WORDS", "ascii_fold", "key_stem", "make_key"]

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "and",
        "or",
        "in",
        "to",
        "towards",
        "toward",
        "with",
        "without",
        "via",
        "is",
        "are",
        "be",
        "do",
        "does",
        "can",
        "how",
        "what",
        "when",
        "why",
        "where",
        "which",
        "who",
        "your",
        "you",
        "we",
        "our",
        "us",
        "it",
        "its",
        "not",
        "no",
        "all",
        "from",
        "at",
        "by",
        "as",
        "into",
        "onto",
        "beyond",
        "through",
        "than",
        "that",
        "this",
        "these",
        "those",
        "up",
        "down",
        "over",
        "under",
        "more",
        "less",
        "only",
        "just",
    ]
)

_NON_ALPHA = re.compile(r"[^a-z]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[^\s\-–—/:]+")

# Letters that NFKD does not decompose into an ASCII base letter.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "ı": "i",
    }
)


def ascii_fold(text: str) -> str:
    """Return ``text`` with accents stripped and non-ASCII letters transliterated where possible."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def key_stem(family: str, year: int, title: str) -> str:
    """Return the key the rule gives before any collision suffix."""
    name = _NON_ALPHA.sub("", ascii_fold(family).lower()) or "anon"
    word = ""
    for raw in _WORD.findall(ascii_fold(title).lower()):
        candidate = _NON_ALNUM.sub("", raw)
        if len(candidate) > 1 and not candidate.isdigit() and candidate not in STOP_WORDS:
            word = candidate
            break
    return f"{name}{year}{word}"


def _suffixes() -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return list(letters) + [a + b for a in letters for b in letters]


def make_key(family: str, year: int, title: str, taken: Container[str] = frozenset()) -> str:
    """Return the first key by the catalog rule that is not in ``taken``."""
    stem = key_stem(family, year, title)
    if stem not in taken:
        return stem
    for suffix in _suffixes():
        if stem + suffix not in taken:
            return stem + suffix
    raise ValueError(f"no free citation key for stem {stem!r}")
