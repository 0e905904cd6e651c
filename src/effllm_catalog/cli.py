"""The ``effllm`` command line: parses options, calls the library, picks a reporter.

No business logic lives here. Errors from the library arrive as :class:`CatalogError` and are turned
into ``error: file:line:col: message`` plus a hint, once, in :class:`_Boundary`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import CatalogError
from .paths import ENV_FORCE_TTY
from .render import VALIDATE_REPORTERS, print_error

__all__ = ["app", "main"]


class _Boundary(TyperGroup):
    """The one error boundary: library errors become located messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            location = exc.location if exc.file else None
            print_error(exc.message, location, exc.hint, exc.excerpt)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # `effllm search ... | head`: the reader left; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:  # last resort: no traceback reaches a user
            if os.environ.get("EFFLLM_DEBUG"):
                raise
            print_error(
                f"internal error: {type(exc).__name__}: {exc}",
                None,
                "this is a bug in effllm; rerun with EFFLLM_DEBUG=1 to see the traceback"
                " and report it",
            )
            raise typer.Exit(1) from None


def _terminal() -> bool:
    """Whether to draw tables for a person: stdout is a terminal, or ``EFFLLM_FORCE_TTY`` is set
    (as ``GH_FORCE_TTY`` does for gh: tables in a pager or a captured session)."""
    return sys.stdout.isatty() or bool(os.environ.get(ENV_FORCE_TTY))


