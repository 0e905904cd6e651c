"""The bundled taxonomy and lookups over it."""

from __future__ import annotations

import pytest

from effllm_catalog.catalog import read_taxonomy
from effllm_catalog.errors import QueryError
from effllm_catalog.taxonomy import Taxonomy

from .conftest import BUNDLED


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    """The bundled taxonomy, which must load without findings."""
    tax, issues = read_taxonomy(BUNDLED / "taxonomy.yaml")
    assert issues == []
    return tax


def test_survey_dimensions_and_sections(taxonomy: Taxonomy) -> None:
    """Five dimensions with the survey's section numbers 3-7, in survey order."""
    assert taxonomy.roots == ["budget", "data", "arch", "training", "inference"]
    assert [taxonomy.by_id[r].section for r in taxonomy.roots] == ["3", "4", "5", "6", "7"]


def test_survey_figure_nodes_are_present(taxonomy: Taxonomy) -> None:
    """Every sub-topic of the authors' overview figure is a survey node."""
    titles = {n.title for n in taxonomy.nodes if n.origin == "survey"}
    for title in [
        "Scaling Laws",
        "Data Filtering",
        "Active Learning / Importance Sampling",
        "Curriculum Learning",
        "Efficient Attention",
        "Efficient Positional Encoding",
        "Sparse Modeling",
        "Attention-Free",
        "Scalable Training",
        "Mixed Precision Training",
        "Parallelism Techniques",
        "Memory Optimization",
        "Scalable Tuning",
        "Parameter-Efficient Fine-Tuning",
        "Data-Efficient Fine-Tuning",
        "Pruning",
        "Knowledge Distillation",
        "Quantization",
        "Low-Rank Decomposition",
    ]:
        assert title in titles, title


def test_extensions_carry_no_section(taxonomy: Taxonomy) -> None:
    """Extension nodes never claim a survey §; survey nodes always have one."""
    for node in taxonomy.nodes:
        assert (node.section is None) == (node.origin == "extension"), node.id


@pytest.mark.parametrize(
    ("name", "node"),
    [
        ("inference.quantization", "inference.quantization"),
        ("ptq", "inference.quantization.post-training"),
        ("PTQ", "inference.quantization.post-training"),
        ("lora", "training.tuning.peft.low-rank"),
        ("weight-only", "inference.quantization.post-training.weight-only"),
        ("speculative", "inference.speculative"),
    ],
)
def test_resolve_by_id_alias_or_suffix(taxonomy: Taxonomy, name: str, node: str) -> None:
    """Nodes resolve by id, alias (case-insensitive) or unique id suffix."""
    assert taxonomy.resolve(name) == node


def test_resolve_unknown_suggests(taxonomy: Taxonomy) -> None:
    """An unknown name raises with the closest ids as a hint."""
    with pytest.raises(QueryError) as info:
        taxonomy.resolve("inference.quantisation")
    assert "inference.quantization" in (info.value.hint or "")


def test_resolve_shared_segment_prefers_the_survey_node(taxonomy: Taxonomy) -> None:
    """A segment shared by several nodes names the survey node and reports the others."""
    assert taxonomy.resolve("quantization") == "inference.quantization"
    found, others = taxonomy.resolve_detail("quantization")
    assert found == "inference.quantization"
    assert others == ["inference.kv-cache.quantization"]


def test_resolve_ambiguous_suffix() -> None:
    """A suffix shared by nodes none of which is the one survey node is an error listing them."""
    from effllm_catalog.index import StoredNode

    nodes = [
        StoredNode("a", None, "A", "", "survey", "1"),
        StoredNode("a.x", "a", "X", "", "extension", None),
        StoredNode("b", None, "B", "", "survey", "2"),
        StoredNode("b.x", "b", "X", "", "extension", None),
    ]
    with pytest.raises(QueryError) as info:
        Taxonomy(nodes).resolve("x")
    assert "ambiguous" in info.value.message
    assert "a.x" in info.value.message and "b.x" in info.value.message


def test_suggest_reads_words_of_ids(taxonomy: Taxonomy) -> None:
    """A word of a node's id (kv in kv-cache) suggests that node first, not a look-alike."""
    with pytest.raises(QueryError) as info:
        taxonomy.resolve("kv")
    assert (info.value.hint or "").startswith("did you mean dim:inference.kv-cache")


def test_descendants_and_ancestors(taxonomy: Taxonomy) -> None:
    """Descendants include the node and everything below; ancestors go up to the root."""
    below = taxonomy.descendants("inference.quantization")
    assert below[0] == "inference.quantization"
    assert "inference.quantization.post-training.weight-only" in below
    assert "inference.pruning" not in below
    assert taxonomy.ancestors("inference.quantization.post-training.weight-only") == [
        "inference.quantization.post-training",
        "inference.quantization",
        "inference",
    ]
    assert taxonomy.dimension("training.tuning.peft.low-rank") == "training"
    assert taxonomy.section("training.tuning.peft.low-rank") == "6"


def test_cycles_do_not_hang() -> None:
    """Ancestors and descendants terminate on a cyclic (invalid) taxonomy."""
    from effllm_catalog.models import TaxonomyNode

    nodes = [
        TaxonomyNode(id="a", parent="b", title="A", description="a", origin="extension"),
        TaxonomyNode(id="b", parent="a", title="B", description="b", origin="extension"),
    ]
    tax = Taxonomy(nodes)
    assert set(tax.ancestors("a")) <= {"a", "b"}
    assert set(tax.descendants("a")) == {"a", "b"}
