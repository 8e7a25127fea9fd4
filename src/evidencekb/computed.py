"""The computed namespace: effects recomputed from a record's raw per-group data, never authored.

Reviewers type what sources printed (counts, means, SDs); this module derives every effect shown on the
site and in exports, with the method named, and keeps it apart from the record (``ComputedTrial`` is
attached at build time and serialized on its own, never written back into the YAML). The audit of the
printed statistics (``evidencekb.audit``) builds the ``ComputedTrial`` from these comparisons and its checks;
nothing here depends on it. Which groups may be
compared is decided here: two randomized arms (intervention vs comparator) only; treatment exposures in
a crossover are not independent groups, so no parallel-group effect is computed for them. Adverse events
are compared the same way when a row has one intervention-side and one comparator-side group, each with
its count of participants and a denominator (an arm's randomized number or a population's size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from evidencekb.effects import (
    BINARY_METHODS,
    DEFAULT_VARIANCE,
    BinaryAnalysis,
    BinaryCounts,
    ContinuousAnalysis,
    GroupMean,
    analyse_binary,
    analyse_continuous,
    group_from_ci,
    group_from_se,
)
from evidencekb.loader import Path
from evidencekb.models import AdverseEvent, BinaryGroup, ContinuousGroup, Result, Trial
from evidencekb.models.outcomes import GroupRef
from evidencekb.models.safety import AdverseEventGroup

DEFAULT_LEVEL = 0.95
DEFAULT_METHODS = {**BINARY_METHODS, "variance": DEFAULT_VARIANCE}


@dataclass(frozen=True)
class Comparison:
    """Intervention vs comparator for one result of one endpoint."""

    endpoint: str
    result: int
    source: str
    intervention: str | None
    comparator: str | None
    binary: BinaryAnalysis | None = None
    continuous: ContinuousAnalysis | None = None
    not_computed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "result": self.result,
            "source": self.source,
            "intervention": self.intervention,
            "comparator": self.comparator,
            "binary": self.binary.to_dict() if self.binary else None,
            "continuous": self.continuous.to_dict() if self.continuous else None,
            "not_computed": self.not_computed,
        }


@dataclass(frozen=True)
class HarmComparison:
    """Intervention vs comparator for one adverse-event row: participants with the event over each
    group's denominator, analysed as a bad event (so more events with the intervention give an NNTH).

    ``shared`` names the arms whose participants are counted in both groups (e.g. placebo patients
    switched to the intervention within the period); the interval still treats the groups as independent.
    """

    event: str
    intervention: str
    comparator: str
    binary: BinaryAnalysis
    shared: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event, "intervention": self.intervention, "comparator": self.comparator,
                "shared_arms": list(self.shared), "binary": self.binary.to_dict()}


@dataclass(frozen=True)
class ConsistencyCheck:
    """One printed number compared with its recomputation."""

    loc: Path
    endpoint: str | None
    statistic: str
    reported: str
    recomputed: str
    status: str  # consistent | inconsistent | acknowledged | not-checkable
    detail: str
    code: str | None = None
    methods: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": "/".join(str(p) for p in self.loc),
            "endpoint": self.endpoint,
            "statistic": self.statistic,
            "reported": self.reported,
            "recomputed": self.recomputed,
            "status": self.status,
            "detail": self.detail,
            "methods": list(self.methods),
        }


@dataclass(frozen=True)
class ComputedTrial:
    trial: str
    level: float
    comparisons: tuple[Comparison, ...]
    checks: tuple[ConsistencyCheck, ...] = field(default=())
    harms: tuple[HarmComparison, ...] = field(default=())

    def for_result(self, index: int) -> Comparison | None:
        return next((c for c in self.comparisons if c.result == index), None)

    def for_adverse_event(self, event_id: str) -> HarmComparison | None:
        return next((h for h in self.harms if h.event == event_id), None)

    def checks_at(self, prefix: Path) -> list[ConsistencyCheck]:
        return [c for c in self.checks if c.loc[: len(prefix)] == tuple(prefix)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial": self.trial,
            "level": self.level,
            "methods": DEFAULT_METHODS,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "consistency": [c.to_dict() for c in self.checks],
            "harms": [h.to_dict() for h in self.harms],
        }


def compare_results(trial: Trial, level: float = DEFAULT_LEVEL) -> tuple[Comparison, ...]:
    """The comparison of every result of the trial, in the order of its results."""
    return tuple(compare_result(trial, i, level) for i in range(len(trial.results)))


def compare_harms(trial: Trial, level: float = DEFAULT_LEVEL) -> tuple[HarmComparison, ...]:
    """The comparison of every adverse-event row that has two comparable sides with counts."""
    return tuple(h for h in (compare_adverse_event(trial, e, level) for e in trial.adverse_events) if h)


def compare_adverse_event(trial: Trial, event: AdverseEvent, level: float = DEFAULT_LEVEL) -> HarmComparison | None:
    """The comparison of one adverse-event row, or None when it lacks two comparable sides with counts."""
    data = harm_data(trial, event)
    if data is None:
        return None
    return HarmComparison(event.id, data.intervention, data.comparator,
                          analyse_binary(data.counts, level=level, event="bad"), data.shared)


@dataclass(frozen=True)
class HarmData:
    """What a harm comparison analyses: the two groups' ids, their counts, and the arms both draw on."""

    intervention: str
    comparator: str
    counts: BinaryCounts
    shared: tuple[str, ...] = ()