app = typer.Typer(
    cls=_Boundary,
    name="effllm",
    help="A validated, searchable catalog of LLM-efficiency papers on the taxonomy of Ding et al.,"
    " 'The Efficiency Spectrum of Large Language Models' (arXiv 2312.00678).\n\n"
    "The catalog is read from --catalog DIR, else $EFFLLM_CATALOG, else the catalog bundled with"
    " the package. Exit codes: 0 ok, 1 findings or failure, 2 usage error.\n\n"
    "[bold]Examples[/]\n\n"
    "  effllm search 'dim:ptq year:>=2023 code:yes'\n\n"
    "  effllm export bibtex --dim kv-cache -o kv.bib\n\n"
    "  effllm validate data/ --format github\n\n"
    "  effllm taxonomy --counts",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

CatalogOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        "-C",
        help="Catalog folder (holding taxonomy.yaml and references.yaml).",
        envvar="EFFLLM_CATALOG",
        show_envvar=True,
        file_okay=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"effllm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Root options."""


def _one_of(registry: dict[str, Any]) -> Any:
    """An option callback accepting exactly the keys of a registry dict (formats, exporters)."""

    def check(value: str | None) -> str | None:
        if value is None:
            return value
        if value.lower() not in registry:
            raise typer.BadParameter(f"'{value}' is not one of {', '.join(registry)}")
        return value.lower()

    return check


#: --format of the commands that report findings (validate, check-bib).
ReportFormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        callback=_one_of(VALIDATE_REPORTERS),
        metavar="|".join(VALIDATE_REPORTERS),
        help="text for people, json for scripts, github for Actions annotations.",
    ),
]


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Catalog folders or reference files to check (default: the catalog).",
            show_default=False,
        ),
    ] = None,
    catalog: CatalogOption = None,
    output_format: ReportFormatOption = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-bytes",
            min=1,
            envvar="EFFLLM_MAX_BYTES",
            help="Refuse catalog files larger than this many bytes [default: 32 MiB].",
        ),
    ] = None,
) -> None:
    """Check every entry of a catalog and report all findings at once.

    Exit code 0 when clean, 1 when anything fails, 2 for usage errors or unreadable input.

    [bold]Examples[/]

      effllm validate                      [dim]# the bundled or $EFFLLM_CATALOG catalog[/]
      effllm validate data/                [dim]# a catalog folder[/]
      effllm validate data/references.yaml --strict
      effllm validate data/ --format github   [dim]# annotations in a GitHub Actions log[/]
      effllm validate --format json | jq '.issues[] | select(.severity=="error")'
    """
    from .validate import validate_paths

    report = validate_paths(paths or [], catalog=catalog, strict=strict, max_bytes=max_bytes)
    VALIDATE_REPORTERS[output_format](report, sys.stdout)
    raise typer.Exit(report.exit_code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except CatalogError as exc:  # raised outside a command, e.g. from an option callback
        print_error(exc.message, exc.location if exc.file else None, exc.hint, exc.excerpt)
        sys.exit(exc.exit_code)


# --------------------------------------------------------------------------- search & friends


def _open_index(catalog: Path | None) -> Any:
    """Open the search index, with a progress bar on stderr when a build takes a while."""
    from .index import open_index
    from .render import progress_reporter

    with progress_reporter("building search index") as progress:
        return open_index(catalog, progress=progress)


def _select(
    catalog: Path | None, query: str, *, sort: str, limit: int, **filters: Any
) -> tuple[Any, Any]:
    """Parse the query plus option filters and run it on the catalog's index."""
    from .query import build_query

    node = build_query(query, **filters)
    index = _open_index(catalog)
    return index, index.search(node, sort=sort, limit=limit)


SEARCH_FORMATS = {
    "table": "a table on a terminal; plain lines when stdout is a pipe or file",
    "plain": "one paper a line, tab-separated: key, year, venue, title, authors, code link",
    "json": "JSON document",
    "keys": "one key per line",
    "bibtex": "BibTeX entries",
}


@app.command()
def search(
    query: Annotated[
        str,
        typer.Argument(help='Words, "phrases", field:value, AND/OR/NOT, ( ).', show_default=False),
    ] = "",
    dim: Annotated[
        list[str] | None,
        typer.Option(
            "--dim",
            "-d",
            help="Taxonomy node (id, alias or unique suffix), descendants included; repeat for OR.",
        ),
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", "-y", help="2023, >=2023 or 2020..2022.")
    ] = None,
    venue: Annotated[
        list[str] | None, typer.Option("--venue", help="Venue (repeat for OR).")
    ] = None,
    author: Annotated[
        list[str] | None,
        typer.Option(
            "--author", "-a", help="Author family name or 'Given Family' (repeat for OR)."
        ),
    ] = None,
    has_code: Annotated[
        bool, typer.Option("--has-code", help="Only papers with a code link.")
    ] = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort", "-s", metavar="relevance|year|title|added", help="Order of results."
        ),
    ] = "relevance",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help="At most this many results, 0 for all (default: 50; every match for keys and bibtex).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="|".join(SEARCH_FORMATS), help="Output format.")
    ] = "table",
    catalog: CatalogOption = None,
) -> None:
    """Find papers: ranked full text plus filters on taxonomy, year, venue, author and code.

    [bold]Query language[/]: free words and "quoted phrases" search titles, names, summaries,
    authors, venues and taxonomy topics; field:value filters are dim:, year:, venue:, author:,
    code:, key:, title:, type:, arxiv:, doi:, url:; combine with AND (implicit), OR, NOT or -, and
    parentheses (operators in capitals). A pasted title, arXiv id or URL, DOI or link works as is;
    a bare year is a year filter. Exact names and titles rank first, originals before follow-ups.
    On no match, effllm says on stderr what it tried instead (prefix, spelling, fewer words).

    When stdout is not a terminal, results are plain tab-separated lines (key, year, venue, title,
    authors, code link), nothing truncated; a limit that leaves results out says so on stderr.

    [bold]Examples[/]

      effllm search wanda
      effllm search "post-training quantization" --year 2023.. --has-code
      effllm search "dim:ptq year:>=2023 code:yes"
      effllm search https://arxiv.org/abs/2106.09685
      effllm search 'dim:kv-cache NOT venue:arxiv' --sort year
      effllm search '(lora OR adapter) -dim:prompt' --format json | jq '.results[].key'
      effllm search 'author:dettmers' --format bibtex > dettmers.bib
    """
    from .index import SORTS
    from .search import effective_limit, run_search, write_notes, write_results

    _check_choice("--sort", sort, SORTS)
    _check_choice("--format", output_format, SEARCH_FORMATS)
    index = _open_index(catalog)
    result = run_search(
        index,
        query,
        sort=sort,
        limit=effective_limit(output_format, limit),
        dims=dim,
        year=year,
        venues=venue,
        authors=author,
        has_code=True if has_code else None,
    )
    terminal_table = output_format == "table" and _terminal()
    if terminal_table:
        from .render import search_table

        search_table(result.rows, result.total, sys.stdout)
    else:
        write_results(index, result, output_format, sys.stdout)
    write_notes(result, sys.stderr, cut_note=not terminal_table)
    raise typer.Exit(0 if result.total else 1)


def _check_choice(option: str, value: str, choices: Any) -> None:
    if value not in choices:
        raise typer.BadParameter(
            f"'{value}' is not one of {', '.join(choices)}", param_hint=f"'{option}'"
        )


