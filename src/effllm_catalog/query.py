"""The search query language: parsing to a small AST. Pure functions, no I/O.

Grammar (case-insensitive operators, implicit AND between terms)::

    query    := or
    or       := and ("OR" and)*
    and      := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | "(" or ")" | term
    term     := FIELD ":" value | "quoted phrase" | word | word*
    value    := word | "quoted phrase" | >=N | >N | <=N | <N | N..M | N.. | ..M

Fields: ``dim`` (also ``tag``/``node``), ``year``, ``venue``, ``author``, ``code``, ``key``,
``title``, ``type``, ``arxiv``, ``doi``. Free words and phrases search title, abstract, authors and
venue with ranking; ``title:`` restricts a word or phrase to titles.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import QueryError

__all__ = [
    "FIELDS",
    "And",
    "Code",
    "Dim",
    "Equals",
    "Node",
    "Not",
    "Or",
    "Text",
    "Year",
    "build_query",
    "parse_query",
    "parse_year_range",
    "text_terms",
]


@dataclass(frozen=True)
class Text:
    """Full-text match of a word (``prefix``: word*) or phrase, optionally limited to titles."""

    value: str
    phrase: bool = False
    prefix: bool = False
    title_only: bool = False


@dataclass(frozen=True)
class Dim:
    """Papers tagged with the node or any of its descendants; ``name`` is resolved later."""

    name: str


@dataclass(frozen=True)
class Year:
    """Year within ``[low, high]`` (either bound may be open)."""

    low: int | None
    high: int | None


@dataclass(frozen=True)
class Code:
    """Has (or lacks) a code URL."""

    present: bool


@dataclass(frozen=True)
class Equals:
    """A field compared to a value: ``venue``, ``author``, ``key``, ``type``, ``arxiv``, ``doi``.

    ``*`` in the value is a wildcard; matching is case- and accent-insensitive.
    """

    field: str
    value: str


@dataclass(frozen=True)
class Not:
    """Negation."""

    child: Node


@dataclass(frozen=True)
class And:
    """Conjunction."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Disjunction."""

    children: tuple[Node, ...]


Node = Text | Dim | Year | Code | Equals | Not | And | Or

