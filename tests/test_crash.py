"""Crash safety and locking, with kills that really land mid-write.

A child process (tests/crash_child.py) runs a real `effllm add`, `import` or `fmt` and stops itself
(SIGSTOP) at every file operation in the catalog folder: halfway through each write, before each
fsync and before each rename. At every stop the parent checks the catalog file; then it either
resumes the child or kills it with SIGKILL right there. Whatever the kill point, references.yaml
must be byte-identical to before or to the finished result, and the next writer must clean up the
temporary file the killed one left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog import store
from effllm_catalog.cli import app
from effllm_catalog.errors import WriteError
from effllm_catalog.validate import validate_catalog

from .conftest import QLORA, SPARSEGPT, MakeCatalog

CHILD = Path(__file__).with_name("crash_child.py")
EFFLLM = str(Path(sys.executable).with_name("effllm"))
BIB = (
    "@misc{z, title={Killed While Importing}, author={Tester, Ada},"
    " year={2025}, eprint={2501.99999}, archivePrefix={arXiv}}\n"
)


def _args(command: str, folder: Path, bib: Path) -> list[str]:
    return {
        "add": [
            "add",
            "--catalog",
            str(folder),
            "--title",
            "Quantization Under Sudden Death",
            "-a",
            "Tester, Ada",
            "--year",
            "2025",
            "--arxiv",
            "2501.90000",
            "--tag",
            "ptq",
        ],
        "import": ["import", str(bib), "--catalog", str(folder), "--tag", "ptq"],
        "fmt": ["fmt", "--catalog", str(folder)],
    }[command]


@dataclass
class Run:
    """What one instrumented child did: its checkpoints, the target at each, how it ended."""

    labels: list[str]
    snapshots: list[bytes]
    killed: bool
    returncode: int


def _drive(folder: Path, args: list[str], work: Path, kill_at: int | None) -> Run:
    """Run the child; resume it at every checkpoint except number ``kill_at``, where it is killed."""
    labels = work / f"labels-{kill_at}"
    env = {
        **os.environ,
        "CRASH_LABELS": str(labels),
        "NO_COLOR": "1",
        "EFFLLM_CACHE_DIR": str(work / "cache"),
    }
    target = folder / "references.yaml"
    with (work / f"stderr-{kill_at}").open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(folder), "--", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    watchdog = threading.Timer(60, lambda: os.kill(proc.pid, signal.SIGKILL))
    watchdog.start()
    snapshots: list[bytes] = []
    killed = False
    try:
        while True:
            _, status = os.waitpid(proc.pid, os.WUNTRACED)
            if not os.WIFSTOPPED(status):
                code = os.waitstatus_to_exitcode(status)
                break
            snapshots.append(target.read_bytes())
            if len(snapshots) - 1 == kill_at:
                os.kill(proc.pid, signal.SIGKILL)
                os.waitpid(proc.pid, 0)
                killed, code = True, -signal.SIGKILL
                break
            os.kill(proc.pid, signal.SIGCONT)
    finally:
        watchdog.cancel()
        proc.returncode = code if "code" in locals() else -1  # reaped above: tell Popen
    names = labels.read_text(encoding="utf-8").splitlines() if labels.exists() else []
    return Run(names, snapshots, killed, code)


def _temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".references.yaml.*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("command", ["add", "import", "fmt"])
def test_kill_at_every_step_leaves_old_or_new_file(
    command: str, make_catalog: MakeCatalog, tmp_path: Path, runner: CliRunner
) -> None:
    """SIGKILL halfway through writing the temporary file, before its fsync, before the rename
    and between the rename and the folder's fsync: references.yaml is always exactly the old bytes
    (up to the rename) or exactly the new ones (after it), the write goes through a temporary file
    and a rename followed by a folder fsync, and the next writer removes the killed one's temp."""
    base = make_catalog(SPARSEGPT + QLORA)  # fmt has work to do: the keys are out of order
    bib = tmp_path / "one.bib"
    bib.write_text(BIB, encoding="utf-8")
    old = (base / "references.yaml").read_bytes()

    def fresh(n: int | str) -> Path:
        folder = tmp_path / f"run-{n}"
        shutil.copytree(base, folder)
        return folder

    folder = fresh("full")
    full = _drive(folder, _args(command, folder, bib), tmp_path, kill_at=None)
    assert full.returncode == 0, (tmp_path / "stderr-None").read_text()
    new = (folder / "references.yaml").read_bytes()
    assert new != old
    # Every moment of the finished write showed the old or the new file, never a mix.
    assert all(snap in (old, new) for snap in full.snapshots), full.labels
    renames = [i for i, label in enumerate(full.labels) if label.endswith("-> references.yaml")]
    assert len(renames) == 1, full.labels  # the file is replaced by a rename, not written in place
    rename = renames[0]
    assert full.labels[rename].startswith("rename .references.yaml."), full.labels
    assert "fsync folder" in full.labels[rename + 1 :], full.labels  # the rename is made durable
    assert any(label.startswith("mid-write .references.yaml.") for label in full.labels[:rename])

    for kill_at in range(len(full.labels)):
        folder = fresh(kill_at)
        run = _drive(folder, _args(command, folder, bib), tmp_path, kill_at=kill_at)
        assert run.killed, (kill_at, run.labels)
        after = (folder / "references.yaml").read_bytes()
        where = full.labels[kill_at]
        if kill_at <= rename:  # stopped before the rename happened
            assert after == old, where
        else:
            assert after == new, where
        if kill_at == rename:  # the complete new file is waiting under its temporary name
            assert [t.read_bytes() for t in _temps(folder)] == [new], where
        # The next writer cleans up what the killed one left and appends to what is there.
        result = runner.invoke(
            app,
            [
                "add",
                "--catalog",
                str(folder),
                "--title",
                "The Next Writer Cleans Up",
                "-a",
                "Writer, Next",
                "--year",
                "2025",
                "--arxiv",
                "2502.00001",
                "--tag",
                "ptq",
            ],
        )
        assert result.exit_code == 0 and result.exception is None, result.output
        assert _temps(folder) == [], where
        # ...and keeps every entry that was there (the file is rewritten as `fmt` would write it).
        keys = {e["key"] for e in yaml.safe_load(after)}
        now = {e["key"] for e in yaml.safe_load((folder / "references.yaml").read_bytes())}
        assert now == keys | {"writer2025next"}, where
        assert validate_catalog(folder)[0].ok