@app.command()
def show(
    key: Annotated[
        str,
        typer.Argument(
            help="Citation key, arXiv id or URL, DOI or DOI URL, or the entry's link.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="panel|json|bibtex|yaml", help="Output format.")
    ] = "panel",
    catalog: CatalogOption = None,
) -> None:
    """Show one entry in full.

    [bold]Examples[/]

      effllm show hu2022lora
      effllm show https://arxiv.org/abs/2106.09685
      effllm show hu2022lora --format bibtex >> refs.bib
      effllm show hu2022lora --format json | jq .authors
    """
    from .errors import CatalogError
    from .render import dump_json, entry_panel

    _check_choice("--format", output_format, ("panel", "json", "bibtex", "yaml"))
    index = _open_index(catalog)
    data = index.get(key)
    if data is None:
        close = index.keys_like(key)
        raise CatalogError(
            f"no entry with key, arXiv id, DOI or link '{key}'",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + "`effllm search --format keys` lists keys",
            check="unknown-key",
        )
    if output_format == "json":
        dump_json(data, sys.stdout)
    elif output_format == "yaml":
        import datetime as dt

        from .store import dump_entries

        if data.get("added"):  # the index stores JSON; YAML shows a date unquoted
            data = {**data, "added": dt.date.fromisoformat(data["added"])}
        sys.stdout.write(dump_entries([data]))
    elif output_format == "bibtex":
        from .export import export_rows

        sys.stdout.write(export_rows("bibtex", [data], index.taxonomy))
    else:
        entry_panel(data, index.taxonomy, sys.stdout)


@app.command()
def taxonomy(
    node: Annotated[
        str | None,
        typer.Argument(
            help="Show only this node's subtree (id, alias or suffix).", show_default=False
        ),
    ] = None,
    counts: Annotated[
        bool,
        typer.Option("--counts/--no-counts", help="Paper counts per node, descendants included."),
    ] = True,
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="tree|json", help="Output format.")
    ] = "tree",
    catalog: CatalogOption = None,
) -> None:
    """The survey taxonomy as a tree, with § numbers and paper counts.

    Survey nodes show their § in Ding et al.; [magenta]ext[/] marks our extensions. When stdout
    is not a terminal: one node a line, tab-separated (id, § or ext, papers, title).

    [bold]Examples[/]

      effllm taxonomy
      effllm taxonomy inference.quantization
      effllm taxonomy --format json | jq '.nodes[] | select(.leaf and .papers < 5)'
    """
    from .render import dump_json, taxonomy_tree
    from .stats import node_counts

    _check_choice("--format", output_format, ("tree", "json"))
    index = _open_index(catalog)
    tax = index.taxonomy
    root = tax.resolve(node) if node else None
    numbers = node_counts(tax, ((p, n) for p, n, _ in index.tag_rows()))
    if output_format == "json":
        ids = tax.descendants(root) if root else [n for _, n in tax.walk()]
        dump_json(
            {
                "nodes": [
                    {
                        **{
                            f: getattr(tax.by_id[i], f)
                            for f in ("id", "parent", "title", "description", "origin", "section")
                        },
                        "aliases": list(tax.by_id[i].aliases),
                        "leaf": tax.is_leaf(i),
                        "papers": numbers[i].total,
                        "papers_direct": numbers[i].direct,
                    }
                    for i in ids
                ]
            },
            sys.stdout,
        )
    elif _terminal():
        taxonomy_tree(tax, numbers if counts else None, root, sys.stdout)
    else:  # piped: one node a line, tab-separated, nothing cut
        from .plain import taxonomy_lines

        ids = tax.descendants(root) if root else [n for _, n in tax.walk()]
        taxonomy_lines(tax, numbers if counts else None, ids, sys.stdout)


