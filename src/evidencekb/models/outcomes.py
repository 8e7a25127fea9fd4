"""Endpoints, their per-group results as raw data, and statistics as the sources reported them.

Raw per-group data (events/total, mean/SD/n) is the source of truth; ``reported`` keeps what a paper
printed so the consistency checks can compare it with the recomputation. Nothing here is computed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from evidencekb.models.base import (
    Cited,
    Interval,
    Model,
    Percent,
    PValue,
    ShortText,
    Slug,
    Text,
    describe,
    optional,
)


class Scale(Model):
    name: ShortText = describe("Name of the measurement scale, e.g. 'CDASI activity'.")
    min: float | None = optional("Lowest possible score.")
    max: float | None = optional("Highest possible score.")
    unit: ShortText | None = optional("Unit, e.g. 'points' or 'days'.")
    integer_valued: bool = optional(
        "true when each participant's score is a whole number (enables the GRIM check of reported means).",
        default=False,
    )


class GradeDomain(Model):
    domain: Literal[
        "risk-of-bias",
        "inconsistency",
        "indirectness",
        "imprecision",
        "publication-bias",
        "large-effect",
        "dose-response",
        "plausible-confounding",
    ] = describe("GRADE domain.")
    direction: Literal["downgrade", "upgrade"] = describe("Whether the domain lowers or raises certainty.")
    levels: Literal[1, 2] = describe("By how many levels.")
    reason: Text = describe("Why.")


class Certainty(Model):
    rating: Literal["high", "moderate", "low", "very-low"] = describe("GRADE certainty of the evidence.")
    domains: list[GradeDomain] = optional("Domains that changed the rating.", default_factory=list)
    assessor: ShortText | None = optional("Who rated it, when rated for this knowledge base.")
    source: Slug | None = optional("Source id, when the rating comes from a publication.")
    locator: ShortText | None = optional("Where in the source.")

    @model_validator(mode="after")
    def _attributed(self) -> Certainty:
        if self.assessor is None and self.source is None:
            raise ValueError("a certainty rating needs its 'source' or a named 'assessor'")
        return self


class Endpoint(Model):
    id: Slug = describe("Endpoint id that results refer to, e.g. 'tis20-w16'.")
    label: ShortText = describe("Full name shown in tables, e.g. 'TIS >= 20 at week 16'.")
    short_label: ShortText | None = optional("Short name for plots, e.g. 'TIS >= 20'.")
    role: Literal["primary", "secondary", "exploratory", "safety"] = describe("Role in the trial's analysis plan.")
    role_verified: bool = optional(
        "false when no reliable source confirms the role (e.g. that this was the primary outcome); the site"
        " says the role is not verified.",
        default=True,
    )
    type: Literal["binary", "continuous", "time-to-event"] = describe("Kind of data the results carry.")
    definition: Text = describe("What is measured, in words a clinician understands.")
    timepoint: ShortText = describe("When it is measured, e.g. 'week 16'.")
    period: Slug | None = describe(
        "Period id the endpoint belongs to, or null when its results are counted over the whole study (e.g."
        " every course of treatment in both periods of a crossover)."
    )
    better: Literal["higher", "lower"] = describe(
        "Whether more events (binary) or a higher value (continuous) is good for the patient: 'higher' for"
        " a response, 'lower' for an adverse event or a disease-activity score. Decides NNTB vs NNTH."
    )
    measure: Literal["proportion", "change-from-baseline", "final-value", "time-to-event"] = describe(
        "What the per-group numbers are."
    )
    scale: Scale | None = optional("Measurement scale of a continuous endpoint.")
    outcome: ShortText | None = optional("Outcome name used to group trials on the outcome index, e.g. 'TIS'.")
    certainty: Certainty | None = optional("GRADE certainty, only with its source or assessor.")
    source: Slug = describe("Source id for the definition.")
    locator: ShortText | None = optional("Where in the source.")


class GroupRef(Model):
    arm: Slug | None = optional("Arm id (a randomized group).")
    population: Slug | None = optional("Population id (e.g. all exposures to a treatment in a crossover).")

    @model_validator(mode="after")
    def _one_group(self) -> GroupRef:
        if (self.arm is None) == (self.population is None):
            raise ValueError("give exactly one of 'arm' or 'population'")
        return self

    @property
    def group_id(self) -> str:
        return self.arm or self.population or ""


class BinaryGroup(GroupRef):
    events: int = describe("Participants with the event.", ge=0)
    total: int = describe("Participants analysed.", ge=1)
    percent: Percent | None = optional("Percentage as the source printed it (checked against the counts).")
    percent_source: Slug | None = optional(
        "Source id of the printed percentage when it is not the result's source (e.g. counts from the"
        " registry, percentages from the abstract)."
    )
    percent_locator: ShortText | None = optional("Where in percent_source.")


class ContinuousGroup(GroupRef):
    n: int | None = optional("Participants analysed (needed to compute a mean difference).", ge=1)
    mean: float = describe("Mean (of the change from baseline, or of the final value).")
    sd: float | None = optional("Standard deviation.", ge=0)
    se: float | None = optional("Standard error of the mean.", ge=0)
    ci: Interval | None = optional("Confidence interval of the mean.")


class TimeToEventGroup(GroupRef):
    n: int | None = optional("Participants analysed.", ge=1)
    median: float | None = describe("Median time; null when not reached.")
    ci: Interval | None = optional("Confidence interval of the median (bounds may be null: not estimable).")
    unit: Literal["days", "weeks", "months", "years"] = describe("Unit of the times.")


class AcceptedMismatch(Model):
    """One mismatch reviewers accepted, pinned to the values they saw (as ``evidencekb check`` prints them)."""

    statistic: Literal["estimate", "ci", "p_value"] = describe("Which printed number of the statistic.")
    reported: ShortText = describe("The printed value accepted, as the check shows it, e.g. '8.6' or '4.4 to 12.8'.")
    recomputed: ShortText = describe(
        "The recomputation accepted, with its method, exactly as the check shows it, e.g."
        " '11.170 (difference of the group means)'."
    )


class Acknowledgement(Model):
    """Why a printed statistic may differ from its recomputation, and the values that reason covers.

    Pinning the values keeps an acknowledgement from silencing later edits: when the printed number, the
    data it is recomputed from or the method changes, the mismatch is reported again.
    """

    reason: Text = describe("What the sources say about the difference; only what a source says, no guesses.")
    accepted: list[AcceptedMismatch] = describe("The mismatches accepted, one per printed number.", min_length=1)


class ReportedStatistic(Cited):
    """A between-group statistic exactly as a source printed it."""

    measure: Literal[
        "risk-difference",
        "risk-ratio",
        "odds-ratio",
        "mean-difference",
        "standardized-mean-difference",
        "hazard-ratio",
        "p-value-only",
    ] = describe("What was estimated; 'p-value-only' when the source gives just a test result.")
    scale: Literal["fraction", "percentage-points", "ratio", "units"] = optional(
        "Scale of estimate and CI: fraction (0.35), percentage-points (35), ratio, units of the endpoint.",
        default="units",
    )
    estimate: float | None = optional("Point estimate as printed.")
    ci: Interval | None = optional("Confidence interval as printed.")
    p_value: PValue | None = optional("p-value as printed: a number, or a bound such as '<0.001'.")
    method: ShortText | None = optional("Analysis method as stated by the source, e.g. 'ANCOVA'.")
    adjusted: bool = optional("true when the estimate is adjusted (ANCOVA, stratified test).", default=False)
    acknowledged: Acknowledgement | None = optional(
        "Reviewers' acceptance of a known mismatch with the recomputation: the reason a source gives, and"
        " the exact values accepted. The mismatch stays visible; it is no longer a warning while the"
        " printed and recomputed values are the ones accepted."
    )


class Result(Cited):
    endpoint: Slug = describe("Endpoint id.")
    analysis_population: ShortText | None = optional("Who was analysed, e.g. 'full analysis set'.")
    binary: list[BinaryGroup] | None = optional("Per-group counts, for a binary endpoint.")
    continuous: list[ContinuousGroup] | None = optional("Per-group means, for a continuous endpoint.")
    time_to_event: list[TimeToEventGroup] | None = optional("Per-group medians, for a time-to-event endpoint.")
    reported: list[ReportedStatistic] = optional(
        "Between-group statistics as the sources printed them.", default_factory=list
    )

    @model_validator(mode="after")
    def _one_kind_of_data(self) -> Result:
        given = [k for k in ("binary", "continuous", "time_to_event") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of 'binary', 'continuous', 'time_to_event' (found {', '.join(given)})")
        return self

    @property
    def groups(self) -> list[GroupRef]:
        return list(self.binary or self.continuous or self.time_to_event or [])
