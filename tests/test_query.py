"""The query language: parsing (including errors) and semantics against a real index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.errors import QueryError
from effllm_catalog.index import open_index
from effllm_catalog.query import (
    And,
    Code,
    Dim,
    Equals,
    Not,
    Or,
    Text,
    Year,
    build_query,
    parse_query,
    parse_year_range,
)

from .conftest import BUNDLED, QLORA, SPARSEGPT, MakeCatalog

# Two papers of different years for ranking tests.
SPARSE_ZEBRA = SPARSEGPT
QLORA_ZEBRA = QLORA.replace("year: 2023", "year: 2024")

FIXTURE = Path(__file__).parent / "fixtures" / "golden"
FIXTURE_TEXT = (FIXTURE / "references.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "ast"),
    [
        ("", None),
        ("lora", Text("lora")),
        ("quant*", Text("quant", prefix=True)),
        ('"low rank"', Text("low rank", phrase=True)),
        ("a b", And((Text("a"), Text("b")))),
        ("a AND b", And((Text("a"), Text("b")))),
        ("a OR b c", Or((Text("a"), And((Text("b"), Text("c")))))),
        ("a or b", And((Text("a"), Text("or"), Text("b")))),  # operators are capitals only
        ("NOT a", Not(Text("a"))),
        ("NOT a b", And((Not(Text("a")), Text("b")))),  # NOT binds one term, not the AND chain
        ("-a b", And((Not(Text("a")), Text("b")))),
        ("a NOT b c", And((Text("a"), Not(Text("b")), Text("c")))),
        ("NOT a OR b", Or((Not(Text("a")), Text("b")))),
        ("NOT (a b)", Not(And((Text("a"), Text("b"))))),
        ("NOT NOT a", Not(Not(Text("a")))),
        ("-a", Not(Text("a"))),
        ("low-rank", Text("low-rank")),
        ("(a OR b) c", And((Or((Text("a"), Text("b"))), Text("c")))),
        ("dim:ptq", Dim("ptq")),
        ("tag:ptq", Dim("ptq")),
        ("year:2023", Year(2023, 2023)),
        ("year:>=2023", Year(2023, None)),
        ("year:>2022", Year(2023, None)),
        ("year:<2020", Year(None, 2019)),
        ("year:2020..2022", Year(2020, 2022)),
        ("year:..2019", Year(None, 2019)),
        ("code:yes", Code(True)),
        ("code:no", Code(False)),
        ('author:"Edward Hu"', Equals("author", "Edward Hu")),
        ("venue:neurips", Equals("venue", "neurips")),
        ("KEY:hu2022*", Equals("key", "hu2022*")),
        ('title:"low rank"', Text("low rank", phrase=True, title_only=True)),
        ("-dim:moe", Not(Dim("moe"))),
        ("title:lora", Text("lora", title_only=True)),
        ('title:"lora"', Text("lora", phrase=True, title_only=True)),  # quoted: a phrase
        ("title:low rank", And((Text("low", title_only=True), Text("rank")))),
        ("a*", Text("a", prefix=True)),
        ("maX*", Text("maX", prefix=True)),
        ("year:<=2020", Year(None, 2020)),
    ],
)
def test_parse(text: str, ast: object) -> None:
    """Each construct parses to the expected AST; AND binds tighter than OR."""
    assert parse_query(text) == ast


@pytest.mark.parametrize(
    ("text", "check", "fragment"),
    [
        ("dim:", "query-value", "needs a value"),
        ("year:20x", "query-value", "not a year"),
        ("code:maybe", "query-value", "yes or no"),
        ("(a OR b", "query-syntax", "missing ')'"),
        ("a) OR b", "query-syntax", "unexpected ')'"),
        ('"abc OR b', "query-syntax", "unclosed quote"),
        ("OR a", "query-syntax", "unexpected OR"),
        ("a OR", "query-syntax", "expected a search term"),
        ("NOT", "query-syntax", "expected a search term"),
        ('""', "query-syntax", "empty phrase"),
    ],
)
def test_parse_errors(text: str, check: str, fragment: str) -> None:
    """Malformed queries raise QueryError with a stable check id and a useful message."""
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert info.value.check == check
    assert fragment in info.value.message + " " + (info.value.hint or "")
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "ast"),
    [
        # a pasted title: `QuaRot:` is no search field, so it is a word
        (
            "QuaRot: Outlier-Free 4-Bit",
            And((Text("QuaRot"), Text("Outlier-Free"), Text("4-Bit"))),
        ),
        ("LLM.int8()", Text("LLM.int8")),  # brackets without operators are punctuation
        ("(a", Text("a")),
        ("a)", Text("a")),
        ('"abc', Text("abc")),
        ("foo:bar", And((Text("foo"), Text("bar")))),
        ("yeer:2020", And((Text("yeer"), Year(2020, 2020)))),
        ("Reuse or Generate?", And((Text("Reuse"), Text("or"), Text("Generate?")))),
        ("Attention Is Not All", And((Text("Attention"), Text("Is"), Text("Not"), Text("All")))),
        (
            "speculative decoding 2024",
            And((Text("speculative"), Text("decoding"), Year(2024, 2024))),
        ),
        ("decoding - a survey", And((Text("decoding"), Text("a"), Text("survey")))),
        ("https://arxiv.org/abs/2106.09685", Equals("arxiv", "2106.09685")),
        ("https://arxiv.org/pdf/2305.14314v2.pdf", Equals("arxiv", "2305.14314")),
        ("arxiv.org/abs/2211.17192", Equals("arxiv", "2211.17192")),
        ("arXiv:2306.11695", Equals("arxiv", "2306.11695")),
        ("2309.06180", Equals("arxiv", "2309.06180")),
        (
            "https://doi.org/10.18653/v1/2021.acl-long.353",
            Equals("doi", "10.18653/v1/2021.acl-long.353"),
        ),
        ("10.1145/1553374.1553380", Equals("doi", "10.1145/1553374.1553380")),
        ("https://github.com/locuslab/wanda/", Equals("url", "github.com/locuslab/wanda")),
        ("(https://arxiv.org/abs/2106.09685)", Equals("arxiv", "2106.09685")),
    ],
)
def test_parse_tolerates_pastes(text: str, ast: object) -> None:
    """Pasted titles, links and ids parse as text or look-ups, never as errors."""
    assert parse_query(text) == ast


ERROR_HINT = "operators are AND, OR, NOT (or -) and parentheses"
FIELDS_HINT = "fields: dim, year, venue, author, code, key, title, type, arxiv, doi"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "dim:",
            "'dim:' needs a value",
            "e.g. taxonomy node by id, alias or unique suffix; includes descendants (dim:ptq)",
        ),
        (
            "year:20x",
            "'20x' is not a year or year range",
            "write 2023, >=2023, <2020 or 2020..2022",
        ),
        ("code:maybe", "code:maybe must be yes or no", "code:yes or code:no"),
        ("OR a", "unexpected OR at column 1: 'OR a'", ERROR_HINT),
        ("a OR", "expected a search term at the end: 'a OR'", ERROR_HINT),
        ("a AND )", "unexpected ) at column 7: 'a AND )'", ERROR_HINT),
        (")", "unexpected ) at column 1: ')'", ERROR_HINT),
    ],
)
def test_parse_error_messages(text: str, message: str, hint: str) -> None:
    """Every query error says what is wrong and where (column or end) and how to fix it."""
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert (info.value.message, info.value.hint) == (message, hint)


def test_year_ranges() -> None:
    """--year accepts the same forms as year:."""
    assert parse_year_range("2022..2024") == Year(2022, 2024)
    assert parse_year_range("2023..") == Year(2023, None)


def test_build_query_combines_options() -> None:
    """Repeated options are OR'd; different options are AND'd with the query."""
    node = build_query("lora", dims=["ptq", "qat"], year="2023..", has_code=True)
    assert node == And((Text("lora"), Or((Dim("ptq"), Dim("qat"))), Year(2023, None), Code(True)))
    assert build_query("") is None
    assert build_query() is None
    assert build_query("lora") == Text("lora")  # one part is not wrapped in And
    assert build_query(dims=["ptq"]) == Dim("ptq")  # one value is not wrapped in Or
    assert build_query(keys=["hu2022*", "bengio2009curriculum"]) == Or(
        (Equals("key", "hu2022*"), Equals("key", "bengio2009curriculum"))
    )


# --------------------------------------------------------------------------- semantics


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> object:
    """An index over the golden fixture catalog (5 entries)."""
    folder = tmp_path_factory.mktemp("q")
    shutil.copy(FIXTURE / "references.yaml", folder)
    shutil.copy(BUNDLED / "taxonomy.yaml", folder)
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("EFFLLM_CACHE_DIR", str(cache))
    try:
        yield open_index(folder)
    finally:
        mp.undo()


def keys(index: object, text: str, **kw: object) -> list[str]:
    """Keys matching a query, sorted."""
    result = index.search(build_query(text, **kw), sort="title", limit=0)  # type: ignore[attr-defined]
    return sorted(r["key"] for r in result.rows)


ALL = [
    "bengio2009curriculum",
    "fedus2022switch",
    "hostile2024input",
    "hu2022lora",
    "kaplan2020scaling",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ALL),
        ("scaling", ["fedus2022switch", "kaplan2020scaling"]),
        ("scal*", ["fedus2022switch", "kaplan2020scaling"]),
        ('"scaling laws"', ["kaplan2020scaling"]),
        ("title:curriculum", ["bengio2009curriculum"]),
        ("louradour", ["bengio2009curriculum"]),  # authors are searched
        ("jerome", ["bengio2009curriculum"]),  # accents folded
        ("dim:inference", ["hostile2024input"]),  # descendants included
        ("dim:ptq", ["hostile2024input"]),  # alias
        ("dim:peft", ["hu2022lora"]),
        ("dim:training OR dim:budget", ["hu2022lora", "kaplan2020scaling"]),
        ("-dim:inference", [k for k in ALL if k != "hostile2024input"]),
        ("year:2020..2022", ["fedus2022switch", "hu2022lora", "kaplan2020scaling"]),
        ("year:<2010", ["bengio2009curriculum"]),
        ("code:yes", ["hostile2024input", "hu2022lora"]),
        ("code:no year:>=2020", ["fedus2022switch", "kaplan2020scaling"]),
        ("venue:iclr", ["hu2022lora"]),
        ("venue:neurips*", ["hostile2024input"]),
        ("author:kaplan", ["kaplan2020scaling"]),
        ("author:hu", ["hu2022lora"]),  # family name, not a substring of Zhu or Shu
        ('author:"Edward Hu"', ["hu2022lora"]),
        ('author:"Hu, Edward J."', ["hu2022lora"]),
        ('author:"Yelong Hu"', []),  # the words must belong to one author
        ("key:hu2022*", ["hu2022lora"]),
        ("key:hu%", []),  # SQL wildcards in a value are literal characters
        ("key:hu2022lor_", []),
        ("key:hu\\2022lora", []),  # a backslash is literal too, not an escape
        ("key:hu\\", []),
        ("title:louradour", []),
        ("xxxx", []),  # nothing is indexed for a missing abstract or venue
        ("xx", []),  # nor between authors  # title: looks at titles only (Louradour is an author)
        ('author:"Edw* Hu"', ["hu2022lora"]),  # a trailing * is a prefix of one word
        ('author:"Edwardx* Hu"', []),
        ('author:"Edward H"', []),  # without *, words match whole
        ("arxiv:arXiv:2106.09685", ["hu2022lora"]),  # an arXiv: prefix is dropped
        ("type:article", ["fedus2022switch"]),
        ("arxiv:2106.09685", ["hu2022lora"]),
        ("doi:10.1145/1553374.1553380", ["bengio2009curriculum"]),
        ("(lora OR curriculum) NOT year:2009", ["hu2022lora"]),
        # NOT binds the next term only: (NOT curriculum) AND year:2009 matches nothing, while
        # NOT (curriculum AND year:2009) would match the other four papers.
        ("NOT title:curriculum year:2009", []),
        ("-dim:budget scaling", ["fedus2022switch"]),
        ("100%", ["hostile2024input"]),  # special characters are text, never FTS syntax
        ('"NEAR(zzz" OR "col:zzz"', []),
        ("a_b", ["hostile2024input"]),
    ],
)
def test_semantics(index: object, text: str, expected: list[str]) -> None:
    """Each filter selects exactly the expected entries of the fixture catalog."""
    assert keys(index, text) == expected


def test_unknown_dim_suggests(index: object) -> None:
    """An unknown node is an error that names the closest nodes."""
    with pytest.raises(QueryError) as info:
        keys(index, "dim:quantisation")
    assert "inference.quantization" in (info.value.hint or "")


def test_relevance_puts_title_matches_first(index: object) -> None:
    """A title hit ranks above an abstract-only or author-only hit."""
    result = index.search(parse_query("switch OR kaplan"))  # type: ignore[attr-defined]
    assert [r["key"] for r in result.rows] == ["fedus2022switch", "kaplan2020scaling"]


def test_relevance_beats_recency(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Under relevance an older title hit ranks above a newer abstract-only hit; --sort year
    reverses them. Ranking uses the query's words."""
    old = SPARSE_ZEBRA.replace("Massive Language Models", "Zebra Language Models")
    new = QLORA_ZEBRA.replace(
        "  tags:", "  abstract: Zebra appears in this abstract only.\n  tags:"
    )
    folder = make_catalog(old + new)
    assert _keys_in_order(runner, folder, "zebra") == ["frantar2023sparsegpt", "dettmers2023qlora"]
    assert _keys_in_order(runner, folder, "zebra", "--sort", "year") == [
        "dettmers2023qlora",
        "frantar2023sparsegpt",
    ]