@app.command()
def stats(
    by: Annotated[
        str, typer.Option("--by", metavar="year|dim|venue|metric|kind", help="Group by.")
    ] = "year",
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="table|json", help="Output format.")
    ] = "table",
    catalog: CatalogOption = None,
) -> None:
    """Counts of papers by year and dimension, by taxonomy node, by venue, by the efficiency metric
    they improve, or by kind (method, survey, benchmark).

    When stdout is not a terminal: plain tab-separated lines, every row (no bars, no cut).

    [bold]Examples[/]

      effllm stats                 [dim]# year x dimension, with bars[/]
      effllm stats --by dim        [dim]# every node; thin leaves (< 5 papers) in red[/]
      effllm stats --by venue --format json
      effllm stats --by metric     [dim]# papers improving memory, latency, FLOPs, ...[/]
    """
    from .plain import stats_node_lines, stats_venue_lines, stats_year_lines
    from .render import dump_json, stats_nodes, stats_venues, stats_years
    from .stats import facet_counts, node_counts, venue_counts, year_by_dimension

    terminal = _terminal()

    _check_choice("--by", by, ("year", "dim", "venue", "metric", "kind"))
    _check_choice("--format", output_format, ("table", "json"))
    index = _open_index(catalog)
    tax = index.taxonomy
    if by == "year":
        table = year_by_dimension(tax, index.tag_rows())
        if output_format == "json":
            dump_json(table, sys.stdout)
        elif terminal:
            stats_years(table, tax, sys.stdout)
        else:
            stats_year_lines(table, sys.stdout)
    elif by == "dim":
        numbers = node_counts(tax, ((p, n) for p, n, _ in index.tag_rows()))
        if output_format == "json":
            dump_json(
                {
                    "nodes": [
                        {
                            "id": i,
                            "papers": numbers[i].total,
                            "papers_direct": numbers[i].direct,
                            "leaf": tax.is_leaf(i),
                        }
                        for _, i in tax.walk()
                    ]
                },
                sys.stdout,
            )
        elif terminal:
            stats_nodes(tax, numbers, sys.stdout)
        else:
            stats_node_lines(tax, numbers, sys.stdout)
    else:
        if by == "venue":
            rows = venue_counts(v for _, v in index.column("venue"))
            label, plural = "venue", "venues"
        elif by == "metric":
            known = sorted(tax.metric_ids)
            rows = facet_counts((v for _, v in index.column("metrics")), known)
            label, plural = "metric", "metrics"
        else:
            rows = facet_counts(
                (v for _, v in index.column("kind")), ("method", "survey", "benchmark")
            )
            label, plural = "kind", "kinds"
        if output_format == "json":
            dump_json({plural: [{label: v, "papers": n} for v, n in rows]}, sys.stdout)
        elif terminal:
            stats_venues(rows, sys.stdout, label=label)
        else:
            stats_venue_lines(rows, sys.stdout)


# --------------------------------------------------------------------------- export / import / edit


def _write_output(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    from .store import atomic_write, file_lock

    with file_lock(output):
        atomic_write(output, text)
    print_note(f"wrote {output}")


def print_note(message: str) -> None:
    """A short status line on stderr (keeps stdout clean for pipes)."""
    from .render import console

    console(stderr=True).print(f"[dim]{message}[/]")


@app.command("export")
def export_cmd(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help="bibtex, biblatex, csl-json, markdown, json or csv.",
            show_default=False,
        ),
    ],
    query: Annotated[
        str,
        typer.Argument(
            help="Select entries with the search language (default: all).", show_default=False
        ),
    ] = "",
    dim: Annotated[
        list[str] | None,
        typer.Option("--dim", "-d", help="Taxonomy node (descendants included); repeat for OR."),
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", "-y", help="2023, >=2023 or 2020..2022.")
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option("--key", "-k", help="Citation key (* wildcard); repeat for OR."),
    ] = None,
    venue: Annotated[
        list[str] | None, typer.Option("--venue", help="Venue; repeat for OR.")
    ] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", "-a", help="Author; repeat for OR.")
    ] = None,
    has_code: Annotated[bool, typer.Option("--has-code", help="Only papers with code.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (atomically) instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
    ascii_only: Annotated[
        bool, typer.Option("--ascii", help="bibtex/biblatex: non-ASCII as LaTeX macros.")
    ] = False,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="markdown: replace the text between"
            " <!-- effllm:start --> and <!-- effllm:end --> in this file.",
            dir_okay=False,
        ),
    ] = None,
    title: Annotated[
        str, typer.Option("--title", help="markdown: page title (not with --into).")
    ] = "Efficient LLM papers",
    venue_style: Annotated[
        str,
        typer.Option(
            "--venue-style",
            metavar="short|full",
            help="bibtex/biblatex/csl-json: the venue's short name (ICML) or the full name of its"
            " edition from the venue table (Proceedings of the 41st International Conference on"
            " Machine Learning).",
        ),
    ] = "short",
    catalog: CatalogOption = None,
) -> None:
    """Export entries as BibTeX, biblatex, CSL-JSON, Markdown, JSON or CSV.

    Output is deterministic: the same catalog and selection give the same bytes (entries in key
    order; Markdown in taxonomy order).

    [bold]Examples[/]

      effllm export bibtex 'dim:ptq year:>=2023 code:yes' -o ptq.bib
      effllm export biblatex --dim kv-cache --ascii > kv.bib
      effllm export csl-json --key hu2022lora --key dettmers2023qlora
      effllm export markdown --into README.md      [dim]# between the effllm markers[/]
      effllm export csv | column -s, -t | less -S
      effllm export bibtex --venue-style full -o refs.bib

    BibTeX carries the taxonomy tags as keywords and arXiv ids as eprint, so `effllm import`
    reads an export back without loss. A selection that matches nothing writes nothing and exits 1.
    """
    from .export import EXPORTERS, export_rows

    _check_choice("FORMAT", fmt, EXPORTERS)
    _check_choice("--venue-style", venue_style, ("short", "full"))
    if into is not None and fmt != "markdown":
        raise typer.BadParameter(
            "--into only works with the markdown format", param_hint="'--into'"
        )
    index, result = _select(
        catalog,
        query,
        sort="title",
        limit=0,
        dims=dim,
        year=year,
        venues=venue,
        authors=author,
        keys=key,
        has_code=True if has_code else None,
    )
    rows = sorted(result.rows, key=lambda r: r["key"])
    if not rows:
        from .errors import CatalogError

        raise CatalogError(
            "no entries match this selection; nothing was written",
            hint="`effllm search` with the same query shows what matches",
            check="empty-selection",
        )
    venues = None
    if venue_style == "full":
        from .store import resolve_catalog_dir
        from .venues import load_venues

        venues = load_venues(resolve_catalog_dir(catalog))
    text = export_rows(
        fmt,
        rows,
        index.taxonomy,
        ascii_only=ascii_only,
        title=title,
        standalone=into is None,
        dims=[index.taxonomy.resolve(d) for d in dim or []],
        venues=venues,
        venue_style=venue_style,
    )
    if into is not None:
        from .export.markdown import splice
        from .store import atomic_write, file_lock, read_text

        with file_lock(into):
            document = read_text(into)
            atomic_write(into, splice(document, text, str(into)))
        print_note(f"updated {into} ({len(rows)} papers)")
        return
    _write_output(text, output)
    if output is not None:
        print_note(f"{len(rows)} entries")


