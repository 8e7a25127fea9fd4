"""The computed namespace of a question: per outcome the pooled result, absolute effects and GRADE signals.

Every number here is derived at build time: the studies come from the trial records' raw per-arm data
(``links``), pooling is ``evidencekb.pooling`` (never re-implemented here), absolute effects per 1000
apply the pooled relative effect to each comparator risk (GRADE's method: the pooled control-arm risk,
then the question's named baseline risks), and the signals and statements are ``grade``'s.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from evidencekb.effects.absolute import absolute_per_1000_from
from evidencekb.effects.base import Estimate
from evidencekb.models.question import BINARY_MEASURES, Outcome, Question
from evidencekb.pooling import (
    BinaryStudy,
    ContinuousStudy,
    PooledResult,
    PoolOptions,
    SensitivityStep,
    cumulative,
    leave_one_out,
    pool,
)
from evidencekb.questions import grade
from evidencekb.questions.links import UsedStudy


@dataclass(frozen=True)
class Absolute:
    """Risk with the comparator and the difference with the intervention, per 1000, with its interval."""

    label: str
    comparator: float
    difference: float | None
    ci: tuple[float, float] | None
    source: str | None = None
    note: str | None = None  # e.g. the risk with the intervention kept between 0 and 1000 per 1000
    intervention_ci: tuple[float, float] | None = None  # the risk with the intervention, per 1000


@dataclass(frozen=True)
class OutcomeResult:
    outcome: str
    studies: tuple[UsedStudy, ...]
    pooled: PooledResult | None
    participants: int
    absolute: tuple[Absolute, ...] = ()
    options: PoolOptions | None = None
    signals: tuple[grade.Signal, ...] = ()
    ois: int | None = None
    certainty: str | None = None
    size: str | None = None
    statement: str = ""
    derived_statement: str = ""

    @functools.cached_property
    def leave_one_out(self) -> tuple[SensitivityStep, ...]:
        """Without each trial in turn (two or more trials); computed when a page or an export asks for it,
        not by ``validate``."""
        if self.options is None or self.pooled is None or len(self.pooled.used) < 2:
            return ()
        return leave_one_out([s.study for s in self.studies], self.options, self.pooled)

    @functools.cached_property
    def cumulative(self) -> tuple[SensitivityStep, ...]:
        """Trials added by year (two or more trials, each with a year)."""
        studies = [s.study for s in self.studies]
        if self.options is None or self.pooled is None or len(self.pooled.used) < 2 or not all(s.year for s in studies):
            return ()
        return cumulative(studies, self.options, self.pooled)

    def signal(self, domain: str) -> grade.Signal | None:
        return next((s for s in self.signals if s.domain == domain), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "studies": [s.to_dict() for s in self.studies],
            "participants": self.participants,
            "pooled": self.pooled.to_dict() if self.pooled else None,
            "absolute_per_1000": [
                {"label": a.label, "comparator": a.comparator, "difference": a.difference,
                 "ci": list(a.ci) if a.ci else None, "source": a.source, "note": a.note} for a in self.absolute
            ],
            "leave_one_out": [{"left_out": s.study, "natural_scale": s.result.natural()} for s in self.leave_one_out],
            "cumulative": [{"added": s.study, "natural_scale": s.result.natural()} for s in self.cumulative],
            "signals": [s.to_dict() for s in self.signals],
            "optimal_information_size": self.ois,
            "certainty": self.certainty,
            "size": self.size,
            "statement": self.statement,
            "derived_statement": self.derived_statement,
        }


@dataclass(frozen=True)
class ComputedQuestion:
    question: str
    outcomes: tuple[OutcomeResult, ...]
    trials: tuple[str, ...] = field(default=())
    """Ids of the trial records the pooled results read (for diffs and links from trial pages)."""

    def for_outcome(self, outcome_id: str) -> OutcomeResult | None:
        return next((o for o in self.outcomes if o.outcome == outcome_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "trials": list(self.trials),
                "outcomes": [o.to_dict() for o in self.outcomes]}


def options_of(outcome: Outcome) -> PoolOptions:
    a = outcome.analysis
    return PoolOptions(measure=a.measure, model=a.model, method=a.method, hksj=a.hksj, level=a.level)


def compute_question(question: Question, studies: list[list[UsedStudy]]) -> ComputedQuestion:
    """The pooled results of every outcome from its linked studies (``links.link_outcome``, without errors)."""
    results = [compute_outcome(outcome, used, question.pico.intervention)
               for outcome, used in zip(question.outcomes, studies, strict=True)]
    ids = sorted({s.trial for r in results for s in r.studies})
    return ComputedQuestion(question.id, tuple(results), tuple(ids))


def compute_outcome(outcome: Outcome, used: list[UsedStudy], intervention: str) -> OutcomeResult:
    if not used:
        return OutcomeResult(outcome.id, (), None, 0, statement=_override_or(outcome, "No trial could be pooled."))
    studies = [u.study for u in used]
    options = options_of(outcome)
    pooled = pool(studies, options)
    participants = sum(_participants(s) for s in studies)
    comparator = _comparator_risk(studies)
    absolute = _absolute(outcome, pooled, comparator)
    sd = _pooled_sd(studies)
    ois = grade.optimal_information_size(outcome, comparator, sd)
    main_absolute = _main_absolute(outcome, pooled, absolute)
    signals = (
        grade.imprecision(pooled, main_absolute[1], outcome, participants, ois),
        grade.inconsistency(pooled),
        grade.risk_of_bias(pooled, {u.short_name: u.judgement for u in used}),
    )
    level = grade.certainty_level(outcome.certainty) if outcome.certainty else None
    size = grade.size_word(outcome, main_absolute[0])
    increases = pooled.estimate is not None and pooled.estimate > 0
    derived = grade.informative_statement(level, size, increases, intervention, outcome.label)
    return OutcomeResult(outcome.id, tuple(used), pooled, participants, absolute, options, signals, ois, level,
                         size, _override_or(outcome, derived), derived)


def _override_or(outcome: Outcome, derived: str) -> str:
    return outcome.statement_override.text if outcome.statement_override else derived


def _participants(study: object) -> int:
    if isinstance(study, BinaryStudy) and study.counts is not None:
        return study.counts.total1 + study.counts.total2
    if isinstance(study, ContinuousStudy) and study.group1 and study.group2:
        return study.group1.n + study.group2.n
    return 0


def _comparator_risk(studies: list[Any]) -> float | None:
    """The pooled control-arm risk: comparator events over comparator participants of all pooled trials."""
    tables = [s.counts for s in studies if isinstance(s, BinaryStudy) and s.counts is not None]
    total = sum(t.total2 for t in tables)
    return sum(t.events2 for t in tables) / total if total else None


def _pooled_sd(studies: list[Any]) -> float | None:
    """The comparator groups' pooled SD, the scale on which a minimal important difference is a size."""
    groups = [s.group2 for s in studies if isinstance(s, ContinuousStudy) and s.group2 is not None]
    df = sum(g.n - 1 for g in groups)
    return math.sqrt(sum((g.n - 1) * g.sd**2 for g in groups) / df) if df > 0 else None


