"""Everything that turns results into terminal output: rich text, JSON, GitHub annotations.

Reporters are picked from dicts by ``--format``; tests assert on the JSON forms.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from .findings import Issue, Report

__all__ = ["VALIDATE_REPORTERS", "console", "dump_json", "print_error"]


def console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A rich console that honours NO_COLOR / FORCE_COLOR and never wraps JSON-like output."""
    return Console(file=file, stderr=stderr, highlight=False, soft_wrap=False)


def dump_json(data: Any, out: IO[str]) -> None:
    """Write ``data`` as indented UTF-8 JSON with a trailing newline."""
    out.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    out.write("\n")


def print_error(message: str, location: str | None, hint: str | None) -> None:
    """Print ``error: <location>: <message>`` and an optional hint to stderr."""
    err = console(stderr=True)
    where = f"{escape(location)}: " if location else ""
    err.print(f"[bold red]error:[/] {where}{escape(message)}")
    if hint:
        err.print(f"  [dim]hint:[/] {escape(hint)}")


# --------------------------------------------------------------------------- validate reporters


def _text_report(report: Report, out: IO[str]) -> None:
    con = console(out)
    styles = {"error": "bold red", "warning": "yellow"}
    for issue in report.issues:
        severity = "error" if issue.severity == "error" or report.strict else "warning"
        key = f" [dim]\\[{escape(issue.key)}][/]" if issue.key else ""
        con.print(
            f"{escape(issue.location)}: [{styles[severity]}]{severity}[/] "
            f"[cyan]{issue.check}[/]{key} {escape(issue.message)}"
        )
        if issue.hint:
            con.print(f"    [dim]hint: {escape(issue.hint)}[/]")
    errors = sum(1 for i in report.issues if i.severity == "error")
    warnings = len(report.issues) - errors
    summary = (
        f"{report.entries} entries in {len(report.files)} files: "
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    )
    if report.ok:
        con.print(f"[green]✓[/] {summary}")
    else:
        con.print(
            f"[bold red]✗[/] {summary}"
            + (" (--strict: warnings fail)" if report.strict and warnings else "")
        )


def _json_report(report: Report, out: IO[str]) -> None:
    dump_json(report.to_dict(), out)


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(issue: Issue, strict: bool = False) -> str:
    """One GitHub Actions workflow command for a finding."""
    level = "error" if issue.severity == "error" or strict else "warning"
    props = [f"file={_gh_escape(issue.file, prop=True)}"]
    if issue.line is not None:
        props.append(f"line={issue.line}")
    if issue.col is not None:
        props.append(f"col={issue.col}")
    props.append(f"title={_gh_escape('effllm ' + issue.check, prop=True)}")
    message = issue.message + (f" (hint: {issue.hint})" if issue.hint else "")
    if issue.key:
        message = f"[{issue.key}] {message}"
    return f"::{level} {','.join(props)}::{_gh_escape(message)}"


def _github_report(report: Report, out: IO[str]) -> None:
    for issue in report.issues:
        out.write(github_annotation(issue, report.strict) + "\n")
    errors = len(report.errors)
    out.write(
        f"effllm validate: {report.entries} entries, {errors} failing, "
        f"{len(report.issues) - errors} other findings\n"
    )


VALIDATE_REPORTERS: dict[str, Callable[[Report, IO[str]], None]] = {
    "text": _text_report,
    "json": _json_report,
    "github": _github_report,
}
