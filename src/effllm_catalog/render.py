"""Everything that turns results into terminal output: rich text, JSON, GitHub annotations.

Reporters are picked from dicts by ``--format``; tests assert on the JSON forms.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from .findings import Issue, Report
from .plain import dump_json, result_record, search_json, search_keys

# dump_json and the search writers live in `plain` (no rich); re-exported for callers of render.

__all__ = [
    "VALIDATE_REPORTERS",
    "console",
    "dump_json",
    "print_error",
    "result_record",
    "search_json",
    "search_keys",
]


def console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A rich console that honours NO_COLOR / FORCE_COLOR and never wraps JSON-like output."""
    # soft_wrap: report lines stay whole (grep-able); tables still fit the terminal.
    return Console(file=file, stderr=stderr, highlight=False, soft_wrap=True)


def print_error(
    message: str, location: str | None, hint: str | None, excerpt: str | None = None
) -> None:
    """Print ``error: <location>: <message>``, the source excerpt and a hint to stderr."""
    err = console(stderr=True)
    where = f"{escape(location)}: " if location else ""
    err.print(f"[bold red]error:[/] {where}{escape(message)}")
    if excerpt:
        err.print(escape(excerpt))
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
        if issue.excerpt:
            con.print(escape(issue.excerpt))
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


def check_bib_report(result: Any, output_format: str, out: IO[str]) -> None:
    """``check-bib`` findings as text or GitHub annotations, then what a fix did or would do."""
    if output_format == "github":
        for issue in result.report.issues:
            out.write(github_annotation(issue) + "\n")
        out.write(
            f"effllm check-bib: {result.report.entries} entries, {len(result.upgrades)} with a"
            f" published version, {len(result.report.errors)} out of date\n"
        )
        return
    _text_report(result.report, out)
    con = console(out)
    upgrades = len(result.upgrades)
    line = (
        f"{result.matched} matched, {result.preprints} cited as preprints,"
        f" {upgrades} with a published version"
    )
    if result.written:
        con.print(
            f"[green]fixed[/] {escape(result.file)}: {len(result.changes)} fields changed; {line}"
        )
        if result.remaining:
            checks = ", ".join(sorted({i.check for i in result.remaining}))
            con.print(
                f"[bold red]still out of date[/]: {len(result.remaining)} finding(s) a fix cannot"
                f" settle ({checks})"
            )
    elif result.changes:
        con.print(
            f"{line}; `--fix` would change {len(result.changes)} fields (`--dry-run` shows them)"
        )
    else:
        con.print(line)


def sources_report(data: dict[str, Any], out: IO[str]) -> None:
    """The check-bib index's sources, licences, commits and coverage as text."""
    con = console(out)
    con.print(f"check-bib index: {data['records']:,} records (index version {data['version']})")
    con.print(f"rule: {escape(data.get('rule', ''))}")
    for src in data["sources"]:
        con.print(
            f"\n[bold]{escape(src['name'])}[/]: {src['records']:,} records — {escape(src['what'])}"
        )
        con.print(f"  licence: {escape(src['licence'])}; commit: {escape(src['commit'])}")
        if "statuses" in src:
            parts = ", ".join(f"{k}: {v}" for k, v in sorted(src["statuses"].items()))
            con.print(f"  {src['published']} published records; {escape(parts)}")
        for venue, (low, high) in sorted(src.get("coverage", {}).items()):
            con.print(f"  {escape(venue)} {low}–{high}")


# --------------------------------------------------------------------------- search results


def _short_authors(authors: list[str], n: int = 2) -> str:
    families = [a.partition(",")[0] for a in authors]
    return ", ".join(families[:n]) + (" et al." if len(families) > n else "")


