"""Property-based tests (hypothesis): exports round-trip, fmt is idempotent, validate never raises.

The generated catalogs follow the catalog's conventions (a preprint is ``misc`` with venue arXiv
and an arXiv id; a conference paper ``inproceedings``; a journal paper ``article``), and their
text is any printable Unicode, including every TeX and Markdown special character.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from effllm_catalog.edit import canonical_text
from effllm_catalog.export import export_rows
from effllm_catalog.importers.bibtex import parse_bibtex
from effllm_catalog.models import Reference
from effllm_catalog.store import dump_entries
from effllm_catalog.taxonomy import Taxonomy
from effllm_catalog.validate import load_catalog, validate_catalog

from .conftest import BUNDLED

TAXONOMY: Taxonomy = load_catalog(BUNDLED).taxonomy
# The number of examples comes from the hypothesis profile (tests/conftest.py): 60 by default,
# fewer in mutation runs (scripts/mutation.py), where each test runs once per mutant.
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_printable = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Cf"),
    blacklist_characters="\u2028\u2029",
)
TEXT = st.text(_printable, min_size=1, max_size=60).map(lambda s: " ".join(s.split())).filter(bool)
NAME_PART = (
    st.text(string.ascii_letters + "áéíóúüñçøł'-. ", min_size=1, max_size=16)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and s[0].isalpha() and not s.endswith("-"))
)
PERSON = st.builds(
    lambda f, g: f"{f}, {g}" if g else f,
    NAME_PART.filter(lambda s: s.lower() not in ("and", "others")),
    st.one_of(st.just(""), NAME_PART),
)
ARXIV = st.builds(
    lambda y, m, n: f"{y:02d}{m:02d}.{n:05d}",
    st.integers(10, 25),
    st.integers(1, 12),
    st.integers(0, 99999),
)
LEAF = st.sampled_from(sorted(TAXONOMY.leaves))


@st.composite
def references(draw: st.DrawFn) -> dict[str, object]:
    """One valid entry as catalog data."""
    kind = draw(st.sampled_from(["inproceedings", "article", "misc"]))
    arxiv = draw(ARXIV)
    year = 2000 + int(arxiv[:2]) + draw(st.integers(0, 1))
    data: dict[str, object] = {
        "key": f"k{draw(st.integers(0, 10**9))}",
        "type": kind,
        "title": draw(TEXT),
        "authors": draw(st.lists(PERSON, min_size=1, max_size=5)),
        "year": year,
        "venue": "arXiv"
        if kind == "misc"
        else draw(TEXT.filter(lambda v: v.lower() != "arxiv" and "arxiv" not in v.lower())),
        "arxiv": arxiv,
        "url": f"https://arxiv.org/abs/{arxiv}",
        "tags": draw(st.lists(LEAF, min_size=1, max_size=3, unique=True)),
    }
    if draw(st.booleans()):
        data["extra"] = {"pages": f"{draw(st.integers(1, 99))}--{draw(st.integers(100, 999))}"}
    return Reference.model_validate(data).to_data()


CATALOGS = st.lists(
    references(), min_size=1, max_size=6, unique_by=(lambda d: d["key"], lambda d: d["arxiv"])
)


@SETTINGS
@given(CATALOGS)
def test_bibtex_round_trip(rows: list[dict[str, object]]) -> None:
    """Export to BibTeX, parse back: the same type, title, authors, year, venue, id and extras."""
    for dialect in ("bibtex", "biblatex"):
        parsed = parse_bibtex(export_rows(dialect, rows, TAXONOMY))
        assert parsed.failed == []
        assert len(parsed.drafts) == len(rows)
        for original, draft in zip(rows, parsed.drafts, strict=True):
            back = draft.data
            assert draft.source_key == original["key"]
            for name in ("type", "title", "authors", "year", "venue", "arxiv"):
                assert back.get(name) == original.get(name), (dialect, name, back, original)
            assert back.get("extra", {}).get("pages") == original.get("extra", {}).get("pages")


@SETTINGS
@given(CATALOGS)
def test_csl_json_round_trip(rows: list[dict[str, object]]) -> None:
    """CSL-JSON carries the same ids, titles, people, years, venues and ids."""
    items = json.loads(export_rows("csl-json", rows, TAXONOMY))
    for original, item in zip(rows, items, strict=True):
        assert item["id"] == original["key"]
        assert item["title"] == original["title"]
        people = [
            f"{p['family']}, {p['given']}" if "given" in p else p["family"] for p in item["author"]
        ]
        assert people == original["authors"]
        assert item["issued"]["date-parts"] == [[original["year"]]]
        if original["venue"] == "arXiv":
            assert item["number"] == f"arXiv:{original['arxiv']}"
        else:
            assert item["container-title"] == original["venue"]


@SETTINGS
@given(CATALOGS, st.randoms())
def test_fmt_is_idempotent(rows: list[dict[str, object]], rng: object) -> None:
    """fmt of any layout gives the canonical text, and fmt of that is itself."""
    shuffled = list(rows)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    messy = yaml.safe_dump(
        [dict(reversed(list(r.items()))) for r in shuffled],
        allow_unicode=True,
        default_flow_style=True,
        width=40,
    )
    once = canonical_text(messy, "x.yaml")
    assert canonical_text(once, "x.yaml") == once
    assert yaml.safe_load(once) == yaml.safe_load(
        dump_entries(sorted(({k: r[k] for k in r} for r in rows), key=lambda r: str(r["key"])))
    )


@settings(
    max_examples=settings().max_examples * 5 // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400).map(lambda b: b.decode("latin-1"))))
def test_validate_never_raises(tmp_path_factory: object, text: str) -> None:
    """Any text as references.yaml yields a report (maybe with findings), never an exception."""
    folder = Path(tmp_path_factory.mktemp("p"))  # type: ignore[attr-defined]
    (folder / "taxonomy.yaml").write_text(
        (BUNDLED / "taxonomy.yaml").read_text("utf-8"), encoding="utf-8"
    )
    (folder / "references.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    report, _ = validate_catalog(folder)
    for issue in report.issues:
        assert issue.check and issue.message and issue.file


class _NoAliases(yaml.SafeDumper):
    """Writes a value shared by two entries out twice: the catalog loader refuses YAML aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _dump(rows: list[dict[str, object]]) -> str:
    return yaml.dump(rows, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)