@app.command("check-bib")
def check_bib_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(help="The .bib file to check.", show_default=False, dir_okay=False),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Write the corrected file (changed fields only, atomically)."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the fix as a diff; write nothing.")
    ] = False,
    output_format: ReportFormatOption = "text",
    show_sources: Annotated[
        bool,
        typer.Option("--sources", help="Print the bundled index's sources, commits and coverage."),
    ] = False,
) -> None:
    """Bring a paper's bibliography up to date, offline: find the published versions of preprints.

    Each entry is looked up by arXiv id, DOI, or title confirmed by first author and year, in the
    catalog's verified entries and the bundled accepted-paper lists (ML Anthology, ACL Anthology,
    DBLP). Findings: [cyan]published-version[/] (a preprint that has been published),
    [cyan]title-differs[/], [cyan]authors-differ[/], [cyan]duplicate[/] (one paper under two keys)
    and [cyan]unmatched[/]. Only verified published records count: a venue the catalog could not
    confirm is never offered. --fix keeps keys, field order, comments and untouched entries byte
    for byte; a file with a block that cannot be parsed is never written.

    Exit code 0 when up to date, 1 when anything is out of date, 2 for usage errors.

    [bold]Examples[/]

      effllm check-bib paper.bib
      effllm check-bib paper.bib --dry-run      [dim]# the fix as a diff[/]
      effllm check-bib paper.bib --fix
      effllm check-bib paper.bib --format github
      effllm check-bib --sources                [dim]# what the index covers[/]
    """
    from .checkbib import check_bib, sources
    from .errors import UsageError
    from .render import check_bib_report, dump_json, progress_reporter, sources_report

    if show_sources:
        data = sources()
        if output_format == "json":
            dump_json(data, sys.stdout)
        else:
            sources_report(data, sys.stdout)
        raise typer.Exit(0)
    if file is None:
        raise UsageError(
            "no .bib file given",
            hint="run `effllm check-bib FILE.bib`, or --sources",
            check="usage",
        )
    with progress_reporter("checking entries", threshold=500) as update:
        result = check_bib(file, fix=fix, dry_run=dry_run, progress=update)
    if output_format == "json":
        dump_json({**result.to_dict(), "diff": result.diff() if dry_run else None}, sys.stdout)
    elif dry_run:
        sys.stdout.write(result.diff() or "no changes\n")
    else:
        check_bib_report(result, output_format, sys.stdout)
    raise typer.Exit(result.exit_code)


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A .bib file.", show_default=False, dir_okay=False)],
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            help="Taxonomy node for every imported entry (id, alias or suffix); repeatable. Entries"
            " also take the nodes named in their own keywords.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="text|json", help="Report format.")
    ] = "text",
    catalog: CatalogOption = None,
) -> None:
    """Import entries from a BibTeX file, skipping papers the catalog already has.

    LaTeX is converted to Unicode and names are split. A BibTeX key shaped like the catalog's keys
    (family + year + word, as `effllm export` and Google Scholar write them) is kept when free, so
    documents citing it keep working; other entries get a key by the catalog's rule. Each entry's
    `keywords` that name taxonomy nodes become its tags (added to --tag); full venue names and
    aliases become the venue table's short names, and the entry type follows the venue.
    Duplicates (same arXiv id or DOI, or a near-identical title with the same year or first
    author) are skipped with the reason. The file is written exactly as `effllm fmt` writes it.
    Exit code 1 when any entry failed.

    [bold]Examples[/]

      effllm import refs.bib --tag inference.quantization --dry-run
      effllm import refs.bib --tag ptq
      effllm export bibtex -o all.bib && effllm import all.bib -C new-catalog   [dim]# lossless[/]
    """
    from .edit import import_bibtex
    from .render import dump_json, import_report

    _check_choice("--format", output_format, ("text", "json"))
    report = import_bibtex(file, catalog, tags=tag or [], dry_run=dry_run)
    if output_format == "json":
        dump_json(report.to_dict(), sys.stdout)
    else:
        import_report(report, dry_run, sys.stdout)
    raise typer.Exit(1 if report.failed else 0)


