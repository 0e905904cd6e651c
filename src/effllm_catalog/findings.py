"""Structured validation findings: what every check returns and every reporter prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Issue", "Report", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: a stable check id, where it is, what is wrong and how to fix it."""

    check: str
    severity: Severity
    file: str
    line: int | None
    col: int | None
    key: str | None
    message: str
    hint: str | None = None
    #: The offending source line with a caret under the column (YAML syntax errors).
    excerpt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data (the schema of ``validate --format json``)."""
        return asdict(self)

    @property
    def location(self) -> str:
        """``file:line:col`` with whatever parts are known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(slots=True)
class Report:
    """The result of validating a catalog: every finding, in file and line order."""

    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    entries: int = 0
    strict: bool = False

    @property
    def errors(self) -> list[Issue]:
        """Findings that fail validation (warnings count too under ``strict``)."""
        return [i for i in self.issues if i.severity == "error" or self.strict]

    @property
    def warnings(self) -> list[Issue]:
        """Findings of severity ``warning``."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing fails validation."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 when clean, 1 when anything fails."""
        return 0 if self.ok else 1

    def sort(self) -> None:
        """Order findings by file, line, column, then check id."""
        self.issues.sort(key=lambda i: (i.file, i.line or 0, i.col or 0, i.check))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "ok": self.ok,
            "strict": self.strict,
            "files": self.files,
            "entries": self.entries,
            "errors": sum(1 for i in self.issues if i.severity == "error"),
            "warnings": len(self.warnings),
            "issues": [i.to_dict() for i in self.issues],
        }
