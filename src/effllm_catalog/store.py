"""The only module that reads or writes catalog files.

Reading: YAML through libyaml's C parser (``CSafeLoader``) when PyYAML was built with it, with the
safe constructor only, and with the holes of plain PyYAML closed: duplicate mapping keys, anchors and
aliases (expansion bombs), explicit tags, non-UTF-8 bytes and absurd sizes are all rejected with the
file, line and column of the problem. Line numbers of individual values are not kept while loading
(that would cost memory on large catalogs); :class:`Locator` recomposes a file on demand when a finding
needs to point somewhere.

Writing: :func:`atomic_write` replaces a file through a temporary file in the same folder, flushed and
fsynced, under an exclusive lock, so a crash leaves the old file or the new one and never a mix. The
lock files live in the cache directory, never next to the file: a catalog in git or a user's output
folder gains no stray ``*.lock`` files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import paths
from .errors import CatalogNotFoundError, LoadError, UsageError, WriteError

# Re-exported: the catalog location lives in the light `paths` module so that a warm search can
# find and hash the catalog without importing YAML.
from .paths import (
    ENV_CACHE_DIR,
    ENV_CATALOG,
    REFERENCES_DIR,
    REFERENCES_FILE,
    TAXONOMY_FILE,
    bundled_catalog_dir,
    cache_dir,
    catalog_files,
    resolve_catalog_dir,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ENV_CATALOG",
    "ENV_MAX_BYTES",
    "REFERENCES_DIR",
    "REFERENCES_FILE",
    "TAXONOMY_FILE",
    "Locator",
    "atomic_write",
    "bundled_catalog_dir",
    "cache_dir",
    "catalog_files",
    "file_lock",
    "max_bytes_from_env",
    "read_text",
    "read_yaml",
    "resolve_catalog_dir",
    "writable_catalog_dir",
]

ENV_MAX_BYTES = "EFFLLM_MAX_BYTES"
#: A catalog file larger than this is refused: the bundled catalog is well under 2 MB.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HAVE_LIBYAML: bool = _BaseLoader is not yaml.SafeLoader


def _located(message: str, mark: Any, file: str, hint: str | None, check: str) -> LoadError:
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return LoadError(message, file=file, line=line, col=col, hint=hint, check=check)


class _StrictLoader(_BaseLoader):  # type: ignore[misc]  # base chosen at run time (C or Python)
    """Safe loader that refuses what plain ``safe_load`` silently accepts."""

    file_name = "<input>"

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            # The composer hands out the same node for every alias of an anchor; a second visit is
            # an alias. Refusing them all closes expansion bombs and keeps entries independent.
            raise _located(
                "YAML anchors and aliases are not allowed in catalog files",
                node.start_mark,
                self.file_name,
                "write each value out in full instead of using '&anchor' and '*alias'",
                "yaml-alias",
            )
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            # PyYAML's scalar constructors raise plain errors (e.g. a timestamp with month 13).
            raise _located(
                f"YAML value '{getattr(node, 'value', '')}' cannot be read: {exc}",
                node.start_mark,
                self.file_name,
                "quote the value to keep it as text, or correct it",
                "yaml-value",
            ) from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Hashable, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, ScalarNode):
                    ident = (key_node.tag, key_node.value)
                    if ident in seen:
                        first = seen[ident].start_mark.line + 1
                        raise _located(
                            f"duplicate key '{key_node.value}' (first defined on line {first});"
                            " YAML would silently keep only the last value",
                            key_node.start_mark,
                            self.file_name,
                            "remove or merge one of the two",
                            "duplicate-yaml-key",
                        )
                    seen[ident] = key_node
        result: dict[Hashable, Any] = super().construct_mapping(node, deep)
        return result

    def construct_refused(self, node: Node) -> Any:
        raise _located(
            f"YAML tag '{node.tag}' is not allowed in catalog files",
            node.start_mark,
            self.file_name,
            "remove the tag; catalog values are plain strings, numbers, lists and mappings",
            "yaml-tag",
        )


for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _StrictLoader.construct_refused)
_StrictLoader.add_constructor(None, _StrictLoader.construct_refused)


def max_bytes_from_env() -> int:
    """The size bound for one catalog file: ``EFFLLM_MAX_BYTES`` or :data:`DEFAULT_MAX_BYTES`."""
    raw = os.environ.get(ENV_MAX_BYTES)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise LoadError(
            f"{ENV_MAX_BYTES}={raw!r} is not a whole number of bytes",
            hint=f"unset {ENV_MAX_BYTES} or set it to e.g. {DEFAULT_MAX_BYTES}",
            check="usage",
        ) from None
    return value


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """Read a catalog file as UTF-8 text (a leading BOM is dropped), refusing absurd sizes."""
    limit = max_bytes_from_env() if max_bytes is None else max_bytes
    name = str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoadError(
                f"file is {size:,} bytes, more than the limit of {limit:,}",
                file=name,
                hint=f"split the catalog into files under {REFERENCES_DIR}/, or raise the bound with"
                f" {ENV_MAX_BYTES}=<bytes> (or --max-bytes)",
                check="file-too-large",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogNotFoundError(
            f"cannot read file: {exc.strerror or exc}",
            file=name,
            hint="check the path and its permissions",
            check="unreadable",
        ) from None
    if len(data) > limit:  # the file grew between stat() and read()
        raise LoadError(
            f"file is larger than the limit of {limit:,} bytes", file=name, check="file-too-large"
        )
    return decode_utf8(data, name).removeprefix("\ufeff")


def decode_utf8(data: bytes, file: str, hint: str = "save the file as UTF-8") -> str:
    """``data`` as UTF-8 text, or a LoadError at the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            file=file,
            line=line,
            col=col,
            hint=hint,
            check="encoding",
        ) from None


