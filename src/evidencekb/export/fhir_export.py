"""FHIR R5 export: one Bundle (type ``collection``) per trial, for evidence tools that speak FHIR.

A bundle holds a Citation per source, a ResearchStudy for the trial, and Evidence resources in the
EBMonFHIR pattern: one non-comparative Evidence per group of each result (its events/total, mean or
median) and, when the effect was recomputed, one comparative Evidence with the between-group statistics
(RD, RR and OR, or the mean difference and Hedges' g) and their confidence intervals. Groups that may not
be compared, such as treatment exposures in a crossover, get only their per-group Evidence, with the
reason no comparison is computed as a note. Statistics printed by sources are not exported here (the JSON
export has them): FHIR consumers would otherwise meet two conflicting values for one statistic.

Each RoB 2 assessment becomes an ArtifactAssessment in the EBM-on-FHIR RiskOfBias profile about the
comparative Evidence of its result: the overall rating, one component per domain, and within it one
response per signalling question with its support and citation. The judgements are text: the profile
binds no code system to RoB 2's low / some concerns / high.

Codes come from the code systems that FHIR R5 binds to these elements: statistic-type (0000424 Risk
Difference, C93152 Relative Risk, C16932 Odds Ratio, 0000457 Mean Difference, 0000100 Standardized Mean
Difference, C44256 Proportion, C53319 Mean, C28007 Median), attribute-estimate-type (C53324 Confidence
interval, C53322 Standard deviation, 0000037 Standard error of the mean), variable-role, certainty-type
and certainty-rating. Ids are ``<trial>.<endpoint>.<result index>[.<group>]`` and every ``fullUrl`` is a
``urn:uuid`` derived from the id with uuid5, so the same record always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any

from evidencekb import rob2
from evidencekb.export import stable_float
from evidencekb.models import BinaryGroup, ContinuousGroup, Endpoint, Result, Source, TimeToEventGroup, Trial
from evidencekb.models.outcomes import Certainty
from evidencekb.models.rob import RobAnswer

if TYPE_CHECKING:
    from evidencekb.computed import Comparison, ComputedTrial
    from evidencekb.effects import Estimate

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://evidencekb.org/fhir")
STATISTIC_TYPE = "http://terminology.hl7.org/CodeSystem/statistic-type"
ATTRIBUTE_TYPE = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"
CERTAINTY_TYPE = "http://hl7.org/fhir/certainty-type"
CERTAINTY_RATING = "http://hl7.org/fhir/certainty-rating"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov"
REGISTRIES = {
    "clinicaltrials.gov": "https://clinicaltrials.gov",
    "eu-ctr": "https://www.clinicaltrialsregister.eu",
    "isrctn": "https://www.isrctn.com",
}
ATTRIBUTES = {"SD": ("C53322", "Standard deviation"), "SE": ("0000037", "Standard error of the mean")}
STATISTICS = {
    "RD": ("0000424", "Risk Difference"),
    "RR": ("C93152", "Relative Risk"),
    "OR": ("C16932", "Odds Ratio"),
    "MD": ("0000457", "Mean Difference"),
    "SMD": ("0000100", "Standardized Mean Difference"),
    "proportion": ("C44256", "Proportion"),
    "mean": ("C53319", "Mean"),
    "median": ("C28007", "Median"),
}
ROLES = {
    "population": "population",
    "exposure": "exposure",
    "referenceExposure": "reference exposure",
    "measuredVariable": "measured variable",
}
RATINGS = {
    "high": "High quality", "moderate": "Moderate quality", "low": "Low quality", "very-low": "Very low quality",
    "downcode1": "reduce rating: -1", "downcode2": "reduce rating: -2",
    "upcode1": "increase rating: +1", "upcode2": "increase rating: +2",
}
DOMAINS = {
    "risk-of-bias": ("RiskOfBias", "Risk of bias"),
    "inconsistency": ("Inconsistency", "Inconsistency"),
    "indirectness": ("Indirectness", "Indirectness"),
    "imprecision": ("Imprecision", "Imprecision"),
    "publication-bias": ("PublicationBias", "Publication bias"),
    "large-effect": ("LargeEffect", "Large effect"),
    "dose-response": ("DoseResponseGradient", "Dose response gradient"),
    "plausible-confounding": ("PlausibleConfounding", "Plausible confounding"),
}
MAX_ID = 64  # FHIR ids are at most 64 characters
RISK_OF_BIAS_PROFILE = "http://hl7.org/fhir/uv/ebm/StructureDefinition/risk-of-bias"
SEVCO_BIAS = ("https://fevir.net/resources/CodeSystem/27270", "SEVCO:00001", "Bias")
"""The type of a RiskOfBias assessment's top content, as in the profile's example (PARACHUTE trial)."""


def trial_bundle_json(trial: Trial, computed: ComputedTrial) -> str:
    """The bundle of one trial as FHIR JSON text (two-space indent, ending in a newline)."""
    return json.dumps(trial_bundle(trial, computed), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def trial_bundle(trial: Trial, computed: ComputedTrial) -> dict[str, Any]:
    """The bundle of one trial as plain data (validate it with ``fhir.resources.bundle.Bundle``)."""
    return _BundleBuilder(trial, computed).build()


class _BundleBuilder:
    def __init__(self, trial: Trial, computed: ComputedTrial) -> None:
        self.trial = trial
        self.computed = computed
        self.status = "active" if trial.status == "published" else "draft"
        self.entries: list[dict[str, Any]] = []
        self.citations: dict[str, dict[str, str]] = {}
        self.groups = {a.id: f"{a.label} (randomized arm, {a.randomized} randomized)" for a in trial.arms} | {
            p.id: f"{p.label} ({p.size} {p.unit.replace('-', ' ')})" for p in trial.populations
        }
        self.exposures = {p.id for p in trial.populations if p.unit == "treatment-exposures"}

    def build(self) -> dict[str, Any]:
        for source in self.trial.sources:
            self.citations[source.id] = self._add(_citation(self.trial, source))
        self._add(self._study())
        endpoints = {e.id: e for e in self.trial.endpoints}
        for index, result in enumerate(self.trial.results):
            comparison = self.computed.for_result(index)
            self._add_result(index, result, endpoints[result.endpoint], comparison)
        for judgement in rob2.judge_all(self.trial):
            self._add(self._risk_of_bias(judgement))
        bundle = {
            "resourceType": "Bundle",
            "id": _fhir_id(self.trial.id),
            "identifier": {"system": "https://evidencekb.org/trials", "value": self.trial.id},
            "type": "collection",
            "entry": self.entries,
        }
        return _clean(bundle)

    def _add(self, resource: dict[str, Any]) -> dict[str, str]:
        url = f"urn:uuid:{uuid.uuid5(NAMESPACE, resource['resourceType'] + '/' + resource['id'])}"
        self.entries.append({"fullUrl": url, "resource": _clean(resource)})
        return {"reference": url}

    def _study(self) -> dict[str, Any]:
        trial, design = self.trial, self.trial.design
        return {
            "resourceType": "ResearchStudy",
            "id": _fhir_id(trial.id),
            "identifier": [
                {"type": {"text": r.registry}, "system": REGISTRIES.get(r.registry), "value": r.id}
                for r in trial.registrations
            ],
            "title": trial.title,
            "label": [{"type": {"text": "short name"}, "value": trial.short_name}],
            "status": self.status,
            "relatedArtifact": [{"type": "cite-as", "resourceReference": self.citations[trial.primary_source]}],
            "description": trial.bottom_line,
            "descriptionSummary": trial.population,
            "phase": {"text": f"phase {design.phase}"},
            "studyDesign": [{"text": f"{design.allocation}, {design.model}, {design.control} control"}],
            "condition": [{"text": c} for c in trial.conditions],
            "keyword": [{"text": k} for k in trial.keywords],
            "recruitment": {"actualNumber": sum(a.randomized for a in trial.arms)},
            "comparisonGroup": [
                {"linkId": a.id, "name": a.label, "type": {"text": a.role}, "description": self.groups[a.id]}
                for a in trial.arms
            ],
        }

    def _add_result(self, index: int, result: Result, endpoint: Endpoint, comparison: Comparison | None) -> None:
        base = _fhir_id(self.trial.id, endpoint.id, str(index))
        reason = comparison.not_computed if comparison else None
        for group in result.groups:
            evidence = self._evidence(_fhir_id(base, group.group_id), result, endpoint, [("exposure", group.group_id)])
            evidence["note"] += [{"text": reason}] if reason else []
            evidence["statistic"] = [self._group_statistic(group, endpoint)]  # type: ignore[arg-type]
            self._add(evidence)
        statistics = _comparison_statistics(comparison, endpoint) if comparison else []
        if comparison and comparison.intervention and comparison.comparator and statistics:
            groups = [("exposure", comparison.intervention), ("referenceExposure", comparison.comparator)]
            evidence = self._evidence(base, result, endpoint, groups)
            evidence["statistic"] = statistics
            evidence["certainty"] = _certainty(endpoint.certainty) if endpoint.certainty else None
            self._add(evidence)

    def _risk_of_bias(self, judgement: rob2.ResultJudgement) -> dict[str, Any]:
        """ArtifactAssessment (RiskOfBias profile) about the comparative Evidence of the assessed result."""
        record = self.trial.risk_of_bias[judgement.index]
        answers = {a.question: a for a in record.answers}
        domains = []
        for domain, result in zip(rob2.domains_for(record.effect), judgement.domains, strict=True):
            responses = [self._response(q, answers[q.id]) for q in domain.questions.values() if q.id in answers]
            summary = result.override_reason or " \u2192 ".join(f"{q} = {a}" for q, a in result.reached) or None
            domains.append(_rating(f"{domain.short} {domain.label}", result.final, summary, responses))
        top = _rating("Risk of bias (RoB 2)", judgement.overall,
                      judgement.overall_override_reason or judgement.not_assessable or record.several_concerns_high,
                      domains)
        top["type"] = _coding(*SEVCO_BIAS) | {"text": "Risk of bias (RoB 2)"}
        top["author"] = {"display": record.assessor}
        return {
            "resourceType": "ArtifactAssessment",
            "id": _fhir_id(self.trial.id, "rob", str(judgement.index)),
            "meta": {"profile": [RISK_OF_BIAS_PROFILE]},
            "title": f"RoB 2 of {judgement.endpoint} ({record.analysis_population}; effect of {record.effect})",
            "date": record.assessed_on.isoformat() if record.assessed_on else None,
            "artifactReference": self._assessed_artifact(judgement),
            "content": [top],
        }

    def _assessed_artifact(self, judgement: rob2.ResultJudgement) -> dict[str, str]:
        for index, result in enumerate(self.trial.results):
            if result.endpoint == judgement.endpoint and result.analysis_population == judgement.analysis_population:
                rid = _fhir_id(self.trial.id, result.endpoint, str(index))
                return {"reference": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'Evidence/' + rid)}"}
        return {"reference": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'ResearchStudy/' + _fhir_id(self.trial.id))}"}

    def _response(self, question: rob2.Question, answer: RobAnswer) -> dict[str, Any]:
        return {
            "informationType": "response",
            "type": {"text": f"{question.id} {question.text}"},
            "classifier": [{"text": rob2.ANSWER_WORDS[answer.answer]}],
            "summary": answer.support,
            "relatedArtifact": [{"type": "citation", "resourceReference": self.citations[answer.source],
                                 "label": answer.locator}],
        }

    def _evidence(
        self, rid: str, result: Result, endpoint: Endpoint, groups: list[tuple[str, str]]
    ) -> dict[str, Any]:
        """An Evidence without statistics: the population, the exposures (role, group id) and the endpoint."""
        population = self.trial.population
        if result.analysis_population:
            population += f" Analysed: {result.analysis_population}."
        exposures = [(role, self.groups[group]) for role, group in groups]
        variables = [("population", population), *exposures, ("measuredVariable", _measured(endpoint))]
        return {
            "resourceType": "Evidence",
            "id": rid,
            "title": f"{endpoint.label}: {' vs '.join(label for _, label in exposures)}",
            "status": self.status,
            "relatedArtifact": [{"type": "citation", "resourceReference": self.citations[result.source]}],
            "description": endpoint.definition,
            "note": [{"text": result.note}] if result.note else [],
            "variableDefinition": [
                {"description": text, "variableRole": _coding(VARIABLE_ROLE, role, ROLES[role])}
                for role, text in variables
            ],
            "statistic": [],
            "certainty": None,
        }

    def _group_statistic(
        self, group: BinaryGroup | ContinuousGroup | TimeToEventGroup, endpoint: Endpoint
    ) -> dict[str, Any]:
        """Events/total, mean or median of one group, its size, and its spread or interval when given.

        R5 counts participants with the event in ``numberAffected`` (same unit as ``numberOfParticipants``);
        ``numberOfEvents`` carries the count too, for consumers that read only that. Treatment exposures
        are not participants, so their size is described in words and only ``numberOfEvents`` is given.
        """
        exposures = group.group_id in self.exposures
        if isinstance(group, BinaryGroup):
            return {
                "description": f"{group.events}/{group.total} ({100 * group.events / group.total:.1f}%)",
                "statisticType": _statistic_type("proportion"),
                "quantity": {"value": stable_float(group.events / group.total)},
                "numberOfEvents": group.events,
                "numberAffected": None if exposures else group.events,
                "sampleSize": _sample_size(group.total, exposures),
            }
        interval = [_ci(group.ci.low, group.ci.high, group.ci.level)] if group.ci else []
        if isinstance(group, ContinuousGroup):
            spread = [
                {"type": _coding(ATTRIBUTE_TYPE, *ATTRIBUTES[name]), "quantity": {"value": value}}
                for name, value in (("SD", group.sd), ("SE", group.se))
                if value is not None
            ]
            return {
                "statisticType": _statistic_type("mean"),
                "quantity": _quantity(group.mean, endpoint.scale.unit if endpoint.scale else None),
                "sampleSize": _sample_size(group.n, exposures),
                "attributeEstimate": spread + interval,
            }
        return {
            "description": None if group.median is not None else "median not reached",
            "statisticType": _statistic_type("median"),
            "quantity": None if group.median is None else _quantity(group.median, group.unit),
            "sampleSize": _sample_size(group.n, exposures),
            "attributeEstimate": interval,
        }


def _comparison_statistics(comparison: Comparison, endpoint: Endpoint) -> list[dict[str, Any]]:
    """The between-group effects with their intervals; none when no effect was computed."""
    if comparison.binary is not None:
        b, c = comparison.binary, comparison.binary.counts
        sample = {"numberOfParticipants": c.total1 + c.total2}
        events = c.events1 + c.events2
        return [
            _effect("RD", b.risk_difference, sample, events, "intervention minus comparator, as a fraction"),
            _effect("RR", b.risk_ratio, sample, events, "intervention over comparator"),
            _effect("OR", b.odds_ratio, sample, events, "intervention over comparator"),
        ]
    if comparison.continuous is not None:
        k = comparison.continuous
        sample = {"numberOfParticipants": k.intervention.n + k.comparator.n}
        unit = endpoint.scale.unit if endpoint.scale else None
        return [
            _effect("MD", k.mean_difference, sample, None, "intervention minus comparator", unit),
            _effect("SMD", k.standardized_mean_difference, sample, None, "Hedges' g of intervention vs comparator"),
        ]
    return []


def _citation(trial: Trial, source: Source) -> dict[str, Any]:
    identifiers = []
    if source.doi:
        identifiers.append({"type": {"text": "DOI"}, "system": "https://doi.org", "value": source.doi})
    if source.pmid:
        identifiers.append({"type": {"text": "PMID"}, "system": PUBMED, "value": source.pmid})
    return {
        "resourceType": "Citation",
        "id": _fhir_id(trial.id, "source", source.id),
        "title": source.citation,
        "status": "active",
        "summary": [{"text": source.citation}],
        "citedArtifact": {
            "identifier": identifiers,
            "note": [{"text": source.note}] if source.note else [],
            "webLocation": [{"url": source.url}] if source.url else [],
            "classification": [{"type": {"text": "source kind"}, "classifier": [{"text": source.kind}]}],
        },
    }


def _effect(
    name: str, estimate: Estimate, sample: dict[str, int], events: int | None, direction: str, unit: str | None = None
) -> dict[str, Any]:
    shown = "not estimable" if estimate.estimate is None else f"{estimate.estimate:.3f}"
    if estimate.ci_low is not None and estimate.ci_high is not None:
        shown += f" ({estimate.level:.0%} CI {estimate.ci_low:.3f} to {estimate.ci_high:.3f})"
    return {
        "description": f"{name} {shown}; {direction}; {estimate.method} method",
        "note": [{"text": estimate.note}] if estimate.note else [],
        "statisticType": _statistic_type(name),
        "quantity": None if estimate.estimate is None else _quantity(stable_float(estimate.estimate), unit),
        "numberOfEvents": events,
        "sampleSize": sample,
        "attributeEstimate": [_ci(estimate.ci_low, estimate.ci_high, estimate.level)],
    }


def _ci(low: float | None, high: float | None, level: float) -> dict[str, Any] | None:
    if low is None and high is None:
        return None
    bounds = {"low": low, "high": high}
    return {
        "type": _coding(ATTRIBUTE_TYPE, "C53324", "Confidence interval"),
        "level": level,
        "range": {key: {"value": stable_float(value)} for key, value in bounds.items() if value is not None},
    }


def _certainty(certainty: Certainty) -> list[dict[str, Any]]:
    """GRADE: the overall rating, with each domain that moved it as a subcomponent."""
    subcomponents = []
    for domain in certainty.domains:
        change = f"{'down' if domain.direction == 'downgrade' else 'up'}code{domain.levels}"
        subcomponents.append({
            "note": [{"text": domain.reason}],
            "type": _coding(CERTAINTY_TYPE, *DOMAINS[domain.domain]),
            "rating": _coding(CERTAINTY_RATING, change, RATINGS[change]),
        })
    return [
        {
            "type": _coding(CERTAINTY_TYPE, "Overall", "Overall certainty"),
            "rating": _coding(CERTAINTY_RATING, certainty.rating, RATINGS[certainty.rating]),
            "rater": certainty.assessor or f"source {certainty.source}",
            "subcomponent": subcomponents,
        }
    ]


def _rating(name: str, judgement: str | None, summary: str | None, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "informationType": "rating",
        "type": {"text": name},
        "classifier": [{"text": rob2.JUDGEMENT_WORDS.get(judgement or "", "Not judged")}],
        "summary": summary,
        "component": parts,
    }


def _measured(endpoint: Endpoint) -> str:
    when = "" if endpoint.timepoint in endpoint.label else f" ({endpoint.timepoint})"
    return f"{endpoint.label}{when}. {endpoint.definition}"


def _sample_size(count: int | None, exposures: bool) -> dict[str, Any] | None:
    if count is None:
        return None
    if exposures:
        return {"description": f"{count} treatment exposures (a participant may be counted under each treatment)"}
    return {"numberOfParticipants": count}


def _quantity(value: float, unit: str | None) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def _statistic_type(name: str) -> dict[str, Any]:
    return _coding(STATISTIC_TYPE, *STATISTICS[name])


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _fhir_id(*parts: str) -> str:
    """Parts joined by '.', which no slug contains, so that two different part lists never give one id.

    Ids over FHIR's 64 characters are cut and end in a hash of the whole.
    """
    joined = ".".join(parts)
    if len(joined) <= MAX_ID:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:10]
    return f"{joined[: MAX_ID - 11]}-{digest}"


def _clean(data: Any) -> Any:
    """Drop nulls and empty lists or objects: FHIR JSON has no null values and no empty arrays."""
    if isinstance(data, dict):
        cleaned = {key: _clean(value) for key, value in data.items()}
        return {key: value for key, value in cleaned.items() if value not in (None, [], {})}
    if isinstance(data, list):
        return [item for item in (_clean(value) for value in data) if item not in (None, [], {})]
    return data
