"""The static site (``effllm site``): pages, determinism, safe writing, inert hostile input.

Browser behaviour (search, filters, copy, accessibility) is tested in tests/browser/.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from effllm_catalog import load_catalog
from effllm_catalog.catalog import Catalog, Entry
from effllm_catalog.cli import app
from effllm_catalog.errors import WriteError
from effllm_catalog.models import Person, Reference
from effllm_catalog.site import build_site, render_site, safe_url
from effllm_catalog.site.build import MARKER, node_path, paper_path

from .conftest import QLORA, SPARSEGPT, MakeCatalog

HOSTILE = """\
- key: evil2024script
  type: inproceedings
  title: '<script>alert(1)</script> Fast <b>Inference</b>'
  authors:
  - 'Evil, <img src=x onerror=alert(2)>'
  - '</script><script>alert(3)</script>'
  year: 2024
  venue: '</a><script>alert(4)</script>'
  doi: '10.1234/"><script>alert(5)</script>'
  arxiv: '2401.00001'
  url: https://example.org/paper?a=1&b=2
  code: https://example.org/code'onmouseover=alert(6)
  names:
  - '"><svg onload=alert(7)>'
  summary: '<iframe src="javascript:alert(8)"></iframe> {{ 7*7 }} {% raw %}'
  tags:
  - inference.quantization
  extra:
    note: '<a href="javascript:alert(9)">click</a>'
