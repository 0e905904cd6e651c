"""The search query language: parsing to a small AST. Pure functions, no I/O.

Grammar (operators in capitals, implicit AND between terms)::

    query    := or
    or       := and ("OR" and)*
    and      := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | "(" or ")" | term
    term     := FIELD ":" value | "quoted phrase" | word | word*
    value    := word | "quoted phrase" | >=N | >N | <=N | <N | N..M | N.. | ..M

Fields: ``dim`` (also ``tag``/``node``), ``year``, ``venue``, ``author``, ``code``, ``key``,
``title``, ``type``, ``arxiv``, ``doi``, ``url``. Free words and phrases search titles, names,
summaries, authors, venues and taxonomy topics with ranking; ``title:`` restricts a word or phrase
to titles.

The parser is tolerant of pasted text: lower-case ``and``/``or``/``not`` are words, an unknown
``word:`` is text, a bare year (``2023``) is a year filter, an arXiv id or URL, a DOI or DOI URL or a
link is a look-up of that entry, and when a query without operators has unbalanced brackets or quotes
they are read as punctuation. Errors are raised only for what is unambiguously query syntax.
"""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

from .errors import QueryError
from .text import identifier

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
    "to_text",
]


class Text(NamedTuple):
    """Full-text match of a word (``prefix``: word*) or phrase, optionally limited to titles."""

    value: str
    phrase: bool = False
    prefix: bool = False
    title_only: bool = False


class Dim(NamedTuple):
    """Papers tagged with the node or any of its descendants; ``name`` is resolved later."""

    name: str


class Year(NamedTuple):
    """Year within ``[low, high]`` (either bound may be open)."""

    low: int | None
    high: int | None


class Code(NamedTuple):
    """Has (or lacks) a code URL."""

    present: bool


class Equals(NamedTuple):
    """A field compared to a value: ``venue``, ``author``, ``key``, ``type``, ``arxiv``, ``doi``.

    ``*`` in the value is a wildcard; matching is case- and accent-insensitive.
    """

    field: str
    value: str


class Not(NamedTuple):
    """Negation."""

    child: Node


class And(NamedTuple):
    """Conjunction."""

    children: tuple[Node, ...]

    def __eq__(self, other: object) -> bool:
        return type(other) is And and tuple.__eq__(self, other)  # never equal to an Or

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(("and", self.children))


class Or(NamedTuple):
    """Disjunction."""

    children: tuple[Node, ...]

    def __eq__(self, other: object) -> bool:
        return type(other) is Or and tuple.__eq__(self, other)  # never equal to an And

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(("or", self.children))


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
    "doi": "DOI (doi:10.18653/v1/2021.acl-long.353); a pasted DOI or DOI URL works too",
    "url": "landing page or code link, as stored (a pasted https:// link works too)",
    "metric": "efficiency metric the paper improves (metric:memory, metric:latency)",
    "kind": "what the paper is: method, survey or benchmark (kind:survey)",
}
_FIELD_ALIASES = {
    "tag": "dim",
    "node": "dim",
    "tags": "dim",
    "authors": "author",
    "has": "code",
    "metrics": "metric",
}

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


_CHUNK = re.compile(r"[^\s(\"]+")

_KINDS = ("space", "lparen", "rparen", "field", "phrase", "neg", "word", "bad")


class _Tok(NamedTuple):
    kind: str
    value: str
    pos: int
    field: str = ""
    quoted: bool = False
    raw: str = ""


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        chunk = _CHUNK.match(text, pos)
        if chunk is not None and (found := identifier(chunk.group(0).rstrip(")"))) is not None:
            tokens.append(_Tok("ident", found[1], pos, found[0]))
            pos = chunk.start() + len(chunk.group(0).rstrip(")"))
            continue
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
            tokens.append(
                _Tok(
                    "field",
                    value or "",
                    pos,
                    match.group("field").lower(),
                    quoted,
                    match.group(0),
                )
            )
        elif kind == "word":
            word = match.group("word")
            if word in ("AND", "OR", "NOT"):  # lower-case and/or/not in a pasted title are words
                tokens.append(_Tok(word, word, pos))
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


_YEAR_WORD = re.compile(r"^(?:19|20)\d\d$")
_OPERATOR = re.compile(r"(?<![^\s(])(?:AND|OR|NOT)(?![^\s)])")


