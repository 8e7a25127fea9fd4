"""Number formatting for pages: turns computed or printed numbers into text, never computes effects.

Every number shown on the site is either typed in a record (printed by a source) or comes from
``evidencekb.computed``/``evidencekb.effects``; this module only decides how many decimals and which
words to show. Unit changes (a fraction shown as percentage points) are the only arithmetic here.
"""

from __future__ import annotations

import math

MINUS = "\u2212"


def num(value: float | None, decimals: int = 2) -> str:
    """A number with fixed decimals and a true minus sign; an em dash for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2014"
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else f"{MINUS}infinity"
    text = f"{value:.{decimals}f}"
    if text.startswith("-"):
        stripped = text[1:].strip("0.")
        text = MINUS + text[1:] if stripped else text[1:]
    return text


def interval(low: float | None, high: float | None, decimals: int = 2) -> str:
    """'low to high' (words, not a dash, so negative bounds stay readable); 'not estimable' when missing."""
    if low is None and high is None:
        return "not estimable"
    return f"{num(low, decimals) if low is not None else 'not estimable'} to " \
           f"{num(high, decimals) if high is not None else 'not estimable'}"


def percent_points(fraction: float | None, decimals: int = 1) -> str:
    """A risk difference given as a fraction, shown in percentage points."""
    return num(None if fraction is None else fraction * 100, decimals)


def percent(fraction: float | None, decimals: int = 1) -> str:
    return "\u2014" if fraction is None else f"{num(fraction * 100, decimals)}%"


def per_1000(value: float | None) -> str:
    return num(value, 0)


def more_fewer(value: float | None) -> str:
    """A per-1000 difference in GRADE's words: '350 more', '12 fewer', '0 more'."""
    if value is None:
        return "not estimable"
    rounded = round(value)
    return f"{abs(rounded)} {'fewer' if rounded < 0 else 'more'}"


def printed(text: str | None, value: float | str | None) -> str:
    """A number as the source printed it: the record's own characters when known (keeps '16.70')."""
    if value is None:
        return "\u2014"
    if text is not None:
        shown = text
    elif isinstance(value, float) and value.is_integer():
        shown = str(int(value))
    else:
        shown = str(value)
    return MINUS + shown[1:] if shown.startswith("-") else shown
