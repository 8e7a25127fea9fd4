"""The trial record: the root object of one YAML file in ``content/trials/``."""

from __future__ import annotations

from typing import Literal

from evidencekb.models.base import (
    SCHEMA_VERSION,
    Cited,
    Model,
    ShortText,
    Slug,
    Text,
    describe,
    optional,
)
from evidencekb.models.outcomes import Endpoint, Result
from evidencekb.models.rob import RiskOfBias
from evidencekb.models.safety import AdverseEvent
from evidencekb.models.study import (
    Arm,
    BaselineCharacteristic,
    Design,
    FlowStage,
    Population,
    Registration,
    Review,
    Source,
    Treatment,
)


class ConflictVersion(Model):
    claim: Text = describe("What this source says, in its own terms.")
    source: Slug = describe("Source id.")
    locator: ShortText | None = optional("Where in the source.")
    verified: bool = optional(
        "false when the version could not be checked against the source itself (e.g. read from a mirror);"
        " the site marks it as unverified.",
        default=True,
    )
    value: float | None = optional("The number claimed, when there is one.")
    assessment: Text | None = optional("The reviewers' reading of this version (consistent, likely error, ...).")


class Conflict(Model):
    id: Slug = describe("Id of the discrepancy.")
    topic: ShortText = describe("What the sources disagree about, e.g. 'Thromboembolic events on IVIG'.")
    status: Literal["unresolved", "explained", "likely-error"] = describe(
        "unresolved: no way to tell; explained: the versions count different things; likely-error: one version"
        " is probably wrong (say which in its assessment)."
    )
    versions: list[ConflictVersion] = describe("Each version with its source; none is dropped.", min_length=2)
    refers_to: list[Slug] = optional(
        "Ids of the adverse events, endpoints or other objects the conflict concerns.", default_factory=list
    )
    note: Text | None = optional("Summary for readers.")


class Limitation(Cited):
    type: Literal[
        "selection-bias",
        "measurement",
        "crossover-contamination",
        "imprecision",
        "short-follow-up",
        "indirectness",
        "attrition",
        "reporting",
        "other",
    ] = describe("Kind of limitation.")
    text: Text = describe("The limitation, as stated by the source.")


class Mechanism(Cited):
    hypothesis: Text = describe("Proposed mechanism of action.")
    status: Literal["established", "hypothesized", "not-supported"] = describe(
        "established (shown), hypothesized (proposed, not shown), not-supported (evidence against)."
    )


class Trial(Model):
    """One clinical trial: design, arms, flow, endpoints with raw results, harms and sources."""

    schema_version: Literal[1] = describe(f"Version of the record format; currently {SCHEMA_VERSION}.")
    id: Slug = describe("Slug of the trial; must equal the file name without '.yaml'.")
    status: Literal["draft", "published"] = describe("Drafts are validated but not published on the site.")
    title: Text = describe("Full title of the trial's primary publication or registration.")
    short_name: ShortText = describe("Acronym or short name, e.g. 'ProDERM'.")
    registrations: list[Registration] = optional("Registry identifiers.", default_factory=list)
    conditions: list[ShortText] = describe("Conditions studied, e.g. 'dermatomyositis'.", min_length=1)
    interventions: list[ShortText] = describe("Interventions tested, e.g. 'intravenous immune globulin'.", min_length=1)
    keywords: list[ShortText] = optional(
        "Other names readers search for (brand names, abbreviations).", default_factory=list
    )
    population: Text = describe("Who was studied, in one or two sentences.")
    bottom_line: Text = describe("Plain-language summary written by the reviewers: benefits, harms, certainty.")
    primary_source: Slug = describe("Source id of the trial's main publication (linked from the key facts).")
    review: Review = describe("Review metadata.")
    sources: list[Source] = describe("Every source that a number in this record cites.", min_length=1)
    design: Design = describe("Design of the trial.")
    treatments: list[Treatment] = describe("Treatments given (intervention and comparator).", min_length=1)
    arms: list[Arm] = describe("Randomized arms.", min_length=1)
    populations: list[Population] = optional(
        "Denominators that are not randomized arms (safety populations, treatment exposures).", default_factory=list
    )
    flow: list[FlowStage] = optional("Participant flow (CONSORT).", default_factory=list)
    baseline: list[BaselineCharacteristic] = optional("Baseline characteristics.", default_factory=list)
    endpoints: list[Endpoint] = describe("Endpoints measured.", min_length=1)
    results: list[Result] = optional("Raw per-group results with reported statistics.", default_factory=list)
    adverse_events: list[AdverseEvent] = optional("Adverse events per period and group.", default_factory=list)
    conflicts: list[Conflict] = optional("Discrepancies between sources, each version kept.", default_factory=list)
    limitations: list[Limitation] = optional("Limitations of the evidence.", default_factory=list)
    mechanisms: list[Mechanism] = optional("Proposed mechanisms of action.", default_factory=list)
    risk_of_bias: list[RiskOfBias] = optional(
        "RoB 2 assessments of results: the signalling-question answers, from which the judgements are computed.",
        default_factory=list,
    )
