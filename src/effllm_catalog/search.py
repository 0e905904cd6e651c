"""Search as a researcher uses it: the query, then help when it finds nothing or little.

:func:`run_search` runs a query string plus option filters on an open index. When nothing matches,
it tries, in order, what the researcher most likely meant and says so in ``result.notes``:

- a word the index does not know becomes a prefix (``speculativ`` -> ``speculativ*``) or the
  closest word of the index's own vocabulary (``distilation`` -> ``distillation``);
- ``author:Tri Dao`` (an unquoted two-word name) becomes ``author:"Tri Dao"``;
- when no entry has every word, entries with most of them (a pasted title with a typo).

With few or no results it adds hints: the taxonomy node a phrase names (``did you mean
dim:inference.kv-cache?``) and the search field an unknown ``word:`` resembles. Used by the CLI and
its fast path alike, so both print the same lines.
"""

from __future__ import annotations

from typing import IO, Any

from .index import Index, SearchResult
from .query import (
    And,
    Equals,
    Node,
    Not,
    Or,
    Text,
    build_query,
    close_fields,
    text_terms,
    to_text,
    unknown_fields,
)
from .text import compact, words

__all__ = ["DEFAULT_LIMIT", "FEW", "effective_limit", "run_search", "write_notes", "write_results"]

#: Fewer results than this earn hints.
FEW = 3


def run_search(
    index: Index,
    text: str = "",
    *,
    sort: str = "relevance",
    limit: int | None = None,
    **filters: Any,
) -> SearchResult:
    """Parse ``text`` with option ``filters`` (see :func:`build_query`), run it, help on a miss."""
    node = build_query(text, **filters)
    result = index.search(node, sort=sort, limit=limit)
    result.query = text
    if result.total == 0 and node is not None and text_terms(node):
        corrected = _correct(index, node)
        if corrected != node:
            retry = index.search(corrected, sort=sort, limit=limit)
            if retry.total:
                retry.query = text
                retry.notes[:0] = [
                    f'no match for "{to_text(node)}"; showing results for "{to_text(corrected)}"'
                ]
                return _hinted(index, retry, text)
        relaxed = _relax(corrected)
        if relaxed is not None:
            retry = index.search(relaxed, sort=sort, limit=limit)
            if retry.total:
                retry.query = text
                retry.notes[:0] = [
                    f'no entry matches every word of "{to_text(corrected)}";'
                    " showing entries that match most of them"
                ]
                return _hinted(index, retry, text)
    return _hinted(index, result, text)


def _correct(index: Index, node: Node) -> Node:
    """The query with unknown words expanded or respelt, and split author names joined."""
    if isinstance(node, Text):
        return _correct_text(index, node)
    if isinstance(node, Not):
        return node
    if isinstance(node, Or):
        return Or(tuple(_correct(index, c) for c in node.children))
    if isinstance(node, And):
        children = list(node.children)
        joined: list[Node] = []
        i = 0
        while i < len(children):
            child = children[i]
            nxt = children[i + 1] if i + 1 < len(children) else None
            if (
                isinstance(child, Equals)
                and child.field == "author"
                and " " not in child.value
                and isinstance(nxt, Text)
                and not nxt.phrase
                and index.search(child, limit=1).total == 0
            ):
                joined.append(Equals("author", f"{child.value} {nxt.value}"))
                i += 2
                continue
            joined.append(_correct(index, child))
            i += 1
        return joined[0] if len(joined) == 1 else And(tuple(joined))
    return node


def _correct_text(index: Index, term: Text) -> Text:
    tokens = words(term.value)
    if term.prefix or not tokens:
        return term
    if len(tokens) == 1 and not index.known(tokens[0]):
        word = tokens[0]
        if len(word) >= 4 and index.has_prefix(word):
            return Text(word, prefix=True, title_only=term.title_only)
        close = index.close_words(word, n=1)
        return Text(close[0], title_only=term.title_only) if close else term
    fixed = []
    for word in tokens:
        close = [] if index.known(word) else index.close_words(word, n=1)
        fixed.append(close[0] if close else word)
    if fixed == tokens:
        return term
    return Text(" ".join(fixed), phrase=True, title_only=term.title_only)


def _relax(node: Node) -> Node | None:
    """Any of the text words instead of all of them (filters still all apply)."""
    if not isinstance(node, And):
        return None
    texts = [c for c in node.children if isinstance(c, Text)]
    others = [c for c in node.children if not isinstance(c, Text)]
    if len(texts) < 2:
        return None
    either = Or(tuple(texts))
    return either if not others else And((*others, either))


def _hinted(index: Index, result: SearchResult, text: str) -> SearchResult:
    """Add did-you-mean hints to a result with few or no rows."""
    if result.total >= FEW or not text:
        return result
    for name in unknown_fields(text):
        close = close_fields(name)
        if close:
            result.notes.append(
                f"hint: '{name}:' is not a search field and was read as text;"
                f" did you mean {' or '.join(c + ':' for c in close)}?"
            )
    wanted = compact(text)
    nodes = []
    for node in index.taxonomy.by_id.values():
        labels = [node.id.rsplit(".", 1)[-1], node.title, *node.aliases]
        if wanted and any(compact(label) == wanted for label in labels):
            nodes.append(node.id)
    if nodes:
        result.notes.append(f"hint: did you mean {' or '.join('dim:' + n for n in nodes)}?")
    if result.total == 0:
        unknown = [w for t in text_terms(build_query(text)) for w in words(t.value)]
        unknown = [w for w in dict.fromkeys(unknown) if not index.known(w)]
        if unknown:
            result.notes.append(
                "hint: no entry's title, names, summary, authors or topics has "
                + ", ".join(f"'{w}'" for w in unknown)
                + "; try other words, a prefix (word*) or a filter (effllm search --help)"
            )
    return result


# --------------------------------------------------------------------------- output

#: ``--limit`` when none is given: a screenful for people, everything for keys and BibTeX.
DEFAULT_LIMIT = 50
_ALL_BY_DEFAULT = ("keys", "bibtex")


def effective_limit(output_format: str, limit: int | None) -> int:
    """The limit a search runs with: the given one, else 50 (0, all, for keys and bibtex)."""
    if limit is not None:
        return limit
    return 0 if output_format in _ALL_BY_DEFAULT else DEFAULT_LIMIT


def write_results(index: Index, result: SearchResult, output_format: str, out: IO[str]) -> None:
    """Results in a format that needs no terminal: plain lines (also ``table`` when piped),
    JSON, keys or BibTeX."""
    from .plain import search_json, search_keys, search_lines

    if output_format == "json":
        search_json(result.rows, result.total, out, result.query)
    elif output_format == "keys":
        search_keys(result.rows, out)
    elif output_format == "bibtex":
        from .export import export_rows

        out.write(export_rows("bibtex", result.rows, index.taxonomy))
    else:
        search_lines(result.rows, out)


def write_notes(result: SearchResult, err: IO[str], *, cut_note: bool = True) -> None:
    """How the query was read, hints, and (``cut_note``) that a limit left results out."""
    for note in result.notes:
        err.write((note if note.startswith("hint:") else f"note: {note}") + "\n")
    if cut_note and len(result.rows) < result.total:
        err.write(
            f"note: showing {len(result.rows)} of {result.total} results; --limit 0 shows all\n"
        )
