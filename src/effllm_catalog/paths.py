"""Where a catalog lives: the bundled one, ``$EFFLLM_CATALOG`` or ``--catalog``; its file names.

Kept free of YAML and pydantic: the search fast path finds and hashes the catalog through this module.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CatalogNotFoundError

__all__ = [
    "ENV_CACHE_DIR",
    "ENV_CATALOG",
    "ENV_FORCE_TTY",
    "REFERENCES_DIR",
    "REFERENCES_FILE",
    "TAXONOMY_FILE",
    "bundled_catalog_dir",
    "cache_dir",
    "catalog_files",
    "package_dir",
    "resolve_catalog_dir",
]

TAXONOMY_FILE = "taxonomy.yaml"
REFERENCES_FILE = "references.yaml"
#: Optional folder of further reference files (``references/*.yaml``), read after ``references.yaml``.
REFERENCES_DIR = "references"
ENV_CATALOG = "EFFLLM_CATALOG"
#: Where the search index and write locks are kept (default: the user cache folder).
ENV_CACHE_DIR = "EFFLLM_CACHE_DIR"
#: Set to draw tables even when stdout is not a terminal.
ENV_FORCE_TTY = "EFFLLM_FORCE_TTY"


def cache_dir() -> Path:
    """``$EFFLLM_CACHE_DIR``, else the user cache directory (``~/.cache/effllm-catalog``)."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("effllm-catalog", appauthor=False))


def package_dir() -> Path:
    """The installed ``effllm_catalog`` package folder (no importlib.resources: it costs 8 ms)."""
    return Path(__file__).resolve().parent


def bundled_catalog_dir() -> Path:
    """The catalog shipped with the package (inside the wheel, or ``data/`` in a source checkout)."""
    packaged = package_dir() / "data"
    if (packaged / TAXONOMY_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "data"


def resolve_catalog_dir(explicit: Path | str | None = None) -> Path:
    """``--catalog DIR`` > ``$EFFLLM_CATALOG`` > the bundled catalog."""
    if explicit is not None:
        chosen, origin = Path(explicit), "--catalog"
    elif os.environ.get(ENV_CATALOG):
        chosen, origin = Path(os.environ[ENV_CATALOG]), f"${ENV_CATALOG}"
    else:
        chosen, origin = bundled_catalog_dir(), "the bundled catalog"
    if chosen.is_file() and chosen.name != TAXONOMY_FILE:
        chosen = chosen.parent
    if not (chosen / TAXONOMY_FILE).is_file():
        raise CatalogNotFoundError(
            f"no catalog here: {TAXONOMY_FILE} not found (from {origin})",
            file=str(chosen),
            hint=f"point --catalog or ${ENV_CATALOG} at a folder holding {TAXONOMY_FILE} and"
            f" {REFERENCES_FILE}",
            check="unreadable",
        )
    return chosen


def catalog_files(directory: Path) -> list[Path]:
    """The reference files of a catalog folder, in reading order."""
    files = []
    main = directory / REFERENCES_FILE
    if main.is_file():
        files.append(main)
    extra = directory / REFERENCES_DIR
    if extra.is_dir():
        files.extend(sorted(p for p in extra.glob("*.yaml") if p.is_file()))
    return files
