"""FHIR R5 Summary of Findings of a question: a Composition in the EBM-on-FHIR SummaryOfFindings profile.

The bundle (type ``collection``) holds the Composition, one EvidenceVariable (VariableDefinition profile)
per outcome and the pooled Evidence of each outcome (:mod:`evidencekb.export.fhir_pooled`). The
Composition follows the profile's rules as its FSH source states them (``HL7/ebm``
input/fsh/composition/p-summary-of-findings.fsh, http://hl7.org/fhir/uv/ebm/StructureDefinition/summary-of-findings):
type SummaryOfFindings; a "column headers" section whose subsections name the columns; a "summary of
findings" section with one "entry for a single outcome" per outcome, its ``focus`` the outcome's
EvidenceVariable, and within it one subsection per column (outcome, sample size, risk with the comparator
and risk with the intervention when a comparator risk is given, effect estimate, certainty of evidence,
assertion) whose ``entry`` references the EvidenceVariable or Evidence the cell is read from. The column
headers list the columns any outcome uses.
Section codes come from the guide's code system https://fevir.net/resources/CodeSystem/179423.

Each section's narrative is the cell's text, escaped; critical outcomes come first, then important ones,
then the rest, each group in the order given. The Composition's ``date`` and ``author`` are the
question's review date and reviewers, so an export never depends on when it was run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from evidencekb.export.fhir_export import _clean, _fhir_id
from evidencekb.export.fhir_pooled import (
    UPGRADING,
    GradeDomainRating,
    PooledOutcome,
    QuestionText,
    comparator_evidence,
    comparator_id,
    entry_url,
    evidence_id,
    pooled_evidence,
)
from evidencekb.export.fhir_text import markdown_text, narrative
from evidencekb.render.format import interval, per_1000, per_1000_difference

REPORT_CODES = "https://fevir.net/resources/CodeSystem/179423"
PROFILE = "http://hl7.org/fhir/uv/ebm/StructureDefinition/summary-of-findings"
VARIABLE_PROFILE = "http://hl7.org/fhir/uv/ebm/StructureDefinition/variable-definition"
COLUMNS = {
    "outcome-measure": ("Outcome Measure", "Outcome"),
    "sample-size": ("Sample Size", "Participants (studies)"),
    "result-with-comparator-alone": ("Result with comparator alone", "Risk with comparator"),
    "result-with-intervention-alone-calculated": (
        "Result with intervention alone (calculated)",
        "Risk with intervention (derived from the pooled effect)",
    ),
    "result-with-intervention-vs-comparator": ("Result with intervention vs. comparator", "Relative effect (95% CI)"),
    "certainty-of-evidence": ("Certainty of Evidence", "Certainty of the evidence (GRADE)"),
    "assertion": ("Assertion", "What happens"),
}
COLUMN_HEADERS = ("column-headers", "Column Headers")
FINDINGS = ("summary-of-findings", "Summary of Findings")
OUTCOME_ENTRY = ("summary-of-findings-entry-for-a-single-outcome", "Summary of findings entry for a single outcome")
IMPORTANCE_ORDER = {"critical": 0, "important": 1}
CERTAINTY_WORDS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}
HANDLING = {"rr": "dichotomous", "or": "dichotomous", "rd": "dichotomous", "md": "continuous", "smd": "continuous"}


@dataclass(frozen=True)
class FindingsQuestion:
    """A question with its pooled outcomes, its reviewers and the date of its last review."""

    text: QuestionText
    outcomes: tuple[PooledOutcome, ...]
    reviewers: tuple[str, ...]
    reviewed: date


def findings_bundle_json(question: FindingsQuestion) -> str:
    """The bundle as FHIR JSON text (two-space indent, ending in a newline)."""
    return json.dumps(findings_bundle(question), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def findings_bundle(question: FindingsQuestion) -> dict[str, Any]:
    """Composition, EvidenceVariables and Evidence of one question (validate with ``fhir.resources``)."""
    if not question.reviewers:
        raise ValueError("a Summary of Findings needs at least one reviewer as its author")
    ids = [o.id for o in question.outcomes]
    if len(set(ids)) < len(ids):
        raise ValueError(f"outcome ids repeat: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}")
    outcomes = ordered(question.outcomes)
    resources = [composition(question.text, outcomes, question.reviewers, question.reviewed)]
    for outcome in outcomes:
        resources += [outcome_variable(question.text, outcome), pooled_evidence(question.text, outcome)]
        comparator = comparator_evidence(question.text, outcome)
        resources += [comparator] if comparator else []
    return _clean({
        "resourceType": "Bundle",
        "id": _fhir_id(question.text.id, "findings"),
        "identifier": {"system": "https://evidencekb.org/questions", "value": question.text.id},
        "type": "collection",
        "entry": [{"fullUrl": entry_url(r["resourceType"], r["id"]), "resource": r} for r in resources],
    })


def ordered(outcomes: Sequence[PooledOutcome]) -> list[PooledOutcome]:
    """Critical outcomes first, then important ones, then the rest; stable within each."""
    return sorted(outcomes, key=lambda o: IMPORTANCE_ORDER.get(o.importance or "", 2))


def composition(
    text: QuestionText, outcomes: Sequence[PooledOutcome], reviewers: Sequence[str], reviewed: date
) -> dict[str, Any]:
    rows = [(outcome, _cells(text, outcome)) for outcome in outcomes]
    used = [code for code in COLUMNS if any(code in cells for _, cells in rows)]
    return {
        "resourceType": "Composition",
        "id": _fhir_id(text.id, "findings"),
        "meta": {"profile": [PROFILE]},
        "status": "final" if text.published else "preliminary",
        "type": _report_code("SummaryOfFindings", "SummaryOfFindings") | {"text": "Summary of Findings"},
        "date": reviewed.isoformat(),
        "author": [{"display": name} for name in reviewers],
        "title": f"Summary of Findings: {text.title}",
        "section": [
            {
                "title": "Column Headers",
                "code": _report_code(*COLUMN_HEADERS),
                "section": [
                    {"title": header, "code": _report_code(code, display), "text": narrative(header)}
                    for code, (display, header) in ((c, COLUMNS[c]) for c in used)
                ],
            },
            {
                "title": "Summary of Findings",
                "code": _report_code(*FINDINGS),
                "text": narrative(f"{text.intervention} compared with {text.comparator} in {text.population}"),
                "section": [_outcome_entry(outcome, cells) for outcome, cells in rows],
            },
        ],
    }


def outcome_variable(text: QuestionText, outcome: PooledOutcome) -> dict[str, Any]:
    """The outcome as an EvidenceVariable (VariableDefinition profile), the focus of its SoF entry."""
    return {
        "resourceType": "EvidenceVariable",
        "id": _variable_id(text, outcome),
        "meta": {"profile": [VARIABLE_PROFILE]},
        "status": "active" if text.published else "draft",
        "title": outcome.title,
        "description": markdown_text(outcome.definition),
        "handling": HANDLING[outcome.result.measure],
    }


Cells = dict[str, tuple[str, list[dict[str, str]]]]


def _cells(text: QuestionText, outcome: PooledOutcome) -> Cells:
    """Each column's text and the resources it is read from, for one outcome."""
    variable = [_reference("EvidenceVariable", _variable_id(text, outcome), outcome.title)]
    evidence = [_reference("Evidence", evidence_id(text, outcome), f"{outcome.title} (pooled)")]
    cells: Cells = {
        "outcome-measure": (outcome.title, variable),
        "sample-size": (participants(outcome), evidence),
    }
    absolute = outcome.absolute()
    if absolute is not None:
        comparator = [_reference("Evidence", comparator_id(text, outcome), f"{outcome.title}: risk with comparator")]
        cells["result-with-comparator-alone"] = (f"{per_1000(absolute.comparator)} per 1000", comparator)
        derived = (
            f"{per_1000(absolute.intervention)} per 1000 "
            f"({interval(absolute.intervention_ci_low, absolute.intervention_ci_high, 0)}): "
            + per_1000_difference(absolute.difference, absolute.difference_ci_low, absolute.difference_ci_high)
            + (f" ({absolute.note})" if absolute.note else "")
        )
        cells["result-with-intervention-alone-calculated"] = (derived, comparator + evidence)
    cells["result-with-intervention-vs-comparator"] = (relative_effect(outcome), evidence)
    cells["certainty-of-evidence"] = (certainty(outcome), evidence)
    cells["assertion"] = (outcome.statement or "No statement given.", evidence)
    return cells


