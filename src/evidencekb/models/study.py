"""Identity, sources, design, arms and populations of a trial."""

from __future__ import annotations

from typing import Literal

from evidencekb.models.base import (
    Cited,
    CitedCount,
    CitedDate,
    Date,
    Doi,
    HttpUrl,
    Model,
    Pmid,
    PositiveCount,
    ShortText,
    Slug,
    Text,
    describe,
    optional,
)

SourceKind = Literal[
    "primary-publication",
    "secondary-publication",
    "registry",
    "label",
    "sponsor",
    "secondary-report",
    "news",
    "protocol",
    "review",
]


class Source(Model):
    id: Slug = describe("Short id that numbers cite, e.g. 'nejm-2022'.")
    kind: SourceKind = describe(
        "primary-publication (the trial's own paper), secondary-publication (post-hoc or safety paper),"
        " registry, label (product label), sponsor (manufacturer material), secondary-report (abstract"
        " reproductions, summaries), news, protocol, review."
    )
    citation: Text = describe("Human-readable citation: authors, title, journal, year, volume, pages.")
    doi: Doi | None = optional("DOI without the https://doi.org/ prefix, e.g. 10.1056/NEJMoa2117912.")
    pmid: Pmid | None = optional("PubMed id, digits only.")
    url: HttpUrl | None = optional("Web address where the source was read (http or https only).")
    accessed: ShortText | None = optional("When the web address was read, if known.")
    version: ShortText | None = optional(
        "Version of the source that was read, e.g. a registry record's version date (ClinicalTrials.gov"
        " versionHolder, YYYY-MM-DD): 'check --registry' warns when the registry has a newer one."
    )
    note: Text | None = optional("What this source is and how reliable it is for the numbers it gives.")


class Registration(Model):
    registry: Literal["clinicaltrials.gov", "eu-ctr", "isrctn", "other"] = describe(
        "Registry: clinicaltrials.gov (NCT + 8 digits), eu-ctr (EudraCT YYYY-NNNNNN-NN), isrctn, other."
    )
    id: ShortText = describe("Registry identifier, e.g. NCT02728752 or 2016-002902-37.")


class Review(Model):
    last_reviewed: Date = describe("Date the record was last checked against its sources (YYYY-MM-DD).")
    reviewers: list[ShortText] = describe("Names or handles of the reviewers of this record.", min_length=1)


class Masking(Cited):
    level: Literal["none", "single", "double", "triple", "quadruple"] = describe(
        "Masking as the registry classifies it."
    )
    roles: list[Literal["participant", "care-provider", "investigator", "outcomes-assessor"]] = optional(
        "Who was masked.", default_factory=list
    )


class Period(Model):
    id: Slug = describe("Period id that results, flow and adverse events refer to.")
    label: ShortText = describe("Name of the period, e.g. 'First period (double-blind)'.")
    blinding: Literal["double-blind", "single-blind", "open-label"] = describe("Blinding during the period.")
    duration_weeks: float | None = optional("Length of the period in weeks.")
    description: Text | None = optional("What happens in the period (treatments, switching rules).")
    source: Slug = describe("Source id for the period's definition.")
    locator: ShortText | None = optional("Where in the source.")


class Criterion(Model):
    text: Text = describe("The criterion as the source states it.")
    source: Slug = describe("Source id.")
    locator: ShortText | None = optional("Where in the source.")
    verified: bool = optional("false when the criterion could not be checked in a reliable source.", default=True)


class Eligibility(Model):
    age: ShortText | None = optional("Age range, as stated, e.g. '18 to <80 years'.")
    inclusion: list[Criterion] = optional("Inclusion criteria.", default_factory=list)
    exclusion: list[Criterion] = optional("Exclusion criteria.", default_factory=list)


class Dosing(Cited):
    treatment: Slug = describe("Treatment id this regimen belongs to.")
    regimen: Text = describe("Dose, route, frequency and duration, e.g. '2.0 g/kg every 4 weeks over 2-5 days'.")
    period: Slug | None = optional("Period id when the regimen applies to one period only.")


