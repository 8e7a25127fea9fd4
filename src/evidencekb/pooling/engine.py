"""Pool one comparison across studies: plain study data in, one frozen ``PooledResult`` out, no I/O.

Models and methods (``PoolOptions``):

* common effect: ``mh`` (Mantel-Haenszel; binary only, no zero-cell correction), ``peto`` (Peto's odds
  ratio) or ``iv`` (inverse variance);
* random effects, inverse variance with tau^2 by ``dl`` (DerSimonian-Laird), ``reml`` (the default, as in
  metafor) or ``pm`` (Paule-Mandel); optionally the Hartung-Knapp-Sidik-Jonkman interval: variance
  q / sum w with q = sum w (y - mu)^2 / (k - 1) and t with k - 1 df, without the "ad hoc" max(1, q) variant.

The prediction interval (random effects, k >= 3) is mu +/- t(k - 2) sqrt(tau^2 + SE^2) (Higgins,
Thompson and Spiegelhalter 2009) with the usual random-effects SE = 1 / sqrt(sum w), also when the HKSJ
interval is asked for. R meta 4.11 used the HKSJ SE there; meta 5.2-0 fixed that ("use correct standard
error to calculate prediction interval if Hartung-Knapp method was used", its NEWS.md), and a test
compares both versions' output. Intervals of single studies and of the pooled estimate are otherwise
normal (z). Every result names its measure, scale, model, method, level, continuity handling, the studies
used and those excluded with the reason, so that a page or an export can print exactly what was done.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from scipy import special

from evidencekb.effects.base import check_level, normal_quantile, quiet, t_quantile
from evidencekb.effects.binary import BinaryCounts
from evidencekb.pooling.heterogeneity import ESTIMATOR_NAMES, ESTIMATORS, Heterogeneity, estimate_tau2, heterogeneity
from evidencekb.pooling.mantel_haenszel import mantel_haenszel, peto
from evidencekb.pooling.studies import BinaryStudy, Study
from evidencekb.pooling.study_effects import (
    BINARY_MEASURES,
    MEASURE_NAMES,
    MEASURES,
    RATIO_MEASURES,
    StudyEstimate,
    double_zero,
    study_estimates,
)

COMMON_METHODS = ("mh", "iv", "peto")
METHOD_NAMES = {
    "mh": "Mantel-Haenszel",
    "iv": "inverse variance",
    "peto": "Peto",
    **{key: f"inverse variance, tau^2 by {name}" for key, name in ESTIMATOR_NAMES.items()},
}
_NEEDS_COUNTS = "this method needs per-arm counts; the study gives an estimate with its SE"
_NO_PREDICTION = "no prediction interval under a common-effect model"


@dataclass(frozen=True)
class PoolOptions:
    measure: str
    model: str = "random"
    method: str = "reml"
    hksj: bool = False
    level: float = 0.95

    def __post_init__(self) -> None:
        check_level(self.level)
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}; choose one of {', '.join(MEASURES)}")
        allowed = {"common": COMMON_METHODS, "random": ESTIMATORS}.get(self.model)
        if allowed is None:
            raise ValueError(f"unknown model {self.model!r}; choose common or random")
        if self.method not in allowed:
            raise ValueError(f"a {self.model}-effect model uses method {', '.join(allowed)}, not {self.method!r}")
        if self.method == "mh" and self.measure not in BINARY_MEASURES:
            raise ValueError("Mantel-Haenszel pooling needs a binary measure (rr, or, rd)")
        if self.method == "peto" and self.measure != "or":
            raise ValueError("Peto's method estimates an odds ratio only (--measure or)")
        if self.hksj and self.model != "random":
            raise ValueError("the Hartung-Knapp-Sidik-Jonkman adjustment applies to random-effects models")


@dataclass(frozen=True)
class StudyResult:
    """One study as pooled: its effect on the analysis scale with a normal CI and its share of the weight."""

    name: str
    estimate: float | None
    se: float | None
    ci: tuple[float, float] | None
    weight_percent: float | None
    continuity: str | None
    excluded: str | None


@dataclass(frozen=True)
class PooledResult:
    measure: str
    measure_name: str
    scale: str
    model: str
    method: str
    method_name: str
    level: float
    hksj: bool
    continuity: str
    estimate: float | None
    se: float | None
    ci: tuple[float, float] | None
    statistic: float | None
    distribution: str
    p: float | None
    prediction: tuple[float, float] | None
    prediction_note: str | None
    heterogeneity: Heterogeneity
    studies: tuple[StudyResult, ...]
    used: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    note: str | None = None

    def natural(self) -> dict[str, Any]:
        """Estimate, interval and prediction on the measure's own scale (exp of the log for RR and OR)."""
        back = math.exp if self.scale == "log" else (lambda x: x)

        def both(pair: tuple[float, float] | None) -> list[float] | None:
            return None if pair is None else [back(pair[0]), back(pair[1])]

        return {
            "estimate": None if self.estimate is None else back(self.estimate),
            "ci": both(self.ci),
            "prediction": both(self.prediction),
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["natural_scale"] = self.natural()
        return data


@dataclass(frozen=True)
class SensitivityStep:
    """One row of a leave-one-out (``study`` left out) or cumulative (``study`` added) analysis."""

    study: str
    result: PooledResult


def pool(studies: Sequence[Study], options: PoolOptions) -> PooledResult:
    """Pool ``studies`` as ``options`` say; raises ValueError for unusable input (e.g. duplicate names)."""
    duplicates = sorted(name for name, count in Counter(s.name for s in studies).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate study: {', '.join(duplicates)}")
    try:
        with quiet():
            estimates = study_estimates(studies, options.measure)
            estimates = [_with_method_exclusion(s, e, options) for s, e in zip(studies, estimates, strict=True)]
            if options.method in ("mh", "peto"):
                return _pool_tables(studies, estimates, options)
            return _pool_inverse_variance(estimates, options)
    except ArithmeticError as error:
        raise ValueError(f"these numbers cannot be pooled ({error}); check the table for extreme values") from None


def leave_one_out(studies: Sequence[Study], options: PoolOptions, pooled: PooledResult | None = None
                  ) -> tuple[SensitivityStep, ...]:
    """The pooled result without each used study in turn (``pooled``: all of them pooled, when known)."""
    used = set((pooled or pool(studies, options)).used)
    return tuple(
        SensitivityStep(s.name, pool([o for o in studies if o is not s], options)) for s in studies if s.name in used
    )


def cumulative(studies: Sequence[Study], options: PoolOptions, pooled: PooledResult | None = None
               ) -> tuple[SensitivityStep, ...]:
    """Pooled results as the used studies are added in order of year (ties in input order; ``pooled``:
    all of them pooled, when known)."""
    used = set((pooled or pool(studies, options)).used)
    ordered = [s for s in studies if s.name in used]
    missing = [s.name for s in ordered if s.year is None]
    if missing:
        raise ValueError(f"cumulative analysis needs a year for every study; missing for {', '.join(missing)}")
    ordered.sort(key=lambda s: s.year or 0)
    return tuple(SensitivityStep(s.name, pool(ordered[: i + 1], options)) for i, s in enumerate(ordered))


def _with_method_exclusion(study: Study, estimate: StudyEstimate, options: PoolOptions) -> StudyEstimate:
    if options.method in ("mh", "peto") and not isinstance(study, BinaryStudy) and estimate.excluded is None:
        return replace(estimate, estimate=None, variance=None, excluded=_NEEDS_COUNTS)
    return estimate


def _z(level: float) -> float:
    return normal_quantile(1 - (1 - level) / 2)


def _study_results(estimates: list[StudyEstimate], level: float, weights: dict[str, float]) -> tuple[StudyResult, ...]:
    z = _z(level)
    return tuple(_study_result(e, z, weights.get(e.name)) for e in estimates)


def _study_result(e: StudyEstimate, z: float, weight: float | None) -> StudyResult:
    if e.estimate is None or e.variance is None:
        return StudyResult(e.name, None, None, None, None, e.continuity, e.excluded)
    se = math.sqrt(e.variance)
    half = z * se
    return StudyResult(e.name, e.estimate, se, (e.estimate - half, e.estimate + half), weight, e.continuity, None)


def _pool_tables(studies: Sequence[Study], estimates: list[StudyEstimate], options: PoolOptions) -> PooledResult:
    """Mantel-Haenszel or Peto pooling; Q is taken around the pooled estimate, as metafor does."""
    if options.method == "peto":
        estimates = [_peto_estimate(s, e) for s, e in zip(studies, estimates, strict=True)]
    usable = [
        (s, e)
        for s, e in zip(studies, estimates, strict=True)
        if e.excluded is None and isinstance(s, BinaryStudy) and s.counts is not None
    ]
    tables = [s.counts for s, _ in usable if isinstance(s, BinaryStudy) and s.counts is not None]
    pooled: tuple[float, float] | str = "no study could be pooled"
    if tables:
        pooled = peto(tables) if options.method == "peto" else mantel_haenszel(tables, options.measure)
    weights = _table_weights(tables, options) if tables else []
    total_weight = sum(weights)
    weight_of = (
        {e.name: 100 * w / total_weight for (_, e), w in zip(usable, weights, strict=True)} if total_weight else {}
    )
    results = _study_results(estimates, options.level, weight_of)
    q_inputs = [e for s, e in usable if e.estimate is not None and not (s.counts and double_zero(s.counts))]
    y = np.array([e.estimate for e in q_inputs], dtype=float)
    v = np.array([e.variance for e in q_inputs], dtype=float)
    centre = None if isinstance(pooled, str) else pooled[0]
    het = heterogeneity(y, v, options.level, None, None, centre)
    continuity = (
        "none: Peto's method needs no correction"
        if options.method == "peto"
        else "none in the Mantel-Haenszel estimate; per-study effects and Q add 0.5 to every cell of studies "
        "with a zero cell"
    )
    return _result(options, continuity, pooled, results, het, None)


def _peto_estimate(study: Study, estimate: StudyEstimate) -> StudyEstimate:
    """A study's own Peto log odds ratio, shown next to Peto's pooled one."""
    if estimate.excluded or not isinstance(study, BinaryStudy) or study.counts is None:
        return estimate
    single = peto([study.counts])
    if isinstance(single, str):
        return replace(estimate, estimate=None, variance=None, excluded=single)
    return StudyEstimate(estimate.name, *single)


def _table_weights(tables: list[BinaryCounts], options: PoolOptions) -> list[float]:
    """Mantel-Haenszel weights (b c / N for OR, c n1 / N for RR, n1 n2 / N for RD) or Peto's V."""
    weights = []
    for t in tables:
        total = t.total1 + t.total2
        if options.method == "peto":
            events = t.events1 + t.events2
            weights.append(t.total1 * t.total2 * events * (total - events) / (total**2 * (total - 1)))
        elif options.measure == "or":
            weights.append((t.total1 - t.events1) * t.events2 / total)
        elif options.measure == "rr":
            weights.append(t.events2 * t.total1 / total)
        else:
            weights.append(t.total1 * t.total2 / total)
    return weights


def _pool_inverse_variance(estimates: list[StudyEstimate], options: PoolOptions) -> PooledResult:
    used = [e for e in estimates if e.excluded is None and e.estimate is not None and e.variance is not None]
    y = np.array([e.estimate for e in used], dtype=float)
    v = np.array([e.variance for e in used], dtype=float)
    random = options.model == "random"
    continuity = (
        "0.5 added to every cell of studies with a zero cell only"
        if options.measure in BINARY_MEASURES
        else "not applicable (continuous data)"
    )
    if not used:
        het = heterogeneity(y, v, options.level, None, None, None)
        return _result(
            options,
            continuity,
            "no study could be pooled",
            _study_results(estimates, options.level, {}),
            het,
            None,
        )
    tau2 = estimate_tau2(y, v, options.method) if random else 0.0
    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    variance = unadjusted = 1 / float(np.sum(w))
    df: int | None = None
    note = None
    if options.hksj:
        if len(used) < 2:
            note = "the HKSJ adjustment needs at least 2 studies; the normal interval is shown"
        else:
            df = len(used) - 1
            variance = float(np.sum(w * (y - mu) ** 2)) / df * variance
    percent = 100 * w / float(np.sum(w))
    weight_of = {e.name: float(share) for e, share in zip(used, percent, strict=True)}
    results = _study_results(estimates, options.level, weight_of)
    het = heterogeneity(y, v, options.level, tau2 if random else None, options.method if random else None, None)
    prediction = _prediction(options, mu, unadjusted, tau2 if random else None, len(used))
    return _result(options, continuity, (mu, variance), results, het, df, prediction, note)


def _result(
    options: PoolOptions,
    continuity: str,
    pooled: tuple[float, float] | str,
    studies: tuple[StudyResult, ...],
    het: Heterogeneity,
    df: int | None,
    prediction: tuple[tuple[float, float] | None, str] = (None, _NO_PREDICTION),
    note: str | None = None,
) -> PooledResult:
    unestimated = PooledResult(
        measure=options.measure,
        measure_name=MEASURE_NAMES[options.measure],
        scale="log" if options.measure in RATIO_MEASURES else "identity",
        model=options.model,
        method=options.method,
        method_name=METHOD_NAMES[options.method],
        level=options.level,
        hksj=options.hksj,
        continuity=continuity,
        estimate=None,
        se=None,
        ci=None,
        statistic=None,
        distribution="normal",
        p=None,
        prediction=None,
        prediction_note=None,
        heterogeneity=het,
        studies=studies,
        used=tuple(s.name for s in studies if s.excluded is None and s.estimate is not None),
        excluded=tuple((s.name, s.excluded) for s in studies if s.excluded is not None),
    )
    if isinstance(pooled, str) or not (pooled[1] > 0 and math.isfinite(pooled[1])):
        kept = None if isinstance(pooled, str) or not math.isfinite(pooled[0]) else pooled[0]
        reason = pooled if isinstance(pooled, str) else "the pooled variance is 0 or not finite: no interval"
        return replace(unestimated, estimate=kept, prediction_note=reason, note=reason)
    estimate, variance = pooled
    se = math.sqrt(variance)
    tail = 1 - (1 - options.level) / 2
    if df is None:
        crit, distribution = normal_quantile(tail), "normal"
        p = float(2 * special.ndtr(-abs(estimate / se)))
    else:
        crit, distribution = t_quantile(tail, df), f"t, {df} df"
        p = float(2 * special.stdtr(df, -abs(estimate / se)))
    return replace(
        unestimated,
        estimate=estimate,
        se=se,
        ci=(estimate - crit * se, estimate + crit * se),
        statistic=estimate / se,
        distribution=distribution,
        p=p,
        prediction=prediction[0],
        prediction_note=prediction[1],
        note=note,
    )


def _prediction(
    options: PoolOptions, estimate: float, variance: float, tau2: float | None, k: int
) -> tuple[tuple[float, float] | None, str]:
    """Higgins et al. (2009): ``variance`` is the usual random-effects one, never the HKSJ one."""
    if options.model != "random" or tau2 is None:
        return None, _NO_PREDICTION
    if k < 3:
        return None, f"no prediction interval with {k} {'study' if k == 1 else 'studies'} (needs k >= 3)"
    half = t_quantile(1 - (1 - options.level) / 2, k - 2) * math.sqrt(tau2 + variance)
    return (estimate - half, estimate + half), f"t with {k - 2} df (k - 2; Higgins et al. 2009)"
