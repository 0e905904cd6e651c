"""Search as researchers use it: names, originals first, pastes, help on a miss, pipes, fast path.

The fixture catalog (tests/fixtures/search/references.yaml) holds originals with their follow-ups
(LoRA, RWKV, speculative decoding), look-alike words (performer/performance), entries with
``names`` and ``summary``, and titles people paste with punctuation.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.fastpath import SEARCH_OPTIONS, parse_search_args, try_search
from effllm_catalog.index import open_index
from effllm_catalog.search import run_search
from effllm_catalog.text import stem

from .conftest import BUNDLED

FIXTURE = Path(__file__).parent / "fixtures" / "search" / "references.yaml"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The search fixture as a catalog folder with the bundled taxonomy."""
    folder = tmp_path / "search-catalog"
    folder.mkdir()
    shutil.copy(BUNDLED / "taxonomy.yaml", folder / "taxonomy.yaml")
    shutil.copy(FIXTURE, folder / "references.yaml")
    return folder


@pytest.fixture
def index(catalog: Path) -> Iterator[Any]:
    """An open index over the fixture."""
    opened = open_index(catalog)
    yield opened
    opened.close()


def keys(index: Any, text: str, **options: Any) -> list[str]:
    """Result keys of a search, best first."""
    return [r["key"] for r in run_search(index, text, **options).rows]


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("quantization", "quantisation"),
        ("quantize", "quantized"),
        ("optimisation", "optimization"),
        ("modelling", "modeling"),
        ("distillation", "distilation"),
        ("LLMs", "llm"),
        ("embeddings", "embedding"),
        ("positional", "position"),
        ("convolutional", "convolution"),
    ],
)
def test_stem_merges_spellings_and_inflections(a: str, b: str) -> None:
    """British and American spellings and inflections of one word share an index term."""
    assert stem(a.lower()) == stem(b.lower())


@pytest.mark.parametrize(
    ("a", "b"),
    [("performer", "performance"), ("adapter", "adaptation"), ("latency", "latent")],
)
def test_stem_keeps_different_words_apart(a: str, b: str) -> None:
    """Stemming never turns one word into another (performer is not performance)."""
    assert stem(a) != stem(b)


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Wanda", "sun2024simple"),  # a name from `names`, not in the title
        ("vllm", "kwon2023efficient"),
        ("PagedAttention", "kwon2023efficient"),  # CamelCase in the title and in names
        ("paged attention", "kwon2023efficient"),
        ("LoRA", "hu2022lora"),  # the original before QLoRA and LoRA-FA
        ("RWKV", "peng2023rwkv"),  # before RWKV-CLIP and GoldFinch
        ("speculative decoding", "leviathan2023fast"),  # the earliest of equal matches
        ("knowledge distillation", "hinton2015distilling"),
        ("QuaRot: Outlier-Free 4-Bit Inference in Rotated LLMs", "ashkboos2024quarot"),
        ("LLM.int8()", "dettmers2022llmint8"),
        ("https://arxiv.org/abs/2106.09685", "hu2022lora"),
        ("arXiv:2305.14314", "dettmers2023qlora"),
        ("activation-aware weight quantisation", "lin2024awq"),  # British spelling
        ("magnitude times input activation", "sun2024simple"),  # the summary is indexed
        ("dettmers 8-bit", "dettmers2022llmint8"),  # author + topic
    ],
)
def test_ranking_puts_the_meant_paper_first(index: Any, query: str, first: str) -> None:
    """Names, acronyms, pasted titles, links and topics find the paper meant, ranked first."""
    found = keys(index, query)
    assert found, query
    assert found[0] == first, (query, found)


def test_follow_ups_come_after_the_original(index: Any) -> None:
    """Every LoRA follow-up is found, and each ranks below the original."""
    found = keys(index, "lora")
    assert found[0] == "hu2022lora"
    assert {"dettmers2023qlora", "zhang2023lora"} <= set(found[1:])


def test_performer_is_not_performance(index: Any) -> None:
    """'performer' finds Performers only, 'performance' never finds it."""
    assert keys(index, "performer") == ["choromanski2021rethinking"]
    assert "choromanski2021rethinking" not in keys(index, "performance")
    assert keys(index, "performance")  # the performance papers are found


def test_names_weigh_above_summaries(catalog: Path) -> None:
    """An entry named by the query ranks above one that only mentions it in its summary."""
    text = (catalog / "references.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "Keeps the first tokens as attention sinks",
        "Unlike Wanda, keeps the first tokens as attention sinks",
    )
    (catalog / "references.yaml").write_text(text, encoding="utf-8")
    found = keys(open_index(catalog), "wanda")
    assert found == ["sun2024simple", "xiao2024efficient"]


