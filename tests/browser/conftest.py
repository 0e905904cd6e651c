"""Browser fixtures: the bundled catalog's site built once, Debian's chromium driven by Playwright.

These tests run when ``EFFLLM_BROWSER_TESTS=1`` (``.ci/run`` sets it after installing chromium,
``.[site-test]`` and axe-core); then anything missing is a failure, never a skip. Without the variable
they are skipped with a reason that says how to run them (``pytest -ra`` lists it).

Screenshots of every page kind are written to ``$EFFLLM_ARTIFACTS`` (default
``build/browser-artifacts/``, ignored by git).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("EFFLLM_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("EFFLLM_ARTIFACTS", REPO / "build" / "browser-artifacts"))
# The flags Debian's chromium needs here: root (no sandbox), no GPU, and none of the background
# connections it would otherwise try (the machine's network is closed and they would fail noisily).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
REQUIRED = os.environ.get("EFFLLM_BROWSER_TESTS") == "1"
HOW = (
    "apt-get install -y chromium; pip install -e '.[site-test]';"
    " npm install --prefix tests/browser; EFFLLM_BROWSER_TESTS=1 pytest tests/browser"
)


def _missing() -> list[str]:
    problems = []
    if not Path(CHROMIUM).is_file():
        problems.append(f"no chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Playwright for Python is not installed")
    if not AXE.is_file():
        problems.append(f"axe-core is not installed ({AXE})")
    return problems


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (with the reason) unless asked for; when asked for, missing tools fail every test."""
    here = Path(__file__).resolve().parent
    ours = [i for i in items if here in Path(str(i.fspath)).resolve().parents]
    if not ours:
        return
    if not REQUIRED:
        marker = pytest.mark.skip(reason=f"browser tests run with EFFLLM_BROWSER_TESTS=1 ({HOW})")
        for item in ours:
            item.add_marker(marker)


@dataclass
class Site:
    """The built site and what the tests need to know about it."""

    root: Path
    catalog: Any

    def url(self, rel: str = "index.html") -> str:
        """The file:// URL of a page."""
        return (self.root / rel).as_uri()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The bundled catalog's site, built once per session."""
    if REQUIRED and (problems := _missing()):
        pytest.fail("browser tests cannot run: " + "; ".join(problems) + f" (install: {HOW})")
    from effllm_catalog import load_catalog
    from effllm_catalog.site import build_site

    catalog = load_catalog(REPO / "data")
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(catalog, out)
    return Site(out, catalog)


@pytest.fixture(scope="session")
def browser(site: Site) -> Iterator[Any]:
    """Debian's chromium, headless, for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Watch:
    """Everything a page did that the tests check: console errors, requests, dialogs."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def _local(url: str) -> bool:
    return url.startswith(("file://", "data:", "about:", "http://localhost", "http://127.0.0.1"))


def new_page(browser: Any, *, color_scheme: str = "light", **options: Any) -> tuple[Any, Watch]:
    """A page in a fresh context that records console errors and requests, and blocks (and records)
    every request that would leave the machine."""
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, color_scheme=color_scheme, **options
    )
    watch = Watch()

    def route(r: Any) -> None:
        if _local(r.request.url):
            r.continue_()
        else:
            watch.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on("request", lambda r: watch.requests.append(r.url))

    def dialog(d: Any) -> None:
        watch.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return page, watch


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A watched page; after the test, no console error, no dialog and no request off the machine."""
    pg, watch = new_page(browser, permissions=["clipboard-read", "clipboard-write"])
    yield pg, watch
    pg.context.close()
    assert watch.errors == [], f"console errors: {watch.errors}"
    assert watch.blocked == [], f"requests that would leave the machine: {watch.blocked}"
    assert [u for u in watch.requests if not _local(u)] == []
    assert watch.dialogs == []


def screenshot(pg: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot as a test artefact and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


def copy_to_docs(path: Path, name: str) -> None:
    """Refresh a screenshot the README shows, when asked to (``UPDATE_SCREENSHOTS=1``)."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        target = REPO / "docs" / "img" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
