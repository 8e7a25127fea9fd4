"""Risk difference, risk ratio and odds ratio for two independent arms, and their p-values.

Intervals come from ``statsmodels.stats.proportion.confint_proportions_2indep`` (method names are
statsmodels'), p-values from SciPy: recomputations must be checkable against well-known libraries, not
against formulas of our own. The one exception is the Miettinen-Nurminen ("score") interval of the risk
difference, which statsmodels gets wrong (its cubic for the restricted estimates; statsmodels issue 10269):
see ``score_rd``. Zero cells follow the Cochrane/RevMan convention: when an arm has no events or only
events, 0.5 is added to every cell for the ratio measures; when both arms have none (or both have only
events) the ratios are not estimable, while the risk difference still is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from evidencekb.effects.base import Estimate, PValue, check_level, guarded_interval, quiet
from evidencekb.effects.score_rd import mn_interval

RD_METHODS = ("wald", "newcomb", "agresti-caffo", "score")
RR_METHODS = ("log", "score")
OR_METHODS = ("logit", "score")
METHOD_LABELS = {
    ("risk-difference", "wald"): "Wald",
    ("risk-difference", "newcomb"): "Newcombe hybrid score (Wilson)",
    ("risk-difference", "agresti-caffo"): "Agresti-Caffo",
    ("risk-difference", "score"): "Miettinen-Nurminen score",
    ("risk-ratio", "log"): "log (Katz)",
    ("risk-ratio", "score"): "Koopman score (Miettinen-Nurminen correction)",
    ("odds-ratio", "logit"): "logit (Woolf)",
    ("odds-ratio", "score"): "Miettinen-Nurminen score",
}
FISHER_TEST = "Fisher's exact test (two-sided)"
PEARSON_TEST = "Pearson chi-square (no continuity correction)"
YATES_TEST = "Pearson chi-square with Yates continuity correction"
SCORE_TOLERANCE = 1e-4  # how far from alpha the score test's p may be at a score limit
_COMPARE = {"risk-difference": "diff", "risk-ratio": "ratio", "odds-ratio": "odds-ratio"}


@dataclass(frozen=True)
class BinaryCounts:
    """Events and participants analysed in arm 1 (intervention) and arm 2 (comparator)."""

    events1: int
    total1: int
    events2: int
    total2: int

    def __post_init__(self) -> None:
        for arm, events, total in ((1, self.events1, self.total1), (2, self.events2, self.total2)):
            if not all(isinstance(x, Integral) and not isinstance(x, bool) for x in (events, total)):
                raise ValueError(f"arm {arm}: events and total must be integers")
            if total < 1 or not 0 <= events <= total:
                raise ValueError(f"arm {arm}: need 0 <= events <= total and total >= 1, got {events}/{total}")

    @property
    def risk1(self) -> float:
        return self.events1 / self.total1

    @property
    def risk2(self) -> float:
        return self.events2 / self.total2


def _check_method(measure: str, method: str) -> None:
    choices = [m for (kind, m) in METHOD_LABELS if kind == measure]
    if method not in choices:
        raise ValueError(f"unknown {measure} method {method!r}; choose one of {', '.join(choices)}")


def _interval(
    table: tuple[float, float, float, float], measure: str, method: str, alpha: float
) -> tuple[float, float]:
    """statsmodels' interval."""
    return confint_proportions_2indep(*table, method=method, compare=_COMPARE[measure], alpha=alpha)


def _unavailable(measure: str, method: str, reason: str) -> str:
    return f"{METHOD_LABELS[measure, method]} interval unavailable for this table ({reason})"


def risk_difference(counts: BinaryCounts, method: str = "newcomb", level: float = 0.95) -> Estimate:
    """Risk in arm 1 minus risk in arm 2, as a fraction; the interval is truncated to [-1, 1] if needed."""
    _check_method("risk-difference", method)
    level = check_level(level)
    estimate = counts.risk1 - counts.risk2
    table = (counts.events1, counts.total1, counts.events2, counts.total2)
    if method == "score":  # statsmodels' own is wrong for differences: see evidencekb.effects.score_rd
        bounds = guarded_interval(lambda: mn_interval(*table, level))
    else:
        bounds = guarded_interval(lambda: _interval(table, "risk-difference", method, 1 - level))
    if isinstance(bounds, str):
        return Estimate(estimate, None, None, method, level, _unavailable("risk-difference", method, bounds))
    low, high = max(bounds[0], -1.0), min(bounds[1], 1.0)
    note = "interval truncated to [-1, 1]" if (low, high) != bounds else None
    return Estimate(estimate, low, high, method, level, note)