@app.command()
def add(
    title: Annotated[str | None, typer.Option("--title", help="Paper title.")] = None,
    author: Annotated[
        list[str] | None,
        typer.Option("--author", "-a", help="'Family, Given'; repeat in paper order."),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help="Year.")] = None,
    arxiv: Annotated[
        str | None,
        typer.Option("--arxiv", help="arXiv id, arXiv:ID or an arxiv.org abs/pdf URL."),
    ] = None,
    doi: Annotated[str | None, typer.Option("--doi", help="DOI or a doi.org URL.")] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="Taxonomy node (id, alias or suffix); repeatable."),
    ] = None,
    venue: Annotated[
        str | None, typer.Option("--venue", help="Venue (NeurIPS, ICML, arXiv, ...).")
    ] = None,
    entry_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="inproceedings, article, misc, ... [default: inproceedings, or misc for arXiv]",
        ),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Landing page.")] = None,
    code: Annotated[str | None, typer.Option("--code", help="Code repository URL.")] = None,
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary",
            help="One or two sentences in your own words: what the paper contributes and what it"
            " makes cheaper.",
        ),
    ] = None,
    name: Annotated[
        list[str] | None,
        typer.Option("--name", help="A short name people use for the work (repeatable)."),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="URL of the record the fields came from (repeatable)."),
    ] = None,
    fetch: Annotated[
        bool,
        typer.Option(
            "--fetch",
            help="Fill title, authors and year (and, for a DOI, the venue) from the arXiv API or"
            " Crossref, and show the abstract. The only command that uses the network.",
        ),
    ] = False,
    bibtex: Annotated[
        Path | None,
        typer.Option(
            "--bibtex", help="Read the entry from a BibTeX file ('-' for stdin).", allow_dash=True
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and print; write nothing.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Add one paper, validated against the whole catalog first; prints the new key.

    The entry is validated, then references.yaml is rewritten atomically in the canonical layout
    (comments at the top kept; a comment elsewhere makes add refuse rather than drop it).

    [bold]Examples[/]

      effllm add --title 'LoRA: Low-Rank Adaptation of Large Language Models' \\
          -a 'Hu, Edward J.' -a 'Shen, Yelong' --year 2022 --venue ICLR \\
          --arxiv 2106.09685 --tag lora
      pbpaste | effllm add --bibtex - --tag ptq
      effllm add --arxiv https://arxiv.org/abs/2106.09685 --fetch --tag lora \\
          --summary 'Trains a low-rank update per layer instead of all weights.'

    The file is written exactly as `effllm fmt` writes it, so `effllm fmt --check` passes.
    """
    from .edit import add_entry

    if bibtex is not None:
        from .importers.bibtex import parse_bibtex
        from .store import read_text

        text = sys.stdin.read() if str(bibtex) == "-" else read_text(bibtex)
        parsed = parse_bibtex(text)
        if len(parsed.drafts) != 1:
            from .errors import UsageError

            raise UsageError(
                f"expected exactly one BibTeX entry, found {len(parsed.drafts)}",
                file=str(bibtex),
                hint="pass one entry; use `effllm import` for many",
                check="usage",
            )
        data = parsed.drafts[0].data
    else:
        data = {}
    from .models import normalise_arxiv, normalise_doi

    arxiv = normalise_arxiv(arxiv) if arxiv else None
    doi = normalise_doi(doi) if doi else None
    if not tag and not data.get("tags"):  # checked before any network request
        raise typer.BadParameter("at least one --tag is required", param_hint="'--tag'")
    if fetch:
        from .fetch import fetch_arxiv, fetch_doi

        if not arxiv and not doi:
            raise typer.BadParameter(
                "--fetch needs --arxiv ID or --doi DOI", param_hint="'--fetch'"
            )
        record = fetch_arxiv(arxiv) if arxiv else fetch_doi(doi or "")
        data.update({k: v for k, v in record.fields.items() if v and k not in data})
        data.setdefault("sources", [record.source])
        for label, value in record.extra.items():
            print_note(f"arXiv {label.replace('_', ' ')}: {value}")
        if record.abstract:
            print_note("abstract (write the summary in your own words):\n" + record.abstract)
    overrides = {
        "title": title,
        "authors": author,
        "year": year,
        "arxiv": arxiv,
        "doi": doi,
        "venue": venue,
        "url": url,
        "code": code,
        "type": entry_type,
        "summary": summary,
        "names": name,
        "sources": source,
    }
    data.update({k: v for k, v in overrides.items() if v})
    if not data.get("title") or not data.get("authors") or not data.get("year"):
        raise typer.BadParameter("--title, --author and --year are required (or --bibtex, --fetch)")
    index_tax = _taxonomy_for(catalog)
    data["tags"] = [index_tax.resolve(t) for t in tag or []] or data.get("tags") or []
    if not data["tags"]:
        raise typer.BadParameter("at least one --tag is required", param_hint="'--tag'")
    if data.get("arxiv") and not data.get("venue"):
        data["venue"] = "arXiv"

    if data.get("arxiv") and not data.get("url"):
        data["url"] = f"https://arxiv.org/abs/{data['arxiv']}"
    result = add_entry(data, catalog, dry_run=dry_run)
    if dry_run:
        from .store import dump_entries

        sys.stdout.write(dump_entries([result.reference.to_data(mode="python")]))
    else:
        typer.echo(result.reference.key)
        print_note(f"added to {result.file}")


@app.command()
def edit(
    key: Annotated[
        str, typer.Argument(help="Citation key (it never changes).", show_default=False)
    ],
    assign: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="Set a field; lists split on ';'; extra.NAME for a BibTeX field. Repeatable.",
        ),
    ] = None,
    unset: Annotated[
        list[str] | None, typer.Option("--unset", metavar="FIELD", help="Remove an optional field.")
    ] = None,
    add_tag: Annotated[
        list[str] | None, typer.Option("--add-tag", help="Add a taxonomy node (id, alias, suffix).")
    ] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove a tag.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and print the entry; write nothing.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Change one entry: set or remove fields, add or remove tags. Validated first, then written
    exactly as `effllm fmt` writes it.

    [bold]Examples[/]

      effllm edit hu2022lora --add-tag lora --remove-tag inference.quantization
      effllm edit hu2022lora --set venue=ICLR --set type=inproceedings --set year=2022
      effllm edit hu2022lora --set 'authors=Hu, Edward J.; Shen, Yelong' --unset notes
    """
    from .edit import edit_entry, parse_assignment

    if not (assign or unset or add_tag or remove_tag):
        raise typer.BadParameter("nothing to change: use --set, --unset, --add-tag or --remove-tag")
    result = edit_entry(
        key,
        catalog,
        assign=[parse_assignment(a) for a in assign or []],
        unset=unset or [],
        add_tags=add_tag or [],
        remove_tags=remove_tag or [],
        dry_run=dry_run,
    )
    if dry_run and result.reference is not None:
        from .store import dump_entries

        sys.stdout.write(dump_entries([result.reference.to_data(mode="python")]))
    else:
        print_note(f"updated {key} in {result.file}")


@app.command()
def rm(
    key: Annotated[str, typer.Argument(help="Citation key.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing.")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Remove one entry; the file is written exactly as `effllm fmt` writes it.

    [bold]Examples[/]

      effllm rm wang2024bit
    """
    from .edit import remove_entry

    result = remove_entry(key, catalog, dry_run=dry_run)
    print_note(("would remove" if dry_run else "removed") + f" {key} from {result.file}")


def _taxonomy_for(catalog: Path | None) -> Any:
    from .catalog import read_taxonomy
    from .store import TAXONOMY_FILE, resolve_catalog_dir

    tax, _ = read_taxonomy(resolve_catalog_dir(catalog) / TAXONOMY_FILE)
    return tax


@app.command()
def fmt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Catalog folders or reference files (default: the catalog).", show_default=False
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; show the diff and exit 1 if any file is not in canonical layout.",
        ),
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Rewrite reference files in the one canonical layout, so diffs stay small.

    Entries sorted by key, fields in catalog order, one quoting style; idempotent. Comments at the
    top of a file are kept; fmt refuses (naming the line) rather than drop any other comment.

    [bold]Examples[/]

      effllm fmt
      effllm fmt data/ --check   [dim]# in CI: exit 1 and print the diff[/]
    """
    from .edit import format_catalog

    results = format_catalog(catalog, check=check, paths=paths or [])
    changed = [r for r in results if r.changed]
    if check:
        for result in changed:
            sys.stdout.write(result.diff)
        if changed:
            print_note(f"{len(changed)} file(s) would be reformatted; run `effllm fmt`")
            raise typer.Exit(1)
        print_note(f"{len(results)} file(s) already formatted")
        return
    for result in changed:
        print_note(f"reformatted {result.file}")
    if not changed:
        print_note(f"{len(results)} file(s) already formatted")


# --------------------------------------------------------------------------- site


@app.command()
def site(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write the site to; a site built there before is replaced.",
            file_okay=False,
        ),
    ] = Path("site"),
    title: Annotated[
        str, typer.Option("--title", help="Site title, shown on every page.")
    ] = "Efficient LLM papers",
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="text|json", help="Report format."),
    ] = "text",
    catalog: CatalogOption = None,
) -> None:
    """Build a static website of the catalog: home with the taxonomy tree, a page per node, per
    paper and a stats page, with search in the page.

    No server and no network, at build or view time: open DIR/index.html from disk or publish the
    folder (GitHub Pages). The same catalog gives the same bytes. A folder that is not empty and was
    not built by `effllm site` is refused.

    [bold]Examples[/]

      effllm site -o site && xdg-open site/index.html
      effllm site --catalog data -o public --title 'Efficient LLM survey: papers'
      effllm site -o site --format json      [dim]# pages written, for scripts[/]
    """
    from .render import console, dump_json
    from .site import build_site
    from .validate import load_catalog

    _check_choice("--format", output_format, ("text", "json"))
    with console(stderr=True).status("building the site"):
        result = build_site(load_catalog(catalog), output, title=title)
    if output_format == "json":
        dump_json(result.to_data(), sys.stdout)
        return
    pages = ", ".join(f"{n} {kind}" for kind, n in result.pages.items())
    print_note(
        f"wrote {output}/index.html: {sum(result.pages.values())} pages ({pages}),"
        f" {result.files} files, {result.size / 1e6:.1f} MB"
    )