# --------------------------------------------------------------------------- help on a miss


def test_unknown_prefix_is_expanded(index: Any) -> None:
    """A truncated word matches as a prefix, and the note says so."""
    result = run_search(index, "quantizat")
    assert result.total >= 2
    assert any('showing results for "quantizat*"' in n for n in result.notes), result.notes


def test_misspelling_is_corrected_from_the_vocabulary(index: Any) -> None:
    """A misspelt word is replaced by the closest word of the index, with a note."""
    result = run_search(index, "speculatve decoding")
    assert result.rows[0]["key"] == "leviathan2023fast"
    assert any("showing results for" in n for n in result.notes)


def test_split_author_name_is_joined(index: Any) -> None:
    """author:Yaniv Leviathan (unquoted) is read as author:"Yaniv Leviathan"."""
    result = run_search(index, "author:Yaniv Leviathan")
    assert [r["key"] for r in result.rows] == ["leviathan2023fast"]
    assert any('author:"Yaniv Leviathan"' in n for n in result.notes)


def test_bare_year_filters(index: Any) -> None:
    """A bare year in a query is a year filter, not a word that must appear."""
    assert keys(index, "speculative decoding 2023") == [
        "leviathan2023fast",
        "chen2023accelerating",
        "kim2023speculative",
    ]
    assert keys(index, "lora 2022") == ["hu2022lora"]


def test_pasted_title_with_a_typo_still_finds_it(index: Any) -> None:
    """When no entry has every word, entries with most of them are shown, with a note."""
    result = run_search(index, "Fast Inference from Transformers via Speculative Decodingz")
    assert result.rows[0]["key"] == "leviathan2023fast"
    assert result.notes


def test_dim_shared_segment_names_the_survey_node(index: Any) -> None:
    """dim:quantization searches the survey's node and says which other node it could mean."""
    result = run_search(index, "dim:quantization")
    assert "inference.kv-cache.quantization" in result.notes[0]
    assert "lin2024awq" in [r["key"] for r in result.rows]


def test_few_hits_suggest_a_taxonomy_node(index: Any) -> None:
    """A phrase that names a taxonomy node, with few hits, suggests the dim: filter."""
    result = run_search(index, "kv cache")
    assert result.total < 3
    assert any("dim:inference.kv-cache" in n for n in result.notes), result.notes


def test_unknown_field_hint(index: Any) -> None:
    """An unknown word: is text; when that finds little, a hint names the field it resembles."""
    result = run_search(index, "yeer:2023 lora")
    assert any("did you mean year:" in n for n in result.notes), result.notes


# --------------------------------------------------------------------------- CLI and pipes


def test_piped_search_prints_whole_tab_separated_lines(runner: CliRunner, catalog: Path) -> None:
    """Piped output: one paper a line, six tab-separated fields, keys and titles never cut."""
    result = runner.invoke(app, ["search", "lora", "-C", str(catalog)])
    assert result.exit_code == 0 and result.exception is None, result.output
    lines = result.stdout.splitlines()
    fields = [line.split("\t") for line in lines]
    assert all(len(f) == 6 for f in fields)
    assert fields[0][0] == "hu2022lora"
    assert fields[0][3] == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert "…" not in result.stdout


def test_keys_print_every_match_and_a_cut_says_so(runner: CliRunner) -> None:
    """-f keys prints every match (no silent cap at 50); --limit cuts and says so on stderr."""
    full = runner.invoke(app, ["search", "dim:inference", "-f", "json", "--limit", "0"])
    total = json.loads(full.stdout)["total"]
    assert total > 50
    every = runner.invoke(app, ["search", "dim:inference", "-f", "keys"])
    assert every.exception is None
    assert len(every.stdout.split()) == total and every.stderr == ""
    cut = runner.invoke(app, ["search", "dim:inference", "-f", "keys", "--limit", "7"])
    assert len(cut.stdout.split()) == 7
    assert f"showing 7 of {total}" in cut.stderr


def test_bibtex_prints_every_match(runner: CliRunner) -> None:
    """-f bibtex prints one entry per match, all of them unless --limit."""
    result = runner.invoke(app, ["search", "dim:inference.speculative", "-f", "bibtex"])
    keys_out = runner.invoke(app, ["search", "dim:inference.speculative", "-f", "keys"])
    assert result.exception is None
    assert result.stdout.count("\n@") + result.stdout.startswith("@") == len(
        keys_out.stdout.split()
    )


