"""FHIR R5 Evidence for a result pooled across trials, as the EBM-on-FHIR implementation guide models one.

Input is a :class:`evidencekb.pooling.PooledResult` and plain outcome metadata (:class:`PooledOutcome`,
:class:`QuestionText`), never a record, so any record kind that pools trials can use it. One Evidence per
pooled result carries:

* ``synthesisType`` std-MA (summary data meta-analysis) and ``variableDefinition``: population,
  intervention (exposure), comparator (reference exposure) and the outcome (measured variable);
* ``relatedArtifact`` derived-from, one per trial pooled, referencing its ResearchStudy; trials not
  pooled (set aside by the reviewers, or excluded by the engine) are notes with the reason;
* one ``statistic``: ``statisticType`` (the measure), ``quantity`` (on the measure's own scale, so a
  ratio is exp of the pooled log ratio), ``sampleSize`` (studies, participants) and ``attributeEstimate``
  for the confidence interval, the p-value of the pooled effect, Cochran's Q (with its degrees of freedom
  and p-value), tau^2 (with its Q-profile interval), I^2 (a fraction, with its interval) and the
  prediction interval; ``modelCharacteristic`` for meta-analysis, common or random effects, the pooling
  method, the tau^2 estimator, the Hartung-Knapp adjustment and the zero-cell constant;
* ``certainty``: the overall GRADE rating by its rater with one subcomponent per domain, its concern
  level and the reason as a note.

When a pooled binary effect comes with a comparator risk (the pooled control-arm risk, or a named
baseline risk with its source), GRADE's anticipated absolute effects per 1000 are derived from the two
(:func:`evidencekb.effects.absolute.absolute_per_1000_from`; for a risk ratio the function behind the
trial pages): a pooled risk ratio or odds ratio gets the derived risk difference as a second statistic,
and :func:`comparator_evidence` describes the comparator risk itself, as the guide's
ComparatorOnlyEvidence. Mean differences get none.

Code systems, and where their codes were read:

* ``http://terminology.hl7.org/CodeSystem/statistic-type`` (the measures) and
  ``http://terminology.hl7.org/CodeSystem/attribute-estimate-type`` (C53324 Confidence interval, C44185
  P-value, 0000419 Cochran's Q statistic, 0000421 Tau squared, 0000420 I-squared): HL7 Terminology
  (THO), ``HL7/UTG`` input/sourceOfTruth/fhir/codeSystems/CodeSystem-attribute-estimate-type.xml. That
  code system has no prediction interval, so its type is text only, and no degrees of freedom, so those
  carry SEVCO STATO:0000069 (``https://fevir.net/sevco``) as the guide's meta-analysis example does.
* ``http://terminology.hl7.org/CodeSystem/statistic-model-code`` (metaAnalysis, effectsFixed,
  effectsRandom, poolMantelHaenzsel, poolInverseVariance, poolPeto, tauDersimonianLaird,
  tauRestrictedMaximumLikelihood, tauPauleMandel, hartungKnapp, zeroCellConstant; spelling as in the code
  system): THO CodeSystem-statistic-model-code.xml (OID 2.16.840.1.113883.4.642.4.1938, the code system
  FHIR R5 binds to ``Evidence.statistic.modelCharacteristic.code``); the guide's example
  Evidence-day-mortality-remdesivir-vs-placebo-meta-example.json (``HL7/ebm``, input/examples, a
  risk-ratio meta-analysis) uses this system with metaAnalysis, effectsRandom and tauDersimonianLaird.
* ``http://terminology.hl7.org/CodeSystem/synthesis-type`` std-MA: THO, https://terminology.hl7.org/5.3.0/CodeSystem-synthesis-type.html.
* certainty-type (Overall, RiskOfBias, Inconsistency, ...) and certainty-rating (high ... very-low;
  no-concern, serious-concern, very-serious-concern for a downgrading domain; no-change, upcode1, upcode2
  for an upgrading one): R5's ``http://hl7.org/fhir/certainty-type`` and ``certainty-rating``, as in the
  trial bundles (:mod:`evidencekb.export.fhir_export`), so a consumer meets one system in both exports;
  the guide's current examples name the same codes under HL7 Terminology's
  ``http://terminology.hl7.org/CodeSystem/`` URLs. The concern codes per domain follow its remdesivir
  example; the codes are in THO CodeSystem-certainty-rating.xml.

Record text reaches string elements as typed and markdown elements escaped
(:mod:`evidencekb.export.fhir_text`), so it is always text.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evidencekb.effects import AbsolutePer1000, Estimate
from evidencekb.effects.absolute import absolute_per_1000_from
from evidencekb.export import stable_float
from evidencekb.export.fhir_export import (
    ATTRIBUTE_TYPE,
    CERTAINTY_RATING,
    CERTAINTY_TYPE,
    DOMAINS,
    NAMESPACE,
    RATINGS,
    VARIABLE_ROLE,
    _ci,
    _clean,
    _coding,
    _fhir_id,
    _quantity,
    _statistic_type,
)
from evidencekb.export.fhir_text import markdown_text
from evidencekb.pooling import PooledResult
from evidencekb.pooling.heterogeneity import ESTIMATOR_NAMES

MODEL_CODE = "http://terminology.hl7.org/CodeSystem/statistic-model-code"
SYNTHESIS_TYPE = "http://terminology.hl7.org/CodeSystem/synthesis-type"
SEVCO = "https://fevir.net/sevco"
POOLING_CODES = {
    "mh": ("poolMantelHaenzsel", "Mantel-Haenszel method"),
    "iv": ("poolInverseVariance", "Inverse variance method"),
    "peto": ("poolPeto", "Peto method"),
}
TAU_CODES = {
    "dl": ("tauDersimonianLaird", "Dersimonian-Laird method"),
    "reml": ("tauRestrictedMaximumLikelihood", "Restricted Maximum Likelihood method"),
    "pm": ("tauPauleMandel", "Paule-Mandel method"),
}
CONCERNS = {0: "no-concern", 1: "serious-concern", 2: "very-serious-concern", 3: "extremely-serious-concern"}
CONCERN_WORDS = {
    "no-concern": "no serious concern",
    "serious-concern": "serious concern",
    "very-serious-concern": "very serious concern",
    "extremely-serious-concern": "extremely serious concern",
    "no-change": "no change to rating",
}
GRADE_LEVELS = ("high", "moderate", "low", "very-low")
UPGRADING = ("large-effect", "dose-response", "plausible-confounding")
ZERO_CELL_CONSTANT = 0.5  # what the pooling engine adds to each cell of a study with a zero cell


@dataclass(frozen=True)
class GradeDomainRating:
    """One GRADE domain: ``levels`` down (or up, for large effect, dose response, plausible confounding)."""

    domain: str  # a key of fhir_export.DOMAINS, e.g. "imprecision"
    levels: int
    reason: str | None = None


@dataclass(frozen=True)
class GradeRating:
    rating: str  # high | moderate | low | very-low ("very low" is read as very-low)
    rater: str
    domains: tuple[GradeDomainRating, ...] = ()
    summary: str | None = None
    starting: str = "high"  # GRADE's starting level: high for randomized trials, low for observational studies

    def __post_init__(self) -> None:
        object.__setattr__(self, "rating", self.rating.replace(" ", "-"))
        if self.rating not in GRADE_LEVELS:
            raise ValueError(f"a GRADE rating is one of {', '.join(GRADE_LEVELS)}, not {self.rating!r}")


@dataclass(frozen=True)
class PooledTrial:
    """A trial offered for an outcome: its name in the pooled result and its FHIR ResearchStudy reference."""

    name: str
    reference: str
    display: str
    participants: int | None = None
    events: int | None = None


@dataclass(frozen=True)
class ComparatorRisk:
    """The risk without the intervention that absolute effects start from, as a fraction."""

    risk: float
    description: str  # e.g. "pooled control-arm risk, 57/160" or "moderate risk (source ...)"


@dataclass(frozen=True)
class PooledOutcome:
    id: str
    title: str
    definition: str
    result: PooledResult
    trials: tuple[PooledTrial, ...]
    certainty: GradeRating | None = None
    statement: str | None = None  # the informative statement ("IVIG probably improves ...")
    importance: str | None = None  # critical | important | limited
    unit: str | None = None  # unit of a mean difference
    comparator_risk: ComparatorRisk | None = None
    not_pooled: tuple[tuple[str, str], ...] = ()  # (trial, reason): considered for the outcome, not offered to pooling

    def absolute(self) -> AbsolutePer1000 | None:
        """Anticipated absolute effects per 1000 from the comparator risk and the pooled binary effect."""
        if self.comparator_risk is None or self.result.measure not in ("rr", "or", "rd"):
            return None
        natural = self.result.natural()
        low, high = natural["ci"] or (None, None)
        effect = Estimate(natural["estimate"], low, high, self.result.method, self.result.level, self.result.note)
        return absolute_per_1000_from(self.result.measure, self.comparator_risk.risk, effect)


@dataclass(frozen=True)
class QuestionText:
    id: str
    title: str
    population: str
    intervention: str
    comparator: str
    published: bool = True


def study_reference(trial_id: str) -> str:
    """The ``fullUrl`` of a trial's ResearchStudy in its trial bundle, for :attr:`PooledTrial.reference`."""
    return entry_url("ResearchStudy", _fhir_id(trial_id))


