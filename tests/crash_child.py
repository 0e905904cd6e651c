"""Child process for tests/test_crash.py: runs one `effllm` command with every file operation in the
catalog folder turned into a checkpoint where the process stops itself (SIGSTOP).

Checkpoints: halfway through each write to a file opened for writing, each fsync, each rename.
Before stopping, the child appends the checkpoint's label to the file named by $CRASH_LABELS, so
the parent knows where it stands; the parent inspects the catalog, then resumes (SIGCONT) or
kills (SIGKILL) the child. Not a test module: pytest collects only test_*.py.

Usage: python crash_child.py FOLDER -- effllm-arguments...
"""

from __future__ import annotations

import builtins
import io
import os
import signal
import sys
from typing import Any

_real_open = io.open
FOLDER = os.path.realpath(sys.argv[1])
LABELS = os.environ["CRASH_LABELS"]


def _inside(path: object) -> bool:
    try:
        return os.path.realpath(os.fspath(path)).startswith(FOLDER)  # type: ignore[arg-type]
    except TypeError:
        return False


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def pause(label: str) -> None:
    """Tell the parent where we are, then stop until it resumes or kills us."""
    with _real_open(LABELS, "a", encoding="utf-8") as handle:
        handle.write(label.replace(FOLDER, "<folder>") + "\n")
    os.kill(os.getpid(), signal.SIGSTOP)


class _Writer:
    """A file opened for writing: every write stops halfway, with the first half flushed."""

    def __init__(self, handle: Any, name: str) -> None:
        self._handle = handle
        self._name = name

    def write(self, data: Any) -> int:
        half = len(data) // 2
        if half:
            self._handle.write(data[:half])
            self._handle.flush()
            pause(f"mid-write {os.path.basename(self._name)}")
        self._handle.write(data[half:])
        return len(data)

    def __enter__(self) -> _Writer:
        self._handle.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def _writing(mode: str) -> bool:
    return any(flag in mode for flag in "wax+")


_real_fdopen = os.fdopen
_real_fsync = os.fsync
_real_replace = os.replace
_real_rename = os.rename


def _open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    handle = _real_open(file, mode, *args, **kwargs)
    if _writing(mode) and not isinstance(file, int) and _inside(file):
        return _Writer(handle, os.fspath(file))
    return handle


def _fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    name = _fd_path(fd)
    handle = _real_fdopen(fd, mode, *args, **kwargs)
    if _writing(mode) and _inside(name):
        return _Writer(handle, name)
    return handle


def _fsync(fd: int) -> None:
    name = _fd_path(fd)
    if _inside(name):
        what = "folder" if os.path.isdir(name) else os.path.basename(name)
        pause(f"fsync {what}")
    _real_fsync(fd)


def _rename_hook(real: Any) -> Any:
    def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
        if _inside(dst):
            pause(
                f"rename {os.path.basename(os.fspath(src))} -> {os.path.basename(os.fspath(dst))}"
            )
        return real(src, dst, *args, **kwargs)

    return rename


builtins.open = io.open = _open
os.fdopen = _fdopen
os.fsync = _fsync
os.replace = _rename_hook(_real_replace)
os.rename = _rename_hook(_real_rename)
# Path.replace and Path.rename look os.replace/os.rename up at call time, so they are covered too.

from effllm_catalog.cli import main  # noqa: E402  # the hooks must be in place first

sys.argv = ["effllm", *sys.argv[sys.argv.index("--") + 1 :]]
main()
