"""Validation messages in the catalog's own words: what pydantic reports, said for a curator.

No raw pydantic text reaches a user: each error type the models can raise has a sentence here;
an unforeseen type falls back to a neutral sentence naming the problem kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic_core import ErrorDetails

__all__ = ["YEAR_MIN", "plausible_years", "translate"]

#: The earliest year validate accepts; the latest is next year.
YEAR_MIN = 1950


def plausible_years() -> tuple[int, int]:
    """The range of years ``validate`` and ``add`` accept: 1950..next year."""
    return YEAR_MIN, dt.date.today().year + 1


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"


def translate(error: ErrorDetails) -> str:
    """One pydantic error as a sentence (without the field name, which the caller adds)."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    messages = {
        "string_pattern_mismatch": f"{_shown(value)} is not a valid value",
        "string_too_short": "is empty",
        "string_too_long": f"is longer than {ctx.get('max_length')} characters",
        "too_short": f"needs at least {ctx.get('min_length')} item(s)",
        "too_long": f"has more than {ctx.get('max_length')} items",
        "greater_than_equal": f"{_shown(value)} is below the minimum {ctx.get('ge')}",
        "less_than_equal": f"{_shown(value)} is above the maximum {ctx.get('le')}",
        "list_type": "must be a list (write '- item' lines or [a, b])",
        "dict_type": "must be a mapping of 'name: value' lines",
        "model_type": "must be a mapping of 'name: value' lines",
        "int_parsing": f"{_shown(value)} is not a whole number",
        "literal_error": f"{_shown(value)} is not one of {ctx.get('expected')}",
        "date_from_datetime_parsing": f"{_shown(value)} is not a date (write YYYY-MM-DD)",
        "date_parsing": f"{_shown(value)} is not a date (write YYYY-MM-DD)",
        "date_type": f"{_shown(value)} is not a date (write YYYY-MM-DD)",
        "bool_type": "must be true or false",
        "string_type": "must be text",
        "int_type": "must be a whole number",
    }
    if kind in messages:
        return messages[kind]
    if kind == "value_error":  # our own validators: the sentence after pydantic's prefix
        return str(error["msg"]).removeprefix("Value error, ")
    return f"has a value the catalog cannot use ({kind.replace('_', ' ')})"
