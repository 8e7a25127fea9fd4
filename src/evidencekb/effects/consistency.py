"""Do a source's printed statistics agree with what its counts give?

Used by record-level checks: which interval method reproduces a printed CI (trials rarely name it, and
ProDERM's percentage-point CIs for TIS responses, for instance, are Wald intervals), and whether a printed
p-value agrees with a recomputed one. The p-value rule is deliberately tolerant, because sources often use
a stratified or adjusted test (e.g. Cochran-Mantel-Haenszel) while the recomputation is unstratified:

* a printed number p agrees when the recomputed value lies in p's rounding interval (when its decimals are
  given) and is consistent when it lies within ``orders`` orders of magnitude of that interval;
* a bound such as "<0.001" agrees when the recomputed value satisfies it and is consistent when it
  satisfies the bound relaxed by ``orders`` orders of magnitude (< 0.01 for the default of 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from evidencekb.effects.base import Estimate
from evidencekb.effects.binary import METHOD_LABELS, BinaryCounts, odds_ratio, risk_difference, risk_ratio
from evidencekb.rounding import matches_printed, reported_value_interval

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
    """``agrees``: strictly consistent; ``consistent``: within the documented tolerance."""

    agrees: bool
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


def p_value_consistent(
    reported: float | str, recomputed: float, decimals: int | None = None, orders: float = 1.0
) -> PValueCheck:
    """Compare a printed p-value (number or bound such as '<0.001') with a recomputed one (see module doc)."""
    if not (math.isfinite(recomputed) and 0.0 <= recomputed <= 1.0):
        raise ValueError(f"recomputed p-value must be between 0 and 1, got {recomputed}")
    comparator, number = _parse_reported(reported)
    factor = 10.0**orders
    if comparator == "=":
        low, high = reported_value_interval(number, decimals) if decimals is not None else (number, number)
        low, high = max(low, 0.0), min(high, 1.0)
        agrees = low <= recomputed <= high
    elif comparator in ("<", "<="):
        low, high = 0.0, number
        agrees = recomputed < number or (comparator == "<=" and recomputed == number)
    else:
        low, high = number, 1.0
        agrees = recomputed > number or (comparator == ">=" and recomputed == number)
    consistent = low / factor <= recomputed <= high * factor
    shown = f"{comparator} {number:g}" if comparator != "=" else f"{number:g}"
    if agrees:
        detail = f"recomputed p = {recomputed:.2g} agrees with reported {shown}"
    elif consistent:
        detail = (
            f"recomputed p = {recomputed:.2g} is within {orders:g} order(s) of magnitude of reported {shown}"
            " (tolerated: the source may use a stratified or adjusted test)"
        )
    else:
        detail = f"recomputed p = {recomputed:.2g} is inconsistent with reported {shown}"
    return PValueCheck(agrees, consistent, detail)
