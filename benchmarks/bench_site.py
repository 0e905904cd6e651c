"""Benchmark: the static site's budgets on the bundled catalog (issue 13).

Measures, and prints next to each budget and a named baseline:

- build: ``effllm site`` as a whole process, median of runs; baseline ``effllm export json`` of the
  same catalog (the cost of loading and validating it and writing one file). Budget 10 s.
- home page weight: the bytes of every file the browser fetches to show ``index.html`` before the
  search box is used, uncompressed (what file:// reads) and gzip-compressed (what a server such as
  GitHub Pages transfers). Budget 150 KB (uncompressed, the stricter reading).
- search latency in the browser: for every prefix of a set of queries taken from the catalog
  (titles, short names, author family names), the time from the input event to the results being in
  the page, and to the next frame; baseline a naive substring scan over the same text. The one-off
  cost of loading the index on first focus is reported apart. Budget 100 ms after a keystroke.

Needs Debian's chromium and ``.[site-test]`` (see docs/site.md). Nothing here asserts.

    python benchmarks/bench_site.py              # table
    python benchmarks/bench_site.py --json       # for scripts
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
EFFLLM = [sys.executable, "-m", "effllm_catalog"]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
BUDGET_BUILD_S = 10.0
BUDGET_HOME_BYTES = 150_000
BUDGET_SEARCH_MS = 100.0

# Runs inside the page: every prefix of every query, timed around the input event the search box
# listens to; the baseline scans the same documents with String.includes.
_TIMING_JS = """
async (queries) => {
  const input = document.getElementById("q");
  const nextFrame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const handler = [], frame = [], naive = [];
  const docs = window.EFFLLM_SEARCH.docs;
  const text = docs.map(d => (d.t + " " + d.n + " " + d.s + " " + d.a).toLowerCase());
  for (const q of queries) {
    for (let k = 1; k <= q.length; k++) {
      const prefix = q.slice(0, k);
      input.value = prefix;
      const t0 = performance.now();
      input.dispatchEvent(new Event("input", {bubbles: true}));
      const t1 = performance.now();
      await nextFrame();
      const t2 = performance.now();
      handler.push(t1 - t0);
      frame.push(t2 - t0);
      const n0 = performance.now();
      const words = prefix.toLowerCase().split(/\\s+/).filter(Boolean);
      text.filter(t => words.every(w => t.includes(w))).slice(0, 20);
      naive.push(performance.now() - n0);
    }
  }
  return {handler, frame, naive};
}
"""


def _run(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process; CPU time is what a busy shared machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure_build(runs: int) -> dict[str, Any]:
    """Median wall time of `effllm site` and of the `effllm export json` baseline."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        site = [
            _run([*EFFLLM, "site", "--catalog", str(REPO / "data"), "-o", str(out)])
            for _ in range(runs)
        ]
        export = [
            _run(
                [
                    *EFFLLM,
                    "export",
                    "json",
                    "--catalog",
                    str(REPO / "data"),
                    "-o",
                    str(Path(tmp) / "all.json"),
                ]
            )
            for _ in range(runs)
        ]
    return {
        "site_s": statistics.median(w for w, _ in site),
        "site_cpu_s": statistics.median(c for _, c in site),
        "export_json_s": statistics.median(w for w, _ in export),
        "export_json_cpu_s": statistics.median(c for _, c in export),
        "ratio": statistics.median(w for w, _ in site) / statistics.median(w for w, _ in export),
        "runs": runs,
        "load_average": os.getloadavg()[0],
    }


