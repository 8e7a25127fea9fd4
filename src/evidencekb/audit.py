"""Audit of printed statistics: every number a source reported, compared with the recomputation.

Each printed number is compared within the rounding the source used (the decimals the reviewer
typed: ``35`` means 34.5 to 35.5). Intervals are tried against every known method and the ones that
reproduce them are named. Mismatches become warnings at the position of the printed number (errors
under ``--strict``), unless reviewers acknowledged them in the record; an acknowledgement names the
printed and recomputed values it accepts, so any later change to either brings the warning back.

The audit owns the consistency checks and builds the computed namespace once: :func:`audit_trial` takes the
comparisons from ``evidencekb.computed`` and returns the ``ComputedTrial`` with its checks. A printed
percentage is checked here for the report, but its warning is the rule ``percent-mismatch`` of
``evidencekb.checks.counts`` (which also covers adverse events and baseline rows), so it is not raised twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from evidencekb.computed import (
    DEFAULT_LEVEL,
    Comparison,
    ComputedTrial,
    ConsistencyCheck,
    compare_harms,
    compare_results,
)
from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.effects import (
    BinaryAnalysis,
    ContinuousAnalysis,
    Estimate,
    PValue,
    chi_square_p,
    grim_consistent,
    interval_method_matches,
    matches_printed,
    mean_difference,
    p_value_consistent,
    percentage_matches_counts,
    t_test_p,
)
from evidencekb.effects.continuous import T_TESTS
from evidencekb.loader import Document, Path
from evidencekb.models import ReportedStatistic, Trial
from evidencekb.rounding import decimals_of

_RATIO = {"risk-ratio", "odds-ratio"}
_SCALE = {"fraction": 1.0, "percentage-points": 100.0, "ratio": 1.0, "units": 1.0}


def audit_trial(
    trial: Trial, number_texts: Mapping[Path, str] | None = None, level: float = DEFAULT_LEVEL
) -> ComputedTrial:
    """Every comparison of the trial, and the audit of every printed statistic against it.

    ``number_texts``: the numbers as typed in the record (``Document.number_texts``), which give the
    rounding each printed number was compared within.
    """
    comparisons = compare_results(trial, level)
    checks = tuple(_checks(trial, comparisons, number_texts or {}))
    return ComputedTrial(trial.id, level, comparisons, checks, compare_harms(trial, level))


def _checks(trial: Trial, comparisons: tuple[Comparison, ...], texts: Mapping[Path, str]) -> Iterator[ConsistencyCheck]:
    auditor = _Auditor(texts)
    for i, result in enumerate(trial.results):
        comparison = next((c for c in comparisons if c.result == i), None)
        for j, group in enumerate(result.binary or []):
            if group.percent is not None:
                yield auditor.percent(
                    ("results", i, "binary", j, "percent"), result.endpoint, group.percent, group.events, group.total
                )
        endpoint = next(e for e in trial.endpoints if e.id == result.endpoint)
        if endpoint.scale and endpoint.scale.integer_valued:
            for j, cgroup in enumerate(result.continuous or []):
                if cgroup.n is not None:
                    yield auditor.grim(("results", i, "continuous", j, "mean"), result.endpoint, cgroup.mean, cgroup.n)
        for j, reported in enumerate(result.reported):
            yield from auditor.reported(("results", i, "reported", j), result.endpoint, reported, comparison)


class _Auditor:
    def __init__(self, texts: Mapping[Path, str]) -> None:
        self.texts = texts

    def decimals(self, loc: Path, value: float) -> int:
        return decimals_of(self.texts.get(loc) or repr(value))

    def percent(self, loc: Path, endpoint: str, printed: float, events: int, total: int) -> ConsistencyCheck:
        decimals = self.decimals(loc, printed)
        counts = percentage_matches_counts(printed, decimals, total)
        exact = f"{events}/{total} = {100 * events / total:.{decimals + 1}f}%"
        if events in counts:
            return ConsistencyCheck(
                loc, endpoint, "percentage", f"{printed:g}%", exact, "consistent", f"{printed:g}% is {exact}"
            )
        detail = (
            f"no count out of {total} prints as {printed:g}%"
            if not counts
            else f"{printed:g}% of {total} is {counts.start} to {counts.stop - 1}, not {events}"
        )
        return ConsistencyCheck(loc, endpoint, "percentage", f"{printed:g}%", exact, "inconsistent", detail)

    def grim(self, loc: Path, endpoint: str, mean: float, n: int) -> ConsistencyCheck:
        decimals = self.decimals(loc, mean)
        if grim_consistent(mean, decimals, n):
            status, code, detail = "consistent", None, f"a mean of {n} whole-number scores can print as {mean:g}"
        else:
            status, code = "inconsistent", "grim-inconsistent"
            detail = f"no total of {n} whole-number scores gives a mean printed as {mean:g} (GRIM)"
        return ConsistencyCheck(loc, endpoint, "mean (GRIM)", f"{mean:g}", f"n = {n}", status, detail, code)

    def reported(
        self, loc: Path, endpoint: str, stat: ReportedStatistic, comparison: Comparison | None
    ) -> Iterator[ConsistencyCheck]:
        reason = _uncheckable(stat, comparison)
        checks: list[ConsistencyCheck] = []
        if reason is None and comparison is not None:
            if comparison.binary is not None:
                checks = list(self._binary(loc, endpoint, stat, comparison.binary))
            elif comparison.continuous is not None:
                checks = list(self._continuous(loc, endpoint, stat, comparison.continuous))
        if reason is not None:
            for name, value in _printed_values(stat):
                yield ConsistencyCheck(
                    (*loc, name), endpoint, f"{stat.measure} {name}", value, "-", "not-checkable", reason
                )
            return
        for check in checks:
            yield _acknowledge(check, stat) if check.status == "inconsistent" else check

    def _binary(
        self, loc: Path, endpoint: str, stat: ReportedStatistic, analysis: BinaryAnalysis
    ) -> Iterator[ConsistencyCheck]:
        counts = analysis.counts
        if stat.measure != "p-value-only":
            recomputed = {
                "risk-difference": analysis.risk_difference,
                "risk-ratio": analysis.risk_ratio,
                "odds-ratio": analysis.odds_ratio,
            }[stat.measure]
            factor = _SCALE[stat.scale]
            if stat.estimate is not None and recomputed.estimate is not None:
                yield self._estimate(loc, endpoint, stat, recomputed.estimate * factor, "from the counts")
            if stat.ci is not None and stat.ci.low is not None and stat.ci.high is not None:
                decimals = max(
                    self.decimals((*loc, "ci", "low"), stat.ci.low), self.decimals((*loc, "ci", "high"), stat.ci.high)
                )
                scale = stat.scale if stat.scale in ("fraction", "percentage-points", "ratio") else None
                matches = interval_method_matches(
                    counts, stat.measure, stat.ci.low, stat.ci.high, decimals, scale, stat.ci.level
                )
                yield _interval_check((*loc, "ci"), endpoint, stat, matches)
        if stat.p_value is not None:
            tests = [analysis.fisher_exact, analysis.chi_square, chi_square_p(counts, yates=True)]
            yield self._p_value(loc, endpoint, stat, tests)

    def _continuous(
        self, loc: Path, endpoint: str, stat: ReportedStatistic, analysis: ContinuousAnalysis
    ) -> Iterator[ConsistencyCheck]:
        g1, g2 = analysis.intervention, analysis.comparator
        if stat.measure == "mean-difference":
            if stat.estimate is not None:
                yield self._estimate(loc, endpoint, stat, g1.mean - g2.mean, "difference of the group means")
            if stat.ci is not None and stat.ci.low is not None and stat.ci.high is not None:
                decimals = max(
                    self.decimals((*loc, "ci", "low"), stat.ci.low), self.decimals((*loc, "ci", "high"), stat.ci.high)
                )
                found = []
                shown = []
                for variance in ("welch", "pooled"):
                    md = _mean_difference(analysis, variance, stat.ci.level)
                    if md.ci_low is None or md.ci_high is None:
                        continue
                    shown.append(f"{variance} {md.ci_low:.{decimals + 1}f} to {md.ci_high:.{decimals + 1}f}")
                    if matches_printed(md.ci_low, stat.ci.low, decimals) and matches_printed(
                        md.ci_high, stat.ci.high, decimals
                    ):
                        found.append(variance)
                yield _ci_result((*loc, "ci"), endpoint, stat, found, shown)
        if stat.p_value is not None:
            yield self._p_value(loc, endpoint, stat, [_t_test(analysis, "welch"), _t_test(analysis, "pooled")])

    def _estimate(
        self, loc: Path, endpoint: str, stat: ReportedStatistic, value: float, method: str
    ) -> ConsistencyCheck:
        assert stat.estimate is not None
        decimals = self.decimals((*loc, "estimate"), stat.estimate)
        shown = f"{value:.{decimals + 2}f} ({method})"
        code = None
        if matches_printed(value, stat.estimate, decimals):
            status, detail = "consistent", f"recomputed {shown} prints as {stat.estimate:g}"
        elif stat.adjusted:
            status = "not-checkable"
            method = stat.method or "method not stated"
            detail = f"adjusted estimate ({method}); the unadjusted recomputation is {shown}"
        else:
            status, detail = "inconsistent", f"reported {stat.measure} {stat.estimate:g}, recomputed {shown}"
            code = "estimate-mismatch"
        return ConsistencyCheck((*loc, "estimate"), endpoint, f"{stat.measure} estimate", f"{stat.estimate:g}", shown,
                                status, detail, code)

    def _p_value(self, loc: Path, endpoint: str, stat: ReportedStatistic, tests: list[PValue]) -> ConsistencyCheck:
        """Consistent when a test reproduces the printed p within its printed precision (or its bound).

        A p-value the record says comes from an adjusted or stratified analysis is not checkable when no
        unadjusted test reproduces it: the per-group data cannot recompute such an analysis.
        """
        assert stat.p_value is not None
        printed = stat.p_value
        decimals = None if isinstance(printed, str) else self.decimals((*loc, "p_value"), printed)
        results = [(t, p_value_consistent(printed, t.value, decimals)) for t in tests if t.value is not None]
        shown = "; ".join(f"{t.test}: {t.value:.2g}" for t, _ in results) or "not computable"
        reproducing = [(t, o) for t, o in results if o.consistent]
        code = None
        if reproducing:
            status = "consistent"
            detail = f"{reproducing[0][1].detail}, by the {', '.join(t.test for t, _ in reproducing)}"
        elif not results:
            status, detail = "not-checkable", "no test is computable for these groups"
        elif stat.adjusted:
            status = "not-checkable"
            detail = (
                f"p-value of an adjusted or stratified analysis ({stat.method or 'method not stated'}), which the"
                f" per-group data cannot recompute; unadjusted tests give {shown}"
            )
        else:
            status, code = "inconsistent", "p-value-mismatch"
            detail = f"no test reproduces the printed p = {printed} within its printed precision ({shown})"
        return ConsistencyCheck((*loc, "p_value"), endpoint, "p-value", str(printed), shown, status, detail, code)


def _acknowledge(check: ConsistencyCheck, stat: ReportedStatistic) -> ConsistencyCheck:
    """The mismatch as acknowledged when the record accepted exactly these values, else as it is, with a hint."""
    statistic = str(check.loc[-1])
    if stat.acknowledged is None:
        return check
    pinned = f"{{statistic: {statistic}, reported: '{check.reported}', recomputed: '{check.recomputed}'}}"
    accepted = [a for a in stat.acknowledged.accepted if a.statistic == statistic]
    if any(a.reported == check.reported and a.recomputed == check.recomputed for a in accepted):
        return replace(check, status="acknowledged", code=None,
                       detail=f"{check.detail}; acknowledged: {stat.acknowledged.reason}")
    if accepted:
        was = "; ".join(f"reported '{a.reported}', recomputed '{a.recomputed}'" for a in accepted)
        note = f"the acknowledgement accepted {was}, not these values; re-check, then pin {pinned}"
    else:
        note = f"the acknowledgement does not cover the {statistic}; to accept it, add {pinned}"
    return replace(check, detail=f"{check.detail} ({note})")


def _mean_difference(analysis: ContinuousAnalysis, variance: str, level: float) -> Estimate:
    """The analysis's own interval when it is the one asked for (the audit tries both variances), else a new one."""
    computed = analysis.mean_difference
    if computed.method == variance and computed.level == level:
        return computed
    return mean_difference(analysis.intervention, analysis.comparator, variance, level)