# --------------------------------------------------------------------------- ecosystem


@app.command()
def schema(
    which: Annotated[
        str, typer.Argument(metavar="references|taxonomy", help="Which file's schema.")
    ] = "references",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.", dir_okay=False)
    ] = None,
    catalog: CatalogOption = None,
) -> None:
    """Print the JSON Schema of a catalog file, generated from the models.

    The references schema lists the taxonomy's node ids as an enum, so editors with
    yaml-language-server complete tags. Data files point at it with a first line
    `# yaml-language-server: $schema=../docs/schema/references.schema.json`.

    [bold]Examples[/]

      effllm schema references -o docs/schema/references.schema.json
      effllm schema -o refs.schema.json && check-jsonschema --schemafile refs.schema.json data/references.yaml
    """
    import json

    from .schema import SCHEMAS

    _check_choice("which", which, SCHEMAS)
    text = json.dumps(SCHEMAS[which](_taxonomy_for(catalog)), indent=2, ensure_ascii=False) + "\n"
    _write_output(text, output)


@app.command()
def docs(
    folder: Annotated[Path, typer.Option("--out", help="The docs folder.", file_okay=False)] = Path(
        "docs"
    ),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if a generated page is out of date."),
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Regenerate the docs that come from the code (CLI, catalog format, taxonomy, schemas).

    [bold]Examples[/]

      effllm docs --catalog data            [dim]# after changing the CLI, models or taxonomy[/]
      effllm docs --catalog data --check    [dim]# in CI[/]
    """
    import typer.main

    from .docs import check_docs, generate_docs
    from .store import atomic_write
    from .validate import load_catalog

    cat = load_catalog(catalog)
    command = typer.main.get_command(app)
    if check:
        stale = check_docs(folder, cat, command)
        if stale:
            print_note("out of date: " + ", ".join(stale) + " (run `effllm docs --catalog data`)")
            raise typer.Exit(1)
        print_note("generated docs are current")
        return
    for name, text in generate_docs(cat, command).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
        print_note(f"wrote {path}")
