"""Common-effect pooling of 2x2 tables without a zero-cell correction: Mantel-Haenszel and Peto.

* Odds ratio: statsmodels' ``StratifiedTable`` gives the Mantel-Haenszel estimate and the
  Robins-Breslow-Greenland (1986) standard error of its log.
* Risk ratio: the Mantel-Haenszel estimate (also ``StratifiedTable.riskratio_pooled``) with the
  Greenland-Robins (1985) variance of its log, Var = P / (R S), P = sum (n1 n2 (a + c) - a c N) / N^2,
  R = sum a n2 / N, S = sum c n1 / N; statsmodels has no variance for it.
* Risk difference: the Mantel-Haenszel estimate, sum (a n2 - c n1) / N / sum n1 n2 / N, with the
  Sato, Greenland and Robins (1989) variance that metafor's ``rma.mh`` uses (consistent in both the
  sparse-data and the large-strata limit; Stata's metan uses Greenland-Robins 1985 and differs slightly).
* Peto's odds ratio: exp(sum (O - E) / sum V) with Var(log OR) = 1 / sum V, O = a, E = n1 (a + c) / N,
  V = n1 n2 (a + c) (b + d) / (N^2 (N - 1)).

Here a, c are the events in arm 1 and arm 2, n1, n2 the arm sizes and N = n1 + n2, per study.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from statsmodels.stats.contingency_tables import StratifiedTable

from evidencekb.effects.base import quiet
from evidencekb.effects.binary import BinaryCounts


def _arrays(tables: Sequence[BinaryCounts]) -> tuple[np.ndarray, ...]:
    rows = [(t.events1, t.total1, t.events2, t.total2) for t in tables]
    a, n1, c, n2 = np.array(rows, dtype=float).T
    return a, n1, c, n2, n1 + n2


def mantel_haenszel(tables: Sequence[BinaryCounts], measure: str) -> tuple[float, float] | str:
    """Pooled estimate (log scale for ratios) and its variance, or why it is not estimable."""
    a, n1, c, n2, total = _arrays(tables)
    if measure == "rd":
        weight = float(np.sum(n1 * n2 / total))
        rd = float(np.sum((a * n2 - c * n1) / total)) / weight
        p = float(np.sum((n1 * n1 * c - n2 * n2 * a + n1 * n2 * (n2 - n1) / 2) / total**2))
        q = float(np.sum((a * (n2 - c) + c * (n1 - a)) / (2 * total)))
        return rd, (rd * p + q) / weight**2
    r, s = float(np.sum(a * n2 / total)), float(np.sum(c * n1 / total))
    if measure == "rr":
        if r == 0 or s == 0:
            return "no events in one arm of every study: the Mantel-Haenszel risk ratio is not estimable"
        p = float(np.sum((n1 * n2 * (a + c) - a * c * total) / total**2))
        return math.log(r / s), p / (r * s)
    b, d = n1 - a, n2 - c
    if float(np.sum(a * d / total)) == 0 or float(np.sum(b * c / total)) == 0:
        return "the Mantel-Haenszel odds ratio is 0 or infinite for these tables"
    with quiet():
        table = StratifiedTable(np.array([[a, b], [c, d]]))  # shape (2, 2, k)
        return float(table.logodds_pooled), float(table.logodds_pooled_se) ** 2


def peto(tables: Sequence[BinaryCounts]) -> tuple[float, float] | str:
    """Peto's pooled log odds ratio and its variance, or why it is not estimable."""
    a, n1, c, n2, total = _arrays(tables)
    events = a + c
    observed_minus_expected = float(np.sum(a - n1 * events / total))
    variance = float(np.sum(n1 * n2 * events * (total - events) / (total**2 * (total - 1))))
    if variance == 0:
        return "no study has both events and non-events: Peto's odds ratio is not estimable"
    return observed_minus_expected / variance, 1 / variance
