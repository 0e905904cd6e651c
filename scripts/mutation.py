"""Mutation testing of the core modules with mutmut, and a report of the mutants that survive.

mutmut changes the code one small step at a time (a ``<`` into ``<=``, a string into another, an
argument dropped) and runs the fast tests (``-m "not slow"``) that cover the changed function. A
mutant the tests do not notice "survives": either a test is missing, or the change makes no
observable difference (an equivalent mutant, explained in ``scripts/mutation_equivalent.yaml``).

Each module is mutated on its own, against the test files that are about it (:data:`MODULES`), in a
scratch copy of the working tree under ``mutants/<module>/`` (git-ignored; mutmut's cache lives
there, so a second run only checks what changed). A survivor then costs seconds, not the minute
the whole suite takes; the score is a lower bound on what the full suite would kill. mutmut's
settings (test options, files to copy) are under ``[tool.mutmut]`` in pyproject.toml.

Not part of CI (about 45 minutes on two cores for all modules). Run it before you stop whenever
you touched a core module, and put the score in your note.

    pip install -e '.[test,mutation]'
    python scripts/mutation.py                    # check every unchecked mutant, write the report
    python scripts/mutation.py --module query     # only this module (repeatable)
    python scripts/mutation.py --survivors        # re-check survivors (after adding tests)
    python scripts/mutation.py --report-only      # rewrite docs/mutation-report.md from the cache
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"
REPORT = ROOT / "docs" / "mutation-report.md"
#: Core module (path under src/effllm_catalog, without .py) -> the test files about it.
MODULES: dict[str, list[str]] = {
    # Ranking, rescue on a miss and the facets are pinned in test_search.py and test_facets.py.
    "query": ["tests/test_query.py", "tests/test_search.py", "tests/test_facets.py"],
    "index": [
        "tests/test_index.py",
        "tests/test_query.py",
        "tests/test_search.py",
        "tests/test_facets.py",
    ],
    "render": ["tests/test_render.py", "tests/test_cli.py"],
    "edit": ["tests/test_edit.py", "tests/test_crash.py"],
    "importers/bibtex": ["tests/test_edit.py", "tests/test_export.py"],
    "export/*": ["tests/test_export.py", "tests/test_properties.py"],
    "validate": ["tests/test_cases.py"],
    "store": ["tests/test_store.py", "tests/test_crash.py", "tests/test_hardening.py"],
}
EQUIVALENT = ROOT / "scripts" / "mutation_equivalent.yaml"
MUTMUT = str(Path(sys.executable).with_name("mutmut"))

#: mutmut's exit-code classes, folded into what the report counts.
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    37: "caught by type check",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}


def _scratch(module: str) -> Path:
    return WORK / module.replace("/", "-").replace("*", "all")


def _prepare(module: str) -> Path:
    """Copy the working tree (tracked and new files) into the module's scratch folder and point
    its mutmut settings at the module and its tests."""
    scratch = _scratch(module)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, target = ROOT / name, scratch / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != source.read_bytes():
                shutil.copy2(source, target)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mutmut = config["tool"]["mutmut"]
    mutmut["only_mutate"] = [f"src/effllm_catalog/{module}.py"]
    selection = list(mutmut["pytest_add_cli_args_test_selection"])
    mutmut["pytest_add_cli_args_test_selection"] = [
        *MODULES[module],
        *selection[selection.index("-m") :],
    ]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.mutmut]")[0]
    text += "[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in mutmut.items())
    (scratch / "pyproject.toml").write_text(text, encoding="utf-8")
    return scratch


def _module(meta: Path, scratch: Path) -> str:
    """``.../mutants/src/effllm_catalog/export/bibtex.py.meta`` -> ``export/bibtex``."""
    rel = meta.relative_to(scratch / "mutants" / "src" / "effllm_catalog")
    return str(rel).removesuffix(".py.meta")


def load_results() -> dict[str, dict[str, int | None]]:
    """Exit code per mutant name, per module, from each scratch folder's mutmut cache."""
    results: dict[str, dict[str, int | None]] = {}
    for module in MODULES:
        scratch = _scratch(module)
        for meta in sorted((scratch / "mutants" / "src").rglob("*.py.meta")):
            codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
            if codes:
                results[_module(meta, scratch)] = codes
    return results


def _owner(module: str) -> str:
    """The MODULES entry whose scratch folder holds ``module`` (export/* holds export/bibtex)."""
    return next(m for m in MODULES if m == module or m == module.split("/")[0] + "/*")


