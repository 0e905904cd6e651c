"""The exceptions the library raises; every one knows where the problem is and how to fix it.

The CLI catches :class:`CatalogError` in exactly one place and prints it as
``error: <file>:<line>:<col>: <message>`` followed by the hint.
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "CatalogNotFoundError",
    "InvalidCatalogError",
    "LoadError",
    "QueryError",
    "UsageError",
    "WriteError",
]


class CatalogError(Exception):
    """Base class: a problem with catalog input or output, located in a file when possible."""

    #: Exit code the CLI uses for this kind of error.
    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
        check: str = "error",
        excerpt: str | None = None,
    ) -> None:
        super().__init__(message)
        #: The offending source line with a caret under the column, when known.
        self.excerpt = excerpt
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.hint = hint
        self.check = check

    @property
    def location(self) -> str:
        """``file:line:col`` with whatever parts are known."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class LoadError(CatalogError):
    """A catalog file cannot be parsed: bad YAML, bad encoding, a wrong top-level shape, ..."""


class CatalogNotFoundError(CatalogError):
    """A catalog path does not exist or cannot be read (a usage problem, exit code 2)."""

    exit_code = 2


class UsageError(CatalogError):
    """Options or arguments that make no sense together (exit code 2)."""

    exit_code = 2


class InvalidCatalogError(CatalogError):
    """The catalog parsed but holds entries that fail validation; carries the first finding."""


class QueryError(CatalogError):
    """A search query that cannot be parsed or names an unknown field or taxonomy node."""

    exit_code = 2


class WriteError(CatalogError):
    """A catalog file could not be written; the old file is untouched."""