def _outcome_entry(outcome: PooledOutcome, cells: Cells) -> dict[str, Any]:
    return {
        "title": outcome.title,
        "code": _report_code(*OUTCOME_ENTRY),
        "focus": cells["outcome-measure"][1][0],
        "section": [
            {
                "title": COLUMNS[code][1],
                "code": _report_code(code, COLUMNS[code][0]),
                "text": narrative(cell),
                "entry": references,
            }
            for code, (cell, references) in cells.items()
        ],
    }


def participants(outcome: PooledOutcome) -> str:
    """e.g. "95 (1 study)" or, when a trial's count is not given, "3 studies"."""
    used = [t for t in outcome.trials if t.name in outcome.result.used]
    studies = f"{len(used)} {'study' if len(used) == 1 else 'studies'}"
    counts = [t.participants for t in used]
    if not used or None in counts:
        return studies
    return f"{sum(c for c in counts if c is not None)} ({studies})"


def relative_effect(outcome: PooledOutcome) -> str:
    """e.g. "RR 0.49 (0.34 to 0.70)", on the measure's own scale."""
    result, natural = outcome.result, outcome.result.natural()
    name = result.measure.upper()
    if natural["estimate"] is None:
        return f"{name} not estimable"
    shown = f"{name} {natural['estimate']:.2f}"
    if natural["ci"]:
        shown += f" ({natural['ci'][0]:.2f} to {natural['ci'][1]:.2f})"
    return shown


def certainty(outcome: PooledOutcome) -> str:
    """The GRADE rating in words, each move with its reason: "Low (very serious imprecision: ...)"."""
    grade = outcome.certainty
    if grade is None:
        return "Not rated"
    reasons = "; ".join(f"{_move(d)}: {(d.reason or 'no reason given').rstrip('.')}" for d in grade.domains if d.levels)
    return CERTAINTY_WORDS[grade.rating] + (f" ({reasons})" if reasons else "")


def _move(domain: GradeDomainRating) -> str:
    name = domain.domain.replace("-", " ")
    if domain.domain in UPGRADING:
        return f"{name}, up {domain.levels}"
    return f"{'very serious' if domain.levels == 2 else 'serious'} {name}"


def _variable_id(text: QuestionText, outcome: PooledOutcome) -> str:
    return _fhir_id(text.id, outcome.id, "outcome")


def _reference(resource_type: str, rid: str, display: str) -> dict[str, str]:
    return {"reference": entry_url(resource_type, rid), "type": resource_type, "display": display}


def _report_code(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": REPORT_CODES, "code": code, "display": display}]}