def test_lock_removes_only_this_targets_stale_temps(make_catalog: MakeCatalog) -> None:
    """Taking the write lock deletes temporary files a killed writer of *this* file left behind,
    and nothing else in the folder."""
    folder = make_catalog()
    target = folder / "references.yaml"
    stale = [folder / ".references.yaml.k1ll3d.tmp", folder / ".references.yaml.x.tmp"]
    kept = [
        folder / ".other.yaml.k1ll3d.tmp",  # another file's writer may be alive
        folder / "references.yaml.tmp",
        folder / ".references.yaml.k1ll3d.tmp.keep",
        folder / "notes.tmp",
    ]
    for path in [*stale, *kept]:
        path.write_text("partial", encoding="utf-8")
    with store.file_lock(target):
        assert not any(p.exists() for p in stale)
    assert all(p.read_text(encoding="utf-8") == "partial" for p in kept)


def test_second_writer_cannot_take_a_held_lock(make_catalog: MakeCatalog) -> None:
    """While one writer holds the lock, another cannot take it: it waits, then fails with a
    located error naming the lock file. Once released, the lock can be taken again."""
    target = make_catalog() / "references.yaml"
    with store.file_lock(target):
        started = time.monotonic()
        with pytest.raises(WriteError) as info:  # noqa: SIM117  # the inner lock must fail
            with store.file_lock(target, timeout=0.3):
                pass
        assert time.monotonic() - started >= 0.3  # it waited before giving up
        assert "another effllm process" in info.value.message
        assert "wait" in (info.value.hint or "")
    with store.file_lock(target, timeout=0.3):
        pass


@pytest.mark.slow
def test_add_waits_for_a_held_lock(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    """A real `effllm add` started while another writer holds the lock does not touch the file
    until the lock is released, then lands its entry after the other writer's bytes."""
    folder = make_catalog()
    target = folder / "references.yaml"
    env = {**os.environ, "NO_COLOR": "1"}  # the same cache folder, so the same lock file
    with store.file_lock(target):
        proc = subprocess.Popen(
            [EFFLLM, *_args("add", folder, tmp_path / "unused.bib")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # A writer without the lock finishes in well under these 4 s; this one must wait.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=4)
        assert proc.returncode is None, proc.communicate()
        # Meanwhile this writer adds an entry; the waiting one must read the file after it.
        held = (
            SPARSEGPT.replace("frantar2023sparsegpt", "held2023writer")
            .replace("2301.00774", "2301.00999")
            .replace("SparseGPT: Massive", "Held Writer: Massive")
        )
        store.atomic_write(target, target.read_text(encoding="utf-8") + held)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    keys = {e["key"] for e in yaml.safe_load(target.read_text(encoding="utf-8"))}
    assert "held2023writer" in keys and any(k.startswith("tester2025") for k in keys), keys
    assert validate_catalog(folder)[0].ok
