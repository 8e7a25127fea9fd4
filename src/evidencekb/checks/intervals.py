"""Confidence intervals are ordered and contain their estimates; risk differences are on the scale named."""

from __future__ import annotations

from collections.abc import Iterator

from evidencekb.checks.base import Context, Finding
from evidencekb.diagnostics import Severity
from evidencekb.models import Interval, ReportedStatistic, Trial
from evidencekb.models.outcomes import ContinuousGroup
from evidencekb.rounding import matches_printed


def intervals_ordered(trial: Trial, context: Context) -> Iterator[Finding]:
    for loc, obj in context.models(trial):
        if isinstance(obj, Interval) and obj.low is not None and obj.high is not None and obj.low > obj.high:
            yield Finding(
                (*loc, "low"), "ci-order", f"interval lower bound {obj.low:g} is above its upper bound {obj.high:g}"
            )


def intervals_contain_estimates(trial: Trial, context: Context) -> Iterator[Finding]:
    for loc, obj in context.models(trial):
        if isinstance(obj, ReportedStatistic):
            estimate, ci = obj.estimate, obj.ci
            where = (*loc, "estimate")
        elif isinstance(obj, ContinuousGroup):
            estimate, ci = obj.mean, obj.ci
            where = (*loc, "mean")
        else:
            continue
        if estimate is None or ci is None or ci.low is None or ci.high is None or ci.low > ci.high:
            continue
        if not ci.low <= estimate <= ci.high:
            yield Finding(
                where,
                "ci-excludes-estimate",
                f"estimate {estimate:g} lies outside its interval {ci.low:g} to {ci.high:g}",
            )


_OTHER_SCALE = {"percentage-points": ("fraction", 0.01), "fraction": ("percentage-points", 100.0)}
_SCALE_WORDS = {"fraction": "as a fraction", "percentage-points": "in percentage points"}


def risk_difference_scales(trial: Trial, context: Context) -> Iterator[Finding]:
    """A risk difference typed on the other scale than the one named (0.335 with 'percentage-points').

    ``validate`` cannot otherwise tell: the audit of ``check`` reports a mismatch, but not why. The
    counts decide: the warning is given only when the printed number is the counts' difference on the
    other scale and not on the named one.
    """
    for i, result in enumerate(trial.results):
        groups = result.binary or []
        if len(groups) != 2:
            continue
        difference = abs(groups[0].events / groups[0].total - groups[1].events / groups[1].total)
        for j, stat in enumerate(result.reported):
            if stat.measure != "risk-difference" or stat.estimate is None or stat.scale not in _OTHER_SCALE:
                continue
            loc = ("results", i, "reported", j, "estimate")
            places = context.decimals(loc, stat.estimate)
            other, factor = _OTHER_SCALE[stat.scale]
            named = difference * (100.0 if stat.scale == "percentage-points" else 1.0)
            if matches_printed(named * factor, abs(stat.estimate), places) and not matches_printed(
                named, abs(stat.estimate), places
            ):
                yield Finding(
                    loc,
                    "scale-mismatch",
                    f"estimate {stat.estimate:g} is the counts' risk difference {_SCALE_WORDS[other]}"
                    f" ({named * factor:.4g}), but the scale is {stat.scale} ({named:.4g}): change the number,"
                    f" or set scale: {other}",
                    Severity.WARNING,
                )