def excerpt(text: str, line: int, col: int) -> str:
    """Line ``line`` (1-based) of ``text`` with a caret under column ``col``; tabs shown as →."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    shown = lines[line - 1].replace("\t", "→")
    if len(shown) > 160:
        start = max(0, col - 80)
        shown, col = shown[start : start + 160], col - start
    gutter = f"{line:>5} | "
    return f"{gutter}{shown}\n{' ' * (len(gutter) - 2)}| {' ' * max(col - 1, 0)}^"


_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):\s+(.*?)\s*$")


def _syntax_error(exc: yaml.MarkedYAMLError, file: str, text: str = "") -> LoadError:
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 0
    col = mark.column + 1 if mark is not None else 0
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    message = f"YAML syntax error: {problem}"
    hint = "fix the YAML syntax at this position"
    check = "yaml-syntax"
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    if "\t" in problem or "tab" in problem or "\t" in indent or source[col - 1 : col] == "\t":
        tab_col = (indent.index("\t") + 1) if "\t" in indent else col
        message = f"YAML syntax error: a tab character in the indentation (column {tab_col})"
        hint = "YAML indents with spaces only: replace the tab with spaces"
        col = tab_col
    elif "mapping values are not allowed" in problem:
        match = _KEY_VALUE.match(source)
        message = "YAML syntax error: a value holding ': ' must be quoted"
        if match:
            value = match.group(3).replace("'", "''")
            hint = f"quote the value: {match.group(2)}: '{value}'"
        else:
            hint = "put the value in quotes, e.g. title: 'LoRA: Low-Rank Adaptation'"
    elif "nesting depth" in problem:  # libyaml's own bound
        check, hint = "yaml-depth", "catalog entries are flat mappings; check the brackets"
    error = _located(message, mark, file, hint, check)
    if mark is not None:
        error.col = col
    if source:
        error.excerpt = excerpt(text, line, col)
    return error


def read_yaml(path: Path, max_bytes: int | None = None) -> Any:
    """Parse one catalog file safely and return plain Python data (dicts, lists, scalars)."""
    file = str(path)
    text = read_text(path, max_bytes)
    return parse_yaml(text, file)


#: Entries parsed per libyaml call when a references file is read in batches.
BATCH = 256
_UNSPLITTABLE = re.compile(r"^(---|\.\.\.|%)", re.MULTILINE)


def _batches(text: str) -> Iterator[str] | None:
    """Split a top-level block sequence into groups of whole entries, or None if unsafe.

    A top-level entry starts with ``- `` at column 0. Inside an entry nothing can: block scalars and
    plain scalars end at a line indented less than their parent, and a split inside a quoted scalar
    or a flow collection leaves an unterminated batch, which fails to parse and makes the caller
    fall back to one whole-document parse. Documents with directives or markers are not split.
    """
    if _UNSPLITTABLE.search(text):
        return None
    starts = [m.start() for m in re.finditer(r"^-(?:[ \t]|$)", text, re.MULTILINE)]
    head = text[: starts[0]] if starts else ""
    # Only comments and blank lines may come before the first entry.
    if not starts or any(
        ln.strip() and not ln.lstrip().startswith("#") for ln in head.splitlines()
    ):
        return None
    cuts = [starts[i] for i in range(0, len(starts), BATCH)] + [len(text)]
    return (text[cuts[i] : cuts[i + 1]] for i in range(len(cuts) - 1))


def iter_entries(path: Path, max_bytes: int | None = None) -> Any:
    """Parse a references file, in batches of entries when that is safe, else as one document.

    Batching keeps peak memory proportional to one batch of YAML nodes instead of the whole file;
    the result (a list, or whatever the top level is) and every error are the same either way,
    because any batch that does not parse cleanly makes the whole file go through
    :func:`parse_yaml` again, which reports the exact error and line.
    """
    file = str(path)
    text = read_text(path, max_bytes)
    batches = _batches(text)
    if batches is None:
        return parse_yaml(text, file)
    entries: list[Any] = []
    for chunk in batches:
        loader = _StrictLoader(chunk)
        try:
            part = loader.get_single_data()
        except (yaml.YAMLError, LoadError, RecursionError):
            return parse_yaml(text, file)
        finally:
            loader.dispose()
        if not isinstance(part, list):
            return parse_yaml(text, file)
        entries.extend(part)
    return entries


#: Stands for an entry that could not be parsed, keeping list positions aligned.
UNREADABLE = object()


def _entry_chunks(text: str) -> list[tuple[int, str]] | None:
    """(0-based first line, text) of each top-level entry, or None if the file is not a plain
    block list of entries (see :func:`_batches`)."""
    if _UNSPLITTABLE.search(text):
        return None
    starts = [m.start() for m in re.finditer(r"^-(?:[ \t]|$)", text, re.MULTILINE)]
    head = text[: starts[0]] if starts else ""
    if not starts or any(
        ln.strip() and not ln.lstrip().startswith("#") for ln in head.splitlines()
    ):
        return None
    bounds = [*starts, len(text)]
    return [
        (text.count("\n", 0, bounds[i]), text[bounds[i] : bounds[i + 1]])
        for i in range(len(starts))
    ]


def parse_entries_separately(
    path: Path, max_bytes: int | None = None
) -> tuple[list[Any], list[LoadError]] | None:
    """Parse each top-level entry on its own: the entries (``UNREADABLE`` for a broken one) and
    one error per broken entry, with true line numbers. None when the file cannot be split."""
    file = str(path)
    text = read_text(path, max_bytes)
    chunks = _entry_chunks(text)
    if chunks is None:
        return None
    entries: list[Any] = []
    errors: list[LoadError] = []
    for first_line, chunk in chunks:
        # Leading newlines put every mark on its real line; the padding costs nothing to parse.
        padded = "\n" * first_line + chunk
        try:
            part = parse_yaml(padded, file)
        except LoadError as exc:
            if exc.excerpt:
                exc.excerpt = excerpt(text, exc.line or 0, exc.col or 0)
            errors.append(exc)
            entries.append(UNREADABLE)
            continue
        if not isinstance(part, list) or len(part) != 1:
            return None
        entries.append(part[0])
    return entries, errors


def parse_yaml(text: str, file: str = "<input>") -> Any:
    """Parse YAML text with the strict safe loader; see :func:`read_yaml`."""
    loader = _StrictLoader(text)
    loader.file_name = file
    try:
        return loader.get_single_data()
    except LoadError:
        raise
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        raise LoadError(
            f"character U+{exc.character:04X} is not allowed in YAML"
            if isinstance(exc.character, int)
            else f"invalid character: {exc.reason}",
            file=file,
            line=before.count("\n") + 1,
            col=exc.position - (before.rfind("\n") + 1) + 1,
            hint="delete the invisible control character (often pasted from a PDF)",
            check="control-char",
        ) from None
    except ConstructorError as exc:
        raise _located(
            f"YAML value error: {exc.problem}",
            exc.problem_mark,
            file,
            "use plain strings, numbers, lists and mappings",
            "yaml-value",
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file, text) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML error: {exc}", file=file, check="yaml-syntax") from None
    except RecursionError:
        raise LoadError("nesting too deep", file=file, check="yaml-depth") from None
    finally:
        loader.dispose()


PathPart = str | int


def _compose(text: str) -> Node | None:
    loader = _BaseLoader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


class Locator:
    """Finds the line and column of any value in a catalog file, composing the file on demand."""

    def __init__(self) -> None:
        self._roots: dict[str, Node | None] = {}

    def _root(self, file: str) -> Node | None:
        if file not in self._roots:
            try:
                text = read_text(Path(file), max_bytes=1 << 62)
            except (LoadError, CatalogNotFoundError):
                self._roots[file] = None
                return None
            try:
                self._roots[file] = _compose(text)
            except yaml.YAMLError:
                self._roots[file] = self._compose_entries(text)
        return self._roots[file]

    @staticmethod
    def _compose_entries(text: str) -> Node | None:
        """A file with a broken entry: compose each entry alone, as one sequence."""
        chunks = _entry_chunks(text)
        if chunks is None:
            return None
        items: list[Node] = []
        for first_line, chunk in chunks:
            try:
                node = _compose("\n" * first_line + chunk)
            except yaml.YAMLError:
                node = None
            if isinstance(node, SequenceNode) and len(node.value) == 1:
                items.append(node.value[0])
            else:  # a placeholder at the entry's first line keeps positions aligned
                mark = yaml.Mark("", 0, first_line, 2, "", 0)
                items.append(ScalarNode("tag:yaml.org,2002:null", "", mark, mark))
        if not items:
            return None
        return SequenceNode("tag:yaml.org,2002:seq", items, items[0].start_mark, items[-1].end_mark)

    def locate(self, file: str, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]:
        """Return 1-based (line, col) of the value at ``path``, or of its key when ``key`` is set.

        Walks as deep as the path exists; a missing step points at the deepest existing parent.
        """
        node = self._root(file)
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part or (
                        isinstance(part, int) and key_node.value == str(part)
                    ):
                        mark = key_node.start_mark if (last and key) else value_node.start_mark
                        node = value_node
                        break
                else:
                    break
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                    mark = node.start_mark
                else:
                    break
            else:
                break
        return (mark.line + 1, mark.column + 1)


# --------------------------------------------------------------------------- catalog location


def writable_catalog_dir(explicit: Path | str | None = None) -> Path:
    """Like :func:`resolve_catalog_dir`, but refuses the copy installed inside the package.

    Editing site-packages would be lost on the next install and is never what a user meant.
    """
    chosen = resolve_catalog_dir(explicit)
    packaged = paths.package_dir() / "data"
    if chosen.resolve() == packaged.resolve():
        raise UsageError(
            "refusing to edit the catalog installed inside the effllm package",
            file=str(chosen),
            hint=f"pass --catalog DIR (or set ${ENV_CATALOG}) to the catalog you keep in git",
            check="usage",
        )
    return chosen


# --------------------------------------------------------------------------- writing


def lock_path(target: Path) -> Path:
    """Where the lock for writing ``target`` lives: the cache folder, named by the target's path.

    Every process that writes one file (by any spelling of its path) agrees on one lock file, and
    nothing appears next to the file itself. When the cache folder cannot be created (a read-only
    home), the system temp folder serves, per user.
    """
    import hashlib

    digest = hashlib.sha256(os.fsencode(os.path.realpath(target))).hexdigest()[:32]
    name = f"{digest}.lock"
    for folder in (
        cache_dir() / "locks",
        Path(tempfile.gettempdir()) / f"effllm-locks-{os.getuid() if hasattr(os, 'getuid') else 0}",
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            continue
        return folder / name
    return Path(tempfile.gettempdir()) / name


@contextlib.contextmanager
def file_lock(target: Path, *, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock for writing ``target`` (the lock file is in :func:`lock_path`).

    Concurrent writers queue up behind the lock; one that waits longer than ``timeout`` seconds fails
    with a :class:`WriteError`. Locks are ``flock`` locks: the kernel releases them when a process
    dies, so a lock file left in the cache is never stale.
    """
    import fcntl
    import time

    if not target.parent.is_dir():
        raise WriteError(
            "cannot write here: the folder does not exist",
            file=str(target),
            hint="check that the folder exists and is writable",
            check="write",
        )
    lock = lock_path(target)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise WriteError(
            f"cannot create the lock file {lock}: {exc.strerror}",
            file=str(target),
            hint=f"check that {lock.parent} is writable, or set {ENV_CACHE_DIR}",
            check="write",
        ) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise WriteError(
                        "another effllm process is writing this file",
                        file=str(target),
                        hint="wait for it to finish and run the command again",
                        check="write",
                    ) from None
                time.sleep(0.05)
        # Holding the lock, no other writer is mid-write: temporary files next to the target
        # were left by a writer that was killed. They never replaced the target; remove them.
        for stale in target.parent.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        os.close(fd)


