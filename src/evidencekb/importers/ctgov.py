"""ClinicalTrials.gov API v2 study payloads, read as values that each carry their JSON locator.

A locator is the path of a value in the payload, e.g.
``resultsSection.outcomeMeasuresModule.outcomeMeasures[2].classes[0].categories[0].measurements[1]``:
drafts cite it next to every number so that a reader can find the number in the registry, and
``check --registry`` names it next to every difference. The registry gives numbers as text ("97",
"83.7", "NA"); only texts that are numbers become values, and nothing is inferred from a file name
(the study's own ``nctId`` is trusted).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

NCT_ID = re.compile(r"NCT\d{8}")
STUDY_URL = "https://clinicaltrials.gov/study/{nct}"
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=])")
_STEP = re.compile(r"([A-Za-z]+)|\[(\d+)\]")


_MEASURES = {"odds ratio": ("odds-ratio", "ratio"), "risk ratio": ("risk-ratio", "ratio"),
             "relative risk": ("risk-ratio", "ratio"), "hazard ratio": ("hazard-ratio", "ratio"),
             "percentage difference": ("risk-difference", "percentage-points"),
             "mean difference": ("mean-difference", "units")}
"""The registry's estimate types (``paramType``, free text) as a record's measure and scale."""
_P_EXACT = re.compile(r"=?\s*([01]?\.\d+|[01])")
_P_BOUND = re.compile(r"(<=|>=|<|>)\s*(0?\.\d+)")


SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)
"""What reading a payload of an unexpected shape raises (text where the API has an object, ...): the
commands report it as a one-line error about the payload."""


def shape_error(spec: str, exc: Exception) -> RegistryError:
    """The one-line error for a payload whose structure the reading code did not expect."""
    return RegistryError(f"{spec}: the registry response has an unexpected structure ({type(exc).__name__}:"
                         f" {str(exc)[:120]})")


class RegistryError(Exception):
    """A payload that cannot be read as a study, or a registry that cannot be reached (one-line message)."""


@dataclass(frozen=True)
class Located:
    """A number read from the registry and where it is."""

    value: float
    text: str
    locator: str


@dataclass(frozen=True)
class GroupValues:
    value: Located
    n: Located | None = None
    spread: Located | None = None
    low: Located | None = None
    high: Located | None = None


@dataclass(frozen=True)
class Analysis:
    locator: str
    group_ids: tuple[str, ...]
    param_type: str
    estimate: Located | None
    low: Located | None
    high: Located | None
    level: Located | None
    two_sided: bool
    p_value: str | None
    method: str | None
    description: str


@dataclass(frozen=True)
class Outcome:
    locator: str
    type: str
    title: str
    description: str
    time_frame: str
    unit: str
    kind: str | None
    """count, percent or mean when the outcome maps to per-group data; None otherwise (see ``why_not``)."""
    why_not: str
    dispersion: str
    groups: dict[str, str]
    values: dict[str, GroupValues] = field(default_factory=dict)
    analyses: list[Analysis] = field(default_factory=list)


@dataclass(frozen=True)
class EventRow:
    locator: str
    term: str
    seriousness: str
    outcome: str
    affected: dict[str, Located]
    at_risk: dict[str, Located]


@dataclass(frozen=True)
class Milestone:
    locator: str
    type: str
    counts: dict[str, Located]


@dataclass(frozen=True)
class FlowPeriod:
    locator: str
    title: str
    milestones: list[Milestone]


def parse_study(raw: bytes) -> dict[str, Any]:
    """The study object of an API v2 response (a single study, or a search answer holding one)."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegistryError(f"not a ClinicalTrials.gov API v2 response: invalid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("studies"), list) and len(data["studies"]) == 1:
        data = data["studies"][0]
    if not isinstance(data, dict) or not isinstance(data.get("protocolSection"), dict):
        raise RegistryError("not a ClinicalTrials.gov API v2 study: it has no 'protocolSection'")
    nct = _get(data, "protocolSection", "identificationModule", "nctId")
    if not isinstance(nct, str) or not NCT_ID.fullmatch(nct):
        raise RegistryError("not a ClinicalTrials.gov API v2 study: no valid 'nctId' in its identificationModule")
    return data


def resolve(study: dict[str, Any], locator: str) -> Any:
    """The value a locator points at; ``KeyError`` when it points at nothing."""
    node: Any = study
    position = 0
    for match in _STEP.finditer(locator):
        if match.start() != position and locator[position:match.start()] != ".":
            raise KeyError(locator)
        position = match.end()
        key, index = match.groups()
        if key is not None and isinstance(node, dict) and key in node:
            node = node[key]
        elif index is not None and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            raise KeyError(locator)
    if position != len(locator):
        raise KeyError(locator)
    return node


def number(text: Any, locator: str) -> Located | None:
    """A registry number with its locator, or None for 'NA', empty and other non-numbers."""
    if isinstance(text, bool) or text is None:
        return None
    shown = str(text).strip()
    try:
        value = float(shown)
    except ValueError:
        return None
    return Located(value, shown, locator) if value == value and abs(value) != float("inf") else None


