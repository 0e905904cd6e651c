"""Warm ``effllm search`` as a whole process, against named baselines.

Every command runs once to warm caches (the search index included), then ``--runs`` times (10 by
default) with stdout into a pipe, as a script or ``| head`` would run it. Printed per command: the
median and the fastest wall time, the median CPU time (user + system of the child, which other load
on the machine disturbs less), and the median's ratio to ``python -c pass`` and to
``python -c "import typer"``.

Baselines: the bare interpreter; ``import typer`` (what any Typer CLI pays before doing anything);
this checkout's search through the Typer CLI (the fast path bypassed); an older effllm
(``--old-bin``); ``papis list`` over the same references (``--papis``, a throw-away library made
from the catalog's BibTeX export, as in relevance.py).

    python benchmarks/bench_search.py
    python benchmarks/bench_search.py --old-bin /tmp/old/.venv/bin/effllm --papis /tmp/papis/bin/papis

Target (issue 12): warm ``effllm search`` <= 0.12 s, median of 10. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUERIES = ["lora", "speculative decoding", "dim:ptq year:>=2023 code:yes"]


def effllm_command() -> list[str]:
    """The installed ``effllm`` next to this interpreter (the console script users run)."""
    script = Path(sys.executable).with_name("effllm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "effllm_catalog"]


def measure(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float, float, int]:
    """(median wall, fastest wall, median CPU, exit code) of ``cmd`` with stdout into a pipe."""
    subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    walls, cpus = [], []
    code = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        code = proc.returncode
    return statistics.median(walls), min(walls), statistics.median(cpus), code


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--catalog", type=Path, default=REPO / "data")
    parser.add_argument("--old-bin", help="an older effllm executable (its own venv)")
    parser.add_argument("--papis", help="papis executable (its own venv)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "EFFLLM_CACHE_DIR": str(work / "cache"),
            "EFFLLM_CATALOG": str(args.catalog),
        }
        py = sys.executable
        rows: list[tuple[str, list[str], dict[str, str]]] = [
            ("python -c pass", [py, "-c", "pass"], env),
            ("python -c 'import typer'", [py, "-c", "import typer"], env),
        ]
        typer_path = (
            "import sys; from effllm_catalog.cli import main; sys.argv[0] = 'effllm'; main()"
        )
        for q in QUERIES:
            rows.append((f"effllm search {q!r}", [*effllm_command(), "search", q], env))
        for q in QUERIES[:1]:
            rows.append((f"  same via Typer CLI {q!r}", [py, "-c", typer_path, "search", q], env))
        if args.old_bin:
            for q in QUERIES[:2]:
                rows.append((f"old effllm search {q!r}", [args.old_bin, "search", q], env))
        if args.papis:
            sys.path.insert(0, str(HERE))
            from relevance import papis_library

            papis_env = papis_library(args.papis, args.catalog, work)
            for q in QUERIES[:2]:
                rows.append((f"papis list {q!r}", [args.papis, "list", "--all", q], papis_env))

        results = []
        for label, cmd, cmd_env in rows:
            results.append((label, *measure(cmd, args.runs, cmd_env)))
    floor = results[0][1]
    typer_import = results[1][1]
    print(f"whole process, stdout into a pipe, median of {args.runs} after one warm-up run")
    print(f"load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n")
    print(
        f"{'command':<52} {'median s':>9} {'fastest':>8} {'cpu s':>7} {'x pass':>7} {'x typer':>8}"
        f" {'exit':>5}"
    )
    for label, median, fastest, cpu, code in results:
        print(
            f"{label:<52} {median:>9.3f} {fastest:>8.3f} {cpu:>7.3f} {median / floor:>7.1f}"
            f" {median / typer_import:>8.2f} {code:>5}"
        )


if __name__ == "__main__":
    main()
