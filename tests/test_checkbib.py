"""``effllm check-bib``: matching, findings, span-preserving fixes, hardening and the CLI.

Regression cases are folders under ``tests/checkbib/cases/``: ``input.bib``, ``expected.json``
(the findings as [key, check] pairs in report order) and, when a fix changes the file,
``fixed.bib``. They run against the small index ``tests/checkbib/index.tsv`` so that no test
depends on the bundled data. Rewrite the expected files with ``UPDATE_GOLDEN=1`` and review the
diff.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from effllm_catalog.checkbib import (
    BibIndex,
    check_bib,
    check_bib_text,
    field_spans,
    load_index,
    parse_entries,
)
from effllm_catalog.cli import app
from effllm_catalog.errors import CatalogError, LoadError

HERE = Path(__file__).resolve().parent / "checkbib"
CASES = sorted(p for p in (HERE / "cases").iterdir() if p.is_dir())
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def index() -> BibIndex:
    return BibIndex.from_lines((HERE / "index.tsv").read_text(encoding="utf-8").split("\n"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, index: BibIndex) -> None:
    """Each case yields exactly its expected findings, and its fix exactly ``fixed.bib``."""
    text = _read(case / "input.bib")
    result = check_bib_text(text, "input.bib", index)
    found = [[i.key, i.check] for i in result.report.issues]
    expected_file = case / "expected.json"
    fixed_file = case / "fixed.bib"
    if UPDATE:
        expected_file.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
        if result.fixed != text:
            fixed_file.write_bytes(result.fixed.encode("utf-8"))
        else:
            fixed_file.unlink(missing_ok=True)
    assert found == json.loads(expected_file.read_text(encoding="utf-8"))
    expected_fixed = _read(fixed_file) if fixed_file.exists() else text
    assert result.fixed == expected_fixed


def _entry_blocks(text: str) -> dict[str, str]:
    entries, _ = parse_entries(text)
    return {e.key: text[e.start : e.end] for e in entries}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fix_keeps_untouched_entries_byte_for_byte(case: Path, index: BibIndex) -> None:
    """Entries without a change, and everything between entries, are identical after a fix."""
    text = _read(case / "input.bib")
    result = check_bib_text(text, "input.bib", index)
    changed = {c.key for c in result.changes}
    before, after = (
        _entry_blocks(text.removeprefix("\ufeff")),
        _entry_blocks(result.fixed.removeprefix("\ufeff")),
    )
    assert list(before) == list(after)  # keys and order kept
    for key, block in before.items():
        if key not in changed:
            assert after[key] == block
    # Text outside entries (comments, @string, @preamble, blank lines) is unchanged.
    entries, _ = parse_entries(text)
    outside = [text[a.end : b.start] for a, b in itertools.pairwise(entries)]
    fixed_entries, _ = parse_entries(result.fixed)
    fixed_outside = [result.fixed[a.end : b.start] for a, b in itertools.pairwise(fixed_entries)]
    assert outside == fixed_outside


def test_fixed_file_is_up_to_date(index: BibIndex) -> None:
    """Checking a fixed file again finds nothing out of date: the fix is complete and stable."""
    for case in CASES:
        text = _read(case / "input.bib")
        first = check_bib_text(text, "input.bib", index)
        if first.fixed == text or any(i.check == "bib-syntax" for i in first.report.issues):
            continue
        again = check_bib_text(first.fixed, "input.bib", index)
        checks = {i.check for i in again.report.issues}
        assert not checks & {"published-version", "title-differs", "authors-differ"}, case.name
        assert again.fixed == first.fixed


def test_unresolved_catalog_venue_is_never_an_upgrade(index: BibIndex) -> None:
    """A catalog record without a verified venue matches the paper but proposes no upgrade."""
    text = _read(HERE / "cases" / "unresolved-claim" / "input.bib")
    result = check_bib_text(text, "x.bib", index)
    assert result.matched == 1
    assert result.upgrades == []
    assert result.exit_code == 0


def test_main_track_wins_over_workshop(index: BibIndex) -> None:
    """When a paper is in a workshop and a main track, the upgrade names the main track."""
    text = _read(HERE / "cases" / "workshop-vs-main" / "input.bib")
    result = check_bib_text(text, "x.bib", index)
    assert [(u["venue"], u["year"]) for u in result.upgrades] == [("NeurIPS", 2024)]


def test_title_match_needs_the_first_author(index: BibIndex) -> None:
    """An exact title with a different first author is not the paper: no match, no upgrade."""
    text = _read(HERE / "cases" / "wrong-first-author" / "input.bib")
    result = check_bib_text(text, "x.bib", index)
    assert result.matched == 0 and result.changes == []
    assert [i.check for i in result.report.issues] == ["unmatched"]
    assert result.exit_code == 0  # unmatched is a warning, not out of date


def test_each_change_names_its_record(index: BibIndex) -> None:
    """Every edit says which record it comes from: the data is never invented."""
    text = _read(HERE / "cases" / "doi-match" / "input.bib")
    result = check_bib_text(text, "x.bib", index)
    assert result.changes
    assert {c.source for c in result.changes} == {
        "acl https://aclanthology.org/2020.findings-emnlp.372"
    }


def test_field_spans_cover_macros_and_concatenation() -> None:
    """Field spans end where the value ends, for braces, quotes, bare macros and ``#`` joins."""
    text = '@article{k,\n  a = {x {y} z},\n  b = "q {r}",\n  c = arx # { 1},\n  d = 2019\n}'
    spans = field_spans(text, 0, len(text))
    values = {n: text[s.value_start : s.end] for n, s in spans.items()}
    assert values == {"a": "{x {y} z}", "b": '"q {r}"', "c": "arx # { 1}", "d": "2019"}


