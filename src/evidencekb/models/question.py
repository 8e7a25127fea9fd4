"""The evidence question record: one YAML file in ``content/questions/``, pooling outcomes across trials.

A question is what readers arrive with (PICO), the outcomes that answer it, and for each outcome which
endpoint of which trial record is pooled and which trials were considered but not pooled, with the reason.
The numbers pooled are never in this file: they are read from the trial records' raw per-arm data at
build time. What this file holds are the reviewers' choices and judgements (importance, thresholds,
baseline risks with their sources, GRADE ratings with reasons), each of which the build checks or
shows beside what the numbers say.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from evidencekb.models.base import Cited, Model, ShortText, Slug, Text, describe, optional
from evidencekb.models.study import Review, Source

Importance = Literal["critical", "important", "limited"]
Measure = Literal["rr", "or", "rd", "md", "smd"]
BINARY_MEASURES: tuple[str, ...] = ("rr", "or", "rd")
GradeDomain = Literal[
    "risk-of-bias", "inconsistency", "indirectness", "imprecision", "publication-bias",
    "large-effect", "dose-response", "plausible-confounding",
]
UPGRADES: tuple[str, ...] = ("large-effect", "dose-response", "plausible-confounding")
PerThousand = Annotated[float, Field(ge=0, le=1000)]


class Pico(Model):
    population: Text = describe("Who the question is about, e.g. 'adults with dermatomyositis'.")
    intervention: ShortText = describe("The intervention, e.g. 'intravenous immune globulin (IVIG)'.")
    comparator: ShortText = describe("The comparator, e.g. 'placebo'.")
    setting: ShortText | None = optional("Where or when, if the question is limited to a setting.")


class Thresholds(Cited):
    """Sizes of effect on the outcome's own scale (per 1000 for binary outcomes, scale units for continuous
    ones), below which an effect is trivial and from which it is small, moderate or large. For continuous
    outcomes ``small`` is the minimal important difference."""

    small: Annotated[float, Field(gt=0)] = describe("Smallest important effect (the MID for continuous outcomes).")
    moderate: Annotated[float, Field(gt=0)] | None = optional("Smallest moderate effect.")
    large: Annotated[float, Field(gt=0)] | None = optional("Smallest large effect.")
    unit: Literal["per-1000", "scale-units"] = describe(
        "per-1000: absolute difference in events per 1000 people; scale-units: points of the outcome's scale."
    )


class StudyUse(Model):
    """One trial's endpoint (or adverse event) pooled for an outcome."""

    trial: Slug = describe("Id of the trial record.")
    endpoint: Slug | None = optional("Id of the trial's endpoint; give this or adverse_event.")
    adverse_event: Slug | None = optional("Id of the trial's adverse-event row, for a harm outcome.")
    analysis_population: ShortText | None = optional(
        "The result's analysis_population, when the endpoint has results for several populations;"
        " by default the first result with per-group data."
    )
    crossover_data: Literal["first-period", "within-patient"] | None = optional(
        "For a crossover trial, which data are valid for a between-treatment comparison: first-period"
        " (per-arm data from the randomized first period) or within-patient (a paired estimate)."
        " A crossover trial without it cannot be pooled (Elbourne et al. 2002)."
    )
    note: Text | None = optional("Why this endpoint answers the outcome, or any caveat.")


class NotPooled(Model):
    trial: Slug = describe("Id of the trial record considered.")
    endpoint: Slug | None = optional("The endpoint considered, if one.")
    reason: Literal[
        "different-outcome-definition", "crossover-without-first-period-data", "open-label-extension",
        "no-per-arm-data", "different-population", "other",
    ] = describe("Why it is not pooled.")
    explanation: Text = describe("The reason in words, grounded in the trial record.")


class BaselineRisk(Cited):
    """A comparator risk for the absolute effects, besides the pooled control-arm risk (the default)."""

    label: ShortText = describe("Name of the population, e.g. 'moderate risk'.")
    per_1000: PerThousand = describe("Events per 1000 people without the intervention.")


