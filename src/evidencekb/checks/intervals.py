"""Confidence intervals are ordered and contain their estimates."""

from __future__ import annotations

from collections.abc import Iterator

from evidencekb.checks.base import Context, Finding
from evidencekb.models import Interval, ReportedStatistic, Trial
from evidencekb.models.outcomes import ContinuousGroup


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
