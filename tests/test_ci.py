"""The CI script fails whenever any step fails, and runs every gate it promises.

The real ``.ci/run`` is copied into a scratch repository and run with every tool it calls (python3,
pip, pytest, ruff, mypy, effllm) replaced by a stub that logs its arguments and fails on demand. No
parsing of the script: if a step is ever joined to the next with ``&&`` again, failing it lets the
script carry on, and these tests fail.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow  # runs bash and stub tools as child processes

STUB = """\
#!/bin/sh
# Log this call, count it, and exit with $CI_FAIL_CODE when it is call number $CI_FAIL_AT.
n=$(cat "$CI_COUNT" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$CI_COUNT"
echo "$(basename "$0") $*" >> "$CI_LOG"
if [ "$(basename "$0")" = python3 ] && [ "$1" = -m ] && [ "$2" = venv ]; then
    mkdir -p "$3/bin"
    for tool in pip python ruff mypy effllm check-jsonschema; do ln -sf "$STUB" "$3/bin/$tool"; done
fi
if [ "$n" = "${CI_FAIL_AT:-0}" ]; then exit "${CI_FAIL_CODE:-1}"; fi
exit 0
"""

#: The gates the script must run (tool name as called, then its arguments).
GATES = [
    "python3 -m venv .venv",
    "pip install -q -e .[test]",
    "python -m pytest -q",
    "ruff check .",
    "ruff format --check .",
    "mypy --strict src",
    "effllm validate data/ --strict",
    "check-jsonschema --schemafile docs/schema/references.schema.json data/references.yaml",
    "effllm fmt --check data/",
    "effllm docs --catalog data --check",
    "site ",  # .ci/site, called without arguments (the stub logs "site " then)
]


def _run_ci(tmp_path: Path, fail_at: int = 0, code: int = 1) -> tuple[int, list[str], str]:
    """Run a copy of .ci/run with stubbed tools; return its exit code, the calls made and stderr."""
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / ".ci" / "run", repo / ".ci" / "run")
    # .ci/site (the website's build and browser tests) is a step of its own: stubbed like a tool.
    (repo / ".ci" / "site").unlink(missing_ok=True)
    shutil.rmtree(repo / ".venv", ignore_errors=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "stub"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (bin_dir / "python3").unlink(missing_ok=True)
    (bin_dir / "python3").symlink_to(stub)
    (repo / ".ci" / "site").symlink_to(stub)
    log, count = tmp_path / "calls.log", tmp_path / "count"
    log.unlink(missing_ok=True)
    count.unlink(missing_ok=True)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "STUB": str(stub),
        "CI_LOG": str(log),
        "CI_COUNT": str(count),
        "CI_FAIL_AT": str(fail_at),
        "CI_FAIL_CODE": str(code),
    }
    proc = subprocess.run(
        ["bash", str(repo / ".ci" / "run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return proc.returncode, calls, proc.stderr


def test_ci_runs_every_gate_in_order(tmp_path: Path) -> None:
    """With every tool succeeding, CI exits 0 after installing, testing, linting, type checking,
    validating, checking the canonical layout of data/ and that the generated docs are current."""
    code, calls, stderr = _run_ci(tmp_path)
    assert code == 0, stderr
    assert calls == GATES


@pytest.mark.parametrize("step", range(1, len(GATES) + 1), ids=lambda i: GATES[i - 1])
def test_ci_stops_at_the_first_failing_step(tmp_path: Path, step: int) -> None:
    """When any step fails, CI exits non-zero, runs nothing after it, and says which line failed."""
    code, calls, stderr = _run_ci(tmp_path, fail_at=step)
    assert code != 0
    assert calls == GATES[:step]
    assert "ci: FAILED" in stderr and GATES[step - 1].split()[-1] in stderr


def test_ci_fails_when_pytest_collects_nothing(tmp_path: Path) -> None:
    """pytest's exit code 5 (no tests collected) fails CI: a run that tested nothing is no pass."""
    code, calls, _ = _run_ci(tmp_path, fail_at=GATES.index("python -m pytest -q") + 1, code=5)
    assert code == 5
    assert calls[-1] == "python -m pytest -q"


def test_failed_install_fails_ci(tmp_path: Path) -> None:
    """The reported hole: a failing `pip install` stops CI with its exit code; pytest never runs
    and the later gates cannot turn the run green."""
    code, calls, _ = _run_ci(tmp_path, fail_at=2, code=3)
    assert code == 3
    assert not any("pytest" in c for c in calls)
