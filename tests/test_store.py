"""The loader refuses what plain PyYAML silently accepts, and locates every refusal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from effllm_catalog import store
from effllm_catalog.errors import CatalogNotFoundError, LoadError


def _load(tmp_path: Path, text: str | bytes, **kw: int) -> object:
    path = tmp_path / "f.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return store.read_yaml(path, **kw)


def test_libyaml_is_used() -> None:
    """The C loader is the one in use (PyYAML from PyPI ships it)."""
    assert store.HAVE_LIBYAML


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\na: 2\n", 2),
        ("- k: 1\n  x: {y: 1, y: 2}\n", 2),
        ("- k: 1\n  extra:\n    p: 1\n    p: 2\n", 4),
    ],
)
def test_duplicate_keys_at_any_depth(tmp_path: Path, text: str, line: int) -> None:
    """A repeated mapping key is an error on the line of the second occurrence."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, text)
    assert info.value.check == "duplicate-yaml-key"
    assert info.value.line == line


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    """An alias bomb is refused at the first alias instead of being expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    with pytest.raises(LoadError) as info:
        _load(tmp_path, "\n".join(lines) + "\n")
    assert info.value.check == "yaml-alias"


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['true']\n",
        "x: !!python/name:os.system\n",
        "x: !custom value\n",
        "x: !!binary aGVsbG8=\n",
        "x: !!set {a, b}\n",
    ],
)
def test_tags_never_construct_objects(tmp_path: Path, text: str) -> None:
    """Explicit tags are refused, never constructed."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, text)
    assert info.value.check == "yaml-tag"
    assert info.value.line == 1


def test_non_utf8_names_line_and_column(tmp_path: Path) -> None:
    """Invalid UTF-8 is reported with the line and column of the first bad byte."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, b"a: 1\nb: caf\xe9\n")
    assert (info.value.check, info.value.line, info.value.col) == ("encoding", 2, 7)


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark and Windows line endings are harmless."""
    assert _load(tmp_path, b"\xef\xbb\xbfa: 1\r\nb: [2]\r\n") == {"a": 1, "b": [2]}