class DomainRating(Model):
    domain: GradeDomain = describe("GRADE domain (the last three are reasons to rate up).")
    change: Annotated[int, Field(ge=-2, le=2)] = describe(
        "Levels moved: 0 not serious, -1 serious, -2 very serious; +1 or +2 for the upgrading domains."
    )
    reason: Text = describe("Why, grounded in the trial records or the question's sources.")
    departs_from_signal: Text | None = optional(
        "Why the rating differs from the signal the build computes for this domain (imprecision,"
        " inconsistency, risk of bias); without it a disagreement is reported as a warning."
    )


class GradeRating(Model):
    starting: Literal["high", "low"] = optional(
        "Starting level: high for randomized trials, low for observational studies.", default="high"
    )
    domains: list[DomainRating] = describe("Each GRADE domain rated, with its reason.", min_length=1)
    raters: list[ShortText] = describe("Who rated the certainty.", min_length=1)


class StatementOverride(Model):
    text: Text = describe("The statement shown instead of the derived one.")
    reason: Text = describe("Why the derived statement does not fit.")


class Analysis(Model):
    """How an outcome is pooled; the defaults are stated on the methods page."""

    measure: Measure = describe("rr (risk ratio), or (odds ratio), rd (risk difference), md or smd.")
    model: Literal["common", "random"] = optional("Common- or random-effects model.", default="random")
    method: Literal["mh", "iv", "peto", "dl", "reml", "pm"] = optional(
        "mh, iv or peto for a common effect; dl, reml or pm (the tau^2 estimator) for random effects.",
        default="reml",
    )
    hksj: bool = optional("Hartung-Knapp-Sidik-Jonkman interval (random effects only).", default=False)
    level: Annotated[float, Field(gt=0, lt=1)] = optional("Confidence level.", default=0.95)


class Outcome(Model):
    id: Slug = describe("Id of the outcome (its anchor on the page).")
    label: ShortText = describe("The outcome as readers name it, e.g. 'Response (TIS >= 20) at 16 weeks'.")
    kind: Literal["benefit", "harm"] = describe("Benefit or harm (both are shown in one table).")
    importance: Importance = describe("GRADE importance: critical, important or limited (of limited importance).")
    better: Literal["higher", "lower"] = describe("Whether more events or a higher value is better for patients.")
    analysis: Analysis = describe("Measure and pooling model.")
    studies: list[StudyUse] = optional("The trial endpoints pooled.", default_factory=list)
    not_pooled: list[NotPooled] = optional("Trials considered and not pooled, each with the reason.",
                                           default_factory=list)
    thresholds: Thresholds | None = optional("Effect sizes that count as small, moderate and large.")
    baseline_risks: list[BaselineRisk] = optional(
        "Named comparator risks for absolute effects (the pooled control-arm risk is always shown).",
        default_factory=list,
    )
    certainty: GradeRating | None = optional("The reviewers' GRADE rating of the certainty of the evidence.")
    statement_override: StatementOverride | None = optional(
        "A statement replacing the derived informative statement, with its reason."
    )


class Question(Model):
    """One evidence question: PICO, outcomes with the trial endpoints that answer them, and the conclusion."""

    schema_version: Literal[1] = describe("Version of the record format; currently 1.")
    id: Slug = describe("Slug of the question; must equal the file name without '.yaml'.")
    status: Literal["draft", "published"] = describe("Drafts are validated but not published on the site.")
    title: Text = describe("The question as a reader asks it.")
    short_name: ShortText = describe("Short name for links and tables, e.g. 'IVIG vs placebo in dermatomyositis'.")
    pico: Pico = describe("Population, intervention, comparator, setting.")
    conditions: list[ShortText] = optional(
        "Conditions the question is about, named as the trial records name them (page tags and search).",
        default_factory=list,
    )
    keywords: list[ShortText] = optional("Other names readers search for.", default_factory=list)
    outcomes: list[Outcome] = describe("The outcomes, benefits and harms.", min_length=1)
    conclusion: Text = describe("The reviewers' conclusion in plain language.")
    review: Review = describe("Review metadata.")
    sources: list[Source] = optional(
        "Sources of thresholds, baseline risks and GRADE reasons (trial numbers cite the trial records).",
        default_factory=list,
    )