def test_limit_and_total(index: object) -> None:
    """limit cuts the rows but total counts every match."""
    result = index.search(None, limit=2)  # type: ignore[attr-defined]
    assert len(result.rows) == 2 and result.total == 5


# --------------------------------------------------------------------------- CLI


def test_search_json_schema(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--format json has the documented, stable fields."""
    folder = make_catalog(FIXTURE_TEXT)
    result = runner.invoke(app, ["search", "dim:peft", "--format", "json", "-C", str(folder)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["total"] == 1
    assert list(doc["results"][0]) == [
        "key",
        "type",
        "title",
        "authors",
        "year",
        "venue",
        "tags",
        "arxiv",
        "doi",
        "url",
        "code",
        "added",
    ]


def test_search_on_bundled_catalog(runner: CliRunner) -> None:
    """The researcher's query works end to end on the bundled catalog."""
    result = runner.invoke(
        app, ["search", "dim:ptq year:>=2023 code:yes", "--format", "keys", "--limit", "0"]
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.split()) >= 5


def test_search_no_match_exits_1(runner: CliRunner) -> None:
    """No results: exit code 1, like grep."""
    result = runner.invoke(app, ["search", "zzzzqqqq", "--format", "keys"])
    assert result.exit_code == 1
    assert result.stdout == ""


def test_search_errors_exit_2(runner: CliRunner) -> None:
    """Bad queries and bad options are usage errors."""
    node = runner.invoke(app, ["search", "dim:nope"])
    assert node.exit_code == 2 and "unknown taxonomy node 'nope'" in node.output
    sort = runner.invoke(app, ["search", "x", "--sort", "random"])
    assert sort.exit_code == 2 and "'random' is not one of relevance" in sort.output
    fmt = runner.invoke(app, ["search", "x", "--format", "xml"])
    assert fmt.exit_code == 2 and "'xml' is not one of table" in fmt.output


def test_index_rebuilds_after_edit(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """A hand edit changes the content hash, so the next search sees it (never stale)."""
    folder = make_catalog(FIXTURE_TEXT)
    first = runner.invoke(app, ["search", "zebras", "-f", "keys", "-C", str(folder)])
    assert first.exit_code == 1
    path = folder / "references.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Curriculum Learning", "Curriculum Learning for Zebras"
        ),
        encoding="utf-8",
    )
    second = runner.invoke(app, ["search", "zebras", "-f", "keys", "-C", str(folder)])
    assert second.stdout.split() == ["bengio2009curriculum"]