def test_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files over the bound are refused before parsing; the bound is configurable."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, "a: 1\n" * 100, max_bytes=50)
    assert info.value.check == "file-too-large"
    monkeypatch.setenv(store.ENV_MAX_BYTES, "10")
    with pytest.raises(LoadError):
        _load(tmp_path, "a: 12345678901\n")
    monkeypatch.setenv(store.ENV_MAX_BYTES, "lots")
    with pytest.raises(LoadError) as info:
        _load(tmp_path, "a: 1\n")
    assert "EFFLLM_MAX_BYTES" in info.value.message


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    """Pathological nesting fails cleanly instead of recursing."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, "[" * 5000 + "]" * 5000)
    assert info.value.check == "yaml-depth"


def test_syntax_error_is_located(tmp_path: Path) -> None:
    """A YAML syntax error names the line and column."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, "a: 1\nb: [1, 2\nc: 3\n")
    assert info.value.check == "yaml-syntax"
    assert info.value.line is not None


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """An unreadable file maps to exit code 2."""
    with pytest.raises(CatalogNotFoundError) as info:
        store.read_yaml(tmp_path / "nope.yaml")
    assert info.value.exit_code == 2


def test_locator_points_at_values_and_keys(tmp_path: Path) -> None:
    """The locator finds entries, fields, list items and keys by path."""
    path = tmp_path / "f.yaml"
    path.write_text("- key: a\n  tags:\n  - x\n  - y\n- key: b\n", encoding="utf-8")
    loc = store.Locator()
    assert loc.locate(str(path), (0, "tags", 1)) == (4, 5)
    assert loc.locate(str(path), (1,)) == (5, 3)
    assert loc.locate(str(path), (0, "tags"), key=True) == (2, 3)
    assert loc.locate(str(path), (0, "missing")) == (1, 3)


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    """atomic_write replaces the content, keeps permissions and leaves no temp or lock file."""
    target = tmp_path / "r.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    with store.file_lock(target):
        store.atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["r.yaml"]


def test_atomic_write_into_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    """Writing where no folder exists raises WriteError, not OSError."""
    from effllm_catalog.errors import WriteError

    with pytest.raises(WriteError):
        store.atomic_write(tmp_path / "no" / "r.yaml", "x")


def test_catalog_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--catalog beats $EFFLLM_CATALOG, which beats the bundled catalog."""
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "taxonomy.yaml").write_text("nodes: []\n", encoding="utf-8")
    assert (store.bundled_catalog_dir() / "taxonomy.yaml").is_file()
    assert store.resolve_catalog_dir() == store.bundled_catalog_dir()
    monkeypatch.setenv(store.ENV_CATALOG, os.fspath(a))
    assert store.resolve_catalog_dir() == a
    assert store.resolve_catalog_dir(b) == b
    with pytest.raises(CatalogNotFoundError):
        store.resolve_catalog_dir(tmp_path / "missing")


@pytest.mark.parametrize(
    "text",
    [
        "# header\n\n- a: 1\n- b: [1, 2]\n",
        '- t: "multi\n- line"\n- u: 2\n',  # a col-0 "- " inside a quoted scalar
        "- t: [a,\n- b]\n",  # ... inside a flow sequence
        "- t: |\n    block\n- u: plain\n",
        "---\n- a: 1\n",
        "x: 1\n",
        "",
    ],
)
def test_batched_reading_equals_whole_document(tmp_path: Path, text: str) -> None:
    """iter_entries gives exactly what a whole-document parse gives, errors included."""
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        whole: object = store.read_yaml(path)
    except LoadError as exc:
        whole = ("error", exc.check, exc.line, exc.file)
    try:
        batched: object = store.iter_entries(path)
    except LoadError as exc:
        batched = ("error", exc.check, exc.line, exc.file)
    assert batched == whole


def test_batched_reading_of_many_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small batches give the same list as one parse, and errors keep their real line."""
    monkeypatch.setattr(store, "BATCH", 3)
    text = "".join(f"- key: k{i}\n  year: {2000 + i}\n" for i in range(20))
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    assert store.iter_entries(path) == store.read_yaml(path)
    path.write_text(text + "- key: k1\n  key: again\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        store.iter_entries(path)
    assert (info.value.check, info.value.line) == ("duplicate-yaml-key", 42)


def test_lock_lives_in_the_cache_not_next_to_the_file(tmp_path: Path) -> None:
    """The lock for a file is one file in the cache folder, the same for any spelling of the path."""
    target = tmp_path / "out.bib"
    lock = store.lock_path(target)
    assert lock.parent == store.cache_dir() / "locks"
    assert store.lock_path(tmp_path / "." / "out.bib") == lock
    with store.file_lock(target):
        assert lock.exists()
        store.atomic_write(target, "x")
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == ["out.bib"]


@pytest.mark.parametrize(
    ("data", "check", "line", "col", "message", "hint"),
    [
        (
            "a: 1\n\tb: 2\n",
            "yaml-syntax",
            2,
            1,
            "YAML syntax error: a tab character in the indentation (column 1)",
            "YAML indents with spaces only: replace the tab with spaces",
        ),
        (
            "- a: [1, 2\n",
            "yaml-syntax",
            2,
            1,
            "YAML syntax error: did not find expected ',' or ']'",
            "fix the YAML syntax at this position",
        ),
        (
            "a: \x07\n",
            "control-char",
            1,
            4,
            "character U+0007 is not allowed in YAML",
            "delete the invisible control character (often pasted from a PDF)",
        ),
        (
            "a: 1\na: 2\n",
            "duplicate-yaml-key",
            2,
            1,
            "duplicate key 'a' (first defined on line 1); YAML would silently keep only the last"
            " value",
            "remove or merge one of the two",
        ),
        (
            "a: &x 1\nb: *x\n",
            "yaml-alias",
            1,
            4,
            "YAML anchors and aliases are not allowed in catalog files",
            "write each value out in full instead of using '&anchor' and '*alias'",
        ),
        (
            "x: !!python/name:os.system\n",
            "yaml-tag",
            1,
            4,
            "YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed in catalog files",
            "remove the tag; catalog values are plain strings, numbers, lists and mappings",
        ),
        (
            "a: 2026-13-45\n",
            "yaml-value",
            1,
            4,
            "YAML value '2026-13-45' cannot be read: month must be in 1..12",
            "quote the value to keep it as text, or correct it",
        ),
        (
            "? [a]\n: 1\n",
            "yaml-value",
            1,
            3,
            "YAML value error: found unhashable key",
            "use plain strings, numbers, lists and mappings",
        ),
        (
            b"ok: caf\xe9\n",
            "encoding",
            1,
            8,
            "byte 0xe9 is not valid UTF-8",
            "save the file as UTF-8",
        ),
    ],
)
def test_load_errors_exactly(
    tmp_path: Path, data: str | bytes, check: str, line: int, col: int, message: str, hint: str
) -> None:
    """Each refusal names its check, line and column, says what is wrong and how to fix it."""
    with pytest.raises(LoadError) as info:
        _load(tmp_path, data)
    error = info.value
    assert (error.check, error.line, error.col) == (check, line, col)
    assert (error.message, error.hint) == (message, hint)
    assert error.file == str(tmp_path / "f.yaml")


def test_size_and_read_errors_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too-large and unreadable files, and a bad size setting, are explained with a fix."""
    with pytest.raises(LoadError) as big:
        _load(tmp_path, "a: 1\n" * 20, max_bytes=10)
    assert big.value.message == "file is 100 bytes, more than the limit of 10"
    assert big.value.hint == (
        "split the catalog into files under references/, or raise the bound with"
        " EFFLLM_MAX_BYTES=<bytes> (or --max-bytes)"
    )
    assert _load(tmp_path, "a: 1\n", max_bytes=5) == {"a": 1}  # exactly at the bound is fine
    with pytest.raises(CatalogNotFoundError) as missing:
        store.read_text(tmp_path / "missing.yaml")
    assert missing.value.message == "cannot read file: No such file or directory"
    assert missing.value.hint == "check the path and its permissions"
    assert (missing.value.check, missing.value.file) == (
        "unreadable",
        str(tmp_path / "missing.yaml"),
    )
    assert (big.value.check, big.value.file) == ("file-too-large", str(tmp_path / "f.yaml"))
    for blank in ("", "  "):
        monkeypatch.setenv(store.ENV_MAX_BYTES, blank)
        assert store.max_bytes_from_env() == store.DEFAULT_MAX_BYTES == 32 * 1024 * 1024
    monkeypatch.setenv(store.ENV_MAX_BYTES, "10")
    assert store.max_bytes_from_env() == 10
    monkeypatch.setenv(store.ENV_MAX_BYTES, "lots")
    with pytest.raises(LoadError) as bad:
        store.max_bytes_from_env()
    assert bad.value.message == "EFFLLM_MAX_BYTES='lots' is not a whole number of bytes"
    assert bad.value.hint == "unset EFFLLM_MAX_BYTES or set it to e.g. 33554432"
    assert bad.value.check == "usage"


def test_catalog_location_errors_and_files(tmp_path: Path) -> None:
    """A folder without taxonomy.yaml is refused with a hint; a reference file stands for its
    folder; a catalog's files are references.yaml, then references/*.yaml sorted by name."""
    with pytest.raises(CatalogNotFoundError) as info:
        store.resolve_catalog_dir(tmp_path / "nowhere")
    assert info.value.message == "no catalog here: taxonomy.yaml not found (from --catalog)"
    assert info.value.hint == (
        "point --catalog or $EFFLLM_CATALOG at a folder holding taxonomy.yaml and references.yaml"
    )
    (tmp_path / "taxonomy.yaml").write_text("nodes: []\n", encoding="utf-8")
    (tmp_path / "references.yaml").write_text("[]\n", encoding="utf-8")
    assert store.resolve_catalog_dir(tmp_path / "references.yaml") == tmp_path
    more = tmp_path / "references"
    more.mkdir()
    for name in ("b.yaml", "a.yaml", "notes.txt"):
        (more / name).write_text("[]\n", encoding="utf-8")
    (more / "dir.yaml").mkdir()
    assert store.catalog_files(tmp_path) == [
        tmp_path / "references.yaml",
        more / "a.yaml",
        more / "b.yaml",
    ]
    (tmp_path / "references.yaml").unlink()
    assert store.catalog_files(tmp_path) == [more / "a.yaml", more / "b.yaml"]


def test_writing_details(tmp_path: Path) -> None:
    """A new file is created readable by all (0644); a lock in a missing folder fails with a
    located WriteError; the canonical dump writes [] for nothing, literal blocks for multi-line
    text, long lines unwrapped and non-ASCII as is."""
    from effllm_catalog.errors import WriteError

    target = tmp_path / "new.yaml"
    store.atomic_write(target, "x\n")
    assert target.stat().st_mode & 0o777 == 0o644
    with pytest.raises(WriteError) as info:  # noqa: SIM117  # entering the lock must fail
        with store.file_lock(tmp_path / "nowhere" / "r.yaml"):
            pass
    assert info.value.message == "cannot write here: the folder does not exist"
    assert info.value.hint == "check that the folder exists and is writable"
    assert info.value.file == str(tmp_path / "nowhere" / "r.yaml")
    assert store.dump_entries([]) == "[]\n"
    long = "é " + "x" * 200
    assert store.dump_entries([{"key": "k", "abstract": "l1\nl2", "title": long}]) == (
        f"- key: k\n  abstract: |-\n    l1\n    l2\n  title: {long}\n"
    )


def test_locator_edges(tmp_path: Path) -> None:
    """The locator matches numeric keys by their text, stops at the deepest existing step (an
    index past the end, a path through a scalar), falls back to 1:1 for unreadable files and, in
    a file that does not parse, points at the entry the path names."""
    path = tmp_path / "f.yaml"
    path.write_text("- key: a\n  1: one\n  tags:\n  - x\n- key: b\n", encoding="utf-8")
    loc = store.Locator()
    assert loc.locate(str(path), (0, 1)) == (2, 6)
    assert loc.locate(str(path), (0, 1), key=True) == (2, 3)
    assert loc.locate(str(path), (7,)) == (1, 1)
    assert loc.locate(str(path), (0, "tags", 5)) == (4, 3)
    assert loc.locate(str(path), (0, "key", "deeper")) == (1, 8)
    assert loc.locate(str(tmp_path / "missing.yaml"), (0,)) == (1, 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text("- key: [\n", encoding="utf-8")
    assert store.Locator().locate(str(broken), (0, "key")) == (1, 3)  # the entry's first key


def test_atomic_write_errors_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that refuses the temporary file, and a rename that fails, give WriteErrors that
    name the target and say what to do; the old file stays and no temporary file is left."""
    import tempfile

    from effllm_catalog.errors import WriteError

    target = tmp_path / "r.yaml"
    target.write_text("old", encoding="utf-8")

    def no_temp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(tempfile, "mkstemp", no_temp)
        with pytest.raises(WriteError) as refused:
            store.atomic_write(target, "new")
    error = refused.value
    assert (error.message, error.file, error.check) == (
        "cannot write in this folder: Permission denied",
        str(target),
        "write",
    )
    assert error.hint == "check that the folder exists and is writable"

    def no_rename(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", no_rename)
    with pytest.raises(WriteError) as full:
        store.atomic_write(target, "new")
    error = full.value
    assert (error.message, error.file, error.check) == (
        "cannot write file: No space left on device",
        str(target),
        "write",
    )
    assert error.hint == "check free space and permissions; the old file is unchanged"
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.yaml"]


def test_interrupted_write_leaves_a_temp_the_next_lock_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer stopped between writing and renaming (simulated in-process) leaves its complete
    new text in a hidden temporary file beside the target, named so that the next writer's lock
    recognises and removes it; the target keeps its old bytes."""
    target = tmp_path / "r.yaml"
    target.write_text("old", encoding="utf-8")

    class Stopped(BaseException):
        """Not an OSError: nothing in atomic_write may catch it, like a kill."""

    def stop(src: object, dst: object) -> None:
        raise Stopped

    with monkeypatch.context() as m:
        m.setattr(store.os, "replace", stop)
        with pytest.raises(Stopped):
            store.atomic_write(target, "new ü\n")
    temps = [p for p in tmp_path.iterdir() if p.name != "r.yaml"]
    assert len(temps) == 1
    assert temps[0].name.startswith(".r.yaml.") and temps[0].name.endswith(".tmp")
    assert temps[0].read_bytes() == "new ü\n".encode()
    assert target.read_text(encoding="utf-8") == "old"
    with store.file_lock(target):
        assert not temps[0].exists()


def test_installed_catalog_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog inside an installed package is the bundled one, and writing to it is refused
    with a usage error that says how to point at your own catalog; another folder is fine."""
    from effllm_catalog.errors import UsageError

    package = tmp_path / "site" / "effllm_catalog"
    (package / "data").mkdir(parents=True)
    (package / "data" / "taxonomy.yaml").write_text("nodes: []\n", encoding="utf-8")
    from effllm_catalog import paths

    monkeypatch.setattr(paths, "package_dir", lambda: package)
    assert store.bundled_catalog_dir() == package / "data"
    with pytest.raises(UsageError) as info:
        store.writable_catalog_dir()
    error = info.value
    assert (error.file, error.check, error.exit_code) == (str(package / "data"), "usage", 2)
    assert error.message == "refusing to edit the catalog installed inside the effllm package"
    assert (
        error.hint == "pass --catalog DIR (or set $EFFLLM_CATALOG) to the catalog you keep in git"
    )
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "taxonomy.yaml").write_text("nodes: []\n", encoding="utf-8")
    assert store.writable_catalog_dir(mine) == mine


def test_locator_ignores_the_size_bound_and_odd_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locating a finding works even when the size bound is lower than the file (the file was
    already accepted); indexes into scalars and one past the end stop at the parent."""
    path = tmp_path / "f.yaml"
    path.write_text("- key: a\n  tags:\n  - x\n", encoding="utf-8")
    monkeypatch.setenv(store.ENV_MAX_BYTES, "10")
    loc = store.Locator()
    assert loc.locate(str(path), (0, "tags", 0)) == (3, 5)
    assert loc.locate(str(path), (0, "tags", 1)) == (3, 3)
    assert loc.locate(str(path), (0, "key", 0)) == (1, 8)


def test_dump_keeps_block_style_and_long_lines() -> None:
    """Lists are written as block sequences, and long titles with spaces stay on one line."""
    title = "word " * 40 + "end"
    assert store.dump_entries([{"key": "k", "title": title, "tags": ["a", "b"]}]) == (
        f"- key: k\n  title: {title}\n  tags:\n  - a\n  - b\n"
    )


def test_parse_details(tmp_path: Path) -> None:
    """parse_yaml labels errors '<input>' when no file is named; control characters are located
    on later lines too; the nesting refusal explains itself; iter_entries honours the size bound
    and names the file in its errors."""
    with pytest.raises(LoadError) as unnamed:
        store.parse_yaml("a: [\n")
    assert unnamed.value.file == "<input>"
    with pytest.raises(LoadError) as control:
        store.parse_yaml("a: 1\nb: 2\nc: \x07\n", "f.yaml")
    assert (control.value.line, control.value.col, control.value.file) == (3, 4, "f.yaml")
    with pytest.raises(LoadError) as deep:
        store.parse_yaml("[" * 5000, "f.yaml")
    assert deep.value.hint == "catalog entries are flat mappings; check the brackets"
    path = tmp_path / "r.yaml"
    path.write_text("- key: a\n- key: b\n", encoding="utf-8")
    with pytest.raises(LoadError) as big:
        store.iter_entries(path, max_bytes=10)
    assert (big.value.check, big.value.file) == ("file-too-large", str(path))
    path.write_text("- key: a\n- key: a\n  key: b\n", encoding="utf-8")
    with pytest.raises(LoadError) as dup:
        store.iter_entries(path)
    assert (dup.value.check, dup.value.line, dup.value.file) == ("duplicate-yaml-key", 3, str(path))
