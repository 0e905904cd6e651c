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
