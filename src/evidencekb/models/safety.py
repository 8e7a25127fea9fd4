"""Adverse events, counted per period and per denominator, patients and events separately."""

from __future__ import annotations

from typing import Literal

from evidencekb.models.base import Cited, Percent, ShortText, Slug, describe, optional
from evidencekb.models.outcomes import GroupRef


class AdverseEventGroup(GroupRef):
    patients: int | None = optional("Participants with at least one such event.", ge=0)
    events: int | None = optional("Number of events (a participant may have several).", ge=0)
    percent: Percent | None = optional("Percentage of participants as printed (checked against the counts).")


class AdverseEvent(Cited):
    id: Slug = describe("Id of this adverse-event row.")
    term: ShortText = describe("Event or category, e.g. 'Any treatment-emergent adverse event', 'Headache'.")
    seriousness: Literal["any", "serious", "non-serious"] = optional("Seriousness counted.", default="any")
    relatedness: Literal["any", "related", "not-related"] = optional(
        "Causality counted: any (all causality), related (possibly/probably related), not-related.",
        default="any",
    )
    outcome: Literal["any", "discontinuation", "death"] = optional(
        "When the row counts events that led to discontinuation or death.", default="any"
    )
    special_interest: bool = optional(
        "true for adverse events of special interest (e.g. thromboembolism).", default=False
    )
    period: Slug | None = describe("Period id, or null for the whole study.")
    groups: list[AdverseEventGroup] = describe("Counts per arm or safety population.", min_length=1)
    second_source: Slug | None = optional("Id of a second source that gives the same numbers.")
    second_locator: ShortText | None = optional("Where in second_source.")