#: field name -> what it does, for help texts, errors and the docs.
FIELDS: dict[str, str] = {
    "dim": "taxonomy node by id, alias or unique suffix; includes descendants (dim:ptq)",
    "year": "year, comparison or range (year:2023, year:>=2023, year:2020..2022)",
    "venue": "venue, case-insensitive, * wildcard (venue:neurips, venue:findings*)",
    "author": "an author's family name, or 'given family' words of one author (author:dettmers)",
    "code": "has a code link (code:yes / code:no)",
    "key": "citation key, * wildcard (key:hu2022*)",
    "title": 'a word or phrase in the title only (title:"low-rank")',
    "type": "entry type (type:inproceedings)",
    "arxiv": "arXiv id (arxiv:2106.09685)",
    "doi": "DOI",
}
_FIELD_ALIASES = {"tag": "dim", "node": "dim", "tags": "dim", "authors": "author", "has": "code"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>[A-Za-z_]+):(?:"(?P<fquoted>[^"]*)"|(?P<fvalue>[^\s()"]*))
  | "(?P<phrase>[^"]*)"
  | (?P<neg>-(?=\S))
  | (?P<word>[^\s()"]+)
  | (?P<bad>")
    """,
    re.VERBOSE,
)


_KINDS = ("space", "lparen", "rparen", "field", "phrase", "neg", "word", "bad")


@dataclass(frozen=True)
class _Tok:
    kind: str
    value: str
    pos: int
    field: str = ""
    quoted: bool = False


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        kind = next((k for k in _KINDS if match and match.group(k) is not None), "bad")
        if match is None or kind == "bad":
            raise QueryError(
                f"unclosed quote at column {pos + 1}: {text!r}",
                hint='close the phrase with a second "',
                check="query-syntax",
            )
        if kind == "field":
            quoted = match.group("fquoted") is not None
            value = match.group("fquoted") if quoted else match.group("fvalue")
            tokens.append(_Tok("field", value or "", pos, match.group("field").lower(), quoted))
        elif kind == "word":
            word = match.group("word")
            upper = word.upper()
            if upper in ("AND", "OR", "NOT"):
                tokens.append(_Tok(upper, word, pos))
            else:
                tokens.append(_Tok("word", word, pos))
        elif kind != "space":
            tokens.append(_Tok(kind, match.group(kind) if kind == "phrase" else "", pos))
        pos = match.end()
    return tokens


def parse_year_range(value: str) -> Year:
    """Parse ``2023``, ``>=2023``, ``>2022``, ``<=2020``, ``<2020``, ``2020..2022``, ``2020..``."""
    text = value.strip()
    try:
        for op in (">=", "<=", ">", "<"):
            if text.startswith(op):
                number = int(text[len(op) :])
                return {
                    ">=": Year(number, None),
                    "<=": Year(None, number),
                    ">": Year(number + 1, None),
                    "<": Year(None, number - 1),
                }[op]
        if ".." in text:
            low, _, high = text.partition("..")
            return Year(int(low) if low else None, int(high) if high else None)
        number = int(text)
        return Year(number, number)
    except ValueError:
        raise QueryError(
            f"'{value}' is not a year or year range",
            hint="write 2023, >=2023, <2020 or 2020..2022",
            check="query-value",
        ) from None


_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}


def _field_term(tok: _Tok) -> Node:
    field = _FIELD_ALIASES.get(tok.field, tok.field)
    if field not in FIELDS:
        close = difflib.get_close_matches(field, list(FIELDS), n=2, cutoff=0.5)
        raise QueryError(
            f"unknown search field '{tok.field}:'",
            hint=(f"did you mean {' or '.join(c + ':' for c in close)}? " if close else "")
            + "fields: "
            + ", ".join(FIELDS),
            check="query-field",
        )
    value = tok.value.strip()
    if not value:
        raise QueryError(
            f"'{tok.field}:' needs a value", hint=f"e.g. {FIELDS[field]}", check="query-value"
        )
    if field == "dim":
        return Dim(value)
    if field == "year":
        return parse_year_range(value)
    if field == "code":
        if value.lower() in _YES:
            return Code(True)
        if value.lower() in _NO:
            return Code(False)
        raise QueryError(
            f"code:{value} must be yes or no", hint="code:yes or code:no", check="query-value"
        )
    if field == "title":
        return Text(value, phrase=tok.quoted or " " in value, title_only=True)
    return Equals(field, value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok | None) -> QueryError:
        where = f" at column {tok.pos + 1}" if tok else " at the end"
        return QueryError(
            f"{message}{where}: {self.text!r}",
            hint="operators are AND, OR, NOT (or -) and parentheses",
            check="query-syntax",
        )

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.parse_or()
        if self.peek() is not None:
            raise self.error("unexpected ')'", self.peek())
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "rparen"):
            if tok.kind == "AND":
                self.take()
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.error("expected a search term", None)
        if tok.kind in ("NOT", "neg"):
            self.take()
            return Not(self.parse_unary())
        if tok.kind == "lparen":
            self.take()
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise self.error("missing ')'", closing)
            self.take()
            return node
        if tok.kind == "field":
            self.take()
            return _field_term(tok)
        if tok.kind == "phrase":
            self.take()
            if not tok.value.strip():
                raise self.error("empty phrase", tok)
            return Text(tok.value, phrase=True)
        if tok.kind == "word":
            self.take()
            prefix = tok.value.endswith("*") and len(tok.value) > 1
            return Text(tok.value.rstrip("*") if prefix else tok.value, prefix=prefix)
        raise self.error(f"unexpected {tok.kind if tok.kind != 'rparen' else ')'}", tok)


def parse_query(text: str) -> Node | None:
    """Parse a query string to an AST; ``None`` for an empty query (everything matches)."""
    return _Parser(text).parse()


def text_terms(node: Node | None) -> list[Text]:
    """The positive (not negated) text terms of a query: what relevance ranking is based on."""
    if node is None:
        return []
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And | Or):
        return [t for child in node.children for t in text_terms(child)]
    return []


def build_query(
    text: str = "",
    *,
    dims: list[str] | None = None,
    year: str | None = None,
    venues: list[str] | None = None,
    authors: list[str] | None = None,
    has_code: bool | None = None,
    keys: list[str] | None = None,
) -> Node | None:
    """Combine a query string with option filters (``--dim``, ``--year``, ...) into one AST.

    Repeated options of one kind are alternatives (OR); different kinds must all hold (AND).
    """
    parts: list[Node] = []
    parsed = parse_query(text) if text else None
    if parsed is not None:
        parts.append(parsed)
    groups: list[list[Node]] = [
        [Dim(d) for d in dims or []],
        [Equals("venue", v) for v in venues or []],
        [Equals("author", a) for a in authors or []],
        [Equals("key", k) for k in keys or []],
    ]
    for group in groups:
        if group:
            parts.append(group[0] if len(group) == 1 else Or(tuple(group)))
    if year:
        parts.append(parse_year_range(year))
    if has_code is not None:
        parts.append(Code(has_code))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))
