"""Pydantic models of the catalog: references, people, taxonomy nodes. No I/O here.

Field rules live in the models so that the JSON Schema (``effllm schema``), the generated format
reference and validation all come from one place.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)

__all__ = [
    "ARXIV_PATTERN",
    "DOI_PATTERN",
    "ENTRY_TYPES",
    "KEY_PATTERN",
    "EntryType",
    "Metric",
    "Person",
    "Reference",
    "TaxonomyFile",
    "TaxonomyNode",
    "Venue",
    "VenueFile",
    "VenueKind",
    "normalise_arxiv",
    "normalise_doi",
]

#: BibTeX-safe: no spaces, commas, braces, quotes, ``#``, ``%`` or ``~``.
KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_:.+-]*$"
#: New-style (``2106.09685``, optional version) and old-style (``cs/0112017``) arXiv identifiers.
ARXIV_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$"
#: What stands in for missing authors: 'et al.', 'others', '...'. Never a name.
TRUNCATED_AUTHOR = re.compile(r"^(et\.?\s*al\.?|others|and others|\.\.\.|…)$", re.IGNORECASE)
DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
# Valid ECMA-262 as well as Python: JSON Schema tools (check-jsonschema, editors) compile patterns
# as JavaScript regular expressions in unicode mode, where an escaped quote is a syntax error.
URL_PATTERN = r'^https?://[^\s/$.?#{}\\<>"`^|][^\s{}\\<>"`^|]*$'
NODE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$"
EXTRA_FIELD_PATTERN = r"^[a-z][a-z0-9_-]*$"

_ARXIV_PREFIX = re.compile(
    r"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normalise_arxiv(text: str) -> str:
    """The bare arXiv id from what people paste: ``arXiv:2401.00001``, an abs or pdf URL."""
    bare = _ARXIV_PREFIX.sub("", text.strip())
    return bare.removesuffix(".pdf").rstrip("/")


def normalise_doi(text: str) -> str:
    """The bare DOI from ``doi:10...`` or a ``https://doi.org/10...`` URL."""
    return _DOI_PREFIX.sub("", text.strip())


EntryType = Literal[
    "article",
    "inproceedings",
    "misc",
    "techreport",
    "book",
    "incollection",
    "phdthesis",
    "mastersthesis",
]
ENTRY_TYPES: tuple[str, ...] = get_args(EntryType)

_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "le",
        "la",
        "ten",
        "ter",
        "bin",
        "al",
        "dos",
        "das",
    ]
)


