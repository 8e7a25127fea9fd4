"""Do a source's printed statistics agree with what its counts give?

Used by record-level checks: which interval method reproduces a printed CI (trials rarely name it, and
ProDERM's percentage-point CIs for TIS responses, for instance, are Wald intervals), and whether a printed
p-value is reproduced by a recomputed one: within the printed precision for a number, as a bound for
a bound. There is no wider tolerance: a p-value from a stratified or adjusted test that the counts cannot
reproduce is not "consistent", and the audit reports it as not checkable when the record states the
analysis (see ``audit``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from evidencekb.effects.base import Estimate
from evidencekb.effects.binary import METHOD_LABELS, BinaryCounts, odds_ratio, risk_difference, risk_ratio
from evidencekb.rounding import decimals_of, matches_printed, reported_value_interval

_MEASURES: dict[str, Callable[[BinaryCounts, str, float], Estimate]] = {
    "risk-difference": risk_difference,
    "risk-ratio": risk_ratio,
    "odds-ratio": odds_ratio,
}
_SCALES = {
    "risk-difference": {"fraction": 1.0, "percentage-points": 100.0},
    "risk-ratio": {"ratio": 1.0},
    "odds-ratio": {"ratio": 1.0},
}
_BOUND = re.compile(r"^\s*(<=|>=|<|>)?\s*(\d*\.?\d+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class MethodMatch:
    """One interval method's recomputed CI, on the printed scale, and whether it prints as reported."""

    method: str
    ci_low: float | None
    ci_high: float | None
    matches: bool
    note: str | None = None


def interval_method_matches(
    counts: BinaryCounts,
    measure: str,
    low: float,
    high: float,
    decimals: int,
    scale: str | None = None,
    level: float = 0.95,
) -> tuple[MethodMatch, ...]:
    """Try every statsmodels method for ``measure`` and say which reproduce the printed interval.

    ``measure`` is 'risk-difference', 'risk-ratio' or 'odds-ratio'; ``scale`` is 'fraction' (default) or
    'percentage-points' for a risk difference and 'ratio' for the ratios.
    """
    if measure not in _MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(_MEASURES)}")
    scales = _SCALES[measure]
    scale = scale or next(iter(scales))
    if scale not in scales:
        raise ValueError(f"scale {scale!r} does not apply to {measure}; use {' or '.join(scales)}")
    factor = scales[scale]
    matches = []
    for kind, method in METHOD_LABELS:
        if kind != measure:
            continue
        result = _MEASURES[measure](counts, method, level)
        if result.ci_low is None or result.ci_high is None:
            matches.append(MethodMatch(method, None, None, False, result.note))
            continue
        ci_low, ci_high = result.ci_low * factor, result.ci_high * factor
        agree = matches_printed(ci_low, low, decimals) and matches_printed(ci_high, high, decimals)
        matches.append(MethodMatch(method, ci_low, ci_high, agree, result.note))
    return tuple(matches)


@dataclass(frozen=True)
class PValueCheck:
    """Whether one recomputed p-value reproduces the printed one, and how it compares."""

    consistent: bool
    detail: str


def _parse_reported(reported: float | str) -> tuple[str, float]:
    if isinstance(reported, str):
        found = _BOUND.match(reported)
        if not found:
            raise ValueError(f"cannot read p-value {reported!r}; expected e.g. 0.03 or '<0.001'")
        comparator, number = found.group(1) or "=", float(found.group(2))
    else:
        comparator, number = "=", float(reported)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"a p-value must be between 0 and 1, got {number}")
    return comparator, number


def p_value_consistent(reported: float | str, recomputed: float, decimals: int | None = None) -> PValueCheck:
    """Whether a recomputed p-value reproduces a printed one (a number, or a bound such as '<0.001').

    A printed number is reproduced when the recomputed value prints as it with the printed decimals
    (``decimals``; by default those of ``repr(reported)``): 0.005 covers 0.0045 to 0.0055, so a
    recomputed 0.00069 does not reproduce it. A bound is checked as the bound it states.
    """
    if not (math.isfinite(recomputed) and 0.0 <= recomputed <= 1.0):
        raise ValueError(f"recomputed p-value must be between 0 and 1, got {recomputed}")
    comparator, number = _parse_reported(reported)
    if comparator == "=":
        places = decimals if decimals is not None else decimals_of(repr(number))
        consistent = matches_printed(recomputed, number, places)
        low, high = reported_value_interval(number, places)
        shown, needed = f"{number:.{places}f}", f"{max(low, 0.0):.{places + 1}f} to {min(high, 1.0):.{places + 1}f}"
    else:
        consistent = {
            "<": recomputed < number,
            "<=": recomputed <= number,
            ">": recomputed > number,
            ">=": recomputed >= number,
        }[comparator]
        shown = needed = f"{comparator}{number:g}"
    verdict = "reproduces" if consistent else "does not reproduce"
    return PValueCheck(consistent, f"recomputed p = {recomputed:.2g} {verdict} the printed {shown} ({needed})")