#: Values that break one field each: wrong types, empty, over-long, hostile, or valid on their own
#: but wrong for the entry (a year before the arXiv id, an unknown tag, a truncated author list).
HOSTILE: dict[str, list[object]] = {
    "key": ["has space", "", 5, None, "x" * 300],
    "type": ["blog", 3, None],
    "title": ["", "{unbalanced", "a}b", "bidi \u202e x", None, 12, ["x"], "x" * 700],
    "authors": [
        [],
        ["et al."],
        ["Frantar, Elias", "others"],
        "Frantar, Elias",
        [None],
        ["A, B, C"],
    ],
    "year": [-5, 0, 1200, 3000, "2023", 2023.5, True, None, 2000],
    "venue": ["", None, ["ICML"], "{ICML"],
    "arxiv": ["2313.00001", "0612.00001", "2301.00774v2", 2301.00774, "", "hep-th/9901001"],
    "doi": ["10.1000/x", "nope", ""],
    "url": ["javascript:alert(1)", "http://x", ""],
    "code": ["data:text/html,hi", "https://github.com/x/y"],
    "tags": [[], ["nope"], "ptq", ["ptq", "ptq"], ["inference", "inference"], [["x"]]],
    "metrics": [["nope"], ["memory"], "memory"],
    "added": ["2023-13-01", "yesterday", 5],
    "extra": [{"pages": 3}, {"note": "{"}, "x"],
    "zzz": ["an unknown field"],
}
#: Checks that only run on entries that passed the schema.
ENTRY_CHECKS = {
    "duplicate-key",
    "duplicate-arxiv",
    "duplicate-doi",
    "unknown-tag",
    "duplicate-tag",
    "unknown-metric",
    "implausible-year",
    "year-before-arxiv",
    "bad-arxiv-id",
    "missing-id",
    "control-char",
    "unbalanced-braces",
    "truncated-authors",
    "near-duplicate-title",
}


def test_every_hostile_value_is_a_located_finding(tmp_path: Path) -> None:
    """Each hostile value, put into a valid entry on its own, gives located findings and no
    exception: every value in HOSTILE is tried, not a random sample of them."""
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "taxonomy.yaml").write_text(
        (BUNDLED / "taxonomy.yaml").read_text("utf-8"), encoding="utf-8"
    )
    base = yaml.safe_load(
        (Path(__file__).parent / "cases" / "valid" / "minimal" / "references.yaml").read_text(
            "utf-8"
        )
    )[0]
    seen: set[str] = set()
    for name, values in HOSTILE.items():
        for value in values:
            rows = [{**base, name: value}, {**base, "key": "other2023x", "arxiv": "2302.00001"}]
            text = _dump(rows)
            (folder / "references.yaml").write_text(text, encoding="utf-8")
            report, _ = validate_catalog(folder)
            for issue in report.issues:
                assert issue.message and issue.file.endswith("references.yaml"), (name, value)
                assert issue.line is not None, (name, value, issue)
            seen.update(i.check for i in report.issues)
    assert {"duplicate-tag", "year-before-arxiv", "truncated-authors", "unknown-tag"} <= seen


@st.composite
def damaged_catalogs(draw: st.DrawFn) -> list[dict[str, object]]:
    """Valid entries with up to two fields each replaced by a hostile value, sometimes two
    entries sharing a key: inputs that get past the YAML layer into the schema and the checks."""
    rows = [dict(r) for r in draw(st.lists(references(), min_size=1, max_size=4))]
    for row in rows:
        for name in draw(st.lists(st.sampled_from(sorted(HOSTILE)), max_size=2, unique=True)):
            row[name] = draw(st.sampled_from(HOSTILE[name]))
    if len(rows) > 1 and draw(st.booleans()):
        rows[1]["key"] = rows[0].get("key")
    return rows


@SETTINGS
@given(damaged_catalogs())
def test_validate_never_raises_on_damaged_entries(
    tmp_path_factory: object, rows: list[dict[str, object]]
) -> None:
    """Catalogs of entries damaged field by field (in random combinations; every single value is
    tried by test_every_hostile_value_is_a_located_finding) yield located findings, never an
    exception."""
    folder = Path(tmp_path_factory.mktemp("d"))  # type: ignore[attr-defined]
    (folder / "taxonomy.yaml").write_text(
        (BUNDLED / "taxonomy.yaml").read_text("utf-8"), encoding="utf-8"
    )
    (folder / "references.yaml").write_text(_dump(rows), encoding="utf-8")
    report, _ = validate_catalog(folder)
    for issue in report.issues:
        assert issue.check and issue.message and issue.file.endswith("references.yaml")
        assert issue.line is not None, issue
