"""What a printed number can stand for: rounding intervals, percentages of counts, and GRIM.

A value printed with d decimals stands for anything within half a unit in the last place (35 means
34.5 to 35.5). Both ends are accepted because sources round halves up or to even. Computations use exact
fractions of the printed decimal string so that binary floating point never decides a borderline case.
The same arithmetic answers "which integer counts give this printed percentage?" and the GRIM test
(Brown & Heathers 2016): a mean of n integer scores is a whole total divided by n.
"""

from __future__ import annotations

import math
from fractions import Fraction

_SLACK = Fraction(1, 10**9)  # absorbs floating-point error in recomputed values, far below any printed digit


def _printed(value: float, decimals: int) -> Fraction:
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    if not math.isfinite(value):
        raise ValueError(f"printed value must be finite, got {value}")
    return Fraction(f"{value:.{decimals}f}")


def _half_unit(decimals: int) -> Fraction:
    return Fraction(1, 2 * 10**decimals)


def reported_value_interval(value: float, decimals: int) -> tuple[float, float]:
    """The values that print as ``value`` with ``decimals`` decimals (both ends included)."""
    printed, half = _printed(value, decimals), _half_unit(decimals)
    return float(printed - half), float(printed + half)


def matches_printed(computed: float, printed: float, decimals: int) -> bool:
    """Whether ``computed`` rounds to ``printed`` at ``decimals`` decimals (halves either way)."""
    if not math.isfinite(computed):
        return False
    centre, half = _printed(printed, decimals), _half_unit(decimals)
    slack = _SLACK * max(Fraction(1), abs(centre))
    return abs(Fraction(computed) - centre) <= half + slack


def _numerators(value: float, decimals: int, scale: int, denominator: int) -> range:
    """Integers k with scale x k / denominator within the rounding interval of the printed value."""
    centre, half = _printed(value, decimals), _half_unit(decimals)
    low = math.ceil((centre - half) * denominator / scale)
    high = math.floor((centre + half) * denominator / scale)
    return range(low, high + 1)


def percentage_matches_counts(percent: float, decimals: int, total: int) -> range:
    """Event counts out of ``total`` whose percentage prints as ``percent``; empty when none can."""
    if total < 1:
        raise ValueError(f"total must be >= 1, got {total}")
    counts = _numerators(percent, decimals, 100, total)
    return range(max(counts.start, 0), min(counts.stop, total + 1))


def grim_totals(mean: float, decimals: int, n: int, items: int = 1) -> range:
    """Whole-number totals that give the printed mean of ``n`` scores (GRIM, Brown & Heathers 2016).

    Each participant's score is an integer, or an average of ``items`` integer items (granularity
    1/items), so n x items x mean must be a whole number. Change-from-baseline scores of an integer
    scale are integers too. The test can only fail when n x items < 10 ** decimals.
    """
    if n < 1 or items < 1:
        raise ValueError(f"n and items must be >= 1, got n={n}, items={items}")
    return _numerators(mean, decimals, 1, n * items)


def grim_consistent(mean: float, decimals: int, n: int, items: int = 1) -> bool:
    """Whether some whole-number total can produce the printed mean (see :func:`grim_totals`)."""
    return len(grim_totals(mean, decimals, n, items)) > 0


MAX_DECIMALS = 20
"""More decimals than a float can carry; also keeps '1e-99999999' from asking for a huge format precision."""


def decimals_of(text: str) -> int:
    """Decimal places of a number as it was written (``79`` -> 0, ``80.8`` -> 1, ``1e-4`` -> 4)."""
    mantissa, _, exponent = text.lower().partition("e")
    places = len(mantissa.partition(".")[2])
    digits = exponent.lstrip("+-").lstrip("0")
    shift = min(int(digits[:10] or 0), 10**9) * (-1 if exponent.startswith("-") else 1)
    return min(MAX_DECIMALS, max(0, places - shift))