def _diff(name: str, module: str) -> str:
    """The mutant's change as a unified diff (mutmut's own rendering), without file headers."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = Path.cwd()
    os.chdir(_scratch(_owner(module)))
    try:
        diff = get_diff_for_mutant(name, path=Path("src") / "effllm_catalog" / f"{module}.py")
    finally:
        os.chdir(cwd)
    lines = [ln for ln in diff.splitlines() if not ln.startswith(("---", "+++"))]
    return "\n".join(lines)


def _explained() -> dict[str, str]:
    """Mutant name -> why it is equivalent (scripts/mutation_equivalent.yaml)."""
    if not EQUIVALENT.exists():
        return {}
    data: dict[str, str] = yaml.safe_load(EQUIVALENT.read_text(encoding="utf-8")) or {}
    return data


def write_report(results: dict[str, dict[str, int | None]]) -> tuple[float, float]:
    """Write docs/mutation-report.md; return (kill rate, rate with explained equivalents)."""
    explained = _explained()
    rows = []
    survivors: dict[str, list[str]] = {}
    totals: Counter[str] = Counter()
    for module, codes in results.items():
        counts = Counter(STATUS.get(code, "suspicious") for code in codes.values())
        checked = sum(n for status, n in counts.items() if status not in ("not checked", "skipped"))
        killed = sum(counts[s] for s in KILLED)
        alive = sorted(n for n, c in codes.items() if STATUS.get(c) in ("survived", "no tests"))
        equivalent = sum(1 for n in alive if n in explained)
        survivors[module] = alive
        totals.update(
            checked=checked,
            killed=killed,
            equivalent=equivalent,
            survived=len(alive),
            all=len(codes),
        )
        rows.append(
            f"| `{module}` | {len(codes)} | {checked} | {killed} | {len(alive)} | {equivalent}"
            f" | {_pct(killed, checked)} | {_pct(killed + equivalent, checked)} |"
        )
    rate = totals["killed"] / totals["checked"] if totals["checked"] else 0.0
    adjusted = (
        (totals["killed"] + totals["equivalent"]) / totals["checked"] if totals["checked"] else 0.0
    )
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    selection = config["pytest_add_cli_args_test_selection"]
    options = " ".join([*selection[selection.index("-m") :], *config["pytest_add_cli_args"]])
    options = options.replace("-m not slow", '-m "not slow"')
    out = [
        "# Mutation testing report",
        "",
        f"Written by `python scripts/mutation.py` (mutmut {_mutmut_version()},"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC). Each module is mutated on its own and checked"
        f" with `pytest <its test files> {options}`:",
        "",
        *[
            f"- `{module}`: {', '.join(f'`{t}`' for t in tests)}"
            for module, tests in MODULES.items()
        ],
        "",
        "A mutant is a small change to the code; *killed* means one of those tests failed (or timed"
        " out) with it. The whole suite may kill more, so the scores are lower bounds. Survivors are"
        " listed below with their change; those explained as equivalent (no observable difference)"
        " carry the reason from `scripts/mutation_equivalent.yaml`.",
        "",
        "| module | mutants | checked | killed | survived | explained equivalent | killed % |"
        " killed + equivalent % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        f"| **all** | {totals['all']} | {totals['checked']} | {totals['killed']}"
        f" | {totals['survived']} | {totals['equivalent']} | **{_pct(totals['killed'], totals['checked'])}**"
        f" | **{_pct(totals['killed'] + totals['equivalent'], totals['checked'])}** |",
        "",
        "## Survivors",
        "",
    ]
    for module, names in survivors.items():
        if not names:
            continue
        out += [f"### `{module}` ({len(names)})", ""]
        for name in names:
            short = name.split(".", 2)[-1]
            reason = explained.get(name)
            out.append(f"- `{short}`" + (f": equivalent: {reason}" if reason else ""))
            try:
                diff = _diff(name, module)
            except Exception as exc:  # noqa: BLE001  # a report line must not stop the report
                diff = f"(diff unavailable: {exc})"
            out += ["", "  ```diff", *[f"  {ln}" for ln in diff.splitlines()], "  ```", ""]
    REPORT.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
    return rate, adjusted


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "-"


def _mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def main() -> int:
    """Run mutmut as asked, then write the report and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--module", action="append", choices=list(MODULES), help="only this module (repeatable)"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--survivors",
        action="store_true",
        help="re-check the current survivors (not those explained as equivalent)",
    )
    group.add_argument("--report-only", action="store_true", help="only rewrite the report")
    args = parser.parse_args()
    if not Path(MUTMUT).exists():
        print("mutmut is not installed: pip install -e '.[test,mutation]'", file=sys.stderr)
        return 2
    if not args.report_only:
        previous = load_results()
        for module in args.module or list(MODULES):
            scratch = _prepare(module)
            names: list[str] = []
            if args.survivors:
                explained = _explained()
                names = [
                    name
                    for mod, codes in previous.items()
                    if _owner(mod) == module
                    for name, code in codes.items()
                    if STATUS.get(code) in ("survived", "no tests") and name not in explained
                ]
                if not names:
                    continue
            print(f"== {module}: {' '.join(MODULES[module])}", flush=True)
            subprocess.run([MUTMUT, "run", *names], cwd=scratch, check=False)
    results = load_results()
    if not results:
        print("no mutmut results yet: run without --report-only first", file=sys.stderr)
        return 1
    rate, adjusted = write_report(results)
    print(f"killed {100 * rate:.1f}%, with explained equivalents {100 * adjusted:.1f}%")
    print(f"report: {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
