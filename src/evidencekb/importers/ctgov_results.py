"""The results half of a draft: endpoints, per-arm results, the registry's analyses, adverse events.

A percentage with its denominator gives a count of participants only when exactly one count prints as
that percentage (``rounding.percentage_matches_counts``); the percentage is kept as printed, so the
consistency check sees both. Outcomes with no field in a record (several categories, geometric means,
medians) become endpoints whose ``type`` is a placeholder saying why; registry groups that are not
randomized arms are named in a comment.
"""

from __future__ import annotations

import re

from evidencekb.importers.ctgov import (
    Analysis,
    EventRow,
    GroupValues,
    Outcome,
    Study,
    analysis_measure,
    registry_p_value,
)
from evidencekb.importers.ctgov_groups import ArmGroup, at_risk_populations, match_groups, slugify, unique
from evidencekb.importers.draft_text import Lines, cite, quote, short, todo
from evidencekb.rounding import decimals_of, percentage_matches_counts

_ROLES = {"PRIMARY": "primary", "SECONDARY": "secondary", "OTHER_PRE_SPECIFIED": "exploratory",
          "POST_HOC": "exploratory"}
_ADJUSTED = re.compile(r"ancova|mantel|regression|mixed model|mmrm|stratif|adjust|covariate", re.IGNORECASE)


def write_outcomes(out: Lines, study: Study, arm_groups: list[ArmGroup], periods: list[str]) -> None:
    """Endpoints, results and adverse events; a study without results gets its protocol's outcome measures."""
    outcomes = study.outcomes() or study.planned_outcomes() or [
        Outcome("protocolSection.outcomesModule", "", "", "", "", "", None, "the registry names no outcome", "", {})]
    taken: set[str] = set()
    ids = [unique(slugify(o.title or "primary-endpoint"), taken) for o in outcomes]
    out(0, "")
    out(0, "endpoints:")
    for endpoint_id, outcome in zip(ids, outcomes, strict=True):
        _endpoint(out, endpoint_id, outcome, periods)
    results = Lines()
    for endpoint_id, outcome in zip(ids, outcomes, strict=True):
        _result(results, endpoint_id, outcome, match_groups(outcome.groups, arm_groups))
    if results.lines:
        out(0, "")
        out(0, "results:")
        out.lines.extend(results.lines)
    _adverse_events(out, study, arm_groups)


def _endpoint(out: Lines, endpoint_id: str, outcome: Outcome, periods: list[str]) -> None:
    kind = {"count": "binary", "percent": "binary", "mean": "continuous"}.get(outcome.kind or "")
    out(2, f"- id: {endpoint_id}")
    out(4, f"label: {short(outcome.title, 'endpoint name')}")
    out(4, f"role: {_ROLES.get(outcome.type) or todo('primary, secondary, exploratory or safety')}")
    out(4, f"type: {kind or todo('binary, continuous or time-to-event: ' + outcome.why_not)}")
    definition = outcome.description or outcome.title
    out(4, f"definition: {quote(definition) if definition else todo('what is measured')}")
    out(4, f"timepoint: {short(outcome.time_frame, 'when it is measured')}")
    out(4, f"period: {periods[0] if len(periods) == 1 else todo('period id: one of ' + ', '.join(periods))}")
    out(4, f"better: {todo('higher or lower: whether more events or higher values are good for the patient')}")
    if kind == "binary":
        measure = "proportion"
    elif kind and outcome.title.lower().startswith("change"):
        measure = "change-from-baseline"
    else:
        measure = ""
    out(4, f"measure: {measure or todo('proportion, change-from-baseline, final-value or time-to-event')}")
    out.source(4, outcome.locator)




def _result(out: Lines, endpoint_id: str, outcome: Outcome, groups: dict[str, ArmGroup]) -> None:
    if outcome.kind is None:
        return
    values = [(arm, outcome.values[gid]) for gid, arm in groups.items() if gid in outcome.values]
    if len(values) < 2:
        return
    out(2, f"- endpoint: {endpoint_id}")
    out.source(4, outcome.locator)
    key = "binary" if outcome.kind in ("count", "percent") else "continuous"
    out(4, f"{key}:")
    for arm, value in values:
        out(6, f"- arm: {arm.id}")
        if key == "binary":
            _binary_group(out, outcome.kind == "percent", value)
        else:
            _continuous_group(out, outcome.dispersion, value)
    left_out = [f"'{t}'" for gid, t in outcome.groups.items() if gid not in groups]
    if left_out:
        out(4, f"# not imported: registry group(s) {', '.join(left_out)}, not a randomized arm of this record")
    analyses = [a for a in outcome.analyses if set(a.group_ids) <= set(groups) and len(a.group_ids) == 2]
    if analyses:
        out(4, "reported:")
        for analysis in analyses:
            _reported(out, analysis)


