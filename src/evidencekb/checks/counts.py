"""Counts are possible: events within totals, totals within the randomized numbers, flows that add up."""

from __future__ import annotations

import math
from collections.abc import Iterator

from evidencekb.checks.base import Context, Finding
from evidencekb.diagnostics import Severity
from evidencekb.loader import Path
from evidencekb.models import Trial
from evidencekb.rounding import percentage_matches_counts


def _denominators(trial: Trial) -> dict[str, int]:
    sizes = {arm.id: arm.randomized for arm in trial.arms}
    sizes.update({p.id: p.size for p in trial.populations})
    return sizes


def events_within_totals(trial: Trial, _: Context) -> Iterator[Finding]:
    for i, result in enumerate(trial.results):
        for j, group in enumerate(result.binary or []):
            if group.events > group.total:
                yield Finding(
                    ("results", i, "binary", j, "events"),
                    "impossible-count",
                    f"{group.events} events out of {group.total} participants: events cannot exceed the total",
                )


def totals_within_denominators(trial: Trial, _: Context) -> Iterator[Finding]:
    sizes = _denominators(trial)
    for i, result in enumerate(trial.results):
        kind = "binary" if result.binary else "continuous" if result.continuous else "time_to_event"
        for j, group in enumerate(result.groups):
            analysed = getattr(group, "total", None) or getattr(group, "n", None)
            size = sizes.get(group.group_id)
            if analysed is not None and size is not None and analysed > size:
                field = "total" if kind == "binary" else "n"
                yield Finding(
                    ("results", i, kind, j, field),
                    "count-exceeds-denominator",
                    f"{analysed} analysed in '{group.group_id}', which has only {size}",
                )


def adverse_event_counts(trial: Trial, _: Context) -> Iterator[Finding]:
    sizes = _denominators(trial)
    for i, event in enumerate(trial.adverse_events):
        for j, group in enumerate(event.groups):
            loc = ("adverse_events", i, "groups", j)
            size = sizes.get(group.group_id)
            if group.patients is not None and size is not None and group.patients > size:
                yield Finding(
                    (*loc, "patients"),
                    "count-exceeds-denominator",
                    f"{group.patients} patients with events in '{group.group_id}', which has only {size}",
                )
            if group.patients is not None and group.events is not None and group.events < group.patients:
                yield Finding(
                    (*loc, "events"),
                    "impossible-count",
                    f"{group.events} events in {group.patients} patients: each patient counted has at least one event",
                )


def flow_counts(trial: Trial, _: Context) -> Iterator[Finding]:
    randomized = {arm.id: arm.randomized for arm in trial.arms}
    for i, stage in enumerate(trial.flow):
        for j, entry in enumerate(stage.counts):
            loc = ("flow", i, "counts", j, "count")
            limit = randomized.get(entry.arm) if entry.arm else sum(randomized.values())
            if limit is None:
                continue
            if stage.stage == "randomized" and entry.count != limit:
                yield Finding(
                    loc,
                    "flow-mismatch",
                    f"flow says {entry.count} randomized to '{entry.arm or 'all arms'}', arms say {limit}",
                )
            elif entry.count > limit:
                yield Finding(
                    loc,
                    "count-exceeds-denominator",
                    f"{entry.count} at stage '{stage.stage}' but only {limit} randomized"
                    f" to '{entry.arm or 'all arms'}'",
                )


def arms_cover_periods(trial: Trial, _: Context) -> Iterator[Finding]:
    periods = len(trial.design.periods)
    for i, arm in enumerate(trial.arms):
        if len(arm.treatments) != periods:
            yield Finding(
                ("arms", i, "treatments"),
                "arm-periods",
                f"arm '{arm.id}' lists {len(arm.treatments)} treatments for {periods} periods"
                " (give one treatment per period)",
            )


def percentages_match_counts(trial: Trial, context: Context) -> Iterator[Finding]:
    sizes = _denominators(trial)
    for i, result in enumerate(trial.results):
        for j, group in enumerate(result.binary or []):
            loc = ("results", i, "binary", j, "percent")
            yield from _percent(loc, group.percent, group.events, group.total, context)
    for i, event in enumerate(trial.adverse_events):
        for j, ae in enumerate(event.groups):
            size = sizes.get(ae.group_id)
            if size is not None and ae.patients is not None:
                yield from _percent(
                    ("adverse_events", i, "groups", j, "percent"), ae.percent, ae.patients, size, context
                )
    for i, row in enumerate(trial.baseline):
        for j, value in enumerate(row.values):
            total = (
                value.n
                if value.n is not None
                else (sizes.get(value.arm) if value.arm else sum(a.randomized for a in trial.arms))
            )
            if value.count is not None and total:
                yield from _percent(("baseline", i, "values", j, "percent"), value.percent, value.count, total, context)


def _percent(loc: Path, printed: float | None, count: int, total: int, context: Context) -> Iterator[Finding]:
    if printed is None:
        return
    decimals = context.decimals(loc, printed)
    if count not in _matching_counts(printed, decimals, total):
        exact = 100 * count / total
        yield Finding(
            loc,
            "percent-mismatch",
            f"{printed:g}% does not match {count}/{total} = {exact:.{decimals + 1}f}%",
            Severity.WARNING,
        )


def _matching_counts(percent: float, decimals: int, total: int) -> range:
    """``percentage_matches_counts`` in integer arithmetic: the same counts, without building Fractions.

    The printed value is ``digits / 10**decimals`` exactly (its decimal text without the point); a count k
    prints as it when ``(2 digits - 1) total <= 200 k 10**decimals <= (2 digits + 1) total``.
    """
    if total < 1 or decimals < 0 or not math.isfinite(percent):
        return percentage_matches_counts(percent, decimals, total)  # raises as it always did
    digits = int(f"{percent:.{decimals}f}".replace(".", ""))
    scale = 200 * 10**decimals
    low = -((1 - 2 * digits) * total // scale)
    high = (2 * digits + 1) * total // scale
    return range(max(low, 0), min(high + 1, total + 1))