class Person(BaseModel):
    """An author. Written in the catalog as ``"Family, Given"`` (or a single name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family: str
    given: str = ""

    @classmethod
    def parse(cls, text: str) -> Person:
        """Parse ``"Family, Given"``, ``"Given Family"`` or a single name."""
        text = " ".join(text.split())
        if "," in text:
            family, _, given = text.partition(",")
            return cls(family=family.strip(), given=given.strip())
        parts = text.split(" ")
        if len(parts) == 1:
            return cls(family=text)
        # "Given [particles] Family": the family name starts at the first lower-case particle.
        start = len(parts) - 1
        for i in range(1, len(parts) - 1):
            if parts[i].lower() in _PARTICLES:
                start = i
                break
        return cls(family=" ".join(parts[start:]), given=" ".join(parts[:start]))

    def __str__(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def display(self) -> str:
        """``Given Family``, as printed in tables and Markdown."""
        return f"{self.given} {self.family}" if self.given else self.family


def _person(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("an author name is empty")
        if "," in value and not value.partition(",")[0].strip():
            raise ValueError(f"author {value!r} has no family name before the comma")
        return Person.parse(value)
    return value


PersonField = Annotated[
    Person,
    BeforeValidator(_person),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "pattern": r"^[^,]+(,.*)?$",
            "description": "'Family, Given' (or a single name)",
            "examples": ["Hu, Edward J."],
        }
    ),
]

Text = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2000)]
NodeId = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN, max_length=200)]


class Reference(BaseModel):
    """One paper in the catalog."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, validate_default=True)

    key: Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=64)] = Field(
        description="Citation key: unique, BibTeX-safe, assigned once by the key rule and never"
        " changed (family name of the first author + year + first significant title word).",
        examples=["hu2022lora"],
    )
    type: EntryType = Field(
        description="BibTeX entry type: inproceedings for conferences and workshops, article for"
        " journals, misc for preprints.",
        examples=["inproceedings"],
    )
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="Title as printed on the paper, in title case as the authors wrote it.",
        examples=["LoRA: Low-Rank Adaptation of Large Language Models"],
    )
    authors: list[PersonField] = Field(
        min_length=1,
        max_length=2000,
        description="Every author, in paper order, as 'Family, Given'. No 'et al.'.",
        examples=[["Hu, Edward J.", "Shen, Yelong"]],
    )
    # Strict: YAML's "2023" (a string), 2023.0 or true must not pass as a year.
    year: StrictInt = Field(
        ge=1000,
        le=9999,
        description="Year of the venue (or of arXiv v1 for a preprint).",
        examples=[2022],
    )
    venue: Text | None = Field(
        default=None,
        description="Short venue name from the venue table (NeurIPS, ICML, ICLR, ACL, ...;"
        " docs/venues.md); 'arXiv' for a preprint.",
        examples=["ICLR"],
    )
    arxiv: Annotated[str, StringConstraints(pattern=ARXIV_PATTERN)] | None = Field(
        default=None,
        description="arXiv identifier, without the 'arXiv:' prefix.",
        examples=["2106.09685"],
    )
    doi: Annotated[str, StringConstraints(pattern=DOI_PATTERN, max_length=300)] | None = Field(
        default=None,
        description="DOI, without the 'https://doi.org/' prefix.",
        examples=["10.1145/1553374.1553380"],
    )
    url: Url | None = Field(
        default=None,
        description="Landing page (http or https).",
        examples=["https://arxiv.org/abs/2106.09685"],
    )
    code: Url | None = Field(
        default=None,
        description="Official code repository (http or https).",
        examples=["https://github.com/microsoft/LoRA"],
    )
    names: list[Annotated[str, StringConstraints(min_length=1, max_length=80)]] = Field(
        default_factory=list,
        max_length=20,
        description="Short names people use for the work, as the paper itself names them"
        " (method, model or system names such as 'Wanda', 'vLLM', 'PagedAttention').",
        examples=[["LoRA"]],
    )
    summary: Annotated[str, StringConstraints(min_length=1, max_length=400)] | None = Field(
        default=None,
        description="One or two sentences in the catalog's own words: what the paper contributes"
        " and what it makes cheaper. Never copied from the abstract.",
        examples=[
            "Freezes the pretrained weights and trains a low-rank update per layer, cutting the"
            " trainable parameters of fine-tuning by orders of magnitude with no added latency."
        ],
    )
    kind: Literal["method", "survey", "benchmark"] = Field(
        default="method",
        description="What the paper is: a method (or system, model, analysis) paper, a survey, or a"
        " benchmark / empirical study of efficient methods. Written only when not 'method'.",
        examples=["survey"],
    )
    tags: list[NodeId] = Field(
        min_length=1,
        description="Taxonomy node ids (most specific that fit); see data/taxonomy.yaml.",
        examples=[["training.tuning.peft.low-rank"]],
    )
    metrics: list[NodeId] = Field(
        default_factory=list,
        description="Efficiency metrics the paper improves (ids from the taxonomy's metrics facet).",
        examples=[["parameters", "memory"]],
    )
    abstract: LongText | None = Field(default=None, description="The paper's abstract.")
    notes: LongText | None = Field(default=None, description="Curator's notes.")
    added: dt.date | None = Field(
        default=None, description="Date the entry joined the catalog.", examples=["2026-11-29"]
    )
    sources: list[Text] = Field(
        default_factory=list,
        description="Provenance: where the metadata was taken from or checked (URLs, or"
        " 'list:<owner/repo>@<commit>' for a public paper list).",
        examples=[["https://arxiv.org/abs/2106.09685"]],
    )
    extra: dict[Annotated[str, StringConstraints(pattern=EXTRA_FIELD_PATTERN)], Text] = Field(
        default_factory=dict,
        description="Further BibTeX fields carried without loss (pages, volume, publisher, ...).",
        examples=[{"pages": "1--12", "publisher": "PMLR"}],
    )

    def to_data(self, mode: Literal["json", "python"] = "json") -> dict[str, Any]:
        """The entry as plain data in catalog field order, empty optional fields left out.

        ``mode="json"`` gives JSON types (dates as ISO strings); ``"python"`` keeps ``date`` so
        YAML writes it unquoted.
        """
        data = self.model_dump(mode=mode, exclude_defaults=True)
        data["key"] = self.key
        return {name: data[name] for name in FIELD_ORDER if name in data}


