"""Per-group summaries of a continuous endpoint, with the SD recovered from an SE or a CI when needed.

Sources print an SD, an SE or a confidence interval of each group's mean (change-from-baseline results
often come as a mean with its 95% CI). Conversions follow the Cochrane Handbook, section 6.5.2.2:
SD = sqrt(n) x SE, and from a CI of a mean SD = sqrt(n) x (upper - lower) / (2 x q), where q is the
t quantile with n - 1 df when n < 60 and the normal quantile otherwise (1.96 for 95%, i.e. 3.92 = 2 x
1.96). The group records how its SD was obtained, so pages can say so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from numbers import Integral
from typing import Any

from evidencekb.effects.base import check_level, normal_quantile, t_quantile

SMALL_SAMPLE = 60  # Handbook 6.5.2.2: "say less than 60 participants" -> use the t distribution


@dataclass(frozen=True)
class GroupMean:
    """Mean, SD and size of one group; ``sd_source`` says where the SD came from."""

    mean: float
    sd: float
    n: int
    sd_source: str = "reported SD"

    def __post_init__(self) -> None:
        if not isinstance(self.n, Integral) or isinstance(self.n, bool) or self.n < 1:
            raise ValueError(f"n must be a positive integer, got {self.n!r}")
        if not math.isfinite(self.mean):
            raise ValueError(f"mean must be finite, got {self.mean}")
        if not (math.isfinite(self.sd) and self.sd >= 0):
            raise ValueError(f"SD must be finite and >= 0, got {self.sd}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def group_from_se(mean: float, se: float, n: int) -> GroupMean:
    """Group whose SD is derived from the standard error of its mean: SD = sqrt(n) x SE."""
    if not (math.isfinite(se) and se >= 0):
        raise ValueError(f"SE must be finite and >= 0, got {se}")
    return GroupMean(mean, math.sqrt(n) * se, n, "SD = sqrt(n) x SE (Cochrane Handbook 6.5.2.2)")


def group_from_ci(mean: float, low: float, high: float, n: int, level: float = 0.95) -> GroupMean:
    """Group whose SD is derived from a confidence interval of its mean (Cochrane Handbook 6.5.2.2)."""
    level = check_level(level)
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"CI bounds must be finite with low <= high, got {low} to {high}")
    if n < 2:
        raise ValueError("an SD cannot be derived from a CI with n < 2 (the t quantile needs n - 1 >= 1 df)")
    tail = 1 - (1 - level) / 2
    if n < SMALL_SAMPLE:
        quantile = t_quantile(tail, n - 1)
        how = f"t quantile with {n - 1} df, n < {SMALL_SAMPLE}"
    else:
        quantile = normal_quantile(tail)
        how = f"normal quantile, n >= {SMALL_SAMPLE}"
    sd = math.sqrt(n) * (high - low) / (2 * quantile)
    return GroupMean(
        mean, sd, n, f"SD = sqrt(n) x CI width / {2 * quantile:.4f} ({how}; Cochrane Handbook 6.5.2.2)"
    )