def test_invalid_catalog_is_not_searched(runner: CliRunner, tmp_path: Path) -> None:
    """Search refuses a catalog that does not validate, pointing at the first error."""
    folder = tmp_path / "c"
    folder.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", folder)
    (folder / "references.yaml").write_text(
        (FIXTURE / "references.yaml").read_text(encoding="utf-8").replace("year: 2022", "year: x"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["search", "lora", "-C", str(folder)])
    assert result.exit_code == 1
    assert "references.yaml:" in result.output and "effllm validate" in result.output


def test_show_formats(runner: CliRunner) -> None:
    """show prints one entry as a panel, JSON, YAML or BibTeX; unknown keys suggest."""
    panel = runner.invoke(app, ["show", "hu2022lora"])
    assert panel.exit_code == 0 and "Low-Rank Adaptation" in panel.stdout
    data = json.loads(runner.invoke(app, ["show", "hu2022lora", "-f", "json"]).stdout)
    assert data["arxiv"] == "2106.09685"
    assert "- key: hu2022lora" in runner.invoke(app, ["show", "hu2022lora", "-f", "yaml"]).stdout
    assert (
        "@inproceedings{hu2022lora,"
        in runner.invoke(app, ["show", "hu2022lora", "-f", "bibtex"]).stdout
    )
    missing = runner.invoke(app, ["show", "hu2022lorax"])
    assert missing.exit_code == 1 and "hu2022lora" in missing.output


def test_taxonomy_and_stats(runner: CliRunner) -> None:
    """taxonomy and stats render and report counts that agree with each other."""
    tree = runner.invoke(app, ["taxonomy"])
    assert tree.exit_code == 0 and "§7" in tree.stdout
    nodes = {
        n["id"]: n
        for n in json.loads(runner.invoke(app, ["taxonomy", "-f", "json"]).stdout)["nodes"]
    }
    dims = {
        n["id"]: n
        for n in json.loads(runner.invoke(app, ["stats", "--by", "dim", "-f", "json"]).stdout)[
            "nodes"
        ]
    }
    assert nodes["inference"]["papers"] == dims["inference"]["papers"] > 0
    sub = json.loads(runner.invoke(app, ["taxonomy", "ptq", "-f", "json"]).stdout)["nodes"]
    assert sub[0]["id"] == "inference.quantization.post-training"
    years = json.loads(runner.invoke(app, ["stats", "-f", "json"]).stdout)
    assert years["dimensions"] == ["budget", "data", "arch", "training", "inference"]
    assert runner.invoke(app, ["stats", "--by", "venue"]).exit_code == 0


# --------------------------------------------------------------------------- search options


def _keys_in_order(runner: CliRunner, folder: Path, *args: str) -> list[str]:
    """Keys printed by `search ... --format keys --limit 0`, in output order (not sorted)."""
    result = runner.invoke(
        app, ["search", *args, "--format", "keys", "--limit", "0", "-C", str(folder)]
    )
    assert result.exit_code in (0, 1), result.output
    return result.stdout.split()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # newest first, ties by key
        (
            "year",
            [
                "hostile2024input",
                "fedus2022switch",
                "hu2022lora",
                "kaplan2020scaling",
                "bengio2009curriculum",
            ],
        ),
        # by folded title: curriculum, input (the hostile title starts with \input), lora, scaling,
        # switch
        (
            "title",
            [
                "bengio2009curriculum",
                "hostile2024input",
                "hu2022lora",
                "kaplan2020scaling",
                "fedus2022switch",
            ],
        ),
        # entries with an added date first (only hu2022lora has one), then by key
        (
            "added",
            [
                "hu2022lora",
                "bengio2009curriculum",
                "fedus2022switch",
                "hostile2024input",
                "kaplan2020scaling",
            ],
        ),
        # without text terms there is no score: newest first, like year
        (
            "relevance",
            [
                "hostile2024input",
                "fedus2022switch",
                "hu2022lora",
                "kaplan2020scaling",
                "bengio2009curriculum",
            ],
        ),
    ],
)
def test_search_sort_orders(
    runner: CliRunner, make_catalog: MakeCatalog, sort: str, expected: list[str]
) -> None:
    """--sort puts results in the documented order; the printed order is pinned, not sorted."""
    folder = make_catalog(FIXTURE_TEXT)
    assert _keys_in_order(runner, folder, "--sort", sort) == expected


