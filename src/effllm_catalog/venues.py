"""The canonical venue table: short names, full names per edition, aliases, kinds.

``venues.yaml`` sits next to ``taxonomy.yaml``; a catalog without one uses the bundled table. The
table decides which short names validate accepts, which entry type a venue calls for, what
``export --venue-style full`` writes, and how ``import`` maps a full name back to its short name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from . import store
from .errors import CatalogError
from .findings import Issue
from .models import TYPE_FOR_KIND, Venue, VenueFile

__all__ = ["VENUES_FILE", "VenueTable", "load_venues", "ordinal", "ordinal_word", "read_venues"]

VENUES_FILE = "venues.yaml"

_ONES = (
    "",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
)
_CARDINAL_ONES = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
_TENS_ORDINAL = (
    "",
    "",
    "Twentieth",
    "Thirtieth",
    "Fortieth",
    "Fiftieth",
    "Sixtieth",
    "Seventieth",
    "Eightieth",
    "Ninetieth",
)


def ordinal(n: int) -> str:
    """``41st``, ``62nd``, ``13th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ordinal_word(n: int) -> str:
    """``Twelfth``, ``Forty-First`` (1..99; larger numbers as digits)."""
    if not 1 <= n <= 99:
        return ordinal(n)
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS_ORDINAL[tens] if ones == 0 else f"{_TENS[tens]}-{_ONES[ones]}"


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


_ORDINAL_WORDS = "|".join(
    w.casefold() for w in (*_ONES[1:], *_TENS_ORDINAL[2:], *_TENS[2:], *_CARDINAL_ONES[1:])
)
_NOISE = re.compile(
    rf"\(.*?\)|\{{\w+\}}|\b(proceedings|of|the|annual|volume|vol|\d+(st|nd|rd|th)?"
    rf"|({_ORDINAL_WORDS})(-({_ORDINAL_WORDS}))?)\b|[^\w\s]"
)


def _core(name: str) -> str:
    """A venue name without what varies between editions: 'Proceedings of the', ordinals, years,
    volume numbers and parentheses. ``Proceedings of the 41st International Conference on Machine
    Learning`` and ``International Conference on Machine Learning`` share one core."""
    return " ".join(_NOISE.sub(" ", name.casefold()).split())


class VenueTable:
    """Lookup over the venue table: by short name or alias (case-insensitive), with suggestions."""

    def __init__(self, venues: list[Venue], file: str = VENUES_FILE) -> None:
        self.venues = venues
        self.file = file
        self.by_short: dict[str, Venue] = {}
        self._names: dict[str, Venue] = {}
        for venue in venues:
            self.by_short.setdefault(venue.short, venue)
        self._cores: dict[str, Venue] = {}
        for venue in venues:
            for name in (venue.short, *venue.aliases):
                self._names.setdefault(_fold(name), venue)
        for venue in venues:
            names = (venue.short, *venue.aliases, venue.name, *venue.editions.values())
            for name in (*names, *([venue.edition] if venue.edition else [])):
                core = _core(name)
                if core:
                    self._cores.setdefault(core, venue)

    def __contains__(self, short: object) -> bool:
        return short in self.by_short

    def __len__(self) -> int:
        return len(self.venues)

    def __iter__(self) -> Iterator[Venue]:
        return iter(self.venues)

    def find(self, name: str) -> Venue | None:
        """The venue a short name or alias names (any case), if any."""
        return self.by_short.get(name) or self._names.get(_fold(name))

    def match(self, name: str) -> Venue | None:
        """Like :meth:`find`, and also full names of any edition (``Advances in Neural
        Information Processing Systems 37``, ``Proceedings of the 26th Annual International
        Conference on Machine Learning``), as BibTeX from publishers and Crossref spell them."""
        return self.find(name) or self._cores.get(_core(name))

    def canonical(self, name: str) -> str:
        """The short name for ``name`` (a short name, alias or edition's full name), or ``name``
        itself when the table does not know it."""
        venue = self.match(name)
        return venue.short if venue else name

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Short names close to ``name`` (for did-you-mean hints)."""
        folded = _fold(name)
        close = difflib.get_close_matches(folded, list(self._names), n=n * 2, cutoff=0.6)
        return list(dict.fromkeys(self._names[c].short for c in close))[:n]

    def entry_type(self, name: str) -> str | None:
        """The entry type the venue calls for (inproceedings, article or misc), if known."""
        venue = self.match(name)
        return TYPE_FOR_KIND[venue.kind] if venue else None

    def full_name(self, name: str, year: int | None = None) -> str:
        """The full name of the venue in ``year`` (its edition's proceedings when known)."""
        venue = self.find(name)
        if venue is None:
            return name
        if year is not None and year in venue.editions:
            return venue.editions[year]
        if (
            year is not None
            and venue.edition
            and (venue.since is None or year >= venue.since)
            and (venue.first is None or year >= venue.first)
        ):
            number = year - venue.first + 1 if venue.first is not None else 0
            needs_number = any(f in venue.edition for f in ("{number}", "{ordinal}", "{Ordinal}"))
            if number > 0 or not needs_number:
                return venue.edition.format(
                    year=year,
                    yy=f"{year % 100:02d}",
                    number=number,
                    ordinal=ordinal(number),
                    Ordinal=ordinal_word(number),
                )
        return venue.name


def read_venues(path: Path) -> tuple[VenueTable, list[Issue]]:
    """Read a venue table; problems come back as findings (check ``venue-table``)."""
    file = str(path)
    try:
        data = store.read_yaml(path)
    except CatalogError as exc:
        if exc.exit_code == 2:
            raise
        issue = Issue(
            "venue-table", "error", file, exc.line, exc.col, None, exc.message, exc.hint or ""
        )
        return VenueTable([], file), [issue]
    locator = store.Locator()
    try:
        parsed = VenueFile.model_validate(data)
    except ValidationError as exc:
        from .messages import translate

        issues = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            message = f"{where}: {translate(error)}"
            if error["type"] == "missing":
                message = f"required field '{where}' is missing"
            elif error["type"] == "extra_forbidden":
                message = f"unknown field '{where}'"
            hint = "fields: " + ", ".join(Venue.model_fields) + "; see the comment atop venues.yaml"
            line, col = locator.locate(file, tuple(error["loc"]))
            issues.append(Issue("venue-table", "error", file, line, col, None, message, hint))
        return VenueTable([], file), issues
    issues = []
    seen: dict[str, str] = {}
    for index, venue in enumerate(parsed.venues):
        for name in (venue.short, *venue.aliases):
            owner = seen.setdefault(_fold(name), venue.short)
            if owner != venue.short:
                line, col = locator.locate(file, ("venues", index, "short"))
                issues.append(
                    Issue(
                        "venue-table",
                        "error",
                        file,
                        line,
                        col,
                        None,
                        f"'{name}' names both '{owner}' and '{venue.short}'",
                        "a short name or alias must name one venue; remove one",
                    )
                )
    return VenueTable(parsed.venues, file), issues


def venues_path(directory: Path | None) -> Path:
    """The venue table of a catalog folder, else the bundled one."""
    if directory is not None and (directory / VENUES_FILE).is_file():
        return directory / VENUES_FILE
    return store.bundled_catalog_dir() / VENUES_FILE


def load_venues(directory: Path | None = None) -> VenueTable:
    """Load the venue table of a catalog folder (or the bundled one); raise on any problem."""
    table, issues = read_venues(venues_path(directory))
    if issues:
        first = issues[0]
        raise CatalogError(
            first.message,
            file=first.file,
            line=first.line,
            col=first.col,
            hint=first.hint,
            check=first.check,
        )
    return table
