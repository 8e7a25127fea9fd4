"""GRADE for a pooled outcome: the signals the numbers give, the certainty level, the informative statement.

Signals are what the build can read from the pooled result, computed beside the reviewers' rating so
that a rating the numbers contradict is noticed (a positioned warning unless the rating says why):

* imprecision (GRADE guidance 6, Guyatt et al., J Clin Epidemiol 2011;64:1283): the confidence interval
  includes no effect or crosses the smallest important effect, or the participants fall short of the
  optimal information size: a single trial's sample size for 80% power at two-sided alpha 0.05, to detect
  a 25% relative risk reduction from the pooled comparator risk (binary) or the minimal important
  difference with the pooled SD (continuous); sample sizes from statsmodels' power classes;
* inconsistency (guidance 7, Guyatt et al. 2011;64:1294): with two or more trials, I^2 above 50% (the
  Cochrane Handbook's "substantial", 10.10.2) or a prediction interval that includes no effect while the
  confidence interval does not; not assessable with one trial;
* risk of bias (guidance 4, Guyatt et al. 2011;64:407): where the pooled weight lies by RoB 2 judgement,
  read by ``evidencekb.rob_signal`` (the Cochrane Handbook's across-studies rules).

The signal says whether to rate down, not by how much: the number of levels stays the reviewers'.
Informative statements follow Santesso et al., J Clin Epidemiol 2020;119:126 (Table 2): the certainty
chooses the verb's hedge (high: "reduces", moderate: "probably reduces", low: "may reduce", very low:
"the evidence is very uncertain"), the size relative to the outcome's thresholds the adverb.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from evidencekb.models.question import UPGRADES, GradeRating, Outcome
from evidencekb.pooling import PooledResult
from evidencekb.rob2 import ResultJudgement

LEVELS = ("very low", "low", "moderate", "high")
SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very low": "⊕◯◯◯"}
OIS_RELATIVE_REDUCTION = 0.25
OIS_ALPHA, OIS_POWER = 0.05, 0.8
HIGH_I2 = 50.0
SIGNAL_DOMAINS = ("imprecision", "inconsistency", "risk-of-bias")


@dataclass(frozen=True)
class Signal:
    domain: str
    serious: bool | None
    """True: the numbers call for rating down; False: they do not; None: not assessable."""
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def certainty_level(certainty: GradeRating) -> str:
    """Starting level plus the domains' changes, kept between very low and high."""
    start = LEVELS.index(certainty.starting)
    down = sum(d.change for d in certainty.domains if d.domain not in UPGRADES and d.change < 0)
    up = sum(d.change for d in certainty.domains if d.domain in UPGRADES and d.change > 0)
    return LEVELS[max(0, min(len(LEVELS) - 1, start + down + up))]


def optimal_information_size(outcome: Outcome, comparator_risk: float | None, pooled_sd: float | None) -> int | None:
    """Total participants (both arms) a single adequately powered trial would need; None when not computable."""
    from statsmodels.stats.power import NormalIndPower, TTestIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    if outcome.analysis.measure in ("rr", "or", "rd"):
        if not comparator_risk or comparator_risk >= 1:
            return None
        treated = comparator_risk * (1 - OIS_RELATIVE_REDUCTION)
        if outcome.better == "higher":  # a 25% relative increase of a good event, capped below certainty
            treated = min(comparator_risk * (1 + OIS_RELATIVE_REDUCTION), 0.999)
        effect = abs(proportion_effectsize(treated, comparator_risk))
        per_arm = NormalIndPower().solve_power(effect_size=effect, alpha=OIS_ALPHA, power=OIS_POWER)
    else:
        if outcome.thresholds is None or not pooled_sd:
            return None
        size = outcome.thresholds.small / (1.0 if outcome.analysis.measure == "smd" else pooled_sd)
        per_arm = TTestIndPower().solve_power(effect_size=size, alpha=OIS_ALPHA, power=OIS_POWER)
    return 2 * math.ceil(float(per_arm))


