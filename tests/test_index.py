"""The search index's cache key: any change to any catalog file gives a new index, nothing else does.

The index is cached under a hash of the catalog files. A key that missed a file, or looked at sizes
or times instead of bytes, would serve stale search results after an edit.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.index import catalog_hash

from .conftest import QLORA, SPARSEGPT, MakeCatalog

FIXTURE_TEXT = (Path(__file__).parent / "fixtures" / "golden" / "references.yaml").read_text(
    encoding="utf-8"
)


def _keys(runner: CliRunner, folder: Path, query: str) -> list[str]:
    result = runner.invoke(app, ["search", query, "-f", "keys", "--limit", "0", "-C", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return result.stdout.split()


def _exact_keys(folder: Path, query: str) -> list[str]:
    """Keys the index matches for ``query``, without the CLI's help on a miss (spelling, prefix)."""
    from effllm_catalog.index import open_index
    from effllm_catalog.query import parse_query

    return sorted(r["key"] for r in open_index(folder).search(parse_query(query), limit=0).rows)


def _same_size_edit(path: Path, old: str, new: str) -> None:
    assert len(old.encode()) == len(new.encode())
    text = path.read_text(encoding="utf-8")
    assert old in text
    stat = path.stat()
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == stat.st_size


def test_hash_depends_on_bytes_not_size_or_time(make_catalog: MakeCatalog) -> None:
    """Editing one character (same size, same mtime) changes the hash; touching does not."""
    folder = make_catalog(FIXTURE_TEXT)
    first = catalog_hash(folder)
    (folder / "references.yaml").touch()
    assert catalog_hash(folder) == first
    _same_size_edit(folder / "references.yaml", "Switch Transformers", "Swatch Transformers")
    assert catalog_hash(folder) != first


def test_hash_covers_taxonomy_and_extra_reference_files(make_catalog: MakeCatalog) -> None:
    """The taxonomy and every references/*.yaml file are part of the key, by name and content."""
    folder = make_catalog(FIXTURE_TEXT)
    first = catalog_hash(folder)
    _same_size_edit(folder / "taxonomy.yaml", "Inference", "Inferencf")
    after_taxonomy = catalog_hash(folder)
    assert after_taxonomy != first
    (folder / "references").mkdir()
    extra = folder / "references" / "more.yaml"
    extra.write_text(QLORA, encoding="utf-8")
    with_extra = catalog_hash(folder)
    assert with_extra != after_taxonomy
    _same_size_edit(extra, "QLoRA", "QLoRB")
    assert catalog_hash(folder) != with_extra
    extra.rename(folder / "references" / "mora.yaml")  # same bytes, another file name
    assert catalog_hash(folder) not in (with_extra, after_taxonomy)


