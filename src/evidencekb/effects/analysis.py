"""Every effect measure of one binary comparison at once: what the calculator and the site show.

Keeping the bundle here (rather than in the command) lets trial pages, the JSON output and the consistency
checks use one recomputation with the same defaults: RD Newcombe, RR log (Katz), OR logit (Woolf), 95%.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidencekb.effects.absolute import AbsolutePer1000, absolute_per_1000
from evidencekb.effects.base import Estimate, PValue
from evidencekb.effects.binary import (
    BinaryCounts,
    chi_square_p,
    fisher_exact_p,
    odds_ratio,
    risk_difference,
    risk_ratio,
)
from evidencekb.effects.nnt import NNT, Event, number_needed_to_treat


@dataclass(frozen=True)
class BinaryAnalysis:
    counts: BinaryCounts
    risk_difference: Estimate
    risk_ratio: Estimate
    odds_ratio: Estimate
    nnt: NNT
    absolute_per_1000: AbsolutePer1000
    fisher_exact: PValue
    chi_square: PValue

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; proportions are fractions, not percentages."""
        c = self.counts
        return {
            "intervention": {"events": c.events1, "total": c.total1, "risk": c.risk1},
            "comparator": {"events": c.events2, "total": c.total2, "risk": c.risk2},
            "risk_difference": self.risk_difference.to_dict(),
            "risk_ratio": self.risk_ratio.to_dict(),
            "odds_ratio": self.odds_ratio.to_dict(),
            "nnt": self.nnt.to_dict(),
            "absolute_per_1000": self.absolute_per_1000.to_dict(),
            "p_values": {
                "fisher_exact": self.fisher_exact.to_dict(),
                "chi_square": self.chi_square.to_dict(),
            },
        }


BINARY_METHODS = {"risk_difference": "newcomb", "risk_ratio": "log", "odds_ratio": "logit"}
"""The interval methods of ``analyse_binary`` unless told otherwise (named in the computed namespace)."""


def analyse_binary(
    counts: BinaryCounts,
    level: float = 0.95,
    rd_method: str = BINARY_METHODS["risk_difference"],
    rr_method: str = BINARY_METHODS["risk_ratio"],
    or_method: str = BINARY_METHODS["odds_ratio"],
    event: Event = "good",
) -> BinaryAnalysis:
    """RD, RR, OR, NNT, GRADE absolute effects and p-values for arm 1 (intervention) vs arm 2 (comparator)."""
    rd = risk_difference(counts, rd_method, level)
    rr = risk_ratio(counts, rr_method, level)
    return BinaryAnalysis(
        counts=counts,
        risk_difference=rd,
        risk_ratio=rr,
        odds_ratio=odds_ratio(counts, or_method, level),
        nnt=number_needed_to_treat(counts.risk1 - counts.risk2, rd.ci_low, rd.ci_high, event),
        absolute_per_1000=absolute_per_1000(counts.risk2, rr),
        fisher_exact=fisher_exact_p(counts),
        chi_square=chi_square_p(counts),
    )