def imprecision(pooled: PooledResult, absolute_ci: tuple[float, float] | None, outcome: Outcome,
                participants: int, ois: int | None) -> Signal:
    if pooled.ci is None:
        return Signal("imprecision", None, ("no pooled interval",))
    reasons = []
    low, high = pooled.ci
    if low <= 0 <= high:
        reasons.append(f"the {round(pooled.level * 100)}% CI includes no effect")
    if outcome.thresholds is not None and absolute_ci is not None:
        small = outcome.thresholds.small
        a, b = absolute_ci
        if (a < small < b) or (a < -small < b):
            reasons.append(f"the CI of the absolute effect crosses the smallest important effect ({small:g})")
    if ois is not None and participants < ois:
        reasons.append(f"{participants} participants, fewer than the optimal information size of {ois}")
    if len(pooled.used) == 1 and ois is not None and participants < ois:
        reasons.append("a single small trial")
    return Signal("imprecision", bool(reasons), tuple(reasons))


def inconsistency(pooled: PooledResult) -> Signal:
    if len(pooled.used) < 2:
        return Signal("inconsistency", None, ("one trial: inconsistency cannot be assessed",))
    reasons = []
    i2 = pooled.heterogeneity.i2
    if i2 is not None and i2 > HIGH_I2:
        reasons.append(f"I^2 = {i2:.0f}% (above {HIGH_I2:.0f}%)")
    ci, prediction = pooled.ci, pooled.prediction
    if ci and prediction and not ci[0] <= 0 <= ci[1] and prediction[0] <= 0 <= prediction[1]:
        reasons.append("the prediction interval includes no effect while the CI does not")
    return Signal("inconsistency", bool(reasons), tuple(reasons) or (f"I^2 = {i2:.0f}%" if i2 is not None else "",))


def risk_of_bias(pooled: PooledResult, judgements: dict[str, ResultJudgement | None]) -> Signal:
    """``evidencekb.rob_signal``'s reading of where the pooled weight lies, as a signal: rate down when most
    of the weight is at high risk, not when most is at low risk; with most at low risk or some concerns the
    Handbook leaves it to the panel, so no rating disagrees with it."""
    from evidencekb.rob_signal import HIGH, LOW, WeightedJudgement, risk_of_bias_signal

    rows = [WeightedJudgement(s.name, s.weight_percent, judgements.get(s.name)) for s in pooled.studies]
    found = risk_of_bias_signal(rows)
    serious = True if found.level == HIGH else (False if found.level == LOW else None)
    return Signal("risk-of-bias", serious, (found.reading,))


def size_word(outcome: Outcome, absolute: float | None) -> str | None:
    """trivial, small, moderate or large by the outcome's thresholds; None without thresholds."""
    t = outcome.thresholds
    if t is None or absolute is None:
        return None
    size = abs(absolute)
    if size < t.small:
        return "trivial"
    if t.moderate is None or size < t.moderate:
        return "small" if t.moderate is not None else "moderate"
    if t.large is None or size < t.large:
        return "moderate"
    return "large"


def informative_statement(level: str | None, size: str | None, increases: bool, intervention: str,
                          outcome_label: str) -> str:
    """Santesso et al. 2020 wording; without thresholds, the size adverb is left out."""
    first_word = outcome_label.split(" ", 1)[0]
    acronym = len(first_word) > 1 and first_word.isupper()
    outcome_text = outcome_label if acronym else outcome_label[0].lower() + outcome_label[1:]
    if level is None:
        return "Certainty not rated."
    if level == "very low":
        return f"The evidence is very uncertain about the effect of {intervention} on {outcome_text}."
    hedge = {"high": "", "moderate": "probably ", "low": "may "}[level]
    third_person = level != "low"  # "reduces", "probably reduces", but "may reduce"
    direction = "increase" if increases else "reduce"
    if size == "trivial":
        verb = "results" if third_person else "result"
        return f"{intervention} {hedge}{verb} in little to no difference in {outcome_text}."
    if size == "large":
        verb = "results" if third_person else "result"
        return f"{intervention} {hedge}{verb} in a large {'increase' if increases else 'reduction'} in {outcome_text}."
    verb = f"{direction}s" if third_person else direction
    adverb = " slightly" if size == "small" else ""
    return f"{intervention} {hedge}{verb} {outcome_text}{adverb}."
