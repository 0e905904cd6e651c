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
from .render import VALIDATE_REPORTERS, print_error

__all__ = ["app", "main"]


class _Boundary(TyperGroup):
    """The one error boundary: library errors become located messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            location = exc.location if exc.file else None
            print_error(exc.message, location, exc.hint)
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


app = typer.Typer(
    cls=_Boundary,
    name="effllm",
    help="A validated, searchable catalog of LLM-efficiency papers on the taxonomy of Ding et al.,"
    " 'The Efficiency Spectrum of Large Language Models' (arXiv 2312.00678).\n\n"
    "The catalog is read from --catalog DIR, else $EFFLLM_CATALOG, else the catalog bundled with"
    " the package.",
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
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            callback=_one_of(VALIDATE_REPORTERS),
            metavar="|".join(VALIDATE_REPORTERS),
            help="text for people, json for scripts, github for Actions annotations.",
        ),
    ] = "text",
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
        print_error(exc.message, exc.location if exc.file else None, exc.hint)
        sys.exit(exc.exit_code)


# --------------------------------------------------------------------------- search & friends

FormatOption = typer.Option("--format", "-f")


def _open_index(catalog: Path | None) -> Any:
    """Open the search index, with a progress bar on stderr when a build takes a while."""
    from .index import open_index
    from .render import progress_reporter

    with progress_reporter("building search index") as progress:
        return open_index(catalog, progress=progress)


SEARCH_FORMATS = {
    "table": "rich table",
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
        int, typer.Option("--limit", "-n", min=0, help="At most this many results (0: all).")
    ] = 50,
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="|".join(SEARCH_FORMATS), help="Output format.")
    ] = "table",
    catalog: CatalogOption = None,
) -> None:
    """Find papers: ranked full text plus filters on taxonomy, year, venue, author and code.

    [bold]Query language[/]: free words and "quoted phrases" search title, abstract, authors and
    venue; field:value filters are dim:, year:, venue:, author:, code:, key:, title:, type:,
    arxiv:, doi:; combine with AND (implicit), OR, NOT or -, and parentheses.

    [bold]Examples[/]

      effllm search "post-training quantization" --year 2023.. --has-code
      effllm search "dim:ptq year:>=2023 code:yes"
      effllm search 'dim:kv-cache NOT venue:arxiv' --sort year
      effllm search '(lora OR adapter) -dim:prompt' --format json | jq '.results[].key'
      effllm search 'author:dettmers' --format bibtex > dettmers.bib
    """
    from .query import build_query
    from .render import search_json, search_keys, search_table

    _check_choice("--sort", sort, ("relevance", "year", "title", "added"))
    _check_choice("--format", output_format, SEARCH_FORMATS)
    node = build_query(
        query,
        dims=dim,
        year=year,
        venues=venue,
        authors=author,
        has_code=True if has_code else None,
    )
    index = _open_index(catalog)
    if node is not None:
        _resolve_dims(node, index.taxonomy)
    result = index.search(node, sort=sort, limit=limit)
    if output_format == "json":
        search_json(result.rows, result.total, sys.stdout, query)
    elif output_format == "keys":
        search_keys(result.rows, sys.stdout)
    elif output_format == "bibtex":
        from .export import export_rows

        sys.stdout.write(export_rows("bibtex", result.rows, index.taxonomy))
    else:
        search_table(result.rows, result.total, sys.stdout)
    raise typer.Exit(0 if result.total else 1)


def _check_choice(option: str, value: str, choices: Any) -> None:
    if value not in choices:
        raise typer.BadParameter(
            f"'{value}' is not one of {', '.join(choices)}", param_hint=f"'{option}'"
        )


def _resolve_dims(node: Any, taxonomy: Any) -> None:
    """Resolve every dim: name up front so that unknown nodes fail before any output."""
    from .query import Dim, text_terms

    _ = text_terms
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Dim):
            taxonomy.resolve(current.name)
        stack.extend(getattr(current, "children", ()))
        if hasattr(current, "child"):
            stack.append(current.child)


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="Citation key.", show_default=False)],
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="panel|json|bibtex|yaml", help="Output format.")
    ] = "panel",
    catalog: CatalogOption = None,
) -> None:
    """Show one entry in full.

    [bold]Examples[/]

      effllm show hu2022lora
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
            f"no entry with key '{key}'",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + "`effllm search --format keys` lists keys",
            check="unknown-key",
        )
    if output_format == "json":
        dump_json(data, sys.stdout)
    elif output_format == "yaml":
        from .store import dump_entries

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

    Survey nodes show their § in Ding et al.; [magenta]ext[/] marks our extensions.

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
    else:
        taxonomy_tree(tax, numbers if counts else None, root, sys.stdout)


@app.command()
def stats(
    by: Annotated[str, typer.Option("--by", metavar="year|dim|venue", help="Group by.")] = "year",
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="table|json", help="Output format.")
    ] = "table",
    catalog: CatalogOption = None,
) -> None:
    """Counts of papers by year and dimension, by taxonomy node, or by venue.

    [bold]Examples[/]

      effllm stats                 [dim]# year x dimension, with bars[/]
      effllm stats --by dim        [dim]# every node; thin leaves (< 5 papers) in red[/]
      effllm stats --by venue --format json
    """
    from .render import dump_json, stats_nodes, stats_venues, stats_years
    from .stats import node_counts, venue_counts, year_by_dimension

    _check_choice("--by", by, ("year", "dim", "venue"))
    _check_choice("--format", output_format, ("table", "json"))
    index = _open_index(catalog)
    tax = index.taxonomy
    if by == "year":
        table = year_by_dimension(tax, index.tag_rows())
        if output_format == "json":
            dump_json(table, sys.stdout)
        else:
            stats_years(table, tax, sys.stdout)
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
        else:
            stats_nodes(tax, numbers, sys.stdout)
    else:
        rows = venue_counts(v for _, v in index.column("venue"))
        if output_format == "json":
            dump_json({"venues": [{"venue": v, "papers": n} for v, n in rows]}, sys.stdout)
        else:
            stats_venues(rows, sys.stdout)
