"""The ``effllm`` entry point, with a fast path for ``effllm search`` into a pipe.

``import typer`` alone costs more than a whole warm search, so when stdout is not a terminal and
the index is already built, ``effllm search ...`` is answered here: query -> SQLite index -> plain
output, without typer, rich, pydantic or YAML. The Typer command in :mod:`effllm_catalog.cli`
stays the one definition of the interface: this parser accepts exactly its options (a test
compares both, option by option, and compares outputs), and anything it is not sure about — help,
an unknown or malformed option, a query error, a cold index, a terminal — falls through to the
Typer CLI, which then does the work and reports errors as usual.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .errors import CatalogError
from .paths import ENV_FORCE_TTY

__all__ = ["SEARCH_OPTIONS", "main", "parse_search_args", "try_search"]

#: The options of ``effllm search`` as the fast path reads them: flags, destination, kind.
#: kind: "one" takes a value, "many" takes a value and repeats, "flag" takes none.
SEARCH_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "dim": (("--dim", "-d"), "many"),
    "year": (("--year", "-y"), "one"),
    "venue": (("--venue",), "many"),
    "author": (("--author", "-a"), "many"),
    "has_code": (("--has-code",), "flag"),
    "sort": (("--sort", "-s"), "one"),
    "limit": (("--limit", "-n"), "one"),
    "output_format": (("--format", "-f"), "one"),
    "catalog": (("--catalog", "-C"), "one"),
}
_FORMATS = ("table", "plain", "json", "keys", "bibtex")
_SORTS = ("relevance", "year", "title", "added")


class _HandOverError(Exception):
    """The fast path cannot be sure it would do what the Typer CLI does: let the CLI answer."""


def parse_search_args(args: list[str]) -> dict[str, Any]:
    """Options and query of ``effllm search`` as Typer would read them; raises on anything else."""
    by_flag = {flag: dest for dest, (flags, _) in SEARCH_OPTIONS.items() for flag in flags}
    values: dict[str, Any] = {
        "query": None,
        "dim": [],
        "year": None,
        "venue": [],
        "author": [],
        "has_code": False,
        "sort": "relevance",
        "limit": None,
        "output_format": "table",
        "catalog": None,
    }
    i = 0
    only_positional = False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_positional or arg == "-" or not arg.startswith("-"):
            if values["query"] is not None:
                raise _HandOverError("a second argument")
            values["query"] = arg
            continue
        if arg == "--":
            only_positional = True
            continue
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
        attached = (inline if eq else None) if arg.startswith("--") else (inline or None)
        dest = by_flag.get(name)
        if dest is None:
            raise _HandOverError(f"option {name}")
        kind = SEARCH_OPTIONS[dest][1]
        if kind == "flag":
            if attached is not None:
                raise _HandOverError("a value on a flag")
            values[dest] = True
            continue
        if attached is None:
            if i >= len(args):
                raise _HandOverError("an option without its value")
            attached = args[i]
            i += 1
        if kind == "many":
            values[dest].append(attached)
        else:
            values[dest] = attached
    if values["limit"] is not None:
        text = values["limit"].strip()
        if not text.lstrip("+").isdigit():
            raise _HandOverError("a limit that is not a whole number")
        values["limit"] = int(text)
    if values["output_format"] not in _FORMATS or values["sort"] not in _SORTS:
        raise _HandOverError("a format or sort Typer will reject")
    if values["catalog"] is None and os.environ.get("EFFLLM_CATALOG"):
        values["catalog"] = os.environ["EFFLLM_CATALOG"]
    return values


def try_search(args: list[str]) -> int | None:
    """Answer ``effllm search ARGS`` into a pipe from a warm index; None to hand over to Typer."""
    try:
        options = parse_search_args(args)
        from .index import open_warm_index

        catalog = options["catalog"]
        if catalog is not None and not Path(catalog).is_dir():
            raise _HandOverError("a catalog that is not a folder")
        index = open_warm_index(catalog)
        if index is None:
            raise _HandOverError("no built index")
        from io import StringIO

        from .search import effective_limit, run_search, write_notes, write_results

        result = run_search(
            index,
            options["query"] or "",
            sort=options["sort"],
            limit=effective_limit(options["output_format"], options["limit"]),
            dims=options["dim"] or None,
            year=options["year"],
            venues=options["venue"] or None,
            authors=options["author"] or None,
            has_code=True if options["has_code"] else None,
        )
        out, err = StringIO(), StringIO()
        write_results(index, result, options["output_format"], out)
        write_notes(result, err)
    except (_HandOverError, CatalogError):
        return None
    except Exception:  # noqa: BLE001 -- nothing is written yet; the CLI's error boundary reports it
        return None
    sys.stdout.write(out.getvalue())
    sys.stdout.flush()
    sys.stderr.write(err.getvalue())
    return 0 if result.total else 1


def main() -> None:
    """Console-script entry point: the search fast path when it applies, else the Typer CLI."""
    args = sys.argv[1:]
    if args[:1] == ["search"] and not sys.stdout.isatty() and not os.environ.get(ENV_FORCE_TTY):
        try:
            code = try_search(args[1:])
        except BrokenPipeError:
            # `effllm search ... | head`: the reader left; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        if code is not None:
            sys.exit(code)
    from .cli import main as cli_main

    cli_main()
