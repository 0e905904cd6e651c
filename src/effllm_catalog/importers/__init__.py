"""Importers: other formats -> catalog entry drafts. Registered in :data:`IMPORTERS`."""

from __future__ import annotations

from effllm_catalog.importers.bibtex import Draft, parse_bibtex

__all__ = ["IMPORTERS", "Draft", "parse_bibtex"]

IMPORTERS = {"bibtex": parse_bibtex}
