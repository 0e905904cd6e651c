"""Text normalisation shared by the index and the query side: folding, tokens, a light stemmer.

The same functions turn a title into index terms and a query word into search terms, so both sides
always agree. The stemmer is deliberately light: it merges inflections (``quantized``,
``quantizing``, ``quantization``; ``LLMs``, ``LLM``) and British with American spelling
(``quantisation``, ``modelling``, ``behaviour``), but never one word into another (``performer``
stays apart from ``performance``, ``adapter`` from ``adaptation``). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "camel_parts",
    "compact",
    "fold",
    "identifier",
    "stem",
    "stems",
    "title_head",
    "words",
]

_SPLIT = re.compile(r"[^\w]+|_")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

#: British spellings whose American form is not reached by the ``is``/``iz`` rule below.
_BRITISH = {
    "behaviour": "behavior",
    "colour": "color",
    "favour": "favor",
    "neighbour": "neighbor",
    "labour": "labor",
    "honour": "honor",
    "modelling": "modeling",
    "modelled": "modeled",
    "labelling": "labeling",
    "labelled": "labeled",
    "signalling": "signaling",
    "travelling": "traveling",
    "tunnelling": "tunneling",
    "centre": "center",
    "fibre": "fiber",
    "metre": "meter",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
    "programme": "program",
    "licence": "license",
    "defence": "defense",
    "grey": "gray",
}
_KEEP_S = ("ss", "us", "is", "ias")
_VOWEL = re.compile(r"[aeiouy]")


def fold(text: str) -> str:
    """Lower-case, accents stripped, runs of non-alphanumerics collapsed to one space."""
    if text.isascii():  # most text: nothing to decompose
        stripped = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(w for w in _SPLIT.split(stripped) if w)


def words(text: str) -> list[str]:
    """The folded words of ``text`` (``"LLM.int8()"`` -> ``["llm", "int8"]``)."""
    return fold(text).split()


def compact(text: str) -> str:
    """Folded with every separator removed: ``Flash-Attention`` and ``FlashAttention`` meet."""
    return fold(text).replace(" ", "")


def _british(word: str) -> str:
    word = _BRITISH.get(word, word)
    # analyse/analyze, quantisation/quantization, optimise/optimize: one spelling on both sides.
    return word.replace("yz", "ys").replace("iz", "is")


@lru_cache(maxsize=1 << 16)  # a catalog repeats its words: building the index stems each once
def stem(word: str) -> str:
    """The index term of one folded word (see the module docstring for what merges)."""
    if len(word) <= 3 or any(c.isdigit() for c in word):
        return word
    word = _british(word)
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(_KEEP_S):
        word = word[:-1]
    for suffix in ("isation", "ising", "ised", "ise"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + "is"
    if word.endswith("ional") and len(word) > 7:
        word = word[:-2]  # positional/position, convolutional/convolution: used interchangeably
    if word.endswith("ssion"):
        return word[:-3]
    if word.endswith("ation") and len(word) - 5 >= 4:
        return _undouble(word[:-5])
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if suffix == "ed" and base.endswith("e"):
            break  # need, speed, seed: not a past tense
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL.search(base):
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # embedding -> embed, planning -> plan
            return _undouble(base.removesuffix("e"))
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return _undouble(word)


def _undouble(word: str) -> str:
    # distil/distill, enrol/enroll: British and American spellings meet.
    return word[:-1] if word.endswith("ll") and len(word) > 4 else word


def stems(text: str) -> list[str]:
    """Index terms of a text, in order."""
    return [stem(w) for w in words(text)]


def camel_parts(text: str) -> list[str]:
    """Parts of CamelCase words (``PagedAttention`` -> ``paged attention``), folded."""
    parts: list[str] = []
    for token in re.split(r"[^\w]+", text):
        pieces = [p for p in _CAMEL.findall(token) if len(p) >= 3 or (p.isupper() and len(p) > 1)]
        if len(pieces) > 1 and any(len(p) >= 3 and not p.isupper() for p in pieces):
            parts.extend(p.lower() for p in pieces)
    return parts


def title_head(title: str) -> str | None:
    """The name before a title's colon (``QLoRA`` in ``QLoRA: Efficient Finetuning ...``)."""
    head, sep, _ = title.partition(":")
    if not sep or not head.strip() or len(head.split()) > 4:
        return None
    return head.strip()


_ARXIV_NEW = r"(?P<new>\d{4}\.\d{4,5})(?:v\d+)?"
_ARXIV_OLD = r"(?P<old>[a-z][a-z.-]*/\d{7})(?:v\d+)?"
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    rf"(?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:\.pdf)?/?$",
    re.I,
)
_ARXIV_ID = re.compile(rf"^(?:arxiv:)?(?:{_ARXIV_NEW}|{_ARXIV_OLD})$", re.I)
_DOI = re.compile(r"^(?:doi:|(?:https?://)?(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+)$", re.I)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


def identifier(token: str) -> tuple[str, str] | None:
    """Read a pasted arXiv id/URL, DOI/DOI URL or other link as ``(field, value)``, else None.

    ``field`` is ``arxiv``, ``doi`` or ``url`` (a landing page or code link, matched as stored).
    """
    token = token.strip().rstrip(".,;")
    if match := _ARXIV_URL.match(token) or _ARXIV_ID.match(token):
        return "arxiv", (match.group("new") or match.group("old")).lower()
    if match := _DOI.match(token):
        return "doi", match.group("doi").lower()
    if _URL.match(token):
        return "url", normalise_url(token)
    return None


def normalise_url(url: str) -> str:
    """A link as stored for look-up: no scheme, no ``www.``, no trailing slash, lower-case host."""
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip(), flags=re.I).rstrip("/")
    host, sep, rest = url.partition("/")
    url = host.lower() + sep + rest
    return url.removesuffix(".git")
