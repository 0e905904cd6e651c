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
        whole = ("error", exc.check, exc.line)
    try:
        batched: object = store.iter_entries(path)
    except LoadError as exc:
        batched = ("error", exc.check, exc.line)
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