def _absolute(outcome: Outcome, pooled: PooledResult, comparator: float | None) -> tuple[Absolute, ...]:
    if outcome.analysis.measure not in BINARY_MEASURES or comparator is None or pooled.estimate is None:
        return ()
    risks: list[tuple[str, float, str | None]] = [("pooled comparator risk", comparator * 1000, None)]
    risks += [(b.label, b.per_1000, b.source) for b in outcome.baseline_risks]
    return tuple(_per_1000(outcome.analysis.measure, pooled, label, risk, source) for label, risk, source in risks)


def _per_1000(measure: str, pooled: PooledResult, label: str, per_1000: float, source: str | None) -> Absolute:
    """GRADE's absolute effect at one comparator risk, by the function the FHIR export uses too."""
    natural = pooled.natural()
    low, high = natural["ci"] or (None, None)
    effect = Estimate(natural["estimate"], low, high, pooled.method, pooled.level)
    a = absolute_per_1000_from(measure, per_1000 / 1000, effect)
    ci = None if a.difference_ci_low is None or a.difference_ci_high is None else (
        a.difference_ci_low, a.difference_ci_high)
    intervention = None if a.intervention_ci_low is None or a.intervention_ci_high is None else (
        a.intervention_ci_low, a.intervention_ci_high)
    return Absolute(label, per_1000, a.difference, ci, source, a.note, intervention)


def _main_absolute(outcome: Outcome, pooled: PooledResult,
                   absolute: tuple[Absolute, ...]) -> tuple[float | None, tuple[float, float] | None]:
    """The effect that thresholds size: per 1000 at the pooled comparator risk, or the (standardized) mean
    difference itself."""
    if absolute:
        return absolute[0].difference, absolute[0].ci
    if outcome.analysis.measure in BINARY_MEASURES:
        return None, None
    return pooled.estimate, pooled.ci
