"""The taxonomy tree: lookup by id, alias or unique id suffix; ancestors; descendants."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from .errors import QueryError

__all__ = ["MetricLike", "NodeLike", "Taxonomy"]


class NodeLike(Protocol):
    """What the tree needs of a node: the pydantic model, or a light record from the index."""

    @property
    def id(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def section(self) -> str | None: ...
    @property
    def aliases(self) -> Sequence[str]: ...


class MetricLike(Protocol):
    """What the tree needs of a metric."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...


class Taxonomy:
    """The survey taxonomy plus our extensions, as a tree in file order."""

    def __init__(
        self,
        nodes: Sequence[NodeLike],
        metrics: Sequence[MetricLike] = (),
        file: str = "taxonomy.yaml",
    ) -> None:
        self.nodes = nodes
        self.metrics = metrics
        self.file = file
        self.by_id: dict[str, NodeLike] = {}
        for node in self.nodes:
            self.by_id.setdefault(node.id, node)
        self.order: dict[str, int] = {
            node.id: i for i, node in reversed(list(enumerate(self.nodes)))
        }
        self.children: dict[str | None, list[str]] = {}
        for node in self.by_id.values():
            parent = node.parent if node.parent in self.by_id else None
            self.children.setdefault(parent, []).append(node.id)
        self.aliases: dict[str, str] = {}
        for node in self.by_id.values():
            for alias in node.aliases:
                self.aliases.setdefault(alias, node.id)
        self.metric_ids: set[str] = {m.id for m in self.metrics}

    def to_data(self) -> dict[str, list[dict[str, object]]]:
        """The taxonomy as plain data (what the search index stores)."""
        fields = ("id", "parent", "title", "description", "origin", "section", "aliases")
        return {
            "nodes": [{f: getattr(n, f) for f in fields} for n in self.nodes],
            "metrics": [
                {f: getattr(m, f) for f in ("id", "title", "description")} for m in self.metrics
            ],
        }

    # ------------------------------------------------------------------ structure

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.by_id

    def __len__(self) -> int:
        return len(self.by_id)

    @property
    def roots(self) -> list[str]:
        """Top-level node ids (the five dimensions), in file order."""
        return list(self.children.get(None, []))

    def is_leaf(self, node_id: str) -> bool:
        """True when no node has ``node_id`` as its parent."""
        return not self.children.get(node_id)

    @property
    def leaves(self) -> list[str]:
        """Every leaf id, in file order."""
        return [n for n in self.by_id if self.is_leaf(n)]

    def ancestors(self, node_id: str) -> list[str]:
        """Parent, grandparent, ... up to the root (cycle-safe)."""
        result: list[str] = []
        current = self.by_id.get(node_id)
        while current is not None and current.parent and current.parent not in result:
            result.append(current.parent)
            current = self.by_id.get(current.parent)
        return result

    def descendants(self, node_id: str, *, include_self: bool = True) -> list[str]:
        """Every node below ``node_id`` in depth-first file order (cycle-safe)."""
        result: list[str] = [node_id] if include_self else []
        seen = {node_id}
        stack = list(reversed(self.children.get(node_id, [])))
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            result.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return result

    def walk(self) -> Iterator[tuple[int, str]]:
        """(depth, id) for every node, depth-first in file order."""

        def visit(node_id: str, depth: int) -> Iterator[tuple[int, str]]:
            yield depth, node_id
            for child in self.children.get(node_id, []):
                yield from visit(child, depth + 1)

        for root in self.roots:
            yield from visit(root, 0)

    def dimension(self, node_id: str) -> str:
        """The top-level dimension a node belongs to."""
        chain = [node_id, *self.ancestors(node_id)]
        return chain[-1]

    def section(self, node_id: str) -> str | None:
        """The survey § of a node, or of its closest ancestor that has one."""
        for candidate in [node_id, *self.ancestors(node_id)]:
            node = self.by_id.get(candidate)
            if node is not None and node.section:
                return node.section
        return None

    # ------------------------------------------------------------------ lookup

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The closest node ids to a misspelt or partial ``name``.

        A name that is a word of an id segment, alias or title (``kv`` in ``kv-cache``) points at
        that node first; then spelling (difflib over ids, aliases and id segments).
        """
        name = name.strip().lower()
        found: list[str] = []

        def add(node_id: str) -> None:
            if node_id not in found:
                found.append(node_id)

        scored = []
        for node in self.by_id.values():
            labels = [node.id.rsplit(".", 1)[-1], *node.aliases, node.title.lower()]
            parts = [label.replace("-", " ").split() for label in labels]
            if any(name in words for words in parts):
                first = any(words[:1] == [name] for words in parts)
                scored.append((0 if first else 1, node.id.count("."), node.id))
            elif len(name) >= 3 and any(w.startswith(name) for words in parts for w in words):
                scored.append((2, node.id.count("."), node.id))
        for *_, node_id in sorted(scored):
            add(node_id)
        names = {**{i: i for i in self.by_id}, **self.aliases}
        for i in reversed(list(self.by_id)):  # a segment shared by nodes names the shallowest
            names.setdefault(i.rsplit(".", 1)[-1], i)
            if self.by_id[i].origin == "survey":
                names[i.rsplit(".", 1)[-1]] = i
        for close in difflib.get_close_matches(name, list(names), n=n, cutoff=0.6):
            add(names[close])
        if not found:
            tail = name.rsplit(".", 1)[-1]
            for i in self.by_id:
                if i.rsplit(".", 1)[-1].startswith(tail[:4]):
                    add(i)
        return found[:n]

    def resolve(self, name: str) -> str:
        """Resolve an id, alias or unique id suffix (``ptq``, ``post-training``) to a node id.

        Raises :class:`QueryError` naming the closest valid names when nothing (or more than one
        node) matches.
        """
        return self.resolve_detail(name)[0]

    def resolve_detail(self, name: str) -> tuple[str, list[str]]:
        """Like :meth:`resolve`, plus the other nodes the name could have meant.

        A suffix shared by several nodes resolves to the one survey node whose last id segment it
        is (``quantization`` -> ``inference.quantization``, §7), and the others are returned so the
        caller can say so.
        """
        name = name.strip().lower()
        if name in self.by_id:
            return name, []
        if name in self.aliases:
            return self.aliases[name], []
        matches = [i for i in self.by_id if i.endswith("." + name)]
        if len(matches) == 1:
            return matches[0], []
        if len(matches) > 1:
            survey = [
                i
                for i in matches
                if self.by_id[i].origin == "survey" and i.rsplit(".", 1)[-1] == name
            ]
            if len(survey) == 1:
                return survey[0], [i for i in matches if i != survey[0]]
            raise QueryError(
                f"taxonomy node '{name}' is ambiguous: it could be {', '.join(matches)}",
                hint="write more of the id",
                check="ambiguous-node",
            )
        suggestions = self.suggest(name)
        hint = (
            f"did you mean {' or '.join('dim:' + s for s in suggestions)}? " if suggestions else ""
        )
        raise QueryError(
            f"unknown taxonomy node '{name}'",
            hint=hint + "`effllm taxonomy` lists every node",
            check="unknown-node",
        )

    def expand(self, names: Iterable[str]) -> set[str]:
        """Resolve names and return them with all their descendants."""
        result: set[str] = set()
        for name in names:
            result.update(self.descendants(self.resolve(name)))
        return result
