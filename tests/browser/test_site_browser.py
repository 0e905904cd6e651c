"""The built site in a real browser (Debian's chromium via Playwright), opened from file://.

Every test's page is watched (see conftest): a console error, a dialog, or a request that is not
file:// fails the test. Screenshots of each page kind are kept in build/browser-artifacts/.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from effllm_catalog.site.build import node_path, paper_path

from .conftest import AXE, Site, Watch, copy_to_docs, new_page, screenshot

Page = tuple[Any, Watch]


def _busiest_node(site: Site) -> str:
    """The non-root node with most papers below it (a page where filters have work to do)."""
    tax = site.catalog.taxonomy
    sizes = Counter()
    for ref in site.catalog:
        for node in {a for t in ref.tags for a in [t, *tax.ancestors(t)] if tax.by_id[a].parent}:
            sizes[node] += 1
    return min(sizes, key=lambda n: (-sizes[n], n))


def _visible_years(pg: Any) -> list[int]:
    return [
        int(y)
        for y in pg.eval_on_selector_all(
            "#papers li:not([hidden])", "l => l.map(e => e.dataset.year)"
        )
    ]


def test_home_opens_from_file_and_a_node_link_leads_to_its_page(site: Site, page: Page) -> None:
    """From file://, the home page shows the taxonomy tree with counts; clicking a node opens its
    page with its description and papers."""
    pg, _ = page
    pg.goto(site.url())
    assert pg.locator("h1").inner_text() == "Efficient LLM papers"
    tree_links = pg.locator(".tree a")
    assert tree_links.count() == len(site.catalog.taxonomy)
    copy_to_docs(screenshot(pg, "home"), "site-home.png")
    node_id = _busiest_node(site)
    node = site.catalog.taxonomy.by_id[node_id]
    with pg.expect_navigation():
        pg.locator(f'.tree a[href="{node_path(node_id)}"]').click()
    assert pg.url == site.url(node_path(node_id))
    assert pg.locator("h1").inner_text() == node.title
    assert node.description in pg.locator(".lead").inner_text()
    assert pg.locator("#papers li").count() > 1
    screenshot(pg, "node")


def test_year_filter_and_sort_work_without_reloading(site: Site, page: Page) -> None:
    """Setting 'from' and 'to' years hides papers outside the range and updates the count; sorting
    by title reorders the list; the page is never reloaded."""
    pg, _ = page
    node_id = _busiest_node(site)
    pg.goto(site.url(node_path(node_id)))
    pg.evaluate("window.__same_page = true")
    years = sorted(set(_visible_years(pg)))
    assert len(years) >= 2, "the busiest node should span several years"
    start, end = years[len(years) // 2], years[-1]
    total = len(_visible_years(pg))
    pg.fill("#f-from", str(start))
    pg.fill("#f-to", str(end))
    shown = _visible_years(pg)
    assert shown and all(start <= y <= end for y in shown)
    assert len(shown) < total
    assert pg.locator("#paper-count").inner_text() == str(len(shown))
    assert pg.locator("#filter-status").inner_text() == f"{len(shown)} of {total} shown"
    pg.select_option("#f-sort", "title")
    titles = pg.eval_on_selector_all("#papers li:not([hidden])", "l => l.map(e => e.dataset.title)")
    assert titles == sorted(titles)
    pg.check("#f-code")
    assert all(
        c == "1"
        for c in pg.eval_on_selector_all(
            "#papers li:not([hidden])", "l => l.map(e => e.dataset.code)"
        )
    )
    assert pg.evaluate("window.__same_page") is True
    screenshot(pg, "node-filtered")


def _search_target(site: Site) -> Any:
    """A paper to look for: one with short names if any (names are searchable), else the first."""
    refs = sorted(site.catalog, key=lambda r: (not r.names, r.key))
    return refs[0]


def test_typing_a_query_shows_results_and_opening_one_shows_the_paper(
    site: Site, page: Page
) -> None:
    """Typing a paper's title into the search box lists it as you type; following the result opens
    its page."""
    pg, _ = page
    ref = _search_target(site)
    pg.goto(site.url())
    pg.locator("#q").click()
    pg.keyboard.type(ref.title)
    result = pg.locator("#search-results a", has_text=ref.title).first
    result.wait_for()
    assert "paper" in pg.locator("#search-status").inner_text()
    screenshot(pg, "search")
    with pg.expect_navigation():
        result.click()
    assert pg.url == site.url(paper_path(ref.key))
    assert pg.locator("h1").inner_text() == ref.title


def test_search_results_are_reachable_by_keyboard(site: Site, page: Page) -> None:
    """Arrow down from the search box focuses the first result, again the second, up goes back;
    Enter opens the focused paper."""
    pg, _ = page
    words = Counter(w.lower() for r in site.catalog for w in r.title.split() if w.isalpha())
    common = max(words, key=lambda w: (words[w] if len(w) >= 5 else 0, w))
    pg.goto(site.url())
    pg.locator("#q").fill(common)
    links = pg.locator("#search-results a")
    links.first.wait_for()
    assert links.count() >= 2, f"'{common}' should match several papers"
    second = links.nth(1).get_attribute("href")
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowUp")
    pg.keyboard.press("ArrowDown")
    assert pg.evaluate("document.activeElement.getAttribute('href')") == second
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert pg.url == site.url(second or "")


def test_search_covers_authors(site: Site, page: Page) -> None:
    """A family name that only one paper's authors have finds that paper."""
    pg, _ = page
    families = Counter(a.family for r in site.catalog for a in set(r.authors))
    ref, name = next(
        (r, a.family)
        for r in sorted(site.catalog, key=lambda r: r.key)
        for a in r.authors
        if families[a.family] == 1 and a.family.isalpha() and len(a.family) >= 6
    )
    pg.goto(site.url(node_path(site.catalog.taxonomy.roots[0])))
    pg.locator("#q").fill(name)
    pg.locator("#search-results a", has_text=ref.title).first.wait_for()


