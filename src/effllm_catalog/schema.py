"""JSON Schema for the catalog files, generated from the pydantic models.

The references schema inlines the taxonomy's node ids as an enum on ``tags`` (and metric ids on
``metrics``), so editors using yaml-language-server complete and check tags as you type.
"""

from __future__ import annotations

import copy
from typing import Any

from .models import Reference, TaxonomyFile
from .taxonomy import Taxonomy

__all__ = ["SCHEMAS", "references_schema", "taxonomy_schema"]

_BASE = "https://github.com/effllm-catalog/effllm-catalog/schema"


def references_schema(taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Schema of a references file: a list of entries."""
    entry = copy.deepcopy(Reference.model_json_schema())
    if taxonomy is not None:
        props = entry["properties"]
        props["tags"]["items"] = {"enum": sorted(taxonomy.by_id)}
        if taxonomy.metric_ids:
            props["metrics"]["items"] = {"enum": sorted(taxonomy.metric_ids)}
    defs = entry.pop("$defs", {})
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_BASE}/references.schema.json",
        "title": "effllm-catalog references file",
        "description": "A list of papers; see docs/catalog-format.md.",
        "type": "array",
        "items": {"$ref": "#/$defs/Reference"},
        "$defs": {**defs, "Reference": entry},
    }
    return schema


def taxonomy_schema(taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Schema of ``taxonomy.yaml``."""
    schema = copy.deepcopy(TaxonomyFile.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{_BASE}/taxonomy.schema.json"
    schema["title"] = "effllm-catalog taxonomy file"
    return schema


SCHEMAS = {"references": references_schema, "taxonomy": taxonomy_schema}