def entry_url(resource_type: str, rid: str) -> str:
    """Bundle entries are named by a uuid5 of type and id, so every export gives the same bytes."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, resource_type + '/' + rid)}"


def evidence_id(question: QuestionText, outcome: PooledOutcome) -> str:
    return _fhir_id(question.id, outcome.id, "pooled")


def comparator_id(question: QuestionText, outcome: PooledOutcome) -> str:
    return _fhir_id(question.id, outcome.id, "comparator")


def pooled_evidence(question: QuestionText, outcome: PooledOutcome) -> dict[str, Any]:
    """The Evidence resource of one pooled outcome as plain data (validate with ``fhir.resources``)."""
    result = outcome.result
    trials = {t.name: t for t in outcome.trials}
    missing = [name for name in result.used if name not in trials]
    if missing:
        raise ValueError(f"no trial reference for pooled studies: {', '.join(missing)}")
    used = [trials[name] for name in result.used]
    not_pooled = [*outcome.not_pooled, *result.excluded]
    notes = [f"Not pooled: {name}: {reason}" for name, reason in not_pooled]
    notes += [n for n in (result.note, result.heterogeneity.note) if n]
    return _clean({
        "resourceType": "Evidence",
        "id": evidence_id(question, outcome),
        "title": f"{outcome.title}: {question.intervention} vs {question.comparator} (pooled)",
        "status": "active" if question.published else "draft",
        "description": markdown_text(outcome.definition),
        "assertion": markdown_text(outcome.statement) if outcome.statement else None,
        "note": [{"text": markdown_text(n)} for n in notes],
        "synthesisType": _coding(SYNTHESIS_TYPE, "std-MA", "summary data meta-analysis"),
        "relatedArtifact": [
            {
                "type": "derived-from",
                "label": t.name,
                "display": t.display,
                "resourceReference": {"reference": t.reference, "type": "ResearchStudy", "display": t.display},
            }
            for t in used
        ],
        "variableDefinition": _variables(question, outcome),
        "statistic": [_statistic(outcome, used), _risk_difference(outcome)],
        "certainty": _certainty(outcome.certainty) if outcome.certainty else None,
    })


def comparator_evidence(question: QuestionText, outcome: PooledOutcome) -> dict[str, Any] | None:
    """The comparator risk absolute effects start from, as a non-comparative Evidence (None when no
    absolute effect is derived)."""
    risk = outcome.comparator_risk
    if risk is None or outcome.absolute() is None:
        return None
    return _clean({
        "resourceType": "Evidence",
        "id": comparator_id(question, outcome),
        "title": f"{outcome.title}: risk with {question.comparator}",
        "status": "active" if question.published else "draft",
        "description": markdown_text(risk.description),
        "variableDefinition": [
            v for v in _variables(question, outcome) if v["variableRole"]["coding"][0]["code"] != "exposure"
        ],
        "statistic": [{
            "description": f"{1000 * risk.risk:.0f} per 1000",
            "statisticType": _statistic_type("proportion"),
            "quantity": {"value": stable_float(risk.risk)},
        }],
    })


def _risk_difference(outcome: PooledOutcome) -> dict[str, Any] | None:
    """GRADE's anticipated risk difference, derived from the comparator risk and a pooled RR or OR (a pooled
    RD is one already)."""
    absolute, risk, measure = outcome.absolute(), outcome.comparator_risk, outcome.result.measure
    if absolute is None or absolute.difference is None or risk is None or measure == "rd":
        return None
    low, high = absolute.difference_ci_low, absolute.difference_ci_high
    return {
        "description": markdown_text(
            f"{absolute.difference:.0f} per 1000 with the intervention, derived from the pooled {measure.upper()} "
            f"and a risk of {absolute.comparator:.0f} per 1000 without it ({risk.description})"
        ),
        "note": [{"text": markdown_text(absolute.note)}] if absolute.note else [],
        "statisticType": _statistic_type("RD"),
        "quantity": {"value": stable_float(absolute.difference / 1000)},
        "attributeEstimate": [
            _ci(None if low is None else low / 1000, None if high is None else high / 1000, outcome.result.level)
        ],
    }


def _variables(question: QuestionText, outcome: PooledOutcome) -> list[dict[str, Any]]:
    roles = (
        ("population", "population", question.population),
        ("exposure", "exposure", question.intervention),
        ("referenceExposure", "reference exposure", question.comparator),
        ("measuredVariable", "measured variable", f"{outcome.title}. {outcome.definition}"),
    )
    return [
        {"description": markdown_text(text), "variableRole": _coding(VARIABLE_ROLE, code, display)}
        for code, display, text in roles
    ]


def _statistic(outcome: PooledOutcome, used: Sequence[PooledTrial]) -> dict[str, Any]:
    result = outcome.result
    natural = result.natural()
    unit = outcome.unit if result.measure == "md" else None
    participants = [t.participants for t in used]
    events = [t.events for t in used]
    return {
        "description": _describe(result, natural, unit),
        "statisticType": _statistic_type(result.measure.upper()),
        "quantity": None if natural["estimate"] is None else _quantity(stable_float(natural["estimate"]), unit),
        "numberOfEvents": sum(e for e in events if e is not None) if events and None not in events else None,
        "sampleSize": {
            "description": f"{len(used)} {'study' if len(used) == 1 else 'studies'} pooled",
            "numberOfStudies": len(used),
            "numberOfParticipants": sum(p for p in participants if p is not None)
            if participants and None not in participants
            else None,
        },
        "attributeEstimate": [
            _ci(natural["ci"][0], natural["ci"][1], result.level) if natural["ci"] else None,
            _p_value(result),
            *_heterogeneity(result),
            _prediction(result, natural["prediction"]),
        ],
        "modelCharacteristic": _model(result),
    }


def _describe(result: PooledResult, natural: dict[str, Any], unit: str | None) -> str:
    name = result.measure.upper()
    if natural["estimate"] is None:
        return f"{name} not estimable: {result.note}"
    ci = natural["ci"]
    shown = f"{name} {_number(natural['estimate'])}"
    if unit:
        shown += f" {unit}"
    if ci:
        shown += f" ({result.level:.0%} CI {_number(ci[0])} to {_number(ci[1])})"
    model = "random effects" if result.model == "random" else "common effect"
    method = result.method_name + (", Hartung-Knapp-Sidik-Jonkman interval" if result.hksj else "")
    return markdown_text(f"{shown}; {model}, {method}; {result.distribution} distribution")


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 0.1 else f"{value:.2f}"


def _p_value(result: PooledResult) -> dict[str, Any] | None:
    if result.p is None:
        return None
    return _p(result.p, f"two-sided p-value of the pooled effect ({result.distribution} distribution)")


def _p(value: float, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "type": _coding(ATTRIBUTE_TYPE, "C44185", "P-value"),
        "quantity": {"value": stable_float(value)},
    }


def _heterogeneity(result: PooledResult) -> list[dict[str, Any]]:
    het = result.heterogeneity
    estimates: list[dict[str, Any]] = []
    if het.q is not None:
        estimates.append({
            "description": f"Cochran's Q = {het.q:.2f}, df = {het.df}"
            + (f", p = {het.q_p:.3g}" if het.q_p is not None else ""),
            "type": _coding(ATTRIBUTE_TYPE, "0000419", "Cochran's Q statistic"),
            "quantity": {"value": stable_float(het.q)},
            "attributeEstimate": [
                {"type": _coding(SEVCO, "STATO:0000069", "degrees of freedom"), "quantity": {"value": het.df}},
                None if het.q_p is None else _p(het.q_p),
            ],
        })
    if het.tau2 is not None:
        estimator = ESTIMATOR_NAMES.get(het.estimator or "", het.estimator)
        estimates.append({
            "description": f"tau^2 = {het.tau2:.4g} by {estimator}; interval by the Q-profile method",
            "type": _coding(ATTRIBUTE_TYPE, "0000421", "Tau squared"),
            "quantity": {"value": stable_float(het.tau2)},
            "attributeEstimate": [_ci(*het.tau2_ci, result.level) if het.tau2_ci else None],
        })
    if het.i2 is not None:
        estimates.append({
            "description": f"I^2 = {100 * het.i2:.1f}% (given as a fraction)",
            "type": _coding(ATTRIBUTE_TYPE, "0000420", "I-squared"),
            "quantity": {"value": stable_float(het.i2)},
            "attributeEstimate": [_ci(*het.i2_ci, result.level) if het.i2_ci else None],
        })
    return estimates


def _prediction(result: PooledResult, interval: list[float] | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {
        "description": f"prediction interval: {result.prediction_note}",
        "type": {"text": "Prediction interval"},
        "level": result.level,
        "range": {"low": {"value": stable_float(interval[0])}, "high": {"value": stable_float(interval[1])}},
    }


def _model(result: PooledResult) -> list[dict[str, Any]]:
    random = result.model == "random"
    pooling = POOLING_CODES["iv"] if random else POOLING_CODES[result.method]
    characteristics = [
        _model_code("metaAnalysis", "Meta-analysis"),
        _model_code("effectsRandom", "Random-effects") if random else _model_code("effectsFixed", "Fixed-effects"),
        _model_code(*pooling, text=result.method_name),
    ]
    if random:
        characteristics.append(_model_code(*TAU_CODES[result.method]))
    if result.hksj:
        characteristics.append(_model_code("hartungKnapp", "Hartung-Knapp adjustment"))
    if result.method != "peto" and any(s.continuity for s in result.studies if s.name in result.used):
        constant = _model_code("zeroCellConstant", "Zero-cell adjustment with constant", text=result.continuity)
        constant["value"] = {"value": ZERO_CELL_CONSTANT}
        characteristics.append(constant)
    return characteristics


def _model_code(code: str, display: str, text: str | None = None) -> dict[str, Any]:
    concept = _coding(MODEL_CODE, code, display)
    if text:
        concept["text"] = text
    return {"code": concept}


def _certainty(grade: GradeRating) -> list[dict[str, Any]]:
    """The overall rating, then one subcomponent per domain with its concern (or upgrade) and reason."""
    subcomponents = []
    for domain in grade.domains:
        code = _domain_rating(domain)
        display = CONCERN_WORDS.get(code) or RATINGS[code]
        subcomponents.append({
            "type": _coding(CERTAINTY_TYPE, *DOMAINS[domain.domain]),
            "rating": _coding(CERTAINTY_RATING, code, display),
            "note": [{"text": markdown_text(domain.reason)}] if domain.reason else [],
        })
    return [{
        "description": markdown_text(grade.summary) if grade.summary else None,
        "note": [{"text": markdown_text(f"Rated down or up from a starting level of {grade.starting}.")}],
        "type": _coding(CERTAINTY_TYPE, "Overall", "Overall certainty"),
        "rating": _coding(CERTAINTY_RATING, grade.rating, RATINGS[grade.rating]),
        "rater": grade.rater,
        "subcomponent": subcomponents,
    }]


def _domain_rating(domain: GradeDomainRating) -> str:
    if domain.domain not in DOMAINS:
        raise ValueError(f"unknown GRADE domain {domain.domain!r}")
    if domain.domain in UPGRADING:
        return {0: "no-change", 1: "upcode1", 2: "upcode2"}[domain.levels]
    return CONCERNS[domain.levels]
