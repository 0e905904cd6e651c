"""effllm-catalog: a validated, searchable catalog of LLM-efficiency papers.

>>> from effllm_catalog import load_catalog
>>> catalog = load_catalog()          # the bundled catalog, or $EFFLLM_CATALOG
>>> ref = catalog.get("hu2022lora")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "CatalogError",
    "Issue",
    "Reference",
    "Report",
    "Taxonomy",
    "VenueTable",
    "__version__",
    "load_catalog",
    "load_venues",
    "validate_catalog",
]

if TYPE_CHECKING:
    from .catalog import Catalog
    from .errors import CatalogError
    from .findings import Issue, Report
    from .models import Reference
    from .taxonomy import Taxonomy
    from .validate import load_catalog, validate_catalog
    from .venues import VenueTable, load_venues

# Imported on first use so that `effllm --help` does not pay for pydantic.
_LAZY = {
    "Catalog": "catalog",
    "load_catalog": "validate",
    "CatalogError": "errors",
    "Issue": "findings",
    "Report": "findings",
    "Reference": "models",
    "Taxonomy": "taxonomy",
    "validate_catalog": "validate",
    "VenueTable": "venues",
    "load_venues": "venues",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
