"""Per-study effect sizes and sampling variances for inverse-variance pooling, as metafor's ``escalc`` gives them.

Binary measures come from statsmodels' ``effectsize_2proportions`` (log RR, log OR, RD) with 0.5 added to
every cell of a study with a zero cell, and only there (metafor's ``add=1/2, to="only0"``, RevMan's rule).
The correction is applied here, not through ``zero_correction=0.5``: statsmodels 0.15 then adds 0.5 to
the events of every study but enlarges the totals only of studies with a zero cell (a test shows it);
a study with no events, or only events, in both arms is excluded from RR and OR and kept in RD. The mean
difference has variance sd1^2/n1 + sd2^2/n2. The standardised mean difference is Hedges' g with the exact
correction J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = n1 + n2 - 2, and the large-sample variance
1/n1 + 1/n2 + g^2 / (2 (n1 + n2)), which is what ``escalc(measure="SMD")`` computes by default (vtype="LS").
statsmodels' ``effectsize_smd`` uses an approximate J and another variance, so it is not used here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.meta_analysis import effectsize_2proportions

from evidencekb.effects.base import quiet
from evidencekb.effects.binary import BinaryCounts
from evidencekb.effects.groups import GroupMean
from evidencekb.pooling.studies import BinaryStudy, ContinuousStudy, EstimateStudy, Study

BINARY_MEASURES = ("rr", "or", "rd")
CONTINUOUS_MEASURES = ("md", "smd")
MEASURES = BINARY_MEASURES + CONTINUOUS_MEASURES
RATIO_MEASURES = ("rr", "or")
MEASURE_NAMES = {
    "rr": "risk ratio",
    "or": "odds ratio",
    "rd": "risk difference",
    "md": "mean difference",
    "smd": "standardised mean difference (Hedges' g)",
}
ZERO_CELL = "0.5 added to every cell (a cell is zero)"
_STATISTIC = {"rr": "risk-ratio", "or": "odds-ratio", "rd": "diff"}


@dataclass(frozen=True)
class StudyEstimate:
    """One study's effect on the analysis scale (log for ratios) with its variance, or why it has none."""

    name: str
    estimate: float | None
    variance: float | None
    continuity: str | None = None
    excluded: str | None = None


def double_zero(counts: BinaryCounts) -> bool:
    """No events in either arm, or only events in both: the study carries no information on RR or OR."""
    none = counts.events1 == 0 and counts.events2 == 0
    every = counts.events1 == counts.total1 and counts.events2 == counts.total2
    return none or every


def binary_estimates(names: Sequence[str], tables: Sequence[BinaryCounts], measure: str) -> list[StudyEstimate]:
    """The studies' effects in one vectorised statsmodels call (studies with a zero cell get 0.5 per cell)."""
    if not tables:
        return []
    cells = np.array([(t.events1, t.total1, t.events2, t.total2) for t in tables], dtype=float)
    zero = (cells[:, 0] == 0) | (cells[:, 0] == cells[:, 1]) | (cells[:, 2] == 0) | (cells[:, 2] == cells[:, 3])
    add = np.where(zero, 0.5, 0.0)
    with quiet():
        eff, var = effectsize_2proportions(
            cells[:, 0] + add,
            cells[:, 1] + 2 * add,
            cells[:, 2] + add,
            cells[:, 3] + 2 * add,
            statistic=_STATISTIC[measure],
        )
    return [
        StudyEstimate(name, None, None, excluded=_double_zero_reason(measure))
        if measure in RATIO_MEASURES and double_zero(t)
        else StudyEstimate(name, float(e), float(v), ZERO_CELL if z else None)
        for name, t, e, v, z in zip(names, tables, eff, var, zero, strict=True)
    ]


def _double_zero_reason(measure: str) -> str:
    return f"no events (or only events) in both arms: the {MEASURE_NAMES[measure]} is not estimable"


def hedges_correction(df: int) -> float:
    """metafor's exact small-sample correction J(df) (Hedges 1981), computed on the log scale."""
    return math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))


def continuous_estimate(name: str, g1: GroupMean, g2: GroupMean, measure: str) -> StudyEstimate:
    if measure == "md":
        variance = g1.sd**2 / g1.n + g2.sd**2 / g2.n
        if variance == 0:
            return StudyEstimate(name, None, None, excluded="both SDs are 0: the variance is 0")
        return StudyEstimate(name, g1.mean - g2.mean, variance)
    df = g1.n + g2.n - 2
    if df < 2:
        return StudyEstimate(name, None, None, excluded="Hedges' g needs at least 4 participants in all")
    pooled = math.sqrt(((g1.n - 1) * g1.sd**2 + (g2.n - 1) * g2.sd**2) / df)
    if pooled == 0:
        return StudyEstimate(name, None, None, excluded="both SDs are 0: the SMD is not defined")
    g = hedges_correction(df) * (g1.mean - g2.mean) / pooled
    return StudyEstimate(name, g, 1 / g1.n + 1 / g2.n + g * g / (2 * (g1.n + g2.n)))


def study_estimates(studies: Sequence[Study], measure: str) -> list[StudyEstimate]:
    """The inverse-variance input of each study for ``measure``, or the reason it cannot contribute."""
    estimates: list[StudyEstimate | None] = [None] * len(studies)
    binary: list[tuple[int, str, BinaryCounts]] = []
    for index, study in enumerate(studies):
        reason = study.exclusion()
        if reason:
            estimates[index] = StudyEstimate(study.name, None, None, excluded=reason)
        elif isinstance(study, EstimateStudy):
            estimates[index] = StudyEstimate(study.name, study.estimate, study.se**2)
        elif isinstance(study, BinaryStudy) and study.counts is not None:
            if measure not in BINARY_MEASURES:
                raise ValueError(f"study {study.name!r} has counts; the measure must be one of rr, or, rd")
            binary.append((index, study.name, study.counts))
        elif isinstance(study, ContinuousStudy) and study.group1 is not None and study.group2 is not None:
            if measure not in CONTINUOUS_MEASURES:
                raise ValueError(f"study {study.name!r} has means; the measure must be md or smd")
            estimates[index] = continuous_estimate(study.name, study.group1, study.group2, measure)
        else:
            raise TypeError(f"not a study: {study!r}")
    indices, names, tables = zip(*binary, strict=True) if binary else ((), (), ())
    for index, estimate in zip(indices, binary_estimates(names, tables, measure), strict=True):
        estimates[index] = estimate
    return [e for e in estimates if e is not None]