def test_piped_taxonomy_and_stats_are_plain_lines(runner: CliRunner) -> None:
    """taxonomy and stats into a pipe: tab-separated lines with whole ids and counts."""
    tree = runner.invoke(app, ["taxonomy"])
    assert tree.exit_code == 0 and tree.exception is None
    rows = {line.split("\t")[0]: line.split("\t") for line in tree.stdout.splitlines()}
    assert all(len(r) == 4 and r[2].isdigit() for r in rows.values())
    assert rows["inference.kv-cache.quantization"][1] == "ext"
    assert rows["inference.quantization"][1].startswith("§7")
    assert rows["inference.quantization"][3] == "Quantization"
    venues = runner.invoke(app, ["stats", "--by", "venue"])
    venue_rows = [line.split("\t") for line in venues.stdout.splitlines()]
    assert len(venue_rows) > 30  # every venue, not the top 30 of the terminal view
    assert all(len(r) == 2 and r[1].isdigit() for r in venue_rows)
    years = runner.invoke(app, ["stats"])
    assert years.stdout.splitlines()[0].split("\t")[0] == "year"


@pytest.mark.parametrize(
    "ref",
    [
        "https://arxiv.org/abs/2106.09685",
        "2106.09685",
        "arXiv:2106.09685v2",
        "https://github.com/microsoft/LoRA",
    ],
)
def test_show_accepts_ids_and_links(runner: CliRunner, catalog: Path, ref: str) -> None:
    """show finds an entry by arXiv id or URL, or its code link, as well as by key."""
    result = runner.invoke(app, ["show", ref, "-f", "json", "-C", str(catalog)])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert json.loads(result.stdout)["key"] == "hu2022lora"


def test_pasted_queries_never_error(runner: CliRunner, catalog: Path) -> None:
    """Pastes that used to be syntax errors search instead (exit 0 or 1, never 2)."""
    for query in ("LLM.int8()", "QuaRot: Outlier-Free", "https://arxiv.org/abs/1", '"unclosed'):
        result = runner.invoke(app, ["search", query, "-C", str(catalog)])
        assert result.exit_code in (0, 1), (query, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)


# --------------------------------------------------------------------------- fast path


def _typer_search_params() -> dict[str, tuple[tuple[str, ...], str]]:
    import typer.main

    command = typer.main.get_command(app).commands["search"]  # type: ignore[attr-defined]
    found = {}
    for param in command.params:
        if param.param_type_name != "option":
            continue
        kind = "flag" if param.is_flag else "many" if param.multiple else "one"
        found[param.name] = (tuple(sorted(param.opts)), kind)
    return found


def test_fast_path_accepts_exactly_the_typer_options() -> None:
    """The fast path's option table is the Typer command's, option for option."""
    mine = {dest: (tuple(sorted(flags)), kind) for dest, (flags, kind) in SEARCH_OPTIONS.items()}
    assert mine == _typer_search_params()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["lora", "--bogus"],
        ["a", "b"],
        ["lora", "--limit", "x"],
        ["lora", "--format", "xml"],
        ["lora", "--has-code=yes"],
        ["lora", "--limit"],
    ],
)
def test_fast_path_hands_over_what_it_is_unsure_of(args: list[str]) -> None:
    """Help, unknown or malformed options are left to Typer (which explains them)."""
    with pytest.raises(Exception, match=r".") as info:
        parse_search_args(args)
    assert type(info.value).__name__ == "_HandOverError"


