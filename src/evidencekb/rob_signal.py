"""Risk of bias across the trials of a pooled outcome: each result's RoB 2 judgement beside its weight, and
the GRADE risk-of-bias signal that follows from where the weight lies.

A question page shows the judgement beside each trial's forest-plot row and needs a hint for GRADE's first
domain. The rule for the hint is the "across studies" column of the Cochrane Handbook's table for summary
assessments of risk of bias (Higgins JPT, Altman DG, Sterne JAC, Handbook 5.1.0, 2011, Table 8.7.a,
http://handbook-5-1.cochrane.org/chapter_8/8_7_summary_assessments_of_risk_of_bias.htm; with the GRADE
consequences of each row as in its Table 12.2.d, reproduced in https://pmc.ncbi.nlm.nih.gov/articles/PMC5393017/table/Tab1):

- low: "most information is from studies at low risk of bias": no serious limitations, do not downgrade;
- unclear: "most information is from studies at low or unclear risk of bias": potential limitations, which
  either are unlikely to lower confidence (do not downgrade) or are likely to (downgrade one level);
- high: "the proportion of information from studies at high risk of bias is sufficient to affect the
  interpretation of results": serious or very serious limitations (downgrade one or two levels).

Here "information" is the result's share of the pooled weight, "most" is more than half, and RoB 2's "some
concerns" takes the place of the older tool's "unclear". The table's third row is a judgement the weights
cannot make: the signal is high only when more than half the weight comes from results at high risk, and
whenever a smaller share does, the reading says so and leaves the question to the reviewers. Results with
no judgement (no assessment, a missing answer, a crossover trial the tool's variant is needed for) count
as not judged, never as low. The signal is a hint for the panel, not a GRADE rating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evidencekb.models import Trial
from evidencekb.pooling import PooledResult
from evidencekb.rob2 import HIGH, LOW, SOME, ResultJudgement, result_judgement

NOT_JUDGED = "not-judged"
CATEGORIES = (LOW, SOME, HIGH, NOT_JUDGED)
READINGS = {
    LOW: "Most of the weight comes from results at low risk of bias: no serious limitations (do not downgrade).",
    SOME: "Most of the weight comes from results at low risk or with some concerns: potential limitations;"
          " the panel judges whether they lower confidence in the estimate (do not downgrade, or downgrade"
          " one level).",
    HIGH: "Most of the weight comes from results at high risk of bias: serious limitations (downgrade one"
          " level, or two if they are crucial).",
    None: "Too much of the weight comes from results without a risk-of-bias judgement to say where most of"
          " it lies.",
}


@dataclass(frozen=True)
class WeightedJudgement:
    """One study of a pooled outcome: its share of the weight and the RoB 2 judgement of its result."""

    study: str
    weight_percent: float | None
    """Share of the pooled weight; None when the study is listed but left out of the estimate."""
    judgement: ResultJudgement | None
    """None when the trial has no RoB 2 assessment of this result."""

    @property
    def category(self) -> str:
        overall = self.judgement.overall if self.judgement else None
        return overall or NOT_JUDGED

    @property
    def why_not_judged(self) -> str | None:
        if self.judgement is None:
            return "no RoB 2 assessment of this result"
        if self.judgement.overall is not None:
            return None
        return self.judgement.not_assessable or "an answer the algorithm needs is missing"


@dataclass(frozen=True)
class RiskOfBiasSignal:
    rows: tuple[WeightedJudgement, ...]
    shares: Mapping[str, float]
    """Percent of the pooled weight per category: low, some-concerns, high, not-judged."""
    level: str | None
    """low, some-concerns or high by the table's "most information" rows; None when undetermined."""
    reading: str


def weighted_judgements(pooled: PooledResult, results: Mapping[str, tuple[Trial, str]],
                        effect: str = "assignment") -> tuple[WeightedJudgement, ...]:
    """Pair each study of ``pooled`` with the RoB 2 judgement of its result; ``results`` maps a study's name in
    the pooled result to its trial and endpoint id."""
    rows = []
    for study in pooled.studies:
        source = results.get(study.name)
        judgement = result_judgement(source[0], source[1], effect) if source else None
        rows.append(WeightedJudgement(study.name, study.weight_percent, judgement))
    return tuple(rows)


def risk_of_bias_signal(rows: Sequence[WeightedJudgement]) -> RiskOfBiasSignal:
    """Shares of the pooled weight by judgement and the signal they give (rules in the module docstring)."""
    weighted = [r for r in rows if r.weight_percent is not None and r.weight_percent > 0]
    total = sum(r.weight_percent or 0.0 for r in weighted)
    shares = {c: 0.0 for c in CATEGORIES}
    for row in weighted:
        shares[row.category] += 100 * (row.weight_percent or 0.0) / total
    if total <= 0:
        return RiskOfBiasSignal(tuple(rows), shares, None, "No study carries weight in the pooled estimate.")
    level = _level(shares)
    reading = READINGS[level]
    if level != HIGH and shares[HIGH] > 0:
        reading += (f" Results at high risk of bias carry {shares[HIGH]:.0f}% of the weight: the panel judges"
                    " whether that is enough to affect the interpretation (compare the estimate without them).")
    return RiskOfBiasSignal(tuple(rows), shares, level, reading)


def _level(shares: Mapping[str, float]) -> str | None:
    if shares[LOW] > 50:
        return LOW
    if shares[LOW] + shares[SOME] > 50:
        return SOME
    if shares[HIGH] > 50:
        return HIGH
    return None