def plain(text: Any) -> str:
    """Registry text without its Markdown escapes (the API writes '\\<0.1' for '<0.1')."""
    return _ESCAPED.sub(r"\1", str(text or "")).strip()


def analysis_measure(param_type: str) -> tuple[str, str]:
    """(measure, scale) of a registry analysis; 'p-value-only' for estimates no record field holds."""
    name = param_type.lower()
    return next((v for k, v in _MEASURES.items() if k in name), ("p-value-only", "units"))


def registry_p_value(text: str | None) -> float | str | None:
    """The registry's p-value as a record writes it: a number (0.247), a bound ("<0.001"), or None."""
    if not text:
        return None
    if bound := _P_BOUND.fullmatch(text.strip()):
        return f"{bound.group(1)}{bound.group(2)}"
    exact = _P_EXACT.fullmatch(text.strip())
    return float(exact.group(1)) if exact else None


def title_key(title: str) -> str:
    """Group titles compared across modules: 'Placebo (FAS)' and 'Placebo (SS)' both read 'placebo'."""
    return " ".join(re.sub(r"\s*\([^()]*\)\s*$", "", title).lower().split())


class Study:
    """One registry study: identity, version, flow, outcomes and adverse events with their locators."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.protocol: dict[str, Any] = data["protocolSection"]
        self.results: dict[str, Any] = data.get("resultsSection") or {}
        self.nct_id: str = self.protocol["identificationModule"]["nctId"]
        self.version: str | None = _get(data, "derivedSection", "miscInfoModule", "versionHolder")
        self.url = STUDY_URL.format(nct=self.nct_id)

    def module(self, section: dict[str, Any], name: str) -> dict[str, Any]:
        value = section.get(name)
        return value if isinstance(value, dict) else {}

    def flow_groups(self) -> dict[str, str]:
        return _titles(self.module(self.results, "participantFlowModule").get("groups"))

    def flow_periods(self) -> list[FlowPeriod]:
        base = "resultsSection.participantFlowModule.periods"
        periods = []
        for p, period in _items(self.module(self.results, "participantFlowModule").get("periods")):
            milestones = []
            for m, milestone in _items(period.get("milestones")):
                where = f"{base}[{p}].milestones[{m}]"
                counts = {
                    a["groupId"]: located
                    for i, a in _items(milestone.get("achievements"))
                    if "groupId" in a
                    and (located := number(a.get("numSubjects"), f"{where}.achievements[{i}].numSubjects"))
                }
                milestones.append(Milestone(where, str(milestone.get("type", "")), counts))
            periods.append(FlowPeriod(f"{base}[{p}]", plain(period.get("title")), milestones))
        return periods

    def outcomes(self) -> list[Outcome]:
        base = "resultsSection.outcomeMeasuresModule.outcomeMeasures"
        measures = self.module(self.results, "outcomeMeasuresModule").get("outcomeMeasures")
        return [_outcome(om, f"{base}[{i}]") for i, om in _items(measures)]

    def planned_outcomes(self) -> list[Outcome]:
        """The protocol's outcome measures, for a study that posts no results (no per-group data)."""
        module = self.module(self.protocol, "outcomesModule")
        planned = []
        for key, kind in (("primaryOutcomes", "PRIMARY"), ("secondaryOutcomes", "SECONDARY"),
                          ("otherOutcomes", "OTHER_PRE_SPECIFIED")):
            for i, om in _items(module.get(key)):
                planned.append(Outcome(
                    locator=f"protocolSection.outcomesModule.{key}[{i}]", type=kind, title=plain(om.get("measure")),
                    description=plain(om.get("description")), time_frame=plain(om.get("timeFrame")), unit="",
                    kind=None, why_not="the registry posts no results for it", dispersion="", groups={},
                ))
        return planned

    def event_groups(self) -> dict[str, str]:
        return _titles(self.module(self.results, "adverseEventsModule").get("eventGroups"))

    def event_rows(self) -> list[EventRow]:
        module = self.module(self.results, "adverseEventsModule")
        base = "resultsSection.adverseEventsModule"
        rows = _group_totals(module, base)
        for key, seriousness in (("seriousEvents", "serious"), ("otherEvents", "non-serious")):
            for i, event in _items(module.get(key)):
                where = f"{base}.{key}[{i}]"
                affected, at_risk = {}, {}
                for s, stat in _items(event.get("stats")):
                    gid = stat.get("groupId")
                    count = number(stat.get("numAffected"), f"{where}.stats[{s}].numAffected")
                    risk = number(stat.get("numAtRisk"), f"{where}.stats[{s}].numAtRisk")
                    if isinstance(gid, str) and count and risk:
                        affected[gid], at_risk[gid] = count, risk
                rows.append(EventRow(where, plain(event.get("term")), seriousness, "any", affected, at_risk))
        return rows