@pytest.mark.parametrize(
    "args",
    [
        ["lora"],
        ["speculative decoding", "-n", "2"],
        ["speculatve decoding"],
        ["lora", "-f", "json", "--limit=1"],
        ["lora", "-fkeys"],
        ["-f", "bibtex", "--", "rwkv"],
        ["", "--dim", "peft", "-d", "inference.quantization", "--sort", "year"],
        ["dim:quantization", "--year", "2023..", "--has-code", "-f", "plain"],
        ["pruning", "-a", "sun", "--venue", "ICLR", "--venue", "arXiv", "-s", "title"],
        ["zzzzqqqq"],
        ["kv cache", "-f", "table"],
    ],
)
def test_fast_path_output_is_the_typer_output(
    runner: CliRunner, catalog: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """For the same arguments the fast path prints the same stdout, stderr and exit code."""
    full = runner.invoke(app, ["search", "-C", str(catalog), *args])
    assert full.exception is None or isinstance(full.exception, SystemExit), full.output
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    code = try_search(["-C", str(catalog), *args])
    assert code is not None, "the fast path handed over on a warm index"
    assert (out.getvalue(), err.getvalue(), code) == (full.stdout, full.stderr, full.exit_code)


def test_fast_path_hands_over_on_a_cold_index(catalog: Path) -> None:
    """With no built index the fast path does nothing (the CLI builds it, with progress)."""
    assert try_search(["lora", "-C", str(catalog)]) is None


def test_fast_path_hands_over_query_errors(runner: CliRunner, catalog: Path) -> None:
    """A query error is reported by the Typer CLI, so the fast path hands it over."""
    runner.invoke(app, ["search", "lora", "-C", str(catalog)])  # warm the index
    assert try_search(["dim:nope", "-C", str(catalog)]) is None
    result = runner.invoke(app, ["search", "dim:nope", "-C", str(catalog)])
    assert result.exit_code == 2 and "did you mean" in result.output


def test_fast_path_imports_no_heavy_library(runner: CliRunner, catalog: Path) -> None:
    """A warm piped search loads neither typer, rich, pydantic nor YAML (what makes it fast)."""
    import subprocess
    import sys

    runner.invoke(app, ["search", "lora", "-C", str(catalog)])  # warm the index
    code = (
        "import sys\n"
        "from effllm_catalog import fastpath\n"
        f"code = fastpath.try_search(['lora', '-C', {str(catalog)!r}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'pydantic',"
        " 'yaml', 'click', 'bibtexparser'})\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stderr.strip().splitlines()[-1] == "0 []", proc.stderr


PHRASES = """\
- key: older2019patterns
  type: misc
  title: Patterns of Sparse and Dense Attention
  authors:
  - Older, Ada
  year: 2019
  venue: arXiv
  tags:
  - arch.attention.sparse
- key: newer2021learning
  type: misc
  title: Learning Sparse Attention Patterns
  authors:
  - Newer, Ben
  year: 2021
  venue: arXiv
  tags:
  - arch.attention.sparse
"""


def test_phrase_beats_scattered_words_for_longer_queries(make_catalog: Any) -> None:
    """Three words in a row outrank the same words scattered; two words put the original first."""
    index = open_index(make_catalog(PHRASES))
    assert keys(index, "sparse attention patterns") == ["newer2021learning", "older2019patterns"]
    assert keys(index, "sparse attention") == ["older2019patterns", "newer2021learning"]


def test_zero_hits_name_the_unknown_words(index: Any) -> None:
    """With no result at all, a hint names the words no entry has."""
    result = run_search(index, "chinchilla dim:inference.speculative")
    assert result.total == 0
    assert any("'chinchilla'" in n for n in result.notes), result.notes
    known = run_search(index, "decoding dim:inference.pruning")
    assert known.total == 0
    assert not any("'decoding'" in n for n in known.notes), known.notes


def test_any_paste_without_operators_searches(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Any text with a word, no capital operators and no field syntax searches without error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    folder = tmp_path_factory.mktemp("paste")
    shutil.copy(BUNDLED / "taxonomy.yaml", folder / "taxonomy.yaml")
    shutil.copy(FIXTURE, folder / "references.yaml")
    opened = open_index(folder)
    alphabet = st.characters(blacklist_categories=("Cs",), blacklist_characters=":")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.text(alphabet=alphabet, max_size=80))
    def check(text: str) -> None:
        words = text.split()
        if any(w.strip("()") in ("AND", "OR", "NOT") for w in words):
            return
        if not any(c.isalnum() for c in text):
            return  # nothing but brackets or quotes: a syntax error is the honest answer
        result = run_search(opened, text, limit=5)
        assert result.total >= 0

    check()


AUTHORED = """\
- key: dao2022fast
  type: misc
  title: Fast and Exact Attention Kernels with Awareness of Memory
  authors:
  - Dao, Tri
  year: 2022
  venue: arXiv
  tags:
  - arch.attention.io-aware
- key: dao2023attention
  type: misc
  title: Attention Kernels
  authors:
  - Dao, Tri
  year: 2023
  venue: arXiv
  tags:
  - arch.attention.io-aware
"""


def test_author_and_topic_put_the_original_first(make_catalog: Any) -> None:
    """Given name, family name and topic words that all match: the earlier paper comes first."""
    index = open_index(make_catalog(AUTHORED))
    assert keys(index, "tri dao attention kernels") == ["dao2022fast", "dao2023attention"]