def test_broken_block_is_reported_and_fix_refuses(tmp_path: Path, index: BibIndex) -> None:
    """A block that cannot be parsed is a located finding, and --fix writes nothing."""
    target = tmp_path / "refs.bib"
    original = (HERE / "cases" / "broken-entry" / "input.bib").read_bytes()
    target.write_bytes(original)
    with pytest.raises(LoadError) as err:
        check_bib(target, fix=True, index=index)
    assert err.value.line == 8 and err.value.file == str(target)
    assert target.read_bytes() == original


def test_bad_encoding_is_a_located_error(tmp_path: Path, index: BibIndex) -> None:
    """A byte that is not UTF-8 is reported with its line and column; nothing is written."""
    target = tmp_path / "latin1.bib"
    data = "@article{k,\n  title = {Caf\u00e9},\n}\n".encode("latin-1")
    target.write_bytes(data)
    with pytest.raises(LoadError) as err:
        check_bib(target, fix=True, index=index)
    assert (err.value.line, err.value.col, err.value.check) == (2, 15, "encoding")
    assert target.read_bytes() == data


def test_binary_file_is_refused(tmp_path: Path, index: BibIndex) -> None:
    """A binary file is refused with a located error instead of being parsed."""
    target = tmp_path / "x.bib"
    target.write_bytes(b"\x00\x01\x02@article{")
    with pytest.raises(CatalogError) as err:
        check_bib(target, index=index)
    assert err.value.check == "encoding"


def test_fix_writes_atomically_and_keeps_bom_and_crlf(tmp_path: Path, index: BibIndex) -> None:
    """--fix rewrites the file in place with its BOM and CRLF line ends, leaving no temp file."""
    folder = tmp_path / "paper"
    folder.mkdir()
    target = folder / "win.bib"
    target.write_bytes((HERE / "cases" / "crlf-bom" / "input.bib").read_bytes())
    result = check_bib(target, fix=True, index=index)
    data = target.read_bytes()
    assert result.written
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data == (HERE / "cases" / "crlf-bom" / "fixed.bib").read_bytes()
    # No temp file, and no lock file beside the user's .bib (locks live in the cache folder).
    assert sorted(p.name for p in folder.iterdir()) == ["win.bib"]


def test_dry_run_writes_nothing(tmp_path: Path, index: BibIndex) -> None:
    """--dry-run computes the diff but leaves the file untouched."""
    target = tmp_path / "refs.bib"
    original = (HERE / "cases" / "arxiv-google-scholar" / "input.bib").read_bytes()
    target.write_bytes(original)
    result = check_bib(target, fix=True, dry_run=True, index=index)
    assert not result.written
    assert "+  booktitle={Advances in Neural Information Processing Systems}," in result.diff()
    assert target.read_bytes() == original


def test_bundled_index_loads_with_sources() -> None:
    """The shipped index loads and names its sources, each with a licence and a commit."""
    index = load_index()
    names = [s["name"] for s in index.meta["sources"]]
    assert names == ["catalog", "mlanthology", "acl", "dblp"]
    assert all(s["licence"] and s["commit"] for s in index.meta["sources"])
    assert "paperlists" not in json.dumps(index.meta).lower()
    assert len(index.records) > 100_000


# --------------------------------------------------------------------------- CLI


LORA_PREPRINT = """% keep me
@article{hu2021lora,
  title={LoRA: Low-Rank Adaptation of Large Language Models},
  author={Hu, Edward J and Shen, Yelong and Wallis, Phillip and Allen-Zhu, Zeyuan and Li, Yuanzhi and Wang, Shean and Wang, Lu and Chen, Weizhu},
  journal={arXiv preprint arXiv:2106.09685},
  year={2021}
}
"""