def _t_test(analysis: ContinuousAnalysis, variance: str) -> PValue:
    """The analysis's own t-test when it is the one asked for (the audit tries both variances), else a new one."""
    if analysis.t_test.test == T_TESTS[variance]:
        return analysis.t_test
    return t_test_p(analysis.intervention, analysis.comparator, variance)


def _interval_check(loc: Path, endpoint: str, stat: ReportedStatistic, matches) -> ConsistencyCheck:  # type: ignore[no-untyped-def]
    found = [m.method for m in matches if m.matches]
    shown = [f"{m.method} {m.ci_low:.2f} to {m.ci_high:.2f}" for m in matches if m.ci_low is not None]
    return _ci_result(loc, endpoint, stat, found, shown)


def _ci_result(
    loc: Path, endpoint: str, stat: ReportedStatistic, found: list[str], shown: list[str]
) -> ConsistencyCheck:
    assert stat.ci is not None
    reported = f"{stat.ci.low:g} to {stat.ci.high:g}"
    if found:
        return ConsistencyCheck(
            loc,
            endpoint,
            f"{stat.measure} CI",
            reported,
            "; ".join(shown),
            "consistent",
            f"reproduced by the {', '.join(found)} method",
            methods=tuple(found),
        )
    if stat.adjusted:
        return ConsistencyCheck(
            loc,
            endpoint,
            f"{stat.measure} CI",
            reported,
            "; ".join(shown),
            "not-checkable",
            "adjusted analysis: unadjusted intervals are " + "; ".join(shown),
        )
    return ConsistencyCheck(
        loc,
        endpoint,
        f"{stat.measure} CI",
        reported,
        "; ".join(shown),
        "inconsistent",
        f"no method reproduces {reported} (" + "; ".join(shown) + ")",
        "ci-not-reproduced",
    )


