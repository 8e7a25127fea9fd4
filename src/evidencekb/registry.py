"""A record compared with its ClinicalTrials.gov entry: the same numbers side by side, differences as findings.

Publications and registries often disagree (a different analysis set, a corrected count); reviewers must
see each disagreement with both places: the record's ``path:line:column`` and data path, and the
registry's JSON locator. Endpoints are matched to registry outcomes by the locator a registry-cited
result or endpoint carries, else by identical titles; groups by title without a trailing parenthesis
(``title_key``) or by the registry group an arm's or population's locator points at. Registry outcomes
that match no endpoint are listed as possibly missing, and a registry version newer than the one the
record cites is a warning: results may have changed since the record was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.importers.ctgov import (
    GroupValues,
    Located,
    Outcome,
    Study,
    analysis_measure,
    registry_p_value,
    resolve,
    title_key,
)
from evidencekb.loader import Document, Path
from evidencekb.models import Arm, Population, Trial
from evidencekb.models.outcomes import BinaryGroup, ContinuousGroup, GroupRef, ReportedStatistic, Result
from evidencekb.rounding import decimals_of, percentage_matches_counts
from evidencekb.validation import _dotted

_OUTCOME = re.compile(r"resultsSection\.outcomeMeasuresModule\.outcomeMeasures\[(\d+)\]")


@dataclass(frozen=True)
class Row:
    """One number as the record and the registry give it."""

    what: str
    loc: Path
    record: float | str
    registry: float | str
    locator: str
    same: bool


@dataclass
class Comparison:
    rows: list[Row] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def compare(document: Document, trial: Trial, study: Study) -> Comparison:
    """Every number the record and the registry both hold, and the findings about them."""
    found = Comparison()
    if study.nct_id not in {r.id for r in trial.registrations}:
        found.diagnostics.append(_at(document, ("registrations",), Severity.ERROR, "registry-other-study",
                                     f"the registry study {study.nct_id} is not one of this record's registrations;"
                                     " compare the record with its own registry entry"))
        return found
    source = _registry_source(trial, study)
    found.diagnostics.extend(_version(document, trial, study, source))
    groups = _record_groups(trial, study)
    outcomes = study.outcomes()
    matched: set[int] = set()
    for i, result in enumerate(trial.results):
        k = _outcome_index(trial, result, outcomes, source)
        if k is None:
            continue
        matched.add(k)
        found.rows.extend(_result_rows(trial, i, result, outcomes[k], groups, source))
    matched.update(k for e in trial.endpoints if (k := _locator_index(e.source, e.locator, source)) is not None)
    matched.update(k for k, o in enumerate(outcomes) if any(_same_title(e.label, o.title) for e in trial.endpoints))
    for k, outcome in enumerate(outcomes):
        if k not in matched:
            found.diagnostics.append(_at(document, ("endpoints",), Severity.WARNING, "registry-missing-outcome",
                                         f"registry outcome '{outcome.title[:120]}' ({outcome.locator}) has no"
                                         " endpoint in this record: possibly a missing outcome"))
    found.rows.extend(_event_rows(trial, study, groups, source))
    for row in found.rows:
        if not row.same:
            found.diagnostics.append(_at(document, row.loc, Severity.WARNING, "registry-difference",
                                         f"{_dotted(row.loc)}: {row.what}: record {shown(row.record)},"
                                         f" registry {shown(row.registry)} at {row.locator} ({study.nct_id},"
                                         f" version {study.version or 'unknown'})"))
    return found


def _registry_source(trial: Trial, study: Study) -> tuple[int, str] | None:
    for i, s in enumerate(trial.sources):
        if s.kind == "registry" and study.nct_id in f"{s.url or ''} {s.citation}":
            return i, s.id
    return None


def _version(document: Document, trial: Trial, study: Study, source: tuple[int, str] | None) -> Iterator[Diagnostic]:
    if source is None:
        yield _at(document, ("sources",), Severity.WARNING, "registry-unversioned",
                  f"no registry source cites {study.nct_id}: add one with its url and version"
                  f" ({study.version or 'unknown'}) so readers know which registry version the numbers are from")
        return
    index, source_id = source
    cited = trial.sources[index].version
    if cited is None:
        yield _at(document, ("sources", index), Severity.WARNING, "registry-unversioned",
                  f"source '{source_id}' gives no version; the registry's is {study.version or 'unknown'}")
    elif study.version and study.version > cited:
        yield _at(document, ("sources", index, "version"), Severity.WARNING, "registry-newer-version",
                  f"the registry's version {study.version} is newer than {cited} cited by source"
                  f" '{source_id}': results may have changed")


def _record_groups(trial: Trial, study: Study) -> dict[str, set[str]]:
    """Record group id -> the title keys of the registry groups it stands for."""
    titles = {**study.flow_groups(), **study.event_groups()}
    keys: dict[str, set[str]] = {}
    groups: list[Arm | Population] = [*trial.arms, *trial.populations]
    for group in groups:
        found = {title_key(group.label)}
        try:
            target = resolve(study.data, group.locator or "")
        except KeyError:
            target = None
        if isinstance(target, dict):
            gid = target.get("groupId") or target.get("id")
            if gid in titles:
                found.add(title_key(titles[gid]))
        keys[group.id] = found
    return keys


def _locator_index(cited: str | None, locator: str | None, source: tuple[int, str] | None) -> int | None:
    if source is None or cited != source[1] or not locator:
        return None
    match = _OUTCOME.fullmatch(locator)
    return int(match.group(1)) if match else None


def _same_title(label: str, title: str) -> bool:
    return " ".join(label.lower().split()) == " ".join(title.lower().split())


def _outcome_index(trial: Trial, result: Result, outcomes: list[Outcome], source: tuple[int, str] | None) -> int | None:
    k = _locator_index(result.source, result.locator, source)
    if k is not None and k < len(outcomes):
        return k
    endpoint = next((e for e in trial.endpoints if e.id == result.endpoint), None)
    if endpoint is None:
        return None
    k = _locator_index(endpoint.source, endpoint.locator, source)
    if k is not None and k < len(outcomes):
        return k
    return next((k for k, o in enumerate(outcomes) if _same_title(endpoint.label, o.title)), None)


def _registry_group(record_group: GroupRef, groups: dict[str, set[str]], registry: dict[str, str]) -> str | None:
    keys = groups.get(record_group.group_id, set())
    return next((gid for gid, title in registry.items() if title_key(title) in keys), None)


def _result_rows(trial: Trial, i: int, result: Result, outcome: Outcome, groups: dict[str, set[str]],
                 source: tuple[int, str] | None) -> Iterator[Row]:
    base: Path = ("results", i)
    for j, group in enumerate(result.binary or result.continuous or []):
        gid = _registry_group(group, groups, outcome.groups)
        value = outcome.values.get(gid or "")
        if value is None:
            continue
        loc = (*base, "binary" if isinstance(group, BinaryGroup) else "continuous", j)
        if isinstance(group, BinaryGroup):
            yield from _binary_rows(loc, group, outcome, value)
        elif isinstance(group, ContinuousGroup):
            yield from _continuous_rows(loc, group, outcome, value)
    for k, reported in enumerate(result.reported):
        yield from _reported_rows((*base, "reported", k), reported, outcome, source)


def _binary_rows(loc: Path, group: BinaryGroup, outcome: Outcome, value: GroupValues) -> Iterator[Row]:
    if value.n is not None:
        yield _row("participants analysed", (*loc, "total"), group.total, value.n)
    if outcome.kind == "count":
        yield _row("participants with the event", (*loc, "events"), group.events, value.value)
    elif outcome.kind == "percent":
        if group.percent is not None:
            yield _row("percentage of participants", (*loc, "percent"), group.percent, value.value)
        fits = percentage_matches_counts(value.value.value, decimals_of(value.value.text), group.total)
        yield Row("participants with the event (from the registry's percentage)", (*loc, "events"), group.events,
                  f"{value.value.text}%", value.value.locator, group.events in fits)


def _continuous_rows(loc: Path, group: ContinuousGroup, outcome: Outcome, value: GroupValues) -> Iterator[Row]:
    yield _row("mean", (*loc, "mean"), group.mean, value.value)
    if group.n is not None and value.n is not None:
        yield _row("participants analysed", (*loc, "n"), group.n, value.n)
    spread = {"Standard Deviation": ("sd", group.sd), "Standard Error": ("se", group.se)}.get(outcome.dispersion)
    if spread and spread[1] is not None and value.spread is not None:
        yield _row(spread[0], (*loc, spread[0]), spread[1], value.spread)
    if group.ci is not None and value.low is not None and value.high is not None:
        if group.ci.low is not None:
            yield _row("lower confidence limit", (*loc, "ci", "low"), group.ci.low, value.low)
        if group.ci.high is not None:
            yield _row("upper confidence limit", (*loc, "ci", "high"), group.ci.high, value.high)


def _reported_rows(loc: Path, reported: ReportedStatistic, outcome: Outcome,
                   source: tuple[int, str] | None) -> Iterator[Row]:
    """The estimate, interval and p-value of the one registry analysis of the same measure.

    A risk difference the record gives as a fraction (0.34) is compared on the registry's percentage-point
    scale (34.0); the rows show each side as written.
    """
    analyses = [a for a in outcome.analyses if analysis_measure(a.param_type)[0] == reported.measure]
    if source and reported.source == source[1]:
        analyses = [a for a in analyses if a.locator == reported.locator] or analyses
    if len(analyses) != 1:
        return
    analysis = analyses[0]
    scale = analysis_measure(analysis.param_type)[1]
    factor = 100.0 if (reported.scale, scale) == ("fraction", "percentage-points") else 1.0
    if factor == 1.0 and reported.scale != scale:
        return
    if reported.estimate is not None and analysis.estimate is not None:
        yield _row(f"{reported.measure} estimate", (*loc, "estimate"), reported.estimate, analysis.estimate, factor)
    if reported.ci is not None and analysis.low is not None and analysis.high is not None:
        if analysis.level is not None:
            level = analysis.level.value / 100
            yield Row("confidence level", (*loc, "ci", "level"), reported.ci.level, level, analysis.level.locator,
                      _equal(reported.ci.level, level))
        if reported.ci.low is not None:
            yield _row("lower confidence limit", (*loc, "ci", "low"), reported.ci.low, analysis.low, factor)
        if reported.ci.high is not None:
            yield _row("upper confidence limit", (*loc, "ci", "high"), reported.ci.high, analysis.high, factor)
    registry_p = registry_p_value(analysis.p_value)
    if reported.p_value is not None and registry_p is not None:
        same = _equal(reported.p_value, registry_p) if isinstance(registry_p, float) else reported.p_value == registry_p
        yield Row("p-value", (*loc, "p_value"), reported.p_value, registry_p, f"{analysis.locator}.pValue", same)


def _event_rows(
    trial: Trial, study: Study, groups: dict[str, set[str]], source: tuple[int, str] | None
) -> Iterator[Row]:
    rows = study.event_rows()
    registry_groups = study.event_groups()
    sizes = {a.id: a.randomized for a in trial.arms} | {p.id: p.size for p in trial.populations}
    for i, event in enumerate(trial.adverse_events):
        kind = (event.seriousness, event.outcome)
        cited = [r for r in rows if source and event.source == source[1] and r.locator == event.locator]
        candidates = cited or [r for r in rows if title_key(r.term) == title_key(event.term)]
        row = next((r for r in candidates if (r.seriousness, r.outcome) == kind), None)
        if row is None:
            continue
        for j, group in enumerate(event.groups):
            gid = _registry_group(group, groups, registry_groups)
            if gid is None or gid not in row.affected:
                continue
            loc: Path = ("adverse_events", i, "groups", j)
            if group.patients is not None:
                yield _row(f"participants with '{row.term}'", (*loc, "patients"), group.patients, row.affected[gid])
            size = sizes.get(group.group_id)
            if size is not None:
                yield _row("participants at risk", loc, size, row.at_risk[gid])


def _row(what: str, loc: Path, record: float, registry: Located, factor: float = 1.0) -> Row:
    """``factor`` brings the record's value to the registry's scale (100 for a fraction vs percentage points)."""
    return Row(what, loc, record, registry.value, registry.locator, _equal(record * factor, registry.value))


def _equal(a: float | str, b: float) -> bool:
    return not isinstance(a, str) and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def shown(value: float | str) -> str:
    """A number as the registry and a record print it (97, not 97.0)."""
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def _at(document: Document, loc: Path, severity: Severity, code: str, message: str) -> Diagnostic:
    line, column = document.position(loc, key=len(loc) == 1)  # a whole section: point at its key
    return Diagnostic(document.path, line, column, severity, code, message)