def _zero_cell_reason(counts: BinaryCounts) -> str | None:
    reasons = [
        f"the {name} arm has {'0' if events == 0 else 'all'} events"
        for name, events, total in (
            ("intervention", counts.events1, counts.total1),
            ("comparator", counts.events2, counts.total2),
        )
        if events in (0, total)
    ]
    return " and ".join(reasons) or None


def _degenerate_reason(counts: BinaryCounts) -> str | None:
    events = counts.events1 + counts.events2
    if events == 0:
        return "no events in either arm"
    if events == counts.total1 + counts.total2:
        return "every participant in both arms had the event"
    return None


def _score_p(table: tuple[float, float, float, float], measure: str, value: float) -> float:
    try:
        with quiet():
            result = test_proportions_2indep(*table, value=value, compare=_COMPARE[measure], method="score")
            return float(result.pvalue)
    except (ArithmeticError, ValueError, RuntimeError):
        return math.nan


def _ratio_interval(
    table: tuple[float, float, float, float], measure: str, method: str, alpha: float
) -> tuple[float, float] | str:
    """statsmodels' interval for a ratio, or why it is unusable.

    A score interval must lie where statsmodels' own score test gives p = alpha. This is checked because
    the closed-form (Koopman) risk-ratio limits lose precision on very unbalanced tables (1/2 vs
    731828/745115 gives p = 0.35 at a limit) and can even come out reversed or negative.
    """
    bounds = guarded_interval(lambda: _interval(table, measure, method, alpha))
    if isinstance(bounds, str):
        return bounds
    if bounds[0] <= 0:
        return f"the computation gave a non-positive limit {bounds[0]:.6g}"
    if method == "score":
        for bound in bounds:
            p = _score_p(table, measure, bound)
            if not abs(p - alpha) <= SCORE_TOLERANCE:
                return f"statsmodels' score test gives p = {p:.3g}, not {alpha:.3g}, at the limit {bound:.6g}"
    return bounds


def _ratio(counts: BinaryCounts, measure: str, method: str, level: float) -> Estimate:
    _check_method(measure, method)
    level = check_level(level)
    degenerate = _degenerate_reason(counts)
    if degenerate:
        return Estimate(None, None, None, method, level, f"not estimable: {degenerate}")
    e1, n1, e2, n2 = float(counts.events1), float(counts.total1), float(counts.events2), float(counts.total2)
    notes = []
    reason = _zero_cell_reason(counts)
    if reason:
        e1, n1, e2, n2 = e1 + 0.5, n1 + 1.0, e2 + 0.5, n2 + 1.0
        notes.append(f"0.5 added to every cell because {reason} (Cochrane/RevMan convention)")
    if measure == "risk-ratio":
        estimate = (e1 / n1) / (e2 / n2)
    else:
        estimate = (e1 * (n2 - e2)) / ((n1 - e1) * e2)
    bounds = _ratio_interval((e1, n1, e2, n2), measure, method, 1 - level)
    if isinstance(bounds, str):
        notes.append(_unavailable(measure, method, bounds))
        return Estimate(estimate, None, None, method, level, "; ".join(notes))
    return Estimate(estimate, bounds[0], bounds[1], method, level, "; ".join(notes) or None)


def risk_ratio(counts: BinaryCounts, method: str = "log", level: float = 0.95) -> Estimate:
    """Risk in arm 1 divided by risk in arm 2."""
    return _ratio(counts, "risk-ratio", method, level)


def odds_ratio(counts: BinaryCounts, method: str = "logit", level: float = 0.95) -> Estimate:
    """Odds of the event in arm 1 divided by the odds in arm 2."""
    return _ratio(counts, "odds-ratio", method, level)


def _table(counts: BinaryCounts) -> list[list[int]]:
    return [
        [counts.events1, counts.total1 - counts.events1],
        [counts.events2, counts.total2 - counts.events2],
    ]


def fisher_exact_p(counts: BinaryCounts) -> PValue:
    """Two-sided Fisher's exact test (SciPy), defined for every table."""
    with quiet():
        value = float(stats.fisher_exact(_table(counts), alternative="two-sided").pvalue)
    return PValue(min(value, 1.0), FISHER_TEST)


def chi_square_p(counts: BinaryCounts, yates: bool = False) -> PValue:
    """Unstratified Pearson chi-square test (SciPy's); ``yates``: continuity correction.

    Not computable when nobody, or everybody, had the event: an expected count is then zero.
    """
    test = YATES_TEST if yates else PEARSON_TEST
    degenerate = _degenerate_reason(counts)
    if degenerate:
        return PValue(None, test, f"not computable: {degenerate}")
    with quiet():
        value = float(stats.chi2_contingency(_table(counts), correction=yates).pvalue)
    return PValue(value, test)
