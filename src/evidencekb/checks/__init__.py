"""Semantic checks beyond the schema: one small rule per function, each yielding findings."""

from __future__ import annotations

from evidencekb.checks import counts, identity, intervals, plausibility, prose, references, rob
from evidencekb.checks.base import Context, Finding, Rule
from evidencekb.diagnostics import Diagnostic
from evidencekb.loader import Document
from evidencekb.models import Trial

RULES: tuple[Rule, ...] = (
    references.unique_ids,
    references.sources_exist,
    references.references_exist,
    references.groups_in_results_exist,
    counts.events_within_totals,
    counts.totals_within_denominators,
    counts.adverse_event_counts,
    counts.flow_counts,
    counts.arms_cover_periods,
    counts.percentages_match_counts,
    intervals.intervals_ordered,
    intervals.intervals_contain_estimates,
    intervals.risk_difference_scales,
    identity.id_matches_file_name,
    identity.registry_identifiers,
    identity.dates_ordered,
    identity.sources_cited,
    identity.result_matches_endpoint,
    identity.crossover_comparisons,
    plausibility.medians_within_intervals,
    plausibility.means_within_scales,
    plausibility.populations_within_participants,
    plausibility.review_not_in_future,
    rob.rob_assessments,
    prose.numbers_in_prose,
)


def run_checks(trial: Trial, document: Document) -> list[Diagnostic]:
    context = Context(document.path, document.number_texts)
    return [to_diagnostic(document, finding) for rule in RULES for finding in rule(trial, context)]


def to_diagnostic(document: Document, finding: Finding) -> Diagnostic:
    if finding.phrase is not None:
        line, column = document.position_in_text(finding.loc, finding.phrase, finding.occurrence)
    else:
        line, column = document.position(finding.loc)
    return Diagnostic(document.path, line, column, finding.severity, finding.code, finding.message)


__all__ = ["RULES", "Context", "Finding", "run_checks", "to_diagnostic"]