class Design(Model):
    phase: Literal["1", "1/2", "2", "2/3", "3", "4", "not-applicable"] = describe("Trial phase.")
    allocation: Literal["randomized", "non-randomized"] = describe("How participants were allocated.")
    model: Literal["parallel", "crossover", "factorial", "single-group"] = describe(
        "Intervention model. In a crossover trial each participant receives several treatments, so results"
        " counted per treatment exposure are not independent groups."
    )
    control: Literal["placebo", "active", "no-treatment", "dose-comparison", "none"] = describe("Kind of comparator.")
    allocation_ratio: ShortText | None = optional("Allocation ratio, e.g. '1:1'.", pattern=r"^\d+(:\d+)+$")
    masking: Masking | None = optional("Who was masked.")
    sites: CitedCount | None = optional("Number of sites.")
    countries: CitedCount | None = optional("Number of countries.")
    country_names: list[ShortText] = optional("Countries, when a source names them.", default_factory=list)
    start_date: CitedDate | None = optional("First participant enrolled.")
    completion_date: CitedDate | None = optional("Study completion.")
    periods: list[Period] = describe("Periods of the trial in time order.", min_length=1)
    eligibility: Eligibility | None = optional("Who could take part.")
    dosing: list[Dosing] = optional("Regimens per treatment.", default_factory=list)
    description: Text | None = optional("Further design notes (switching rules, stratification).")


class Treatment(Model):
    id: Slug = describe("Treatment id, e.g. 'ivig' or 'placebo'.")
    label: ShortText = describe("Name shown to readers, e.g. 'IVIG (Octagam 10%)'.")
    role: Literal["intervention", "comparator"] = describe("Whether this is the treatment under test or the control.")
    description: Text | None = optional("Product, manufacturer, composition.")


class Arm(Cited):
    id: Slug = describe("Arm id that results refer to.")
    label: ShortText = describe("Name shown to readers, e.g. 'IVIG first'.")
    role: Literal["intervention", "comparator", "other"] = describe(
        "intervention or comparator for the randomized comparison; effects compare these two."
    )
    treatments: list[Slug] = describe(
        "Treatment ids received in each period, in period order (one entry per period).", min_length=1
    )
    randomized: PositiveCount = describe("Number randomized to the arm.")


class Population(Cited):
    """A denominator that is not a randomized arm, e.g. a safety population or all exposures to a treatment."""

    id: Slug = describe("Population id that adverse events or results refer to.")
    label: ShortText = describe("Name shown to readers, e.g. 'IVIG, first period (incl. 5 switchers)'.")
    unit: Literal["participants", "treatment-exposures"] = describe(
        "participants: each person counted once; treatment-exposures: a person may be counted in several"
        " populations (crossover), so populations are not independent groups."
    )
    size: PositiveCount = describe("Denominator: number of participants (or exposures) in the population.")
    treatment: Slug | None = optional("Treatment id received by the population, if one.")
    period: Slug | None = optional("Period id, or null for the whole study.")
    arms: list[Slug] = optional("Arm ids the population is drawn from.", default_factory=list)
    definition: Text | None = optional("Who is included, e.g. '47 randomized to IVIG plus 5 switchers'.")


class FlowCount(Model):
    arm: Slug | None = describe("Arm id, or null for a total over all arms.")
    count: int = describe("Number of participants at this stage.", ge=0)


class FlowStage(Cited):
    stage: Literal[
        "randomized", "allocated", "received", "switched", "entered-extension", "completed", "discontinued"
    ] = describe("Stage of the CONSORT flow.")
    period: Slug | None = optional("Period id the stage belongs to; null for the whole study.")
    counts: list[FlowCount] = describe("Counts per arm (and/or a total with arm null).", min_length=1)
    label: ShortText | None = optional("How the source words the stage, e.g. 'switched to IVIG for deterioration'.")


class BaselineValue(Model):
    arm: Slug | None = describe("Arm id, or null for all randomized participants.")
    n: int | None = optional("Participants the value is based on.", ge=0)
    count: int | None = optional("Participants with the characteristic (categorical).", ge=0)
    percent: float | None = optional("Percentage as reported.", ge=0, le=100)
    mean: float | None = optional("Mean.")
    sd: float | None = optional("Standard deviation.", ge=0)
    median: float | None = optional("Median.")
    min: float | None = optional("Minimum (range).")
    max: float | None = optional("Maximum (range).")


class BaselineCharacteristic(Cited):
    label: ShortText = describe("Characteristic, e.g. 'Age, years' or 'Female'.")
    unit: ShortText | None = optional("Unit of the values, e.g. 'years'.")
    values: list[BaselineValue] = describe("Values per arm or overall.", min_length=1)
