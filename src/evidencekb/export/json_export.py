"""JSON export: one file per trial, ``{"record": ..., "computed": ..., "risk_of_bias": ...}``, and its JSON Schema.

``record`` is the validated record normalized by the models (every field present, defaults filled in),
so it validates back into ``Trial``; ``computed`` is the recomputation (effects and the audit of printed
statistics) kept apart, because it is derived, never authored; ``risk_of_bias`` holds the RoB 2 judgements
computed from the record's answers, one entry per ``record.risk_of_bias`` assessment. The models below
describe the shape of ``ComputedTrial.to_dict()`` and of those judgements for the schema only; a test
validates real exports against the schema so that the two cannot drift apart silently.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from evidencekb import rob2
from evidencekb.export import stable
from evidencekb.models import SCHEMA_VERSION, Trial

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial

EXPORT_SCHEMA_PATH = "schema/export.schema.json"
EXPORT_SCHEMA_ID = "https://evidencekb.org/schema/export.schema.json"


def trial_json(trial: Trial, computed: ComputedTrial) -> str:
    """The export of one trial: sorted keys, two-space indent, UTF-8 text ending in a newline."""
    data = {"record": trial.model_dump(mode="json"), "computed": stable(computed.to_dict()),
            "risk_of_bias": [_judgement(j) for j in rob2.judge_all(trial)]}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _judgement(j: rob2.ResultJudgement) -> dict[str, object]:
    domains = [{"domain": d.key, "computed": d.computed, "override": d.override, "judgement": d.final,
                "path": [{"question": q, "answer": a} for q, a in d.reached]} for d in j.domains]
    return {"assessment": j.index, "endpoint": j.endpoint, "analysis_population": j.analysis_population,
            "effect": j.effect, "domains": domains, "computed_overall": j.computed_overall,
            "overall_override": j.overall_override, "overall": j.overall, "escalated": j.escalated,
            "not_assessable": j.not_assessable}


def export_schema_text() -> str:
    """The JSON Schema of :func:`trial_json` files, generated from the models (never edited by hand)."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": EXPORT_SCHEMA_ID,
        "x-schema-version": SCHEMA_VERSION,
        **Export.model_json_schema(mode="validation"),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Estimate(_Shape):
    """A point estimate with its confidence interval; nulls say 'not estimable' and ``note`` says why."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str = Field(description="Interval method: statsmodels' name for binary measures, or welch/pooled.")
    level: float = Field(description="Confidence level as a fraction.")
    note: str | None


class PValue(_Shape):
    """A two-sided p-value and the test that produced it."""

    value: float | None
    test: str
    note: str | None


class NNT(_Shape):
    """Number needed to treat with Altman's interval (bounds signed: positive NNTB, negative NNTH)."""

    estimate: float | None = Field(description="1/|RD|; null when the risk difference is 0 (infinite NNT).")
    kind: Literal["NNTB", "NNTH"] | None
    ci_text: str = Field(description="The interval as Altman writes it, e.g. 'NNTB 4 to infinity to NNTH 20'.")
    ci_low: float | None
    ci_high: float | None


class AbsolutePer1000(_Shape):
    """GRADE absolute effects per 1000 participants, derived from the comparator risk and the risk ratio."""

    comparator: float
    intervention: float | None
    intervention_ci_low: float | None
    intervention_ci_high: float | None
    difference: float | None
    difference_ci_low: float | None
    difference_ci_high: float | None
    note: str | None


class BinaryArm(_Shape):
    events: int
    total: int
    risk: float = Field(description="events / total, as a fraction.")


class BinaryPValues(_Shape):
    fisher_exact: PValue
    chi_square: PValue


class BinaryAnalysis(_Shape):
    """Every effect measure of a binary comparison (intervention vs comparator)."""

    intervention: BinaryArm
    comparator: BinaryArm
    risk_difference: Estimate
    risk_ratio: Estimate
    odds_ratio: Estimate
    nnt: NNT
    absolute_per_1000: AbsolutePer1000
    p_values: BinaryPValues


class GroupMean(_Shape):
    mean: float
    sd: float
    n: int
    sd_source: str = Field(description="Where the SD came from (reported, or derived from an SE or a CI).")


class ContinuousAnalysis(_Shape):
    """Mean difference, Hedges' g and the t-test of a continuous comparison."""

    intervention: GroupMean
    comparator: GroupMean
    mean_difference: Estimate
    standardized_mean_difference: Estimate
    p_value: PValue


class Comparison(_Shape):
    """Intervention vs comparator for one result (``record.results[result]``)."""

    endpoint: str
    result: int = Field(description="Index of the result in record.results.")
    source: str
    intervention: str | None = Field(description="Arm or population id of the intervention group.")
    comparator: str | None
    binary: BinaryAnalysis | None
    continuous: ContinuousAnalysis | None
    not_computed: str | None = Field(description="Why no effect was computed, when none was.")


class HarmComparison(_Shape):
    """Intervention vs comparator for one adverse-event row (``record.adverse_events``), analysed as harms."""

    event: str = Field(description="Id of the adverse-event row.")
    intervention: str = Field(description="Arm or population id of the intervention group.")
    comparator: str
    shared_arms: list[str] = Field(description="Arms with participants counted in both groups (e.g. switchers).")
    binary: BinaryAnalysis


class ConsistencyCheck(_Shape):
    """One printed number compared with its recomputation."""

    location: str = Field(description="Path of the printed number in the record, e.g. 'results/0/reported/1/ci'.")
    endpoint: str | None
    statistic: str
    reported: str
    recomputed: str
    status: Literal["consistent", "inconsistent", "acknowledged", "not-checkable"]
    detail: str
    methods: list[str] = Field(description="Interval methods that reproduce the printed interval.")


class Methods(_Shape):
    risk_difference: str
    risk_ratio: str
    odds_ratio: str
    variance: str


class Computed(_Shape):
    """Effects recomputed from the record's raw data, and the audit of its printed statistics."""

    trial: str
    level: float
    methods: Methods = Field(description="Default interval methods of the comparisons.")
    comparisons: list[Comparison]
    consistency: list[ConsistencyCheck]
    harms: list[HarmComparison] = Field(description="Adverse events with counts and denominators on both sides.")


RobJudgement = Literal["low", "some-concerns", "high"] | None


class RobStep(_Shape):
    question: str
    answer: str


class RobDomain(_Shape):
    """One RoB 2 domain: the algorithm's judgement, the reviewers' override, and the judgement used."""

    domain: str
    computed: RobJudgement = Field(description="From the answers; null when an answer is missing or not assessable.")
    override: RobJudgement
    judgement: RobJudgement = Field(description="The override when there is one, else the computed judgement.")
    path: list[RobStep] = Field(description="The questions the decision algorithm read, in order, with their answers.")


class RobAssessment(_Shape):
    """RoB 2 judgements of one assessed result (``record.risk_of_bias[assessment]``)."""

    assessment: int
    endpoint: str
    analysis_population: str
    effect: Literal["assignment", "adherence"]
    domains: list[RobDomain]
    computed_overall: RobJudgement
    overall_override: RobJudgement
    overall: RobJudgement
    escalated: bool = Field(description="True when several domains with some concerns were judged high together.")
    not_assessable: str | None = Field(description="Why the domains could not be judged, when they could not.")


class Export(_Shape):
    """One trial as exported by `evidencekb export --format json`."""

    record: Trial = Field(description="The record, normalized: every field present, defaults filled in.")
    computed: Computed
    risk_of_bias: list[RobAssessment] = Field(description="RoB 2 judgements computed from the record's answers.")
