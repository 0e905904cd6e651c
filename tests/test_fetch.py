"""add --fetch: fields from the arXiv API and Crossref, on recorded-format fixtures, never live."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog import fetch
from effllm_catalog.cli import app

from .conftest import MakeCatalog

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer requests from fixture files; record the URLs asked for."""
    asked: list[str] = []

    def opener(url: str, accept: str) -> bytes:
        asked.append(url)
        if "id_list=2106.09685" in url:
            return (FIXTURES / "arxiv-2106.09685.xml").read_bytes()
        if "id_list=" in url:
            return (FIXTURES / "arxiv-missing.xml").read_bytes()
        if url.endswith("/works/10.1145/1553374.1553380"):
            return (FIXTURES / "crossref-10.1145-1553374.1553380.json").read_bytes()
        raise fetch.FetchError("no fixture for " + url, check="fetch")

    monkeypatch.setattr(fetch, "opener", opener)
    return asked


def test_parse_arxiv_atom() -> None:
    """Title (unwrapped), authors as 'Family, Given', year of v1, abstract and comment."""
    record = fetch.parse_arxiv_atom((FIXTURES / "arxiv-2106.09685.xml").read_bytes(), "2106.09685")
    assert record.fields["title"] == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert record.fields["authors"] == ["Hu, Edward J.", "Shen, Yelong", "Wallis, Phillip"]
    assert record.fields["year"] == 2021
    assert record.abstract and record.abstract.startswith("Placeholder abstract")
    assert "comment" in record.extra
    assert record.source == "https://arxiv.org/abs/2106.09685"


def test_parse_crossref() -> None:
    """Crossref gives authors, the print year, the container as venue and the entry type."""
    record = fetch.parse_crossref(
        (FIXTURES / "crossref-10.1145-1553374.1553380.json").read_bytes(),
        "10.1145/1553374.1553380",
    )
    assert record.fields["authors"][1] == "Louradour, Jérôme"
    assert record.fields["year"] == 2009
    assert record.fields["type"] == "inproceedings"
    assert record.abstract == "Placeholder abstract for tests: training on easy examples first."


def test_add_fetch_arxiv_fills_fields_and_shows_abstract(
    runner: CliRunner, make_catalog: MakeCatalog, served: list[str]
) -> None:
    """--arxiv URL --fetch fills title/authors/year, shows the abstract; the user gives tags."""
    folder = make_catalog()
    result = runner.invoke(
        app,
        [
            "add",
            "--arxiv",
            "https://arxiv.org/abs/2106.09685",
            "--fetch",
            "--tag",
            "lora",
            "--summary",
            "Trains a low-rank update per layer instead of all weights.",
            "--catalog",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert served == [fetch.ARXIV_API.format(id="2106.09685")]
    assert "Placeholder abstract" in result.stderr
    entry = next(
        e
        for e in yaml.safe_load((folder / "references.yaml").read_text(encoding="utf-8"))
        if e["key"] == "hu2021lora"
    )
    assert entry["authors"][0] == "Hu, Edward J."
    assert entry["venue"] == "arXiv" and entry["type"] == "misc"
    assert entry["sources"] == ["https://arxiv.org/abs/2106.09685"]


def test_add_fetch_doi_maps_the_venue(
    runner: CliRunner, make_catalog: MakeCatalog, served: list[str]
) -> None:
    """--doi --fetch takes the venue from Crossref and maps the full name to the short name."""
    folder = make_catalog()
    result = runner.invoke(
        app,
        ["add", "--doi", "https://doi.org/10.1145/1553374.1553380", "--fetch", "--tag",
         "curriculum", "--catalog", str(folder), "--dry-run"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "venue: ICML" in result.stdout
    assert "type: inproceedings" in result.stdout
    assert "key: bengio2009curriculum" in result.stdout


def test_fetch_unknown_arxiv_id_writes_nothing(
    runner: CliRunner, make_catalog: MakeCatalog, served: list[str]
) -> None:
    """An id arXiv does not know fails with a clear message and leaves the catalog unchanged."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    result = runner.invoke(
        app, ["add", "--arxiv", "2401.99999", "--fetch", "--tag", "lora", "-C", str(folder)]
    )
    assert result.exit_code == 1
    assert "arXiv has no paper 2401.99999" in result.output
    assert (folder / "references.yaml").read_bytes() == before


def test_fetch_without_network_fails_clearly(
    runner: CliRunner, make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no network the command says so, hints at adding by hand, and writes nothing."""

    def offline(*_: object, **__: object) -> object:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", offline)
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    result = runner.invoke(
        app, ["add", "--arxiv", "2106.09685", "--fetch", "--tag", "lora", "-C", str(folder)]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "cannot reach export.arxiv.org" in result.output
    assert "needs a network connection" in result.output
    assert (folder / "references.yaml").read_bytes() == before


def test_fetch_asks_nothing_before_the_arguments_are_complete(
    runner: CliRunner, make_catalog: MakeCatalog, served: list[str]
) -> None:
    """A missing --tag is a usage error found before any request is made."""
    folder = make_catalog()
    result = runner.invoke(app, ["add", "--arxiv", "2106.09685", "--fetch", "-C", str(folder)])
    assert result.exit_code == 2
    assert "--tag" in result.output
    assert served == []
