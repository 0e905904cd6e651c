"""Turning untrusted plain text into inert LaTeX for .bib files.

Catalog text is plain Unicode, never LaTeX: every character that means something to TeX is
escaped, so a title such as ``\\input{/etc/passwd}`` or ``\\def\\x{...}`` prints literally and runs
nothing. Braces become ``\\textbraceleft{}``/``\\textbraceright{}`` rather than ``\\{``, because BibTeX
counts braces without looking at backslashes.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["escape", "protect_title", "to_ascii"]

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIALS))
# Control characters and the invisible bidi overrides that could hide text in a PDF.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# TeX ligatures that would change the text: "--" prints an en dash, "``" an opening quote.
_LIGATURE = re.compile(r"(?<=[-`'!?])(?=[-`'])")


def escape(text: str, *, ligatures: bool = False) -> str:
    """Escape every TeX special character and drop control characters; whitespace collapses.

    Ligature-forming pairs get an empty group between them (``-{}-``), so the text prints, and
    decodes, exactly as written. ``ligatures=True`` keeps them, for fields such as ``pages`` where
    ``--`` is meant as a range dash.
    """
    clean = " ".join(_INVISIBLE.sub(" ", text).split())
    escaped = _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group()], clean)
    return escaped if ligatures else _LIGATURE.sub("{}", escaped)


def _needs_protection(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return any(c.isupper() for c in letters[1:]) or (
        len(letters) == 1 and any(c.isdigit() for c in word)
    )


def protect_title(text: str) -> str:
    """Escape a title and brace-protect acronyms and mixed-case words: ``{LoRA}``, ``{GPT}-4``."""
    out: list[str] = []
    for token in re.split(r"(\s+)", " ".join(_INVISIBLE.sub(" ", text).split())):
        if not token or token.isspace():
            out.append(token)
            continue
        # Split off punctuation so that "LoRA:" becomes "{LoRA}:".
        match = re.fullmatch(r"([(\[\"'“‘]*)(.*?)([)\]\"'”’:;,.!?]*)", token)
        lead, core, trail = match.groups() if match else ("", token, "")
        if core and _needs_protection(core):
            out.append(escape(lead) + "{" + escape(core) + "}" + escape(trail))
        else:
            out.append(escape(token))
    return "".join(out)


def to_ascii(latex: str) -> str:
    """Replace non-ASCII characters in already-escaped LaTeX by LaTeX macros (pylatexenc)."""
    if latex.isascii():
        return latex
    return str(_encoder().unicode_to_latex(latex))


@functools.cache
def _encoder() -> Any:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="replace",
        unknown_char_warning=False,
    )
