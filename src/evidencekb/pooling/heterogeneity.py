"""Between-study variance (tau^2) and the heterogeneity statistics reported with every pooled estimate.

* DerSimonian-Laird comes from statsmodels' ``combine_effects`` (``method_re="dl"``).
* Paule-Mandel is the tau^2 >= 0 where the generalised Q statistic equals k - 1, found with SciPy's
  ``brentq``. statsmodels' ``combine_effects(method_re="pm")`` iterates towards the same root but returns
  0 whenever rounding makes its estimating equation negative at the root, e.g. for a study pair and the
  same pair with the arms swapped it gives 1.065 and 0 (a test shows it), so it is not used.
* REML is not in ``combine_effects``, so it is computed here by Fisher scoring on the restricted
  log-likelihood, as metafor's ``rma(method="REML")`` does: tau^2 <- max(0, tau^2 + score / information)
  from the DerSimonian-Laird start, with score = (sum w^2 (y - mu)^2 - sum w + sum w^2 / sum w) / 2 and
  expected information = (sum w^2 - 2 sum w^3 / sum w + (sum w^2)^2 / (sum w)^2) / 2, w = 1 / (v + tau^2),
  until the step is below 1e-10.
* The confidence interval of tau^2 is the Q-profile interval (Viechtbauer 2007): the values where the
  generalised Q statistic equals the chi-square quantiles with k - 1 df (SciPy's ``brentq``); it does
  not depend on the estimator.
* I^2 = tau^2 / (tau^2 + s^2) and H^2 = (tau^2 + s^2) / s^2, with s^2 the "typical" within-study variance
  (k - 1) sum w / ((sum w)^2 - sum w^2), w = 1 / v, and their intervals from the tau^2 interval, as
  metafor reports them. Under a common-effect model tau^2 is not estimated and I^2 = (Q - df) / Q,
  H^2 = Q / df (Higgins and Thompson 2002), which is the same number as with the DL tau^2.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import optimize, special
from statsmodels.stats.meta_analysis import combine_effects

from evidencekb.effects.base import quiet

ESTIMATORS = ("dl", "reml", "pm")
ESTIMATOR_NAMES = {"dl": "DerSimonian-Laird", "reml": "restricted maximum likelihood", "pm": "Paule-Mandel"}
TOLERANCE = 1e-10
MAX_ITERATIONS = 200


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q with its p-value, tau^2 (None under a common-effect model) and interval, I^2, H^2."""

    q: float | None
    df: int
    q_p: float | None
    tau2: float | None
    tau2_ci: tuple[float, float] | None
    tau: float | None
    tau_ci: tuple[float, float] | None
    i2: float | None
    i2_ci: tuple[float, float] | None
    h2: float | None
    h2_ci: tuple[float, float] | None
    estimator: str | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cochran_q(y: np.ndarray, v: np.ndarray, centre: float | None = None) -> float:
    """Sum of w (y - centre)^2, w = 1/v; the centre defaults to the inverse-variance mean."""
    w = 1 / v
    mu = float(np.sum(w * y) / np.sum(w)) if centre is None else centre
    return float(np.sum(w * (y - mu) ** 2))


def chi2_quantile(q: float, df: int) -> float:
    """``scipy.stats.chi2.ppf(q, df)`` as SciPy's ``chdtri`` without ``rv_continuous``'s overhead, which is
    most of the time of a small meta-analysis (tests check both give the same number)."""
    return float(special.chdtri(df, 1 - q))


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian-Laird tau^2 from statsmodels' ``combine_effects``."""
    with quiet():
        return max(0.0, float(combine_effects(y, v, method_re="dl").tau2))


def tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel tau^2: where the generalised Q equals its expectation k - 1."""
    return _q_root(y, v, len(y) - 1)


def tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    """REML tau^2 by Fisher scoring (see the module docstring)."""
    tau2 = tau2_dl(y, v)
    for _ in range(MAX_ITERATIONS):
        w = 1 / (v + tau2)
        sw, sw2 = float(np.sum(w)), float(np.sum(w * w))
        mu = float(np.sum(w * y)) / sw
        score = (float(np.sum(w * w * (y - mu) ** 2)) - sw + sw2 / sw) / 2
        information = (sw2 - 2 * float(np.sum(w**3)) / sw + (sw2 / sw) ** 2) / 2
        new = max(0.0, tau2 + score / information)
        if abs(new - tau2) < TOLERANCE:
            return new
        tau2 = new
    raise ArithmeticError(f"REML did not converge in {MAX_ITERATIONS} Fisher-scoring steps")


def estimate_tau2(y: np.ndarray, v: np.ndarray, estimator: str) -> float:
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown tau^2 estimator {estimator!r}; choose one of {', '.join(ESTIMATORS)}")
    if len(y) < 2:
        return 0.0
    return {"dl": tau2_dl, "reml": tau2_reml, "pm": tau2_pm}[estimator](y, v)


def _generalised_q(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    return cochran_q(y, v + tau2)


def q_profile(y: np.ndarray, v: np.ndarray, level: float) -> tuple[float, float]:
    """Q-profile confidence interval of tau^2 (bounds truncated at 0)."""
    df = len(y) - 1
    alpha = 1 - level
    return tuple(  # type: ignore[return-value]
        _q_root(y, v, chi2_quantile(q, df)) for q in (1 - alpha / 2, alpha / 2)
    )


def _q_root(y: np.ndarray, v: np.ndarray, target: float) -> float:
    """The tau^2 >= 0 where the generalised Q (decreasing in tau^2) equals ``target``, 0 if below at 0."""
    at_zero = _generalised_q(0.0, y, v)
    if not math.isfinite(at_zero):
        raise ArithmeticError("Cochran's Q is not finite")
    if at_zero <= target:
        return 0.0
    high = max(1.0, float(np.var(y)) * 10, float(np.max(v)) * 10)
    while _generalised_q(high, y, v) > target:
        high *= 10
        if not math.isfinite(high):
            raise ArithmeticError("no tau^2 bound was found")
    return float(optimize.brentq(lambda t: _generalised_q(t, y, v) - target, 0.0, high, xtol=1e-12, rtol=1e-12))


def typical_variance(v: np.ndarray) -> float:
    """Higgins and Thompson's s^2 = (k - 1) sum w / ((sum w)^2 - sum w^2), w = 1/v."""
    w = 1 / v
    sw = float(np.sum(w))
    return (len(v) - 1) * sw / (sw * sw - float(np.sum(w * w)))


def heterogeneity(
    y: np.ndarray, v: np.ndarray, level: float, tau2: float | None, estimator: str | None, centre: float | None
) -> Heterogeneity:
    """All heterogeneity outputs for studies with effects ``y`` and variances ``v``.

    ``tau2`` is the random-effects model's estimate (None under a common-effect model); ``centre`` is the
    pooled estimate Q is taken around (the Mantel-Haenszel or Peto estimate for those methods, as in
    metafor; None for the inverse-variance mean).
    """
    k = len(y)
    df = k - 1
    if k < 2:
        return Heterogeneity(
            None,
            0,
            None,
            tau2,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            estimator,
            "heterogeneity needs at least 2 studies",
        )
    q = cochran_q(y, v, centre)
    q_p = float(special.chdtrc(df, q))
    s2 = typical_variance(v)
    low, high = q_profile(y, v, level)
    i2_of, h2_of = (lambda t: t / (t + s2)), (lambda t: (t + s2) / s2)
    if tau2 is None:
        i2, h2 = max(0.0, (q - df) / q) if q > 0 else 0.0, q / df
    else:
        i2, h2 = i2_of(tau2), h2_of(tau2)
    return Heterogeneity(
        q=q,
        df=df,
        q_p=q_p,
        tau2=tau2,
        tau2_ci=(low, high),
        tau=None if tau2 is None else math.sqrt(tau2),
        tau_ci=(math.sqrt(low), math.sqrt(high)),
        i2=i2,
        i2_ci=(i2_of(low), i2_of(high)),
        h2=h2,
        h2_ci=(h2_of(low), h2_of(high)),
        estimator=estimator,
    )
