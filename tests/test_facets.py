"""The metrics facet and the paper kind: searchable with metric: and kind:, counted by stats, shown in
exports (issue 11)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app
from effllm_catalog.errors import QueryError
from effllm_catalog.index import open_index
from effllm_catalog.query import parse_query
from effllm_catalog.stats import facet_counts

from .conftest import QLORA, SPARSEGPT

SURVEY = """\
- key: zhu2023survey
  type: misc
  title: A Survey on Model Compression for Large Language Models
  authors:
  - Zhu, Xunyu
  year: 2023
  venue: arXiv
  arxiv: '2308.07633'
  url: https://arxiv.org/abs/2308.07633
  kind: survey
  tags:
  - inference
  sources:
  - https://arxiv.org/abs/2308.07633
"""

REFS = (
    SPARSEGPT.replace("  tags:\n", "  tags:\n", 1).replace(
        "  sources:\n", "  metrics:\n  - parameters\n  - model-size\n  sources:\n", 1
    )
    + QLORA.replace("  sources:\n", "  metrics:\n  - memory\n  sources:\n", 1)
    + SURVEY
)


@pytest.fixture
def catalog(make_catalog: Callable[..., Path]) -> Path:
    return make_catalog(REFS)


def _keys(catalog: Path, query: str) -> list[str]:
    result = open_index(catalog).search(parse_query(query), sort="key", limit=0)
    return [row["key"] for row in result.rows]


def test_metric_field_selects_papers_improving_that_metric(catalog: Path) -> None:
    """metric:X finds exactly the entries whose metrics list holds X, and combines with text."""
    assert _keys(catalog, "metric:memory") == ["dettmers2023qlora"]
    assert _keys(catalog, "metric:model-size") == ["frantar2023sparsegpt"]
    assert _keys(catalog, "metric:latency") == []
    assert _keys(catalog, "metrics:parameters OR metric:memory") == [
        "dettmers2023qlora",
        "frantar2023sparsegpt",
    ]


def test_unknown_metric_is_a_query_error_listing_the_metrics(catalog: Path) -> None:
    """A metric that is not in the facet is an error whose hint lists the valid ids."""
    with pytest.raises(QueryError) as info:
        _keys(catalog, "metric:memry")
    assert "memory" in (info.value.hint or "")


def test_kind_field_tells_surveys_from_methods(catalog: Path) -> None:
    """kind:survey finds the survey; kind:method the entries that do not say otherwise."""
    assert _keys(catalog, "kind:survey") == ["zhu2023survey"]
    assert _keys(catalog, "kind:method") == ["dettmers2023qlora", "frantar2023sparsegpt"]
    assert _keys(catalog, "-kind:survey") == ["dettmers2023qlora", "frantar2023sparsegpt"]


def test_facet_counts_list_every_known_value() -> None:
    """Counts split |a|b| cells, count plain values, and list known values with zero."""
    rows = facet_counts(["|memory|latency|", "|memory|", "||", None], ["energy", "memory"])
    assert rows == [("memory", 2), ("latency", 1), ("energy", 0)]
    assert facet_counts(["survey", "method", "method"]) == [("method", 2), ("survey", 1)]


def test_stats_by_metric_and_kind(catalog: Path) -> None:
    """stats --by metric and --by kind count papers per value, as JSON for scripts."""
    runner = CliRunner()
    result = runner.invoke(app, ["stats", "--by", "metric", "-f", "json", "-C", str(catalog)])
    assert result.exception is None and result.exit_code == 0, result.output
    counts = {r["metric"]: r["papers"] for r in json.loads(result.output)["metrics"]}
    assert counts["memory"] == 1 and counts["parameters"] == 1 and counts["energy"] == 0
    result = runner.invoke(app, ["stats", "--by", "kind", "-f", "json", "-C", str(catalog)])
    assert result.exception is None and result.exit_code == 0, result.output
    kinds = {r["kind"]: r["papers"] for r in json.loads(result.output)["kinds"]}
    assert kinds == {"method": 2, "survey": 1, "benchmark": 0}


def test_exports_show_the_kind(catalog: Path) -> None:
    """CSV carries a kind column; the Markdown list marks surveys."""
    runner = CliRunner()
    csv_out = runner.invoke(app, ["export", "csv", "-C", str(catalog)])
    assert csv_out.exception is None and csv_out.exit_code == 0, csv_out.output
    rows = list(csv.DictReader(io.StringIO(csv_out.output)))
    assert {r["key"]: r["kind"] for r in rows} == {
        "dettmers2023qlora": "method",
        "frantar2023sparsegpt": "method",
        "zhu2023survey": "survey",
    }
    md = runner.invoke(app, ["export", "markdown", "-C", str(catalog)])
    assert md.exception is None and md.exit_code == 0, md.output
    assert "Large Language Models](https://arxiv.org/abs/2308.07633) (survey)" in md.output
    assert "(survey)" not in md.output.split("SparseGPT")[1].splitlines()[0]