def atomic_write(target: Path, text: str) -> None:
    """Replace ``target`` with ``text``: temp file in the same folder, fsync, ``os.replace``.

    The caller holds :func:`file_lock` when the new text depends on the old content.
    """
    folder = target.parent
    mode = 0o644
    with contextlib.suppress(OSError):
        mode = target.stat().st_mode & 0o777
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(
            f"cannot write in this folder: {exc.strerror}",
            file=str(target),
            hint="check that the folder exists and is writable",
            check="write",
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp_name).chmod(mode)
        Path(tmp_name).replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            Path(tmp_name).unlink()
        raise WriteError(
            f"cannot write file: {exc.strerror}",
            file=str(target),
            hint="check free space and permissions; the old file is unchanged",
            check="write",
        ) from None
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --------------------------------------------------------------------------- canonical YAML

#: The header every references file starts with, so editors validate and complete entries.
SCHEMA_HEADER = "# yaml-language-server: $schema=../docs/schema/references.schema.json\n"

_Dumper: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _CanonicalDumper(_Dumper):  # type: ignore[misc]  # base chosen at run time (C or Python)
    """Block style, lists indented under their key, long strings kept on one line."""


def _str_presenter(dumper: Any, value: str) -> Any:
    # Multi-line text (abstracts, notes) as literal blocks keeps diffs readable.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _str_presenter)


def dump_entries(entries: Sequence[dict[str, Any]]) -> str:
    """Entries as YAML in the catalog's one canonical layout (what ``effllm fmt`` writes)."""
    if not entries:
        return "[]\n"
    text: str = yaml.dump(
        list(entries),
        Dumper=_CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
        indent=2,
    )
    return text