def test_search_limit_keeps_the_best(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--limit cuts after sorting: the two newest papers under --sort year."""
    folder = make_catalog(FIXTURE_TEXT)
    result = runner.invoke(
        app, ["search", "--sort", "year", "-n", "2", "-f", "json", "-C", str(folder)]
    )
    doc = json.loads(result.stdout)
    assert [r["key"] for r in doc["results"]] == ["hostile2024input", "fedus2022switch"]
    assert (doc["total"], doc["count"]) == (5, 2)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--dim", "peft"], ["hu2022lora"]),
        (["--dim", "peft", "--dim", "curriculum"], ["bengio2009curriculum", "hu2022lora"]),
        (["-d", "inference"], ["hostile2024input"]),
        (["--venue", "iclr"], ["hu2022lora"]),
        (["--venue", "ICLR", "--venue", "jmlr"], ["fedus2022switch", "hu2022lora"]),
        (["--author", "kaplan"], ["kaplan2020scaling"]),
        (["--author", "Edward Hu"], ["hu2022lora"]),
        (["-a", "kaplan", "-a", "bengio"], ["bengio2009curriculum", "kaplan2020scaling"]),
        (["--has-code"], ["hostile2024input", "hu2022lora"]),
        (["--year", "2020..2022"], ["fedus2022switch", "hu2022lora", "kaplan2020scaling"]),
        (["--has-code", "--year", "..2023"], ["hu2022lora"]),
        (["scaling", "--venue", "arxiv"], ["kaplan2020scaling"]),  # options AND the query
        (["--dim", "training", "--venue", "jmlr"], []),
    ],
)
def test_search_option_filters(
    runner: CliRunner, make_catalog: MakeCatalog, args: list[str], expected: list[str]
) -> None:
    """--dim, --venue, --author, --has-code and --year filter exactly; repeats are alternatives,
    different options must all hold; no match exits 1."""
    folder = make_catalog(FIXTURE_TEXT)
    result = runner.invoke(
        app, ["search", *args, "--format", "keys", "--limit", "0", "-C", str(folder)]
    )
    assert result.exit_code == (0 if expected else 1), result.output
    assert sorted(result.stdout.split()) == expected


def test_search_format_bibtex(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--format bibtex prints the matching entries as BibTeX that parses back to them."""
    from effllm_catalog.importers.bibtex import parse_bibtex

    folder = make_catalog(FIXTURE_TEXT)
    result = runner.invoke(
        app, ["search", "--dim", "peft", "--has-code", "-f", "bibtex", "-C", str(folder)]
    )
    assert result.exit_code == 0, result.output
    parsed = parse_bibtex(result.stdout)
    assert [d.source_key for d in parsed.drafts] == ["hu2022lora"]
    assert parsed.drafts[0].data["title"] == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert parsed.drafts[0].data["arxiv"] == "2106.09685"


def test_search_no_match_says_so(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """No results: exit 1, an empty key list, and a word on stderr naming what matched nothing."""
    folder = make_catalog(FIXTURE_TEXT)
    keys = runner.invoke(app, ["search", "zzzzqqqq", "-f", "keys", "-C", str(folder)])
    assert keys.exit_code == 1 and keys.stdout == ""
    table = runner.invoke(app, ["search", "zzzzqqqq", "-C", str(folder)])
    assert table.exit_code == 1 and table.stdout == "" and "zzzzqqqq" in table.stderr
