"""Values that no trial can have: a median outside its own interval, a mean off its scale, more
exposures than participants and periods allow, a review dated after today."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from evidencekb.checks.base import Context, Finding
from evidencekb.models import Trial


def medians_within_intervals(trial: Trial, _: Context) -> Iterator[Finding]:
    for i, result in enumerate(trial.results):
        for j, group in enumerate(result.time_to_event or []):
            median, ci = group.median, group.ci
            if median is None or ci is None:
                continue
            if (ci.low is not None and median < ci.low) or (ci.high is not None and median > ci.high):
                low = "not estimable" if ci.low is None else f"{ci.low:g}"
                high = "not estimable" if ci.high is None else f"{ci.high:g}"
                yield Finding(("results", i, "time_to_event", j, "median"), "median-outside-ci",
                              f"median {median:g} lies outside its own interval {low} to {high}")


def means_within_scales(trial: Trial, _: Context) -> Iterator[Finding]:
    """A final value lies within the scale's range; a change from baseline within its width."""
    endpoints = {e.id: e for e in trial.endpoints}
    for i, result in enumerate(trial.results):
        endpoint = endpoints.get(result.endpoint)
        scale = endpoint.scale if endpoint else None
        if endpoint is None or scale is None or scale.min is None or scale.max is None:
            continue
        if endpoint.measure == "change-from-baseline":
            width = scale.max - scale.min
            low, high, what = -width, width, f"a change on a scale of width {width:g}"
        else:
            low, high, what = scale.min, scale.max, f"the scale's range {scale.min:g} to {scale.max:g}"
        for j, group in enumerate(result.continuous or []):
            if not low <= group.mean <= high:
                yield Finding(("results", i, "continuous", j, "mean"), "mean-outside-scale",
                              f"mean {group.mean:g} is outside {what} ({scale.name})")


def populations_within_participants(trial: Trial, _: Context) -> Iterator[Finding]:
    """A population holds at most its arms' participants, each once per period for treatment exposures."""
    randomized = {arm.id: arm.randomized for arm in trial.arms}
    for i, population in enumerate(trial.populations):
        arms = population.arms or list(randomized)
        if any(arm not in randomized for arm in arms):
            continue  # an unknown arm is reported by the reference check
        participants = sum(randomized[arm] for arm in arms)
        periods = len(trial.design.periods) if population.unit == "treatment-exposures" and not population.period else 1
        if population.size > participants * periods:
            per = f" times {periods} periods" if periods > 1 else ""
            yield Finding(("populations", i, "size"), "population-too-large",
                          f"population of {population.size} is larger than its {participants} participants{per}")


def review_not_in_future(trial: Trial, _: Context) -> Iterator[Finding]:
    reviewed = trial.review.last_reviewed
    if reviewed > datetime.date.today():
        yield Finding(("review", "last_reviewed"), "review-in-future",
                      f"the review date {reviewed} is after today ({datetime.date.today()})")