def test_cli_reports_published_version_and_exits_1(tmp_path: Path, runner: CliRunner) -> None:
    """check-bib prints one located finding per problem with the entry's key and exits 1."""
    bib = tmp_path / "paper.bib"
    bib.write_text(LORA_PREPRINT, encoding="utf-8")
    result = runner.invoke(app, ["check-bib", str(bib)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert f"{bib}:2: error published-version [hu2021lora]" in result.output
    assert "ICLR 2022" in result.output


def test_cli_json_and_github(tmp_path: Path, runner: CliRunner) -> None:
    """--format json gives the findings and upgrades as data; github gives annotations."""
    bib = tmp_path / "paper.bib"
    bib.write_text(LORA_PREPRINT, encoding="utf-8")
    result = runner.invoke(app, ["check-bib", str(bib), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["upgrades"][0]["key"] == "hu2021lora"
    assert (data["upgrades"][0]["venue"], data["upgrades"][0]["year"]) == ("ICLR", 2022)
    gh = runner.invoke(app, ["check-bib", str(bib), "--format", "github"])
    assert gh.exit_code == 1
    assert gh.output.startswith(f"::error file={bib},line=2,title=effllm published-version::")


def test_cli_fix_then_clean(tmp_path: Path, runner: CliRunner) -> None:
    """--fix writes the published version, keeps the comment and key, and a re-check exits 0."""
    bib = tmp_path / "paper.bib"
    bib.write_text(LORA_PREPRINT, encoding="utf-8")
    dry = runner.invoke(app, ["check-bib", str(bib), "--dry-run"])
    assert dry.exit_code == 1 and "-@article{hu2021lora," in dry.output
    assert bib.read_text(encoding="utf-8") == LORA_PREPRINT
    fixed = runner.invoke(app, ["check-bib", str(bib), "--fix"])
    assert fixed.exit_code == 0, fixed.output
    text = bib.read_text(encoding="utf-8")
    assert text.startswith("% keep me\n@inproceedings{hu2021lora,")
    assert "booktitle={International Conference on Learning Representations}" in text
    again = runner.invoke(app, ["check-bib", str(bib)])
    assert again.exit_code == 0, again.output


def test_cli_sources(runner: CliRunner) -> None:
    """--sources prints every source with its licence, commit and coverage."""
    result = runner.invoke(app, ["check-bib", "--sources"])
    assert result.exit_code == 0, result.output
    for needle in ("catalog", "mlanthology", "Apache-2.0", "dblp", "CC0", "NeurIPS 2013"):
        assert needle in result.output


def test_cli_usage_errors(tmp_path: Path, runner: CliRunner) -> None:
    """No file is a usage error (exit 2); a missing file is located; no traceback escapes."""
    none = runner.invoke(app, ["check-bib"])
    assert none.exit_code == 2 and "no .bib file given" in none.output
    missing = runner.invoke(app, ["check-bib", str(tmp_path / "nope.bib")])
    assert missing.exit_code == 2
    assert "nope.bib" in missing.output
    assert not isinstance(missing.exception, Exception) or isinstance(missing.exception, SystemExit)


def test_readme_shows_real_output(runner: CliRunner) -> None:
    """The README's check-bib example is what the command prints today on docs/examples/paper.bib."""
    repo = Path(__file__).resolve().parent.parent
    readme = (repo / "README.md").read_text(encoding="utf-8")
    old = Path.cwd()
    os.chdir(repo / "docs" / "examples")
    try:
        result = runner.invoke(app, ["check-bib", "paper.bib"], env={"NO_COLOR": "1"})
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) >= 10
    for line in lines:
        assert line in readme, f"README is out of date; rerun the example: {line}"


def test_utf16_is_named(tmp_path: Path, index: BibIndex) -> None:
    """A UTF-16 file is refused with a message that names the encoding, not as binary."""
    target = tmp_path / "u16.bib"
    target.write_bytes("@misc{k, title={T}}".encode("utf-16"))
    with pytest.raises(LoadError) as err:
        check_bib(target, index=index)
    assert "UTF-16" in err.value.message and err.value.line == 1


def test_duplicate_key_blocks_the_fix(tmp_path: Path, index: BibIndex) -> None:
    """Two entries with one key are a located finding, and --fix refuses to write."""
    target = tmp_path / "refs.bib"
    original = (HERE / "cases" / "duplicate-key" / "input.bib").read_bytes()
    target.write_bytes(original)
    with pytest.raises(LoadError) as err:
        check_bib(target, fix=True, index=index)
    assert (err.value.line, err.value.check) == (8, "duplicate-key")
    assert target.read_bytes() == original


def test_fix_leaves_duplicates_failing(tmp_path: Path, index: BibIndex) -> None:
    """After a fix, what it cannot settle (a duplicate) still makes the run exit 1."""
    target = tmp_path / "refs.bib"
    target.write_bytes((HERE / "cases" / "duplicate" / "input.bib").read_bytes())
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n@article{x, title={FlashAttention: Fast and Memory-Efficient Exact Attention with"
        " IO-Awareness}, author={Dao, Tri and Fu, Daniel Y.}, journal={ArXiv}, year={2022}}\n",
        encoding="utf-8",
    )
    result = check_bib(target, fix=True, index=index)
    assert result.written
    assert [i.check for i in result.remaining] == ["duplicate"]
    assert result.exit_code == 1


def test_record_text_cannot_inject_latex() -> None:
    """A record's title, names and venue are escaped when written: no TeX command gets in."""
    hostile = BibIndex.from_lines(
        [
            '{"version": 1, "sources": []}',
            "mlanthology\tEvil \\input{/etc/passwd} Venue\t2024\tinproceedings"
            "\tA Long Enough Title About Efficient Inference \\input{/etc/passwd} 100% & $x$ #1"
            "\tEvil, \\def\\x and Second, B and Third, C\t\t\thttps://mlanthology.org/icml/2024/x",
        ]
    )
    text = (
        "@article{k,\n  title = {A Long Enough Title About Efficient Inference input etc passwd"
        " 100 x},\n  author = {Evil, Someone and Second, B},\n  journal = {arXiv preprint},\n"
        "  year = {2024}\n}\n"
    )
    result = check_bib_text(text, "x.bib", hostile)
    assert {c.field for c in result.changes} == {"type", "booktitle", "title", "author"}
    changed = "".join(c.new for c in result.changes)
    assert "\\input{" not in changed and "\\def\\x" not in changed
    assert "\\%" in changed and "\\&" in changed and "\\#" in changed and "\\$" in changed
    entries, failed = parse_entries(result.fixed)
    assert not failed and [e.key for e in entries] == ["k"]


def test_dry_run_json_is_one_document(tmp_path: Path, runner: CliRunner) -> None:
    """--dry-run --format json prints one JSON document carrying the diff; nothing is written."""
    bib = tmp_path / "paper.bib"
    bib.write_text(LORA_PREPRINT, encoding="utf-8")
    result = runner.invoke(app, ["check-bib", str(bib), "--dry-run", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["written"] is False and data["diff"].startswith("---")
    assert bib.read_text(encoding="utf-8") == LORA_PREPRINT


_WORD = st.text(alphabet="qxzjvkw", min_size=3, max_size=8)
_BLOCK = st.one_of(
    st.builds(lambda w: f"% {' '.join(w)}\n", st.lists(_WORD, max_size=5)),
    st.builds(
        lambda key, words, open_, pad: (
            f"@misc{{{key},{pad}title{pad}={pad}{open_[0]}{' '.join(words)}{open_[1]},"
            f"{pad}author = {{Qq, Zz}},{pad}year = 2020}}\n"
        ),
        st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True),
        st.lists(_WORD, min_size=3, max_size=8),
        st.sampled_from([("{", "}"), ('"', '"'), ("{{", "}}")]),
        st.sampled_from([" ", "\n  ", "\t", "\n\t\t"]),
    ),
)


@settings(max_examples=40, deadline=None)
@given(before=st.lists(_BLOCK, max_size=5), after=st.lists(_BLOCK, max_size=5))
def test_fix_changes_only_the_entry_it_fixes(before: list[str], after: list[str]) -> None:
    """Whatever surrounds a fixable entry, every byte before and after that entry is kept."""
    index = BibIndex.from_lines((HERE / "index.tsv").read_text(encoding="utf-8").split("\n"))
    head, tail = "".join(before), "".join(after)
    text = head + LORA_PREPRINT.replace("hu2021lora", "zzfixme") + tail
    result = check_bib_text(text, "x.bib", index)
    # Generated keys that collide are a parse finding with tests of their own.
    assume(not any(i.check in ("bib-syntax", "duplicate-key") for i in result.report.issues))
    assert result.fixed != text
    assert result.fixed.startswith(head)
    assert result.fixed.endswith(tail)
    assert {c.key for c in result.changes} == {"zzfixme"}


def test_entry_type_keeps_its_letter_case(index: BibIndex) -> None:
    """An upgraded entry type is written in the case the file used: @ARTICLE -> @INPROCEEDINGS."""
    text = _read(HERE / "cases" / "title-only-match" / "input.bib")
    for written, expected in (("ARTICLE", "INPROCEEDINGS"), ("Article", "Inproceedings")):
        result = check_bib_text(text.replace("@article", f"@{written}"), "x.bib", index)
        assert result.fixed.startswith(f"@{expected}{{dao2022flash,")
