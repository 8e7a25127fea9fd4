"""Identity of the record: file name, registry identifiers, dates, sources actually cited, design rules."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from evidencekb.checks.base import Context, Finding, fields_of
from evidencekb.diagnostics import Severity
from evidencekb.models import Trial

_REGISTRY_FORMATS = {
    "clinicaltrials.gov": (re.compile(r"NCT\d{8}"), "NCT followed by 8 digits, e.g. NCT02728752"),
    "eu-ctr": (re.compile(r"\d{4}-\d{6}-\d{2}"), "YYYY-NNNNNN-NN, e.g. 2016-002902-37"),
    "isrctn": (re.compile(r"ISRCTN\d{8}"), "ISRCTN followed by 8 digits"),
}


def id_matches_file_name(trial: Trial, context: Context) -> Iterator[Finding]:
    stem, extension = os.path.splitext(os.path.basename(context.path))
    if extension in (".yaml", ".yml") and stem != trial.id:
        yield Finding(("id",), "id-mismatch", f"id '{trial.id}' must equal the file name '{stem}'")


def registry_identifiers(trial: Trial, _: Context) -> Iterator[Finding]:
    for i, registration in enumerate(trial.registrations):
        rule = _REGISTRY_FORMATS.get(registration.registry)
        if rule and not rule[0].fullmatch(registration.id):
            yield Finding(
                ("registrations", i, "id"),
                "invalid-identifier",
                f"'{registration.id}' is not a valid {registration.registry} id: expected {rule[1]}",
            )


def dates_ordered(trial: Trial, _: Context) -> Iterator[Finding]:
    start, end = trial.design.start_date, trial.design.completion_date
    if start and end and start.value > end.value:
        yield Finding(
            ("design", "completion_date", "value"),
            "date-order",
            f"completion {end.value} is before the start {start.value}",
        )


def sources_cited(trial: Trial, context: Context) -> Iterator[Finding]:
    cited = {
        getattr(obj, field)
        for loc, obj in context.models(trial)
        if loc[:1] != ("sources",)
        for field in fields_of(type(obj)).sources
    }
    for i, source in enumerate(trial.sources):
        if source.id not in cited:
            yield Finding(
                ("sources", i, "id"),
                "unused-source",
                f"source '{source.id}' is not cited by any number",
                Severity.WARNING,
            )


def result_matches_endpoint(trial: Trial, _: Context) -> Iterator[Finding]:
    types = {e.id: e.type for e in trial.endpoints}
    for i, result in enumerate(trial.results):
        expected = types.get(result.endpoint)
        for kind, field in (("binary", "binary"), ("continuous", "continuous"), ("time-to-event", "time_to_event")):
            if getattr(result, field) is not None and expected is not None and kind != expected:
                yield Finding(
                    ("results", i, field),
                    "result-type-mismatch",
                    f"endpoint '{result.endpoint}' is {expected}, but this result gives {kind} data",
                )


def crossover_comparisons(trial: Trial, _: Context) -> Iterator[Finding]:
    """In a crossover, arms are sequences: only first-period results compare independent groups."""
    if trial.design.model != "crossover":
        return
    first = trial.design.periods[0].id
    periods = {e.id: e.period for e in trial.endpoints}
    for i, result in enumerate(trial.results):
        if result.endpoint not in periods:
            continue  # an unknown endpoint id: references_exist reports it, and nothing else applies
        if any(g.arm for g in result.groups) and periods[result.endpoint] != first:
            yield Finding(
                ("results", i, "endpoint"),
                "crossover-comparison",
                "in a crossover trial, results by arm are independent groups only in the first period;"
                " count later periods per treatment exposure (a population) instead",
            )
