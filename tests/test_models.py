"""Models: names, field rules, and the citation-key rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from effllm_catalog.keys import key_stem, make_key
from effllm_catalog.models import Person, Reference

BASE = {
    "key": "hu2022lora",
    "type": "inproceedings",
    "title": "LoRA: Low-Rank Adaptation of Large Language Models",
    "authors": ["Hu, Edward J.", "Shen, Yelong"],
    "year": 2022,
    "tags": ["training.tuning.peft.low-rank"],
}


@pytest.mark.parametrize(
    ("text", "family", "given"),
    [
        ("Hu, Edward J.", "Hu", "Edward J."),
        ("Edward J. Hu", "Hu", "Edward J."),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
        ("van der Maaten, Laurens", "van der Maaten", "Laurens"),
        ("Plato", "Plato", ""),
        ("  Hu ,  Edward  ", "Hu", "Edward"),
    ],
)
def test_person_parse(text: str, family: str, given: str) -> None:
    """Family and given names are recoverable from either spelling."""
    person = Person.parse(text)
    assert (person.family, person.given) == (family, given)


def test_reference_round_trip_keeps_order_and_drops_empty() -> None:
    """to_data gives catalog field order and leaves out unset optional fields."""
    ref = Reference.model_validate({**BASE, "extra": {"pages": "1--2"}})
    data = ref.to_data()
    assert list(data) == ["key", "type", "title", "authors", "year", "tags", "extra"]
    assert data["authors"] == ["Hu, Edward J.", "Shen, Yelong"]
    assert Reference.model_validate(data) == ref


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", "hu 2022"),
        ("key", "hu,2022"),
        ("arxiv", "arXiv:2106.09685"),
        ("doi", "https://doi.org/10.1/x"),
        ("url", "javascript:alert(1)"),
        ("url", "data:text/html,hi"),
        ("code", "ftp://example.org/x"),
        ("authors", []),
        ("tags", []),
        ("title", ""),
        ("title", False),
        ("year", "2022a"),
        ("type", "blogpost"),
        ("extra", {"Bad Field": "x"}),
    ],
)
def test_field_rules(field: str, value: object) -> None:
    """Malformed values are rejected by the model."""
    with pytest.raises(ValidationError):
        Reference.model_validate({**BASE, field: value})


def test_unknown_field_is_rejected() -> None:
    """A typo in a field name is never ignored."""
    with pytest.raises(ValidationError) as info:
        Reference.model_validate({**BASE, "titel": "x"})
    assert info.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize(
    ("family", "year", "title", "key"),
    [
        ("Hu", 2022, "LoRA: Low-Rank Adaptation of Large Language Models", "hu2022lora"),
        ("Müller", 2020, "On the Efficiency of Things", "muller2020efficiency"),
        ("de Vries", 2021, "The H2O Oracle", "devries2021h2o"),
        ("Łukasz", 2019, "A Study", "lukasz2019study"),
        ("", 2019, "", "anon2019"),
        # A number or a one-letter word is never the title word (no "wang20241", "dettmers20228").
        ("Wang", 2024, "1-bit LLMs: All Large Language Models are in 1.58 Bits", "wang2024bit"),
        ("Dettmers", 2022, "8-bit Optimizers via Block-wise Quantization", "dettmers2022bit"),
        ("Ma", 2024, "The Era of 1.58 Bits", "ma2024era"),
        ("Li", 2023, "X 2:4 Sparsity", "li2023sparsity"),
    ],
)
def test_key_rule(family: str, year: int, title: str, key: str) -> None:
    """Keys follow family + year + first significant title word, ASCII only."""
    assert key_stem(family, year, title) == key


def test_key_collisions_get_suffixes() -> None:
    """Collisions get a, b, ... in order; the rule never returns a taken key."""
    taken = {"hu2022lora"}
    assert make_key("Hu", 2022, "LoRA", taken) == "hu2022loraa"
    taken |= {"hu2022loraa", "hu2022lorab"}
    assert make_key("Hu", 2022, "LoRA", taken) == "hu2022lorac"