def test_hash_is_independent_of_the_folder(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    """Two copies of one catalog share a cache entry: the key is content, not location."""
    folder = make_catalog(FIXTURE_TEXT)
    copy = tmp_path / "elsewhere"
    shutil.copytree(folder, copy)
    assert catalog_hash(copy) == catalog_hash(folder)


def test_search_sees_a_same_size_edit(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A one-letter edit that keeps the file size is found by the next search."""
    folder = make_catalog(FIXTURE_TEXT)
    assert _exact_keys(folder, "swatch") == []
    _same_size_edit(folder / "references.yaml", "Switch Transformers", "Swatch Transformers")
    assert _exact_keys(folder, "swatch") == ["fedus2022switch"]
    assert _keys(runner, folder, "swatch") == ["fedus2022switch"]


def test_search_sees_a_taxonomy_edit(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A new alias in taxonomy.yaml works in the next search (the index stores the taxonomy)."""
    folder = make_catalog(FIXTURE_TEXT)
    result = runner.invoke(app, ["search", "dim:zzlora", "-C", str(folder)])
    assert result.exit_code == 2 and "unknown" in result.output
    tax = folder / "taxonomy.yaml"
    data = yaml.safe_load(tax.read_text(encoding="utf-8"))
    node = next(n for n in data["nodes"] if n["id"] == "training.tuning.peft.low-rank")
    node["aliases"] = [*node.get("aliases", []), "zzlora"]
    tax.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert _keys(runner, folder, "dim:zzlora") == ["hu2022lora"]


def test_search_sees_a_new_references_file(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A file added under references/ is searched right away."""
    folder = make_catalog(FIXTURE_TEXT)
    assert _exact_keys(folder, "qlora") == []
    (folder / "references").mkdir()
    (folder / "references" / "more.yaml").write_text(QLORA, encoding="utf-8")
    assert _exact_keys(folder, "qlora") == ["dettmers2023qlora"]


def test_unwritable_cache_builds_in_memory(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the cache folder cannot be created, search still works from an index built in memory
    for this run, and nothing is written."""
    from effllm_catalog.index import open_index

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should go", encoding="utf-8")
    monkeypatch.setenv("EFFLLM_CACHE_DIR", str(blocker / "cache"))
    folder = make_catalog(FIXTURE_TEXT)
    index = open_index(folder)
    try:
        assert index.path is None
        assert index.hash == catalog_hash(folder)
        assert len(index) == 5
        assert [r["key"] for r in index.search(None, sort="year", limit=2).rows] == [
            "hostile2024input",
            "fedus2022switch",
        ]
        assert index.get("HU2022LORA") is not None  # case-insensitive fallback
    finally:
        index.close()
    assert _keys(runner, folder, "switch") == ["fedus2022switch"]
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_cached_index_is_reused_and_rebuilt_on_request(
    make_catalog: MakeCatalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second open reads the cache file named after the catalog hash; rebuild=True writes it
    again; a damaged cache file is rebuilt instead of failing."""
    from effllm_catalog.index import open_index

    cache = tmp_path / "cache-here"
    monkeypatch.setenv("EFFLLM_CACHE_DIR", str(cache))
    folder = make_catalog(FIXTURE_TEXT)
    first = open_index(folder)
    first.close()
    assert first.path == cache / f"index-{catalog_hash(folder)[:32]}.sqlite3"
    assert first.hash == catalog_hash(folder)
    built = first.path.stat().st_mtime_ns
    again = open_index(folder)
    again.close()
    assert again.path == first.path and first.path.stat().st_mtime_ns == built
    assert sorted(p.name for p in cache.iterdir()) == [first.path.name]  # no temp files left
    first.path.write_bytes(b"not a database")
    repaired = open_index(folder)
    try:
        assert len(repaired) == 5
        assert repaired.path == first.path  # rebuilt into the cache, not only in memory
    finally:
        repaired.close()


VENUES = QLORA.replace("venue: NeurIPS", "venue: Conf_X").replace(
    "  tags:", "  doi: 10.1000/AbC.dEf\n  tags:"
) + QLORA.replace("dettmers2023qlora", "other2023qlora").replace(
    "'2305.14314'", "'2305.14315'"
).replace("2305.14314", "2305.14315").replace("venue: NeurIPS", "venue: ConfAX")


def test_index_lookups(make_catalog: MakeCatalog) -> None:
    """Venue patterns treat '_' literally, DOIs match in any case, keys are found exactly first
    and then case-insensitively, near keys are suggested, and venue and tag columns are read."""
    from effllm_catalog.index import open_index
    from effllm_catalog.query import parse_query

    index = open_index(make_catalog(VENUES))
    try:
        assert len(index) == 2

        def keys(query: str) -> list[str]:
            return sorted(r["key"] for r in index.search(parse_query(query)).rows)

        assert keys("venue:conf_x") == ["dettmers2023qlora"]
        assert keys("venue:conf*") == ["dettmers2023qlora", "other2023qlora"]
        assert keys("doi:10.1000/abc.def") == ["dettmers2023qlora"]
        assert keys("doi:10.1000/ABC.DEF") == ["dettmers2023qlora"]
        assert index.get("Other2023QLoRA") == index.get("other2023qlora") is not None
        assert index.get("nobody") is None
        assert index.keys_like("other2023qlorax") == ["other2023qlora", "dettmers2023qlora"]
        assert index.keys_like("zzzzzzzz") == []
        assert sorted(v for _, v in index.column("venue")) == ["ConfAX", "Conf_X"]
        tags = sorted(node for _, node, _ in index.tag_rows())
        assert tags == sorted(["training.tuning.peft.low-rank", "inference.quantization"] * 2)
        assert {year for _, _, year in index.tag_rows()} == {2023}
    finally:
        index.close()


ZEBRAS = QLORA.replace("QLoRA: Efficient Finetuning", "Zebra Finetuning").replace(
    "year: 2023", "year: 2020"
).replace("'2305.14314'", "'2005.14314'").replace("2305.14314", "2005.14314") + SPARSEGPT.replace(
    "  tags:",
    "  abstract: Zebras appear in this abstract only.\n  doi: 10.1000/XyZ\n  added: 2026-01-02\n  tags:",
)


def test_index_rows_and_meta(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    """What the index stores per paper (folded venue, author names, code flag, ids, lower-case
    DOI, added date, the entry as JSON) and about the catalog (schema, folder, files, build time),
    and the progress it reports while building."""
    import json
    import re
    import sqlite3

    from effllm_catalog.index import SCHEMA_VERSION, build_index

    folder = make_catalog(ZEBRAS)
    calls: list[tuple[int, int]] = []
    target = tmp_path / "built.sqlite3"
    build_index(folder, target, lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    conn = sqlite3.connect(target)
    try:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT key, venue_norm, families, people, has_code, arxiv, doi, added, data"
                " FROM papers"
            )
        }
        meta = dict(conn.execute("SELECT name, value FROM meta"))
    finally:
        conn.close()
    sparse = rows["frantar2023sparsegpt"]
    assert sparse[:7] == (
        "icml",
        "|frantar|alistarh|",
        "|elias frantar|dan alistarh|",
        1,
        "2301.00774",
        "10.1000/xyz",
        "2026-01-02",
    )
    assert json.loads(sparse[7])["doi"] == "10.1000/XyZ"  # the entry itself keeps its case
    qlora = rows["dettmers2023qlora"]
    assert qlora[3:7] == (0, "2005.14314", None, None)
    assert meta["schema"] == str(SCHEMA_VERSION)
    assert meta["directory"] == str(folder)
    assert json.loads(meta["files"]) == [str(folder / "references.yaml")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["built"])
    assert json.loads(meta["taxonomy"])["nodes"]


def test_index_search_defaults(make_catalog: MakeCatalog) -> None:
    """search() ranks by relevance unless told otherwise (a title hit above a newer abstract-only
    hit), accepts an unknown sort, finds words in abstracts and venues, and
    honours small limits; the open index knows its folder, files and hash."""
    from effllm_catalog.index import open_index
    from effllm_catalog.query import parse_query

    folder = make_catalog(ZEBRAS)
    index = open_index(folder)
    try:
        zebra = parse_query("zebra*")
        ranked = [r["key"] for r in index.search(zebra).rows]
        assert ranked == ["dettmers2023qlora", "frantar2023sparsegpt"]
        assert len(index.search(zebra, sort="bogus").rows) == 2  # no error for an unknown sort
        assert [r["key"] for r in index.search(zebra, sort="year").rows] == ranked[::-1]
        assert [r["key"] for r in index.search(parse_query("icml")).rows] == [
            "frantar2023sparsegpt"
        ]  # the venue is searched as text
        one = index.search(None, limit=1)
        assert (len(one.rows), one.total) == (1, 2)
        assert len(index.search(parse_query("year:..")).rows) == 2
        assert index.directory == folder
        assert index.files == [str(folder / "references.yaml")]
        assert index.hash == catalog_hash(folder)
    finally:
        index.close()


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without $EFFLLM_CACHE_DIR the index lives in the user cache folder ($XDG_CACHE_HOME)."""
    from effllm_catalog.index import cache_dir

    monkeypatch.delenv("EFFLLM_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "effllm-catalog"
    monkeypatch.setenv("EFFLLM_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_old_index_files_are_cleaned_after_a_week(tmp_path: Path) -> None:
    """Index files of other catalog versions unused for more than seven days are deleted; newer
    ones, the one in use and other files stay."""
    import time

    from effllm_catalog.index import _cleanup

    now = time.time()
    ages = {
        "index-old.sqlite3": 7 * 86400 + 3.5,  # just past the week
        "index-older.sqlite3": 7.5 * 86400,
        "index-recent.sqlite3": 6.9 * 86400,
        "index-keep.sqlite3": 30 * 86400,
        "other-old.sqlite3": 30 * 86400,
    }
    for name, age in ages.items():
        path = tmp_path / name
        path.write_bytes(b"")
        os.utime(path, (now - age, now - age))
    _cleanup(tmp_path, tmp_path / "index-keep.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "index-keep.sqlite3",
        "index-recent.sqlite3",
        "other-old.sqlite3",
    ]