def _queries(site: Path) -> list[str]:
    script = (site / "assets" / "search-data.js").read_text(encoding="utf-8")
    docs = json.loads(script[script.index("=") + 1 :].rstrip(";\n"))["docs"]
    step = max(len(docs) // 10, 1)
    picked = docs[::step][:10]
    queries = [" ".join(d["t"].split()[:3]) for d in picked]
    queries += [d["n"].split()[0] for d in docs if d["n"]][:5]
    queries += [d["a"].split(",")[0].split()[-1] for d in picked[:5]]
    return queries


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def measure_browser(site: Path) -> dict[str, Any]:
    """Home page weight before search, index load on first focus, per-keystroke latency."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto((site / "index.html").as_uri())
        page.wait_for_load_state("load")
        home_files = sorted({Path(unquote(urlsplit(u).path)) for u in fetched})
        raw = sum(p.stat().st_size for p in home_files)
        gz = sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in home_files)
        t0 = time.perf_counter()
        page.focus("#q")
        page.wait_for_function("() => !!(window.EFFLLM_SEARCH && window.MiniSearch)")
        page.fill("#q", "a")
        page.wait_for_selector("#search-results li")
        first_focus_ms = (time.perf_counter() - t0) * 1000
        after = sorted({Path(unquote(urlsplit(u).path)) for u in fetched} - set(home_files))
        queries = _queries(site)
        timing = page.evaluate(_TIMING_JS, queries)
        browser.close()
    return {
        "home_files": [str(p.relative_to(site)) for p in home_files],
        "home_bytes": raw,
        "home_gzip_bytes": gz,
        "search_files": [str(p.relative_to(site)) for p in after],
        "search_files_bytes": sum(p.stat().st_size for p in after),
        "first_focus_ms": first_focus_ms,
        "keystrokes": len(timing["handler"]),
        "queries": queries,
        "handler_ms": {k: f(timing["handler"]) for k, f in _STATS.items()},
        "to_frame_ms": {k: f(timing["frame"]) for k, f in _STATS.items()},
        "naive_scan_ms": {k: f(timing["naive"]) for k, f in _STATS.items()},
    }


_STATS = {
    "median": statistics.median,
    "p95": lambda v: _pct(v, 0.95),
    "max": max,
}


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    build = measure_build(args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run(
            [*EFFLLM, "site", "--catalog", str(REPO / "data"), "-o", str(site)],
            check=True,
            capture_output=True,
        )
        pages = sum(1 for _ in site.rglob("*.html"))
        browser = measure_browser(site)
    result = {"pages": pages, "build": build, "browser": browser}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    b, w = build, browser
    print(f"site of the bundled catalog: {pages} pages")
    print(
        f"build        {b['site_s']:.2f} s (median of {b['runs']})  budget {BUDGET_BUILD_S:.0f} s"
        f"  ({b['site_s'] / BUDGET_BUILD_S:.0%} of it)   baseline export json {b['export_json_s']:.2f} s"
        f"  ratio {b['ratio']:.1f}x"
    )
    print(
        f"             CPU {b['site_cpu_s']:.2f} s (export json {b['export_json_cpu_s']:.2f} s);"
        f" load average {b['load_average']:.1f} while measuring"
    )
    print(
        f"home page    {w['home_bytes'] / 1000:.1f} KB uncompressed, {w['home_gzip_bytes'] / 1000:.1f} KB gzip"
        f" ({', '.join(w['home_files'])})  budget {BUDGET_HOME_BYTES / 1000:.0f} KB"
        f"  ({w['home_bytes'] / BUDGET_HOME_BYTES:.0%} of it)"
    )
    print(
        f"first focus  {w['first_focus_ms']:.0f} ms to load and index {w['search_files_bytes'] / 1000:.0f} KB"
        f" ({', '.join(w['search_files'])}), once per page"
    )
    h, f, n = w["handler_ms"], w["to_frame_ms"], w["naive_scan_ms"]
    print(
        f"keystroke    {w['keystrokes']} keystrokes over {len(w['queries'])} queries:"
        f" results in page median {h['median']:.1f} ms, p95 {h['p95']:.1f} ms, max {h['max']:.1f} ms;"
        f" to next frame median {f['median']:.1f} ms, p95 {f['p95']:.1f} ms, max {f['max']:.1f} ms"
        f"  budget {BUDGET_SEARCH_MS:.0f} ms"
    )
    print(
        f"             baseline naive substring scan median {n['median']:.2f} ms, p95 {n['p95']:.2f} ms"
        f"  (MiniSearch adds ranking, prefix and typo tolerance)"
    )


if __name__ == "__main__":
    main()
