"""Every schema finding speaks the catalog's words: no raw pydantic text reaches a user."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from effllm_catalog.cli import app

from .conftest import SPARSEGPT, MakeCatalog

RAW = ("Input should", "validation error", "errors.pydantic.dev", "Value error,", "type=")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  year: 2023\n", "  year: 24\n"),
        ("  year: 2023\n", "  year: 99999\n"),
        ("  year: 2023\n", "  year: '2023'\n"),
        ("  type: inproceedings\n", "  type: talk\n"),
        ("  venue: ICML\n", "  venue: ''\n"),
        ("  venue: ICML\n", "  venue: [ICML]\n"),
        ("  venue: ICML\n", "  venue: ICML\n  added: 2026-02-30x\n"),
        ("  - Alistarh, Dan\n", "  - ', Dan'\n"),
        ("  tags:\n  - inference.pruning.unstructured\n", "  tags: []\n"),
        ("  tags:\n  - inference.pruning.unstructured\n", "  tags: inference\n"),
        ("  venue: ICML\n", "  venue: ICML\n  extra: [a]\n"),
        ("  venue: ICML\n", "  venue: ICML\n  names: ['" + "x" * 100 + "']\n"),
    ],
)
def test_schema_messages_are_in_catalog_words(
    runner: CliRunner, make_catalog: MakeCatalog, old: str, new: str
) -> None:
    """A wrong value gets a located message and a hint, never pydantic's own wording."""
    folder = make_catalog(SPARSEGPT.replace(old, new))
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    issues = json.loads(result.stdout)["issues"]
    errors = [i for i in issues if i["severity"] == "error"]
    assert errors
    for issue in errors:
        text = issue["message"] + " " + (issue["hint"] or "")
        assert not any(raw in text for raw in RAW), issue
        assert issue["line"] and issue["hint"], issue
