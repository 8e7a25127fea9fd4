"""Absolute effects per 1000 participants, as in GRADE Summary of Findings tables.

GRADE derives the intervention risk from a comparator risk and the risk ratio (relative effects are the
more stable across baseline risks): risk with intervention = comparator risk x RR, and likewise for the
RR's confidence limits. A risk cannot exceed 1000 per 1000, so values above are capped and the note says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from evidencekb.effects.base import Estimate


@dataclass(frozen=True)
class AbsolutePer1000:
    """Risk with comparator and with intervention per 1000, and their difference (None if not estimable)."""

    comparator: float
    intervention: float | None
    intervention_ci_low: float | None
    intervention_ci_high: float | None
    difference: float | None
    difference_ci_low: float | None
    difference_ci_high: float | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def absolute_per_1000(comparator_risk: float, risk_ratio: Estimate) -> AbsolutePer1000:
    """Per-1000 effects from a comparator risk (observed or assumed, as a fraction) and a risk ratio."""
    if not 0.0 <= comparator_risk <= 1.0:
        raise ValueError(f"comparator risk must be a fraction between 0 and 1, got {comparator_risk}")
    comparator = comparator_risk * 1000
    if risk_ratio.estimate is None:
        return AbsolutePer1000(comparator, None, None, None, None, None, None, risk_ratio.note)
    raw = [None if r is None else comparator * r for r in (risk_ratio.ci_low, risk_ratio.ci_high)]
    intervention = min(comparator * risk_ratio.estimate, 1000.0)
    low, high = (None if r is None else min(r, 1000.0) for r in raw)
    notes = [risk_ratio.note] if risk_ratio.note else []
    if comparator * risk_ratio.estimate > 1000 or any(r is not None and r > 1000 for r in raw):
        notes.append("risk with intervention capped at 1000 per 1000")
    if comparator == 0:
        notes.append(
            "comparator risk is 0, so every effect derived from the risk ratio is 0; see the risk difference"
        )
    return AbsolutePer1000(
        comparator=comparator,
        intervention=intervention,
        intervention_ci_low=low,
        intervention_ci_high=high,
        difference=intervention - comparator,
        difference_ci_low=None if low is None else low - comparator,
        difference_ci_high=None if high is None else high - comparator,
        note="; ".join(notes) or None,
    )