def test_paper_page_has_copy_buttons_that_copy_the_citation(site: Site, page: Page) -> None:
    """A paper page shows BibTeX and biblatex with a Copy button each; pressing one puts the entry
    on the clipboard."""
    pg, _ = page
    ref = _search_target(site)
    pg.goto(site.url(paper_path(ref.key)))
    buttons = pg.locator("button.copy")
    assert buttons.count() == 2
    assert buttons.first.is_visible()
    copy_to_docs(screenshot(pg, "paper", full_page=True), "site-paper.png")
    buttons.first.click()
    pg.locator("button.copy", has_text="Copied").wait_for()
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@") and ref.key in copied


def test_stats_page_shows_charts_with_tables(site: Site, page: Page) -> None:
    """The stats page draws three SVG charts, each announced as an image with a title and followed by
    its data table."""
    pg, _ = page
    pg.goto(site.url("stats.html"))
    charts = pg.locator("svg.chart[role=img]")
    assert charts.count() == 3
    for i in range(3):
        assert charts.nth(i).is_visible()
        assert charts.nth(i).locator("title").first.text_content()
    pg.locator("details summary").first.click()
    assert pg.locator("details table").first.is_visible()
    screenshot(pg, "stats", full_page=True)


def test_pages_are_readable_without_javascript(site: Site, browser: Any) -> None:
    """With JavaScript off, the tree, the paper list and the citations are all there; the controls
    that need a script (filters, copy buttons) stay hidden rather than broken."""
    pg, watch = new_page(browser, java_script_enabled=False)
    pg.goto(site.url())
    assert pg.locator(".tree a").first.is_visible()
    node_id = _busiest_node(site)
    pg.goto(site.url(node_path(node_id)))
    assert pg.locator("#papers li").first.is_visible()
    assert not pg.locator("#filters").is_visible()
    ref = _search_target(site)
    pg.goto(site.url(paper_path(ref.key)))
    assert pg.locator("pre#bibtex").is_visible()
    assert not pg.locator("button.copy").first.is_visible()
    pg.context.close()
    assert watch.errors == [] and watch.blocked == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(site: Site, browser: Any, scheme: str) -> None:
    """axe-core finds no serious or critical violation on any page kind, in light and dark themes
    (colour contrast included), nor with search results open."""
    pg, watch = new_page(browser, color_scheme=scheme, bypass_csp=True)
    ref = _search_target(site)
    targets = {
        "home": "index.html",
        "node": node_path(_busiest_node(site)),
        "paper": paper_path(ref.key),
        "stats": "stats.html",
    }
    found: dict[str, list[str]] = {}
    for kind, rel in [*targets.items(), ("search", "index.html")]:
        pg.goto(site.url(rel))
        if kind == "search":
            pg.locator("#q").fill(ref.title.split()[0])
            pg.locator("#search-results a").first.wait_for()
        if kind == "stats":
            for summary in pg.locator("details summary").all():
                summary.click()
        pg.add_script_tag(path=str(AXE))
        # preload off: axe would XHR the stylesheets, which file:// refuses (a console error).
        result = pg.evaluate("axe.run(document, {resultTypes: ['violations'], preload: false})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            found[kind] = bad
    if scheme == "dark":
        screenshot(pg, "search-dark")
    pg.context.close()
    assert found == {}
    assert watch.errors == [] and watch.blocked == []


def test_hostile_catalog_text_does_nothing_in_the_browser(
    browser: Any, tmp_path: Any, site: Site
) -> None:
    """A catalog whose title, authors, names and summary hold script and event-handler markup
    builds a site where that text shows literally: no dialog opens, no script runs, nothing loads."""
    import shutil

    from effllm_catalog import load_catalog
    from effllm_catalog.site import build_site
    from tests.test_site import HOSTILE

    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copy(site.catalog.taxonomy.file, folder / "taxonomy.yaml")
    (folder / "references.yaml").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "site"
    build_site(load_catalog(folder), out)
    pg, watch = new_page(browser)
    pg.goto((out / paper_path("evil2024script")).as_uri())
    assert pg.locator("h1").inner_text() == "<script>alert(1)</script> Fast <b>Inference</b>"
    assert '"><svg onload=alert(7)>' in pg.locator(".names").inner_text()
    pg.goto((out / "index.html").as_uri())
    pg.locator("#q").fill("inference")
    pg.locator("#search-results a").first.wait_for()
    assert pg.locator("#search-results a").first.inner_text().startswith("<script>")
    pg.locator("#q").fill("svg onload")
    pg.wait_for_timeout(200)
    pg.context.close()
    assert watch.dialogs == []
    assert watch.blocked == []
    assert watch.errors == []