def harm_data(trial: Trial, event: AdverseEvent) -> HarmData | None:
    """The counts of one adverse-event row on its two comparable sides, without their analysis (which a
    question pools its own way); None when the row lacks them."""
    sides: dict[str, list[tuple[AdverseEventGroup, int, set[str]]]] = {"intervention": [], "comparator": []}
    for group in event.groups:
        found = _harm_side(trial, group)
        if found is not None and group.patients is not None:
            side, size, arms = found
            sides.setdefault(side, []).append((group, size, arms))
    if len(sides["intervention"]) != 1 or len(sides["comparator"]) != 1:
        return None
    (first, size1, arms1), (second, size2, arms2) = sides["intervention"][0], sides["comparator"][0]
    assert first.patients is not None and second.patients is not None
    if first.patients > size1 or second.patients > size2:
        return None  # the validation rules report counts above their denominator
    return HarmData(first.group_id, second.group_id, BinaryCounts(first.patients, size1, second.patients, size2),
                    tuple(sorted(arms1 & arms2)))


def _harm_side(trial: Trial, group: GroupRef) -> tuple[str, int, set[str]] | None:
    """(intervention or comparator, denominator, arms the group draws on) of an adverse-event group."""
    if group.arm is not None:
        arm = next((a for a in trial.arms if a.id == group.arm), None)
        return (arm.role, arm.randomized, {arm.id}) if arm else None
    population = next((p for p in trial.populations if p.id == group.population), None)
    if population is None or population.unit != "participants":
        return None
    treatment = next((t for t in trial.treatments if t.id == population.treatment), None)
    if treatment is None or treatment.role not in ("intervention", "comparator"):
        return None
    return treatment.role, population.size, set(population.arms)


def compare_result(trial: Trial, index: int, level: float = DEFAULT_LEVEL) -> Comparison:
    result = trial.results[index]
    data = result_data(trial, index)

    def comparison(**computed: Any) -> Comparison:
        return Comparison(result.endpoint, index, result.source, data.intervention, data.comparator, **computed)

    if data.counts is not None:
        endpoint = next(e for e in trial.endpoints if e.id == result.endpoint)
        event: Literal["good", "bad"] = "good" if endpoint.better == "higher" else "bad"
        return comparison(binary=analyse_binary(data.counts, level=level, event=event))
    if data.means is not None:
        return comparison(continuous=analyse_continuous(*data.means, level=level))
    return comparison(not_computed=data.not_computed)