FIELD_ORDER: tuple[str, ...] = tuple(Reference.model_fields)


class TaxonomyNode(BaseModel):
    """One node of the taxonomy tree."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NodeId = Field(
        description="Stable dotted id; a child's id is its parent's id plus one segment.",
        examples=["inference.quantization.post-training"],
    )
    parent: NodeId | None = Field(
        default=None, description="Id of the parent node; absent for the five top-level dimensions."
    )
    title: Text = Field(description="Human-readable name.", examples=["Post-Training Quantization"])
    description: Text = Field(description="One sentence on what belongs here.")
    origin: Literal["survey", "extension"] = Field(
        description="'survey' for nodes of the survey's overview figure, 'extension' for ours."
    )
    section: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")] | None = Field(
        default=None,
        description="Survey section (§) holding the node; survey nodes only.",
        examples=["7"],
    )
    aliases: list[NodeId] = Field(
        default_factory=list,
        description="Other names usable in queries, e.g. 'ptq'.",
        examples=[["ptq"]],
    )


class Metric(BaseModel):
    """One value of the flat efficiency-metric facet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NodeId
    title: Text
    description: Text


class TaxonomyFile(BaseModel):
    """The layout of ``taxonomy.yaml``."""

    model_config = ConfigDict(extra="forbid")

    nodes: list[TaxonomyNode] = Field(min_length=1)
    metrics: list[Metric] = Field(default_factory=list)


VenueKind = Literal["conference", "journal", "workshop", "preprint"]
#: The entry type each kind of venue calls for.
TYPE_FOR_KIND: dict[str, str] = {
    "conference": "inproceedings",
    "workshop": "inproceedings",
    "journal": "article",
    "preprint": "misc",
}


class Venue(BaseModel):
    """One venue of the canonical venue table (``venues.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    short: Text = Field(
        description="The canonical short name, written in an entry's 'venue:'.", examples=["ICML"]
    )
    name: Text = Field(
        description="Full name, used by `export --venue-style full` when no edition name applies.",
        examples=["International Conference on Machine Learning"],
    )
    kind: VenueKind = Field(
        description="conference or workshop (entries are inproceedings), journal (article),"
        " preprint (misc)."
    )
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other spellings; validate points them to the short name, import maps them.",
        examples=[["NIPS"]],
    )
    edition: Text | None = Field(
        default=None,
        description="Full name of one year's proceedings: a template with {year}, {yy}, {number},"
        " {ordinal} (41st) and {Ordinal} (Forty-First).",
        examples=["Proceedings of the {ordinal} International Conference on Machine Learning"],
    )
    first: int | None = Field(
        default=None, description="Year of edition 1 (gives {number} and the ordinals)."
    )
    since: int | None = Field(default=None, description="First year the edition template fits.")
    editions: dict[int, Text] = Field(
        default_factory=dict,
        description="Full names of single years where the numbering is irregular.",
    )
    publisher: Text | None = Field(default=None, description="Publisher.")
    doi_prefix: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}$")] | None = Field(
        default=None, description="DOI prefix of the publisher's records."
    )


class VenueFile(BaseModel):
    """The layout of ``venues.yaml``."""

    model_config = ConfigDict(extra="forbid")

    venues: list[Venue] = Field(min_length=1)
