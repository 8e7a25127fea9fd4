"""What one study contributes to a pooled analysis: per-arm counts, per-group means, or an estimate with its SE.

The engine takes plain numbers, never records or files. Each study states its design. A crossover trial is
never pooled as if its two periods were parallel groups: it contributes only through data that are valid
for a between-treatment comparison, i.e. first-period (parallel) data or a within-patient estimate with its
standard error (Elbourne et al. 2002, Int J Epidemiol 31:140; Cochrane Handbook section 23.2). A crossover
whose data are not marked so is listed as excluded with that reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from evidencekb.effects.binary import BinaryCounts
from evidencekb.effects.groups import GroupMean

Design = Literal["parallel", "crossover"]
FIRST_PERIOD = "first-period"
WITHIN_PATIENT = "within-patient"
CROSSOVER_BASES = (FIRST_PERIOD, WITHIN_PATIENT)
CROSSOVER_EXCLUDED = (
    "crossover trial without data valid for a between-treatment comparison (needs first-period data or a "
    "within-patient estimate with its SE; Elbourne et al. 2002, Cochrane Handbook 23.2)"
)


@dataclass(frozen=True)
class StudyBase:
    """Fields every study has: its label, optional year (for cumulative analysis) and design."""

    name: str
    year: int | None = None
    design: Design = "parallel"
    crossover_basis: str | None = None
    """For a crossover: ``first-period`` (arm data from period 1 only) or ``within-patient`` (a paired
    estimate); None when the data are not valid for a between-treatment comparison."""

    def __post_init__(self) -> None:
        if self.design not in ("parallel", "crossover"):
            raise ValueError(f"design must be parallel or crossover, got {self.design!r}")
        if self.crossover_basis is not None and self.crossover_basis not in CROSSOVER_BASES:
            raise ValueError(f"crossover basis must be one of {', '.join(CROSSOVER_BASES)}")

    def exclusion(self) -> str | None:
        """Why the design keeps this study out of every pooled estimate, or None."""
        if self.design == "crossover" and self.crossover_basis is None:
            return CROSSOVER_EXCLUDED
        return None


@dataclass(frozen=True)
class BinaryStudy(StudyBase):
    counts: BinaryCounts | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.counts is None:
            raise ValueError("a binary study needs its counts")
        if self.crossover_basis == WITHIN_PATIENT:
            raise ValueError("a within-patient crossover estimate is given as an estimate with its SE")


@dataclass(frozen=True)
class ContinuousStudy(StudyBase):
    group1: GroupMean | None = None
    group2: GroupMean | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.group1 is None or self.group2 is None:
            raise ValueError("a continuous study needs both groups")
        if self.crossover_basis == WITHIN_PATIENT:
            raise ValueError("a within-patient crossover estimate is given as an estimate with its SE")


@dataclass(frozen=True)
class EstimateStudy(StudyBase):
    """An effect already estimated on the analysis scale (log scale for ratios) with its standard error,
    such as a within-patient crossover estimate; inverse-variance methods only."""

    estimate: float = math.nan
    se: float = math.nan

    def __post_init__(self) -> None:
        super().__post_init__()
        if not math.isfinite(self.estimate):
            raise ValueError(f"estimate must be finite, got {self.estimate}")
        if not (math.isfinite(self.se) and self.se > 0):
            raise ValueError(f"SE must be finite and > 0, got {self.se}")
        if self.crossover_basis == FIRST_PERIOD:
            raise ValueError("first-period crossover data are given as per-arm data")


Study = BinaryStudy | ContinuousStudy | EstimateStudy