def _uncheckable(stat: ReportedStatistic, comparison: Comparison | None) -> str | None:
    if comparison is None or (comparison.binary is None and comparison.continuous is None):
        reason = comparison.not_computed if comparison else None
        return f"nothing to recompute from: {reason or 'no per-group data'}"
    if comparison.binary is not None and stat.measure not in (
        "risk-difference",
        "risk-ratio",
        "odds-ratio",
        "p-value-only",
    ):
        return f"{stat.measure} is not recomputed from counts"
    if comparison.continuous is not None and stat.measure not in ("mean-difference", "p-value-only"):
        return f"{stat.measure} is not recomputed from means"
    return None


def _printed_values(stat: ReportedStatistic) -> Iterator[tuple[str, str]]:
    if stat.estimate is not None:
        yield "estimate", f"{stat.estimate:g}"
    if stat.ci is not None:
        yield "ci", f"{stat.ci.low} to {stat.ci.high}"
    if stat.p_value is not None:
        yield "p_value", str(stat.p_value)


def audit_diagnostics(document: Document, computed: ComputedTrial) -> list[Diagnostic]:
    """Warnings at the printed numbers that the recomputation does not reproduce."""
    result = []
    for check in computed.checks:
        if check.status == "inconsistent" and check.code:
            line, column = document.position(check.loc)
            result.append(
                Diagnostic(
                    document.path, line, column, Severity.WARNING, check.code, f"{check.endpoint}: {check.detail}"
                )
            )
    return result
