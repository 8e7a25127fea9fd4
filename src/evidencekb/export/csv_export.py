"""CSV export: three tidy tables (one observation per row, one variable per column) over all trials.

Column names are a public interface: analysts' scripts read them, so they only ever grow. Empty cells
mean "not given"; booleans are ``true``/``false``; numbers are written without trailing zeros (``79``,
``-9.36``) and computed ones to 12 significant digits, so the files are identical on every platform.
Text that a spreadsheet would run as a formula is prefixed with an apostrophe (see ``_inert``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from evidencekb.export import stable_float
from evidencekb.models import Trial

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.effects import Estimate

ARMS_RESULTS = (
    "trial", "endpoint", "endpoint_label", "type", "result_index", "group", "group_kind", "events", "total",
    "percent", "n", "mean", "sd", "se", "ci_low", "ci_high", "median", "unit", "source", "locator", "verified",
)
EFFECTS = (
    "trial", "endpoint", "result_index", "intervention", "comparator", "measure", "estimate", "ci_low", "ci_high",
    "level", "method", "note",
)
ADVERSE_EVENTS = (
    "trial", "ae_id", "term", "period", "seriousness", "relatedness", "outcome", "special_interest", "group",
    "denominator", "patients", "events", "percent", "source", "locator",
)
TABLES = {"arms_results.csv": ARMS_RESULTS, "effects.csv": EFFECTS, "adverse_events.csv": ADVERSE_EVENTS}


def csv_tables(pairs: Iterable[tuple[Trial, ComputedTrial]]) -> dict[str, str]:
    """File name -> CSV text for the given trials, rows in record order (trials in the order given)."""
    pairs = list(pairs)
    rows = {
        "arms_results.csv": [row for trial, _ in pairs for row in arms_results_rows(trial)],
        "effects.csv": [row for trial, computed in pairs for row in effects_rows(trial, computed)],
        "adverse_events.csv": [row for trial, _ in pairs for row in adverse_event_rows(trial)],
    }
    return {name: _write(TABLES[name], rows[name]) for name in TABLES}


def arms_results_rows(trial: Trial) -> Iterator[dict[str, Any]]:
    """One row per endpoint x result x group: the raw per-group numbers as the record gives them."""
    endpoints = {e.id: e for e in trial.endpoints}
    for index, result in enumerate(trial.results):
        endpoint = endpoints[result.endpoint]
        scale_unit = endpoint.scale.unit if endpoint.scale else None
        base = {
            "trial": trial.id, "endpoint": endpoint.id, "endpoint_label": endpoint.label, "type": endpoint.type,
            "result_index": index, "source": result.source, "locator": result.locator, "verified": result.verified,
        }
        for group in result.binary or []:
            yield {**base, **_group(group), "events": group.events, "total": group.total, "percent": group.percent}
        for cgroup in result.continuous or []:
            ci = cgroup.ci
            yield {
                **base, **_group(cgroup), "n": cgroup.n, "mean": cgroup.mean, "sd": cgroup.sd, "se": cgroup.se,
                "ci_low": ci and ci.low, "ci_high": ci and ci.high, "unit": scale_unit,
            }
        for tgroup in result.time_to_event or []:
            ci = tgroup.ci
            yield {
                **base, **_group(tgroup), "n": tgroup.n, "median": tgroup.median,
                "ci_low": ci and ci.low, "ci_high": ci and ci.high, "unit": tgroup.unit,
            }


def effects_rows(trial: Trial, computed: ComputedTrial) -> Iterator[dict[str, Any]]:
    """One row per recomputed effect estimate; comparisons that could not be computed have no rows."""
    for comparison in computed.comparisons:
        estimates: list[tuple[str, Estimate]] = []
        if comparison.binary is not None:
            b = comparison.binary
            estimates = [
                ("risk-difference", b.risk_difference), ("risk-ratio", b.risk_ratio), ("odds-ratio", b.odds_ratio)
            ]
        elif comparison.continuous is not None:
            c = comparison.continuous
            estimates = [
                ("mean-difference", c.mean_difference),
                ("standardized-mean-difference", c.standardized_mean_difference),
            ]
        for measure, estimate in estimates:
            yield {
                "trial": trial.id, "endpoint": comparison.endpoint, "result_index": comparison.result,
                "intervention": comparison.intervention, "comparator": comparison.comparator, "measure": measure,
                "estimate": _computed(estimate.estimate), "ci_low": _computed(estimate.ci_low),
                "ci_high": _computed(estimate.ci_high), "level": estimate.level, "method": estimate.method,
                "note": estimate.note,
            }


def adverse_event_rows(trial: Trial) -> Iterator[dict[str, Any]]:
    """One row per adverse event x period x group, with the group's denominator."""
    sizes = {a.id: a.randomized for a in trial.arms} | {p.id: p.size for p in trial.populations}
    for event in trial.adverse_events:
        for group in event.groups:
            yield {
                "trial": trial.id, "ae_id": event.id, "term": event.term, "period": event.period,
                "seriousness": event.seriousness, "relatedness": event.relatedness, "outcome": event.outcome,
                "special_interest": event.special_interest, **_group(group), "denominator": sizes.get(group.group_id),
                "patients": group.patients, "events": group.events, "percent": group.percent,
                "source": event.source, "locator": event.locator,
            }


def _group(group: Any) -> dict[str, str]:
    return {"group": group.group_id, "group_kind": "arm" if group.arm else "population"}


def _computed(value: float | None) -> float | None:
    return None if value is None else stable_float(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.12g}"
    if isinstance(value, str):
        return _inert(value)
    return str(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """Text a spreadsheet would run as a formula (``=HYPERLINK(...)``) gets a leading apostrophe.

    Spreadsheets treat a cell starting with one of ``_FORMULA_START`` as a formula (OWASP "CSV
    injection"). Only record text is neutralised: numbers are written from numeric values, so a real
    ``-9.36`` never gets the apostrophe.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(column)) for column in columns] for row in rows)
    return buffer.getvalue()
