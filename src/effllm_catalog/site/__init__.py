"""The static website of the catalog (``effllm site``): pages, charts, search data.

Only :mod:`effllm_catalog.site.build` and the CLI's ``site`` command import this package, so Jinja2
is loaded by nothing else.
"""

from __future__ import annotations

from .build import SiteResult, build_site, render_site, safe_url, write_site

__all__ = ["SiteResult", "build_site", "render_site", "safe_url", "write_site"]