@dataclass(frozen=True)
class ResultData:
    """What a comparison of one result analyses: the two groups' ids and their counts or means, or why
    there is nothing to analyse (``not_computed``)."""

    intervention: str | None
    comparator: str | None
    counts: BinaryCounts | None = None
    means: tuple[GroupMean, GroupMean] | None = None
    not_computed: str | None = None


def result_data(trial: Trial, index: int) -> ResultData:
    """The per-arm data of one result, without its analysis: a comparison's input, and what a question
    pools (by its own measure and model) without paying for the trial's effect estimates."""
    pair = _arm_pair(trial, trial.results[index])
    if isinstance(pair, str):
        return ResultData(None, None, not_computed=pair)
    first, second = pair
    ids = first.group_id, second.group_id
    if isinstance(first, BinaryGroup) and isinstance(second, BinaryGroup):
        return ResultData(*ids, counts=BinaryCounts(first.events, first.total, second.events, second.total))
    if isinstance(first, ContinuousGroup) and isinstance(second, ContinuousGroup):
        intervention, comparator = _group_mean(first), _group_mean(second)
        if isinstance(intervention, str):
            return ResultData(*ids, not_computed=intervention)
        if isinstance(comparator, str):
            return ResultData(*ids, not_computed=comparator)
        return ResultData(*ids, means=(intervention, comparator))
    return ResultData(*ids, not_computed="medians only: no hazard ratio is derived from medians")


def _arm_pair(trial: Trial, result: Result) -> tuple[GroupRef, GroupRef] | str:
    groups = result.groups
    if not groups:
        return "no per-group data; only the reported statistics"
    populations = {p.id: p for p in trial.populations}
    if any(
        g.population and populations[g.population].unit == "treatment-exposures"
        for g in groups
        if g.population in populations
    ):
        return (
            "groups are treatment exposures in a crossover (the same patients appear in both),"
            " so no parallel-group effect is computed"
        )
    if any(g.arm is None for g in groups):
        return "groups are not randomized arms, so no randomized comparison is computed"
    roles = {a.id: a.role for a in trial.arms}
    intervention = [g for g in groups if roles.get(g.arm or "") == "intervention"]
    comparator = [g for g in groups if roles.get(g.arm or "") == "comparator"]
    if len(intervention) != 1 or len(comparator) != 1:
        return "needs exactly one intervention arm and one comparator arm"
    same = _same_treatment(trial, result, intervention[0].arm or "", comparator[0].arm or "")
    return same or (intervention[0], comparator[0])


def _same_treatment(trial: Trial, result: Result, first: str, second: str) -> str | None:
    """Why two arms cannot be compared as treatments in the endpoint's period: both received the same one.

    In an extension where every arm gets the active treatment (ProDERM's open-label weeks 16 to 40), the
    arms differ only in the randomized sequence, so a difference between them is not an effect of the
    treatment and no risk difference or NNT is computed.
    """
    period = next(e.period for e in trial.endpoints if e.id == result.endpoint)
    index = next((i for i, p in enumerate(trial.design.periods) if p.id == period), None)
    arms = {a.id: a for a in trial.arms}
    if index is None or first not in arms or second not in arms:
        return None
    received = {arms[arm].treatments[index] for arm in (first, second) if index < len(arms[arm].treatments)}
    if len(received) != 1:
        return None
    (treatment,) = received
    label = next((t.label for t in trial.treatments if t.id == treatment), treatment)
    period_label = trial.design.periods[index].label
    return (
        f"both arms received {label} in the {period_label[0].lower()}{period_label[1:]}: the groups differ only"
        " in their randomized sequence, so no between-treatment effect or NNT is computed"
    )


def _group_mean(group: ContinuousGroup) -> GroupMean | str:
    if group.n is None:
        return "needs the number analysed in each group"
    if group.sd is not None:
        return GroupMean(group.mean, group.sd, group.n)
    if group.se is not None:
        return group_from_se(group.mean, group.se, group.n)
    ci = group.ci
    if ci is not None and ci.low is not None and ci.high is not None and group.n >= 2:
        return group_from_ci(group.mean, ci.low, ci.high, group.n, ci.level)
    return "needs an SD, SE or confidence interval for each group"