"""


class _Audit(HTMLParser):
    """Collects every element, attribute and URL of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _audit(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Audit()
    parser.feed(html)
    return parser.tags


def _html_pages(files: dict[str, bytes]) -> dict[str, str]:
    return {k: v.decode("utf-8") for k, v in files.items() if k.endswith(".html")}


def test_site_has_a_page_per_node_and_paper_plus_home_and_stats(make_catalog: MakeCatalog) -> None:
    """Home, stats, one page per taxonomy node and one per paper; each links its assets relatively."""
    catalog = load_catalog(make_catalog())
    files = render_site(catalog)
    pages = _html_pages(files)
    assert {"index.html", "stats.html"} <= set(pages)
    assert {p for p in pages if p.startswith("node/")} == {
        node_path(n) for n in catalog.taxonomy.by_id
    }
    assert {p for p in pages if p.startswith("paper/")} == {
        paper_path(r.key) for r in catalog.references
    }
    paper = pages[paper_path("frantar2023sparsegpt")]
    assert 'href="../assets/style.css"' in paper
    assert 'src="../assets/site.js"' in paper
    assert 'href="assets/style.css"' in pages["index.html"]


def test_node_page_lists_papers_below_it_and_sub_nodes_with_counts(
    make_catalog: MakeCatalog,
) -> None:
    """A node page lists papers tagged with it or a descendant, with filter data, and its children."""
    catalog = load_catalog(make_catalog())
    page = render_site(catalog)[node_path("inference")].decode()
    assert "SparseGPT: Massive Language Models" in page
    assert "QLoRA: Efficient Finetuning" in page
    assert 'data-year="2023"' in page and 'data-code="1"' in page and 'data-code="0"' in page
    assert f'href="../{node_path("inference.quantization")}"' in page
    # The quantization child holds one paper (QLoRA); its count is shown next to the link.
    assert re.search(
        r'inference\.quantization\.html">Quantization</a> <span class="count">1<', page
    )
    leaf = render_site(catalog)[node_path("budget.scaling-laws")].decode()
    assert "No paper in the catalog is tagged here yet." in leaf


def test_paper_page_has_metadata_links_citations_and_same_node(make_catalog: MakeCatalog) -> None:
    """A paper page shows authors, venue, links, BibTeX and biblatex blocks with copy buttons, and
    the other papers of its nodes."""
    extra = """\
- key: sun2024wanda
  type: inproceedings
  title: A Simple and Effective Pruning Approach for Large Language Models
  authors:
  - Sun, Mingjie
  year: 2024
  venue: ICLR
  names:
  - Wanda
  summary: Prunes by weight times activation.
  tags:
  - inference.pruning.unstructured
"""
    catalog = load_catalog(make_catalog(SPARSEGPT + QLORA + extra))
    files = render_site(catalog)
    page = files[paper_path("frantar2023sparsegpt")].decode()
    assert "Elias Frantar, Dan Alistarh" in page
    assert 'href="https://arxiv.org/abs/2301.00774"' in page
    assert 'href="https://github.com/IST-DASLab/sparsegpt"' in page
    assert "@inproceedings{frantar2023sparsegpt," in page
    assert "archiveprefix = {arXiv}" in page  # the biblatex block
    assert page.count('class="copy"') == 2
    assert "Other papers in the same node" in page and "A Simple and Effective Pruning" in page
    wanda = files[paper_path("sun2024wanda")].decode()
    assert "Also known as <b>Wanda</b>" in wanda
    assert "Prunes by weight times activation." in wanda


def test_same_catalog_gives_the_same_bytes_whatever_the_file_order(
    make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """Building twice, or from the same entries in another order, gives identical files."""
    first = render_site(load_catalog(make_catalog(SPARSEGPT + QLORA)))
    assert render_site(load_catalog(make_catalog(SPARSEGPT + QLORA))) == first
    assert render_site(load_catalog(make_catalog(QLORA + SPARSEGPT))) == first
    joined = b"".join(first.values())
    assert str(tmp_path).encode() not in joined  # no absolute path of the build machine


def test_search_data_holds_every_paper_and_no_markup(make_catalog: MakeCatalog) -> None:
    """The search index script carries title, names, summary and authors of every paper, as JSON in
    which no '<', '>' or '&' survives."""
    catalog = load_catalog(make_catalog(SPARSEGPT + QLORA + HOSTILE))
    script = render_site(catalog)["assets/search-data.js"].decode()
    assert not re.search(r"[<>&]", script)
    prefix = 'window["EFFLLM_SEARCH"]='
    assert script.startswith(prefix)
    data = json.loads(script[len(prefix) :].rstrip(";\n"))
    by_path = {d["p"]: d for d in data["docs"]}
    assert set(by_path) == {paper_path(r.key) for r in catalog.references}
    evil = by_path[paper_path("evil2024script")]
    assert evil["t"] == "<script>alert(1)</script> Fast <b>Inference</b>"
    assert evil["n"] == '"><svg onload=alert(7)>'
    assert "Evil, <img src=x onerror=alert(2)>" not in evil["a"]  # displayed as "Given Family"
    assert "<img src=x onerror=alert(2)> Evil" in evil["a"]


def test_hostile_text_renders_as_text_on_every_page(make_catalog: MakeCatalog) -> None:
    """Markup in titles, authors, venue, DOI, names, summary and extra fields is escaped: no page
    gains a script, an event handler, an iframe or a link that is not http(s) or relative."""
    files = render_site(
        load_catalog(make_catalog(SPARSEGPT + HOSTILE)), title="<script>alert(0)</script>"
    )
    for path, html in _html_pages(files).items():
        for tag, attrs in _audit(html):
            assert tag not in {"iframe", "img", "object", "embed", "svg"} or (
                tag == "svg" and path == "stats.html"
            ), (path, tag)
            if tag == "script":
                assert attrs.get("src", "").endswith("assets/site.js"), (path, attrs)
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            for name in ("href", "src", "action"):
                url = attrs.get(name)
                if url is None:
                    continue
                assert re.match(r"^(https?://|[a-z0-9.#~_-]|\.\./)", url, re.I), (path, url)
                assert not re.match(r"^\s*(javascript|data|vbscript):", url, re.I), (path, url)
    page = files[paper_path("evil2024script")].decode()
    assert (
        "<h1>&lt;script&gt;alert(1)&lt;/script&gt; Fast &lt;b&gt;Inference&lt;/b&gt;</h1>" in page
    )
    assert "{{ 7*7 }}" in page  # template syntax in data is not evaluated
    links = page.split('class="links"')[1].split("</ul>")[0]
    assert 'href="https://example.org/paper?a=1&amp;b=2"' in links
    assert "alert(6)" not in links  # a URL with a quote in it is shown nowhere as a link


def test_safe_url_keeps_only_absolute_http_urls() -> None:
    """Only http(s) URLs with a host become links; script, data, relative and disguised URLs do not."""
    assert safe_url("https://github.com/microsoft/LoRA") == "https://github.com/microsoft/LoRA"
    assert safe_url("http://example.org/a?b=1") == "http://example.org/a?b=1"
    for bad in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "/relative",
        "https:///nohost",
        'https://example.org/"onmouseover="x',
        "https://example.org/\u202egnp.exe",
        "",
        None,
    ):
        assert safe_url(bad) is None, bad


def test_a_reference_that_skipped_validation_still_gets_no_script_link(
    make_catalog: MakeCatalog,
) -> None:
    """A library user who builds references without validation (model_construct) cannot put a
    javascript: URL into a page: the link is dropped."""
    catalog = load_catalog(make_catalog(SPARSEGPT))
    ref = Reference.model_construct(
        key="bad2024url",
        type="misc",
        title="Bad URL",
        authors=[Person(family="Bad")],
        year=2024,
        url="javascript:alert(1)",
        code="javascript:alert(2)",
        tags=["inference.pruning"],
        names=[],
        metrics=[],
        extra={},
        sources=[],
    )
    forged = Catalog(catalog.taxonomy, [*catalog.entries, Entry(ref, "x.yaml", 1)])
    files = render_site(forged)
    for html in _html_pages(files).values():
        for _, attrs in _audit(html):
            assert not any("javascript:" in (v or "") for v in attrs.values()), attrs
    assert "url = {javascript:alert(1)}" in files[paper_path("bad2024url")].decode()  # as text


def test_paper_path_is_one_to_one_and_safe_for_file_systems() -> None:
    """Keys with ':' (allowed in citation keys) map to file names without ':'; distinct keys never
    share a page."""
    keys = ["a:b", "a-b", "a.b", "a_b", "a+b", "ab"]
    paths = [paper_path(k) for k in keys]
    assert len(set(paths)) == len(keys)
    assert all(":" not in p for p in paths)
    assert paper_path("a:b") == "paper/a~b.html"


def test_stats_charts_are_accessible_svg_with_their_numbers_in_tables(
    make_catalog: MakeCatalog,
) -> None:
    """Each chart is an SVG with role=img, a title and a description, followed by a data table whose
    numbers are the catalog's."""
    html = render_site(load_catalog(make_catalog()))["stats.html"].decode()
    assert html.count('role="img"') == 3
    assert html.count("<desc id=") == 3
    assert html.count("<table>") == 3
    # Both papers are from 2023, one of them with code.
    assert '<tr><th scope="row">2023</th><td>2</td><td>1</td><td>50%</td></tr>' in html
    assert '<tr><th scope="row">ICML</th><td>1</td></tr>' in html


def test_write_site_replaces_its_own_site_and_refuses_other_folders(
    make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """A folder built by `effllm site` is replaced whole (stale pages go); a non-empty folder it did
    not build, or a file, is refused and left untouched."""
    catalog = load_catalog(make_catalog())
    out = tmp_path / "site"
    build_site(catalog, out)
    stale = out / "paper" / "gone.html"
    stale.write_text("old", encoding="utf-8")
    result = build_site(catalog, out)
    assert not stale.exists()
    assert (out / MARKER).is_file()
    assert result.pages == {"index": 1, "node": len(catalog.taxonomy), "paper": 2, "stats": 1}
    assert result.size == sum(p.stat().st_size for p in out.rglob("*") if p.is_file())

    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(WriteError, match="not built by `effllm site`"):
        build_site(catalog, other)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    a_file = tmp_path / "file.html"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(WriteError, match="is a file"):
        build_site(catalog, a_file)
    assert not list(tmp_path.glob(".site.*")), "no staging folder left behind"


def test_cli_site_writes_the_site_and_reports(
    make_catalog: MakeCatalog, tmp_path: Path, runner: object
) -> None:
    """`effllm site -o DIR --format json` builds the site and reports pages per kind on stdout."""
    from typer.testing import CliRunner

    assert isinstance(runner, CliRunner)
    folder = make_catalog()
    out = tmp_path / "public"
    result = runner.invoke(app, ["site", "-o", str(out), "--catalog", str(folder), "-f", "json"])
    assert result.exception is None, result.output
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["pages"]["paper"] == 2
    assert data["files"] == len([p for p in out.rglob("*") if p.is_file()])
    assert (out / "index.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_site_refuses_a_foreign_folder_with_a_located_error(
    make_catalog: MakeCatalog, tmp_path: Path, runner: object
) -> None:
    """Building into a folder with other files exits 1 with the folder named and a hint, and no
    traceback."""
    from typer.testing import CliRunner

    assert isinstance(runner, CliRunner)
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.md").write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["site", "-o", str(out), "--catalog", str(make_catalog())])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception
    assert f"error: {out}" in result.stderr
    assert "choose a new or empty folder" in result.stderr
    assert (out / "index.md").read_text(encoding="utf-8") == "# mine\n"


def test_metric_filter_appears_only_where_papers_carry_metrics(make_catalog: MakeCatalog) -> None:
    """A node whose papers are tagged with efficiency metrics offers a metric filter naming them by
    their titles; a node without such papers offers none."""
    tagged = QLORA.replace("  tags:\n", "  metrics:\n  - memory\n  tags:\n")
    files = render_site(load_catalog(make_catalog(SPARSEGPT + tagged)))
    quant = files[node_path("inference.quantization")].decode()
    assert '<select name="metric" id="f-metric">' in quant
    assert re.search(r'<option value="memory">[^<]*[Mm]emory[^<]*</option>', quant)
    assert 'data-metrics="memory"' in quant
    pruning = files[node_path("inference.pruning")].decode()
    assert 'id="f-metric"' not in pruning


def test_same_bytes_under_different_hash_seeds(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    """Two builds in processes with different string-hash seeds write identical files, even with
    venues that differ only in case (set order must never reach the output)."""
    import os
    import subprocess
    import sys

    other = QLORA.replace("venue: NeurIPS", "venue: neurips")
    folder = make_catalog(SPARSEGPT.replace("venue: ICML", "venue: NeurIPS") + other)
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "effllm_catalog", "site", "-C", str(folder), "-o", str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    node = trees[0][Path(node_path("inference"))].decode()
    assert node.index('<option value="NeurIPS">') < node.index('<option value="neurips">')


def test_readme_shows_a_screenshot_of_the_site() -> None:
    """The README links a screenshot of the site that exists in the repository, and docs/site.md
    shows the ones it names."""
    repo = Path(__file__).resolve().parent.parent
    for doc in ("README.md", "docs/site.md"):
        text = (repo / doc).read_text(encoding="utf-8")
        images = re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", text)
        assert images, doc
        for image in images:
            assert ((repo / doc).parent / image).is_file(), (doc, image)
