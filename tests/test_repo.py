"""The repository's promises: README quick start and CI stay in step."""

from __future__ import annotations

import re

from .conftest import REPO


def _readme_blocks() -> list[list[str]]:
    """The quick start's shell blocks, each as its list of command lines."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.splitlines() for block in re.findall(r"```sh\n(.+?)\n```", quick, re.DOTALL)]


def test_readme_quick_start_has_two_blocks() -> None:
    """The quick start is exactly two blocks: install and run the tool, install and run the tests."""
    blocks = _readme_blocks()
    assert len(blocks) == 2, blocks
    assert "effllm" in blocks[0][-1]
    assert "pytest" in blocks[1][-1]


def test_readme_commands_are_one_per_line() -> None:
    """No README command chains steps with && or ;: pasted into a script under `set -e`, a failed
    step inside a chain would not stop it (the hole that let CI pass without tests)."""
    for block in _readme_blocks():
        for line in block:
            assert "&&" not in line and ";" not in line, line


def test_ci_runs_readme_test_commands_verbatim() -> None:
    """.ci/run contains the README's test block line for line, character for character, in order."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    test_block = _readme_blocks()[1]
    start = ci.index(test_block[0])
    assert ci[start : start + len(test_block)] == test_block