def _group_totals(module: dict[str, Any], base: str) -> list[EventRow]:
    """The per-group totals of ``eventGroups``: deaths, any serious and any other adverse event."""
    rows = []
    for field_name, term, seriousness, outcome in (
        ("deaths", "Deaths (all causes)", "any", "death"),
        ("serious", "Any serious adverse event", "serious", "any"),
        ("other", "Any other (non-serious) adverse event above the reporting threshold", "non-serious", "any"),
    ):
        affected, at_risk = {}, {}
        for g, group in _items(module.get("eventGroups")):
            where = f"{base}.eventGroups[{g}]"
            count = number(group.get(f"{field_name}NumAffected"), f"{where}.{field_name}NumAffected")
            risk = number(group.get(f"{field_name}NumAtRisk"), f"{where}.{field_name}NumAtRisk")
            if isinstance(group.get("id"), str) and count and risk:
                affected[group["id"]], at_risk[group["id"]] = count, risk
        if affected:
            rows.append(EventRow(f"{base}.eventGroups", term, seriousness, outcome, affected, at_risk))
    return rows


def _outcome(om: dict[str, Any], where: str) -> Outcome:
    param = str(om.get("paramType", ""))
    unit = plain(om.get("unitOfMeasure"))
    dispersion = str(om.get("dispersionType", ""))
    kind, why_not = _kind(om, param, unit, dispersion)
    outcome = Outcome(
        locator=where, type=str(om.get("type", "")), title=plain(om.get("title")),
        description=plain(om.get("description")), time_frame=plain(om.get("timeFrame")), unit=unit,
        kind=kind, why_not=why_not, dispersion=dispersion, groups=_titles(om.get("groups")),
    )
    if kind is None:
        return outcome
    klass = om["classes"][0]
    denoms = klass.get("denoms") or om.get("denoms") or []
    denom_base = f"{where}.classes[0].denoms[0]" if klass.get("denoms") else f"{where}.denoms[0]"
    totals = {
        c["groupId"]: located
        for i, c in _items(denoms[0].get("counts") if denoms else None)
        if "groupId" in c and (located := number(c.get("value"), f"{denom_base}.counts[{i}].value"))
    }
    measurement_base = f"{where}.classes[0].categories[0].measurements"
    for i, m in _items(klass["categories"][0].get("measurements")):
        value = number(m.get("value"), f"{measurement_base}[{i}].value")
        gid = m.get("groupId")
        if value is None or not isinstance(gid, str):
            continue
        outcome.values[gid] = GroupValues(
            value, totals.get(gid),
            spread=number(m.get("spread"), f"{measurement_base}[{i}].spread"),
            low=number(m.get("lowerLimit"), f"{measurement_base}[{i}].lowerLimit"),
            high=number(m.get("upperLimit"), f"{measurement_base}[{i}].upperLimit"),
        )
    outcome.analyses.extend(_analysis(a, f"{where}.analyses[{i}]") for i, a in _items(om.get("analyses")))
    return outcome


def _kind(om: dict[str, Any], param: str, unit: str, dispersion: str) -> tuple[str | None, str]:
    classes = om.get("classes") or []
    if len(classes) != 1 or len(classes[0].get("categories") or []) != 1:
        return None, f"the registry reports {len(classes)} classes or several categories, not one value per group"
    if param == "COUNT_OF_PARTICIPANTS":
        return "count", ""
    if param == "NUMBER" and "percent" in unit.lower():
        return "percent", ""
    if param in ("MEAN", "LEAST_SQUARES_MEAN") and dispersion in (
        "Standard Deviation", "Standard Error", "95% Confidence Interval"
    ):
        return "mean", ""
    return None, f"the registry reports a {param.lower().replace('_', ' ') or 'value'}" + (
        f" with {dispersion.lower()}" if dispersion else "") + f" in '{unit}', which has no field in a record"


def _analysis(a: dict[str, Any], where: str) -> Analysis:
    return Analysis(
        locator=where,
        group_ids=tuple(str(g) for g in a.get("groupIds") or []),
        param_type=str(a.get("paramType", "")),
        estimate=number(a.get("paramValue"), f"{where}.paramValue"),
        low=number(a.get("ciLowerLimit"), f"{where}.ciLowerLimit"),
        high=number(a.get("ciUpperLimit"), f"{where}.ciUpperLimit"),
        level=number(a.get("ciPctValue"), f"{where}.ciPctValue"),
        two_sided=a.get("ciNumSides", "TWO_SIDED") == "TWO_SIDED",
        p_value=str(a["pValue"]).strip() if a.get("pValue") else None,
        method=plain(a["statisticalMethod"]) if a.get("statisticalMethod") else None,
        description=plain(a.get("groupDescription")),
    )


def _titles(groups: Any) -> dict[str, str]:
    return {g["id"]: plain(g.get("title") or g["id"]) for _, g in _items(groups) if isinstance(g.get("id"), str)}


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a list with their indexes; anything else in the payload is skipped."""
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data