def _binary_group(out: Lines, percent: bool, value: GroupValues) -> None:
    if not percent:
        out(8, f"events: {cite(value.value)}")
        out.cited(8, "total", value.n, "participants analysed (the registry gives no denominator)")
        return
    if value.n is None:
        out(8, f"events: {todo(f'participants with the event ({value.value.text}% of a denominator not given)')}")
        out(8, f"total: {todo('participants analysed (the registry gives no denominator)')}")
    else:
        total = int(value.n.value)
        counts = percentage_matches_counts(value.value.value, decimals_of(value.value.text), total)
        if len(counts) == 1:
            out(8, f"events: {counts[0]}  # ctgov: {value.value.locator} (the only count of {value.n.text}"
                   f" that prints as {value.value.text}%)")
        else:
            fits = ", ".join(str(c) for c in counts) or "no count"
            out(8, f"events: {todo(f'participants with the event: {value.value.text}% of {total} fits {fits}')}")
        out(8, f"total: {cite(value.n)}")
    out(8, f"percent: {cite(value.value)}")


def _continuous_group(out: Lines, dispersion: str, value: GroupValues) -> None:
    out.cited(8, "n", value.n, "participants analysed")
    out(8, f"mean: {cite(value.value)}")
    if dispersion == "95% Confidence Interval":
        out(8, "ci:")
        out.cited(10, "low", value.low, "lower bound")
        out.cited(10, "high", value.high, "upper bound")
    else:
        key = "sd" if dispersion == "Standard Deviation" else "se"
        out.cited(8, key, value.spread, "the registry gives no spread for this group")


def _reported(out: Lines, analysis: Analysis) -> None:
    measure, scale = analysis_measure(analysis.param_type)
    out(6, f"- measure: {measure}")
    out(8, f"scale: {scale}")
    if measure != "p-value-only":
        out.cited(8, "estimate", analysis.estimate, "estimate")
        if analysis.low and analysis.high and analysis.two_sided:
            out(8, "ci:")
            out(10, f"low: {cite(analysis.low)}")
            out(10, f"high: {cite(analysis.high)}")
            if analysis.level and 0 < analysis.level.value < 100:
                out(10, f"level: {analysis.level.value / 100:g}  # ctgov: {analysis.level.locator} (as a fraction)")
    p_value = registry_p_value(analysis.p_value)
    if p_value is not None:
        shown = quote(p_value) if isinstance(p_value, str) else (analysis.p_value or "").strip().lstrip("= ")
        out(8, f"p_value: {shown}  # ctgov: {analysis.locator}.pValue")
    if analysis.method:
        out(8, f"method: {short(analysis.method, 'method')}")
    adjusted = bool(_ADJUSTED.search(f"{analysis.method} {analysis.description}"))
    out(8, f"adjusted: {'true' if adjusted else 'false'}")
    if analysis.description:
        out(8, f"note: {quote(analysis.description)}")
    out.source(8, analysis.locator)


def _adverse_events(out: Lines, study: Study, arm_groups: list[ArmGroup]) -> None:
    groups = match_groups(study.event_groups(), arm_groups)
    populations = {(arm.id, at_risk.value): pid for pid, arm, at_risk in at_risk_populations(study, arm_groups)}
    taken: set[str] = set()
    rows = [(row, [(gid, groups[gid]) for gid in row.affected if gid in groups]) for row in study.event_rows()]
    rows = [(row, matched) for row, matched in rows if matched]
    if not rows:
        return
    out(0, "")
    out(0, "adverse_events:")
    left_out = [f"'{title}'" for gid, title in study.event_groups().items() if gid not in groups]
    if left_out:
        out(2, f"# not imported: registry group(s) {', '.join(left_out)}, not a randomized arm of this record")
    for row, matched in rows:
        _event(out, row, matched, populations, taken)


def _event(out: Lines, row: EventRow, matched: list[tuple[str, ArmGroup]],
           populations: dict[tuple[str, float], str], taken: set[str]) -> None:
    suffix = "" if row.locator.endswith("eventGroups") else f"-{row.seriousness}"
    out(2, f"- id: {unique(slugify(row.term, 50) + suffix, taken)}")
    out(4, f"term: {short(row.term, 'event term')}")
    out(4, f"seriousness: {row.seriousness}")
    if row.outcome != "any":
        out(4, f"outcome: {row.outcome}")
    out(4, "period: null                     # the registry counts adverse events over the whole study")
    out(4, "groups:")
    for gid, arm in matched:
        at_risk = row.at_risk[gid]
        population = populations.get((arm.id, at_risk.value))
        out(6, f"- population: {population}" if population else f"- arm: {arm.id}")
        out(8, f"patients: {cite(row.affected[gid])}")
    out.source(4, row.locator)
