"""Benchmark: validate and search on synthetic catalogs of 1k, 10k and 100k entries.

Prints, side by side for each size: the raw ``yaml.load(CSafeLoader)`` time of the file (the
baseline), ``validate`` time and its ratio to the baseline, cold search (index build included), warm
search in-process and as a whole ``effllm search`` process, the interpreter-plus-imports floor, and
the peak memory (max RSS) of each phase. Every phase runs in a fresh process, so peaks do not mix.

    python benchmarks/bench_catalog.py                  # 1k, 10k, 100k
    python benchmarks/bench_catalog.py --sizes 1000 10000

Targets (issue 4): validate <= 1.5x the raw parse; warm search on 100k <= 0.5 s; peak memory on
100k <= 1 GB. Nothing here asserts: it measures and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = [
    "efficient",
    "sparse",
    "attention",
    "quantization",
    "low-rank",
    "adaptation",
    "pruning",
    "distillation",
    "speculative",
    "decoding",
    "cache",
    "memory",
    "throughput",
    "latency",
    "transformer",
    "language",
    "model",
    "mixture",
    "experts",
    "scaling",
    "law",
    "data",
    "selection",
    "curriculum",
    "parallel",
    "training",
    "kernel",
    "state",
    "space",
    "recurrent",
    "linear",
    "fine-tuning",
    "inference",
    "serving",
    "compression",
    "token",
]
FAMILIES = [
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Smith",
    "Müller",
    "García",
    "Dao",
    "Hu",
    "Frantar",
    "Kim",
    "Park",
    "Nguyen",
]
GIVEN = [
    "Tri",
    "Edward",
    "Elias",
    "Yelong",
    "Ana",
    "Jérôme",
    "Wei",
    "Xin",
    "Sofia",
    "Luca",
    "Min-Jun",
    "Priya",
]


def make_catalog(folder: Path, size: int, seed: int = 0) -> Path:
    """Write a valid synthetic catalog of ``size`` entries (with abstracts) into ``folder``."""
    import yaml

    rng = random.Random(seed)
    tax = yaml.safe_load((REPO / "data" / "taxonomy.yaml").read_text(encoding="utf-8"))
    leaves = [
        n["id"] for n in tax["nodes"] if not any(m.get("parent") == n["id"] for m in tax["nodes"])
    ]
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "data" / "taxonomy.yaml", folder / "taxonomy.yaml")
    # Streamed to disk, so the benchmark process itself stays small.
    with (folder / "references.yaml").open("w", encoding="utf-8") as out:
        out.write("# synthetic benchmark catalog\n")
        for i in range(size):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize()
            abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 200)))
            authors = "".join(
                f"  - {rng.choice(FAMILIES)}, {rng.choice(GIVEN)}\n"
                for _ in range(rng.randint(2, 9))
            )
            year = rng.randint(2017, 2026)
            arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}"
            tags = "".join(f"  - {t}\n" for t in rng.sample(leaves, rng.randint(1, 2)))
            venue = rng.choice(["NeurIPS", "ICML", "ICLR", "ACL", "arXiv"])
            kind = "misc" if venue == "arXiv" else "inproceedings"  # validate's venue-type rule
            summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 30)))
            out.write(
                f"- key: synth{i}\n  type: {kind}\n  title: '{title} {i}'\n  authors:\n{authors}"
                f"  year: {year}\n  venue: {venue}\n"
                f"  arxiv: '{arxiv}'\n  url: https://arxiv.org/abs/{arxiv}\n"
                + (f"  code: https://github.com/x/r{i}\n" if rng.random() < 0.4 else "")
                + f"  summary: {summary}\n"
                + f"  tags:\n{tags}  abstract: {abstract}\n  added: 2026-11-29\n"
                + f"  sources:\n  - https://arxiv.org/abs/{arxiv}\n"
            )
    return folder


PHASES = {
    "raw_parse": """
import yaml
with open(CAT + '/references.yaml', encoding='utf-8') as f:
    data = yaml.load(f.read(), Loader=yaml.CSafeLoader)
""",
    "validate": """
from pathlib import Path
from effllm_catalog.validate import validate_catalog
report, _ = validate_catalog(Path(CAT))
assert report.ok, report.issues[:3]
""",
    "cold_search": """
from pathlib import Path
from effllm_catalog.index import open_index
from effllm_catalog.query import parse_query
index = open_index(Path(CAT))
index.search(parse_query('sparse attention dim:arch year:>=2020'), limit=20)
""",
    "warm_search": """
from pathlib import Path
from effllm_catalog.index import open_index
from effllm_catalog.query import parse_query
index = open_index(Path(CAT))
index.search(parse_query('sparse attention dim:arch year:>=2020'), limit=20)
""",
}

# Peak memory is VmHWM of the child: unlike ru_maxrss it starts afresh at exec, so the
# benchmark's own memory (inherited at fork) is not counted.
RUNNER = """
import sys, time
CAT = sys.argv[1]
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
hwm = next(ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')).split()[1]
print(elapsed, hwm)
"""


def run_phase(name: str, catalog: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MB) of one phase in a fresh interpreter."""
    code = RUNNER.format(body=PHASES[name])
    out = subprocess.run(
        [sys.executable, "-c", code, str(catalog)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def wall(cmd: list[str], env: dict[str, str], repeat: int = 5) -> float:
    """Best-of-``repeat`` wall time of a whole command."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=False, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the benchmark and print one table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    effllm = str(Path(sys.executable).with_name("effllm"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "EFFLLM_CACHE_DIR": f"{tmp}/cache",
            "EFFLLM_MAX_BYTES": str(1 << 31),
            "NO_COLOR": "1",
        }
        floor = wall([sys.executable, "-c", "import typer, rich"], env)
        help_time = wall([effllm, "--help"], env)
        for size in args.sizes:
            catalog = make_catalog(Path(tmp) / f"c{size}", size)
            mb = (catalog / "references.yaml").stat().st_size / 1e6
            figures = {"entries": size, "file_mb": round(mb, 1)}
            for phase in PHASES:
                seconds, peak = run_phase(phase, catalog, env)
                figures[phase] = round(seconds, 3)
                figures[f"{phase}_peak_mb"] = round(peak)
            figures["warm_cli"] = round(
                wall(
                    [
                        effllm,
                        "search",
                        "sparse attention dim:arch",
                        "-C",
                        str(catalog),
                        "-f",
                        "keys",
                    ],
                    env,
                ),
                3,
            )
            figures["validate_ratio"] = round(figures["validate"] / figures["raw_parse"], 2)
            rows.append(figures)
            shutil.rmtree(catalog)
    print(f"floor: python + typer/rich imports {floor:.3f} s; `effllm --help` {help_time:.3f} s")
    head = (
        "entries",
        "file MB",
        "raw parse s",
        "validate s",
        "ratio",
        "cold search s",
        "warm search s",
        "warm CLI s",
        "peak MB (parse/validate/cold/warm)",
    )
    print(" | ".join(head))
    for f in rows:
        print(
            " | ".join(
                str(x)
                for x in (
                    f["entries"],
                    f["file_mb"],
                    f["raw_parse"],
                    f["validate"],
                    f["validate_ratio"],
                    f["cold_search"],
                    f["warm_search"],
                    f["warm_cli"],
                    f"{f['raw_parse_peak_mb']}/{f['validate_peak_mb']}/{f['cold_search_peak_mb']}/"
                    f"{f['warm_search_peak_mb']}",
                )
            )
        )
    if args.json:
        print(json.dumps({"floor": floor, "help": help_time, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
