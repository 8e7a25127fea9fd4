"""Result types shared by the binary and continuous effect measures, guards around numeric libraries, quantiles.

Results are frozen dataclasses of plain Python floats so that records, the site and ``--json`` see the
same deterministic numbers; nothing is rounded here (formatting happens where numbers are shown).
statsmodels and SciPy emit RuntimeWarnings and occasionally raise on perfectly ordinary tables, so every
call into them goes through :func:`guarded_interval`, which turns a failure into a reason string.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import special


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    ``estimate`` is None when the measure is not estimable for the data; ``ci_low``/``ci_high`` are None
    when the interval is not estimable or the method is unavailable. ``note`` says why, or records a
    convention that was applied (e.g. the 0.5 zero-cell correction); ``method`` is the machine name of
    the interval method (statsmodels' name for binary measures).
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    level: float
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PValue:
    """A two-sided p-value and the name of the test that produced it (None with a note if not computable)."""

    value: float | None
    test: str
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_level(level: float) -> float:
    """Return ``level`` as a float, refusing anything outside the open interval (0, 1)."""
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level}")
    return level


@contextmanager
def quiet() -> Iterator[None]:
    """Silence numpy floating-point warnings; results are checked for NaN/inf by the caller instead."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def t_quantile(q: float, df: float) -> float:
    """``scipy.stats.t.ppf(q, df)`` for 1/2 < q < 1 and df > 0: it is SciPy's ``stdtrit``, here without the
    generic argument handling of ``rv_continuous`` that costs thirty times the computation (tests check that
    both give the same number)."""
    return float(special.stdtrit(df, q))


def normal_quantile(q: float) -> float:
    """``scipy.stats.norm.ppf(q)`` for 1/2 < q < 1: SciPy's ``ndtri``, likewise without the overhead."""
    return float(special.ndtri(q))


def guarded_interval(compute: Callable[[], tuple[Any, Any]]) -> tuple[float, float] | str:
    """Run a library interval computation; return its bounds as floats, or the reason it is unusable."""
    try:
        with quiet():
            low, high = compute()
            low, high = float(low), float(high)
    except (ArithmeticError, ValueError, RuntimeError) as error:
        return f"{type(error).__name__}: {error}"
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"the computation gave a non-finite bound ({low}, {high})"
    if low > high:
        return f"the computation gave a reversed interval ({low}, {high})"
    return low, high
