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


def per_1000_difference(value: float | None, low: float | None, high: float | None) -> str:
    """GRADE's absolute effect in one phrase: '350 more per 1000 (115 to 562 more)'."""
    return directed_difference(value, low, high, words=("fewer", "more"), decimals=0, after=" per 1000")


def whole_nnt(value: float) -> int:
    """An NNT magnitude rounded up to the next whole person, as Altman (BMJ 1998) advises.

    Rounding is to 9 decimals first, so a floating-point 5.0000000001 stays 5.
    """
    return math.ceil(round(abs(value), 9))


def nnt_estimate(kind: str | None, estimate: float) -> str:
    """'NNTB 3', 'NNTH 34', or 'infinity' when the risk difference is 0."""
    return f"{kind} {whole_nnt(estimate)}" if kind and not math.isinf(estimate) else "infinity"


def nnt_interval(ci_low: float | None, ci_high: float | None, ci_text: str) -> str:
    """Altman's NNT interval with whole numbers: 'NNTB 2 to 6', 'NNTB 6 to infinity to NNTH 20'.

    ``ci_low`` and ``ci_high`` are signed as in ``effects.nnt.NNT`` (positive NNTB, negative NNTH,
    None for infinity); ``ci_text`` is used as it is when the interval is not available.
    """
    if ci_text.startswith("not available"):
        return ci_text
    if ci_low is not None and ci_high is not None and (ci_low > 0) == (ci_high > 0):
        low, high = sorted((whole_nnt(ci_low), whole_nnt(ci_high)))
        return f"{'NNTB' if ci_low > 0 else 'NNTH'} {low} to {high}"
    parts = ["infinity"]
    if ci_low is not None and ci_low > 0:
        parts.insert(0, f"NNTB {whole_nnt(ci_low)}")
    if ci_high is not None and ci_high < 0:
        harm = f"NNTH {whole_nnt(ci_high)}"
        parts = [*parts, harm] if len(parts) == 2 else [harm, *parts]
    return " to ".join(parts)


def directed_difference(value: float | None, low: float | None, high: float | None, unit: str = "",
                        words: tuple[str, str] = ("lower", "higher"), decimals: int = 2, after: str = "") -> str:
    """A difference with its direction in words: '8.20 points lower (4.42 to 11.98 lower)'.

    ``words`` are said for negative and positive values; the word is said once when both limits share
    it, at each limit otherwise ('32 fewer to 289 more'). ``after`` follows the first word ('per 1000').
    """
    if value is None:
        return "not estimable"

    def said(v: float) -> tuple[str, str]:
        return num(abs(v), decimals), words[0] if v < 0 else words[1]

    number, word = said(value)
    head = f"{number}{unit} {word}{after}"
    if low is None or high is None:
        return f"{head} (interval not estimable)"
    (low_n, low_w), (high_n, high_w) = sorted((said(low), said(high)), key=lambda s: float(s[0]))
    if low_w == high_w:
        return f"{head} ({low_n} to {high_n} {high_w})"
    return f"{head} ({' '.join(said(low))} to {' '.join(said(high))})"
