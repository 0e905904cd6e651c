"""Shared fixtures: a small catalog built in tmp_path, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import settings
from typer.testing import CliRunner

# Property tests: 60 examples each by default; `--hypothesis-profile=mutation` (the mutation
# script) runs 10, since there every test runs again for each mutant.
settings.register_profile("default", max_examples=60)
settings.register_profile("mutation", max_examples=10)

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "data"
CASES = Path(__file__).resolve().parent / "cases"

SPARSEGPT = """\
- key: frantar2023sparsegpt
  type: inproceedings
  title: 'SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot'
  authors:
  - Frantar, Elias
  - Alistarh, Dan
  year: 2023
  venue: ICML
  arxiv: '2301.00774'
  url: https://arxiv.org/abs/2301.00774
  code: https://github.com/IST-DASLab/sparsegpt
  summary: Prunes GPT-scale models to half sparsity in one shot, without retraining.
  tags:
  - inference.pruning.unstructured
  sources:
  - https://arxiv.org/abs/2301.00774
"""

QLORA = """\
- key: dettmers2023qlora
  type: inproceedings
  title: 'QLoRA: Efficient Finetuning of Quantized LLMs'
  authors:
  - Dettmers, Tim
  - Pagnoni, Artidoro
  - Holtzman, Ari
  - Zettlemoyer, Luke
  year: 2023
  venue: NeurIPS
  arxiv: '2305.14314'
  url: https://arxiv.org/abs/2305.14314
  summary: Fine-tunes a 4-bit quantized model through low-rank adapters, so a 65B model fits one GPU.
  tags:
  - training.tuning.peft.low-rank
  - inference.quantization
  sources:
  - https://arxiv.org/abs/2305.14314
"""

MakeCatalog = Callable[..., Path]


@pytest.fixture
def make_catalog(tmp_path: Path) -> MakeCatalog:
    """Build a catalog folder in tmp_path: the bundled taxonomy plus the given references text."""

    def make(references: str | bytes = SPARSEGPT + QLORA, taxonomy: str | None = None) -> Path:
        folder = tmp_path / "catalog"
        folder.mkdir(exist_ok=True)
        if taxonomy is None:
            shutil.copy(BUNDLED / "taxonomy.yaml", folder / "taxonomy.yaml")
        else:
            (folder / "taxonomy.yaml").write_text(taxonomy, encoding="utf-8")
        target = folder / "references.yaml"
        if isinstance(references, bytes):
            target.write_bytes(references)
        else:
            target.write_text(references, encoding="utf-8")
        return folder

    return make


class CheckedRunner(CliRunner):
    """A CLI runner that fails the test when a command crashed.

    The CLI's error boundary turns any unexpected exception into ``internal error: ...`` and exit
    code 1, the same code as a finding; an ``exit_code == 1`` check alone would take a crash for a
    pass. Every invocation through this runner asserts that no exception other than the normal
    ``SystemExit`` escaped and that no internal error was reported.
    """

    def invoke(self, *args: Any, **kwargs: Any) -> Result:  # type: ignore[override]
        """Run the command, then check that it did not crash."""
        result = super().invoke(*args, **kwargs)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "internal error" not in result.output, result.output
        assert "Traceback" not in result.output, result.output
        return result


@pytest.fixture
def runner() -> CliRunner:
    """A Typer CLI runner that fails the test on a crash (see :class:`CheckedRunner`)."""
    return CheckedRunner()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's catalog or cache settings, and colours are off."""
    monkeypatch.delenv("EFFLLM_CATALOG", raising=False)
    monkeypatch.delenv("EFFLLM_MAX_BYTES", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "120")