def unknown_fields(text: str) -> list[str]:
    """The ``word:`` prefixes of a query that are not search fields (read as text by the parser)."""
    found = []
    try:
        tokens = _tokenize(text)
    except QueryError:  # an unclosed quote: the parser read the text without quotes
        tokens = _tokenize(re.sub(r'[()"]', " ", text))
    for tok in tokens:
        if tok.kind == "field" and _FIELD_ALIASES.get(tok.field, tok.field) not in FIELDS:
            found.append(tok.field)
    return found


def close_fields(name: str) -> list[str]:
    """Search fields spelt like ``name`` (for a did-you-mean hint)."""
    return difflib.get_close_matches(name, list(FIELDS), n=2, cutoff=0.6)


def _field_term(tok: _Tok) -> Node | None:
    field = _FIELD_ALIASES.get(tok.field, tok.field)
    if field not in FIELDS:
        # `QuaRot: Outlier-Free ...`, `note:` in a paste: not our syntax, so it is text.
        parts = [n for part in tok.raw.split(":") if (n := _word(part)) is not None]
        return None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))
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
    if field in ("doi", "url", "arxiv") and (found := identifier(value)) is not None:
        return Equals(found[0], found[1])
    return Equals(field, value)


def _word(value: str) -> Node | None:
    """A free word: a bare year is a year filter; punctuation alone is nothing."""
    if _YEAR_WORD.match(value):
        return Year(int(value), int(value))
    prefix = value.endswith("*") and len(value) > 1
    core = value.rstrip("*") if prefix else value
    if not any(c.isalnum() for c in core):
        return None
    return Text(core, prefix=prefix)


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

    def parse_or(self) -> Node | None:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            children.append(self.parse_and())
        kept = [c for c in children if c is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def parse_and(self) -> Node | None:
        children = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "rparen"):
            if tok.kind == "AND":
                self.take()
            children.append(self.parse_unary())
        kept = [c for c in children if c is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else And(tuple(kept))

    def parse_unary(self) -> Node | None:
        tok = self.peek()
        if tok is None:
            raise self.error("expected a search term", None)
        if tok.kind in ("NOT", "neg"):
            self.take()
            child = self.parse_unary()
            return None if child is None else Not(child)
        if tok.kind == "ident":
            self.take()
            return Equals(tok.field, tok.value)
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
            return _word(tok.value)
        raise self.error(f"unexpected {tok.kind if tok.kind != 'rparen' else ')'}", tok)


def parse_query(text: str) -> Node | None:
    """Parse a query string to an AST; ``None`` for an empty query (everything matches).

    A query without operators (capital AND, OR, NOT) whose brackets or quotes do not balance is
    pasted text: it is parsed again with brackets and quotes read as spaces.
    """
    try:
        return _Parser(text).parse()
    except QueryError as exc:
        if exc.check != "query-syntax" or _OPERATOR.search(text):
            raise
        relaxed = re.sub(r'[()"]', " ", text)
        node = _Parser(relaxed).parse()
        if node is None:
            raise
        return node


def text_terms(node: Node | None) -> list[Text]:
    """The positive (not negated) text terms of a query: what relevance ranking is based on."""
    if node is None:
        return []
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And | Or):
        return [t for child in node.children for t in text_terms(child)]
    return []


def to_text(node: Node | None) -> str:
    """A query string that parses back to ``node`` (for "showing results for ..." notes)."""
    if node is None:
        return ""
    if isinstance(node, Text):
        value = f'"{node.value}"' if node.phrase or " " in node.value else node.value
        return ("title:" if node.title_only else "") + value + ("*" if node.prefix else "")
    if isinstance(node, And):
        return " ".join(_grouped(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_grouped(c) for c in node.children)
    if isinstance(node, Not):
        return "-" + _grouped(node.child)
    if isinstance(node, Dim):
        return f"dim:{node.name}"
    if isinstance(node, Code):
        return f"code:{'yes' if node.present else 'no'}"
    if isinstance(node, Year):
        if node.low == node.high:
            return f"year:{node.low}"
        return f"year:{node.low or ''}..{node.high or ''}"
    value = f'"{node.value}"' if " " in node.value else node.value
    return f"{node.field}:{value}"


def _grouped(node: Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, Or | And) else text


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
