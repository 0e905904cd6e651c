"""The repository's promises: README quick start and CI stay in step."""

from __future__ import annotations

import re

from .conftest import REPO


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", quick)


def test_readme_quick_start_has_two_commands() -> None:
    """The quick start is exactly two commands: run the tool, run the tests."""
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert "effllm" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_readme_test_command_verbatim() -> None:
    """.ci/run contains the README's test command character for character."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci.splitlines()
