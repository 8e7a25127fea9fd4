"""Absolute effects per 1000 participants, as in GRADE Summary of Findings tables.

GRADE derives the intervention risk from a comparator risk and the risk ratio (relative effects are the
more stable across baseline risks): risk with intervention = comparator risk x RR, and likewise for the
RR's confidence limits. A risk cannot exceed 1000 per 1000, so values above are capped and the note says so.
A pooled odds ratio or risk difference gives the risk with intervention by its own formula
(:func:`absolute_per_1000_from`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
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
    return _with_differences(comparator, intervention, low, high, notes)


def absolute_per_1000_from(measure: str, comparator_risk: float, effect: Estimate) -> AbsolutePer1000:
    """Per-1000 effects from a comparator risk and a pooled risk ratio (``rr``), odds ratio (``or``) or risk
    difference (``rd``), each on its own scale.

    A risk ratio goes through :func:`absolute_per_1000`. For an odds ratio the risk with intervention is
    OR x ACR / (1 - ACR + OR x ACR), ACR the comparator risk (Cochrane Handbook 5.1, section 12.5.4.3);
    for a risk difference it is ACR + RD, kept between 0 and 1000 per 1000 (the note says when), while the
    difference stays the pooled risk difference with its interval.
    """
    if measure == "rr":
        return absolute_per_1000(comparator_risk, effect)
    if measure not in ("or", "rd"):
        raise ValueError(f"absolute effects need a risk ratio, odds ratio or risk difference, not {measure!r}")
    if not 0.0 <= comparator_risk <= 1.0:
        raise ValueError(f"comparator risk must be a fraction between 0 and 1, got {comparator_risk}")
    comparator = comparator_risk * 1000
    if effect.estimate is None:
        return AbsolutePer1000(comparator, None, None, None, None, None, None, effect.note)

    def risk(value: float) -> float:
        if measure == "or":
            return 1000 * value * comparator_risk / (1 - comparator_risk + value * comparator_risk)
        return 1000 * (comparator_risk + value)

    point = risk(effect.estimate)
    bounds = [None if v is None else risk(v) for v in (effect.ci_low, effect.ci_high)]
    notes = [effect.note] if effect.note else []
    if any(r is not None and not 0.0 <= r <= 1000.0 for r in (point, *bounds)):
        notes.append("risk with intervention kept between 0 and 1000 per 1000")
    low, high = (None if r is None else _kept(r) for r in bounds)
    absolute = _with_differences(comparator, _kept(point), low, high, notes)
    if measure == "rd":  # the difference is the pooled risk difference itself, interval as estimated
        return replace(
            absolute,
            difference=1000 * effect.estimate,
            difference_ci_low=None if effect.ci_low is None else 1000 * effect.ci_low,
            difference_ci_high=None if effect.ci_high is None else 1000 * effect.ci_high,
        )
    return absolute


def _kept(per_1000: float) -> float:
    return min(max(per_1000, 0.0), 1000.0)


def _with_differences(
    comparator: float, intervention: float, low: float | None, high: float | None, notes: list[str]
) -> AbsolutePer1000:
    """Risks with comparator and intervention per 1000, and their differences."""
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