def search_table(rows: list[dict[str, Any]], total: int, out: IO[str]) -> None:
    """Results as a rich table that fits the terminal."""
    from rich.table import Table

    con = console(out)
    table = Table(show_lines=False, pad_edge=False, expand=False, header_style="bold")
    wide = con.width >= 110
    table.add_column("key", style="cyan", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("year", justify="right", no_wrap=True)
    table.add_column("venue", no_wrap=True, overflow="ellipsis", max_width=12)
    table.add_column("title", min_width=30, overflow="fold")
    if wide:
        table.add_column("authors", overflow="ellipsis", no_wrap=True, max_width=22)
    table.add_column("code", justify="center", no_wrap=True)
    for data in rows:
        cells = [
            escape(data["key"]),
            str(data["year"]),
            escape(data.get("venue") or ""),
            escape(data["title"]),
        ]
        if wide:
            cells.append(escape(_short_authors(data["authors"])))
        table.add_row(*cells, "✓" if data.get("code") else "")
    con.print(table)
    shown = len(rows)
    more = f" (showing {shown}; --limit 0 shows all)" if shown < total else ""
    con.print(f"[dim]{total} match{'es' * (total != 1)}{more}[/]")


# --------------------------------------------------------------------------- one entry


def entry_panel(data: dict[str, Any], taxonomy: Any, out: IO[str]) -> None:
    """One entry in full, as a rich panel."""
    from rich.panel import Panel
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    people = "; ".join(
        f"{given} {family}".strip()
        for family, _, given in (a.partition(", ") for a in data["authors"])
    )
    rows: list[tuple[str, str]] = [
        ("authors", people),
        ("year", str(data["year"])),
        ("venue", data.get("venue") or ""),
        ("type", data["type"]),
    ]
    if data.get("kind") and data["kind"] != "method":
        rows.append(("kind", data["kind"]))
    if data.get("names"):
        rows.append(("names", ", ".join(data["names"])))
    if data.get("summary"):
        rows.append(("summary", data["summary"]))
    for name in ("arxiv", "doi", "url", "code", "added"):
        if data.get(name):
            rows.append((name, str(data[name])))
    tags = []
    for tag in data["tags"]:
        node = taxonomy.by_id.get(tag)
        section = taxonomy.section(tag)
        label = f"{tag}  ({node.title}{', §' + section if section else ''})" if node else tag
        tags.append(label)
    rows.append(("tags", "\n".join(tags)))
    for name in ("metrics", "sources"):
        if data.get(name):
            rows.append((name, "\n".join(data[name])))
    for name, value in (data.get("extra") or {}).items():
        rows.append((name, value))
    for name in ("abstract", "notes"):
        if data.get(name):
            rows.append((name, data[name]))
    for name, value in rows:
        grid.add_row(name, escape(value))
    console(out).print(
        Panel(
            grid,
            title=f"[bold]{escape(data['title'])}[/]",
            subtitle=f"[cyan]{escape(data['key'])}[/]",
            expand=False,
        )
    )


# --------------------------------------------------------------------------- taxonomy


def taxonomy_tree(
    taxonomy: Any, counts: dict[str, Any] | None, root: str | None, out: IO[str]
) -> None:
    """The taxonomy (or a subtree) as a rich tree with § numbers and paper counts."""
    from rich.tree import Tree

    from .stats import THIN

    def label(node_id: str) -> str:
        node = taxonomy.by_id[node_id]
        origin = f"§{node.section}" if node.origin == "survey" else "ext"
        text = f"[bold]{escape(node.title)}[/] [dim]{node_id}[/] [magenta]{origin}[/]"
        if counts is not None:
            count = counts[node_id].total
            thin = taxonomy.is_leaf(node_id) and count < THIN
            text += f" [{'red' if thin else 'green'}]{count}[/]" + (
                " [red](thin)[/]" if thin else ""
            )
        return text

    def grow(branch: Tree, node_id: str) -> None:
        for child in taxonomy.children.get(node_id, []):
            grow(branch.add(label(child)), child)

    if root is None:
        tree = Tree(
            "[bold]The Efficiency Spectrum of LLMs[/] [dim](Ding et al., arXiv 2312.00678)[/]"
        )
        for top in taxonomy.roots:
            grow(tree.add(label(top)), top)
    else:
        tree = Tree(label(root))
        grow(tree, root)
    console(out).print(tree)


# --------------------------------------------------------------------------- stats


def _bar(value: int, peak: int, width: int = 24) -> str:
    if peak <= 0:
        return ""
    full, rest = divmod(value * width * 8 // peak, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def stats_years(table: dict[str, Any], taxonomy: Any, out: IO[str]) -> None:
    """Year x dimension counts with an inline bar per year."""
    from rich.table import Table

    dims = table["dimensions"]
    peak = max((row["total"] for row in table["years"]), default=0)
    grid = Table(header_style="bold", pad_edge=False)
    grid.add_column("year", justify="right")
    for dim in dims:
        grid.add_column(
            escape(taxonomy.by_id[dim].title.replace(" Efficiency", "")), justify="right"
        )
    grid.add_column("papers", justify="right")
    grid.add_column("", style="green", no_wrap=True)
    for row in table["years"]:
        grid.add_row(
            str(row["year"]),
            *[str(row["counts"][d] or "") for d in dims],
            str(row["total"]),
            _bar(row["total"], peak),
        )
    console(out).print(grid)


def stats_nodes(taxonomy: Any, counts: dict[str, Any], out: IO[str]) -> None:
    """Papers per node (with descendants), indented as the tree, thin leaves flagged."""
    from rich.table import Table

    from .stats import THIN

    peak = max((counts[r].total for r in taxonomy.roots), default=0)
    grid = Table(header_style="bold", pad_edge=False)
    grid.add_column("node")
    grid.add_column("papers", justify="right")
    grid.add_column("", style="green", no_wrap=True)
    for depth, node_id in taxonomy.walk():
        total = counts[node_id].total
        thin = taxonomy.is_leaf(node_id) and total < THIN
        name = "  " * depth + escape(node_id)
        grid.add_row(f"[red]{name} (thin)[/]" if thin else name, str(total), _bar(total, peak))
    console(out).print(grid)


def stats_venues(
    rows: list[tuple[str, int]], out: IO[str], limit: int = 30, label: str = "venue"
) -> None:
    """Papers per venue (or per metric or kind: ``label``), most frequent first."""
    from rich.table import Table

    peak = rows[0][1] if rows else 0
    grid = Table(header_style="bold", pad_edge=False)
    grid.add_column(label)
    grid.add_column("papers", justify="right")
    grid.add_column("", style="green", no_wrap=True)
    for venue, count in rows[:limit]:
        grid.add_row(escape(venue), str(count), _bar(count, peak))
    console(out).print(grid)


@contextlib.contextmanager
def progress_reporter(
    description: str, threshold: int = 2000
) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that shows a bar on stderr for jobs of ``threshold`` items or more."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total < threshold:
            return
        if "bar" not in state:
            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console(stderr=True),
                transient=True,
            )
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task(description, total=total)
        state["bar"].update(state["task"], completed=done)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def import_report(report: Any, dry_run: bool, out: IO[str]) -> None:
    """Imported / skipped / failed entries with their .bib line."""
    con = console(out)
    verb = "would import" if dry_run else "imported"
    for line, bib_key, key in report.imported:
        con.print(
            f"{escape(report.file)}:{line}: [green]{verb}[/] {escape(bib_key)} as"
            f" [cyan]{escape(key)}[/]"
        )
    for line, bib_key, reason in report.skipped:
        con.print(
            f"{escape(report.file)}:{line}: [yellow]skipped[/] {escape(bib_key)}: {escape(reason)}"
        )
    for line, bib_key, problem in report.failed:
        con.print(
            f"{escape(report.file)}:{line}: [red]failed[/] {escape(bib_key)}: {escape(problem)}"
        )
    con.print(
        f"{len(report.imported)} {verb}, {len(report.skipped)} skipped,"
        f" {len(report.failed)} failed" + (" (dry run: nothing written)" if dry_run else "")
    )
