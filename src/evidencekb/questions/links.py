"""The question's cross-record stage: each pooled endpoint looked up in its checked trial record.

A question names trial endpoints; this module finds them in the trial records (already through the
pipeline), checks that they can answer the outcome (the endpoint exists, its type fits the measure, a
crossover offers data valid for a between-treatment comparison) and turns each into a study of
``evidencekb.pooling`` from the trial's computed namespace, i.e. from its raw per-arm data. Problems are
findings at the question's data paths, so they are positioned in the question file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from evidencekb.checks.base import Finding
from evidencekb.computed import Comparison, ComputedTrial, HarmComparison, compare_adverse_event, compare_result
from evidencekb.models import Trial
from evidencekb.models.question import BINARY_MEASURES, Outcome, Question, StudyUse
from evidencekb.pooling import FIRST_PERIOD, BinaryStudy, ContinuousStudy, Study
from evidencekb.rob2 import ResultJudgement

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\s*;")


@dataclass(frozen=True)
class LinkedTrial:
    """A checked trial record: what the question stage reads of it."""

    path: str
    trial: Trial
    computed: ComputedTrial | None
    """The trial's computed namespace when the pipeline built it; else only the comparisons a question
    pools are computed, once for all questions (the whole audit of a trial costs far more)."""
    _cache: dict[tuple[str, int | str], Comparison | HarmComparison | None] = field(default_factory=dict)

    def comparison(self, index: int) -> Comparison | None:
        if self.computed:
            return self.computed.for_result(index)
        key = ("result", index)
        if key not in self._cache:
            self._cache[key] = compare_result(self.trial, index)
        found = self._cache[key]
        return found if isinstance(found, Comparison) else None

    def harm(self, event_id: str) -> HarmComparison | None:
        if self.computed:
            return self.computed.for_adverse_event(event_id)
        key = ("harm", event_id)
        if key not in self._cache:
            event = next((e for e in self.trial.adverse_events if e.id == event_id), None)
            self._cache[key] = compare_adverse_event(self.trial, event) if event else None
        found = self._cache[key]
        return found if isinstance(found, HarmComparison) else None


@dataclass(frozen=True)
class UsedStudy:
    """One trial endpoint as pooled: where it came from, and the study handed to the pooling engine."""

    trial: str
    short_name: str
    path: str
    item: str
    """The endpoint (or adverse-event) id."""
    label: str
    study: Study
    judgement: ResultJudgement | None
    """The RoB 2 judgement of the trial's result for this endpoint, when the trial assesses it."""
    note: str | None = None
    """The question's remark on this use of the trial (shown as a footnote of the outcome's row)."""

    @property
    def rob(self) -> str | None:
        """The RoB 2 overall judgement (None: not assessed, or not assessable)."""
        return self.judgement.overall if self.judgement else None

    def to_dict(self) -> dict[str, Any]:
        return {"trial": self.trial, "item": self.item, "label": self.label, "risk_of_bias": self.rob,
                "design": self.study.design, "crossover_basis": self.study.crossover_basis,
                "year": self.study.year}


def publication_year(trial: Trial) -> int | None:
    """The year in the primary source's citation ('N Engl J Med 2022;387:...'), for cumulative analyses."""
    source = next((s for s in trial.sources if s.id == trial.primary_source), None)
    match = _YEAR.search(source.citation) if source else None
    return int(match.group(1)) if match else None


def link_outcome(question: Question, index: int, trials: Mapping[str, LinkedTrial]
                 ) -> tuple[list[UsedStudy], list[Finding]]:
    """The studies of the outcome at ``index``, and the findings that keep any of them out."""
    outcome = question.outcomes[index]
    used, findings = [], []
    for j, use in enumerate(outcome.studies):
        loc = ("outcomes", index, "studies", j)
        problems = list(_problems(outcome, use, loc, trials))
        linked = trials.get(use.trial)
        if question.status == "published" and linked is not None and linked.trial.status == "draft":
            problems.append(Finding((*loc, "trial"), "question-draft-trial",
                                    f"'{use.trial}' is a draft: a published question pools published trials only"))
        if problems:
            findings.extend(problems)
            continue
        study = _study(outcome, use, trials[use.trial], loc)
        if isinstance(study, Finding):
            findings.append(study)
        else:
            used.append(study)
    return used, findings


def _problems(outcome: Outcome, use: StudyUse, loc: tuple[Any, ...],
              trials: Mapping[str, LinkedTrial]) -> Iterator[Finding]:
    linked = trials.get(use.trial)
    if linked is None:
        yield Finding((*loc, "trial"), "question-unknown-trial",
                      f"no valid trial record with id '{use.trial}' (content/trials/{use.trial}.yaml)")
        return
    trial, binary = linked.trial, outcome.analysis.measure in BINARY_MEASURES
    if (use.endpoint is None) == (use.adverse_event is None):
        yield Finding(loc, "question-study-item", "give either endpoint or adverse_event, not both or neither")
        return
    if use.adverse_event is not None:
        if use.adverse_event not in {e.id for e in trial.adverse_events}:
            yield Finding((*loc, "adverse_event"), "question-unknown-endpoint",
                          f"trial '{trial.id}' has no adverse event '{use.adverse_event}'")
        elif not binary:
            yield Finding((*loc, "adverse_event"), "question-measure-mismatch",
                          f"adverse events are counts; measure '{outcome.analysis.measure}' needs a continuous"
                          " endpoint")
        return
    endpoint = next((e for e in trial.endpoints if e.id == use.endpoint), None)
    if endpoint is None:
        yield Finding((*loc, "endpoint"), "question-unknown-endpoint",
                      f"trial '{trial.id}' has no endpoint '{use.endpoint}'")
        return
    if endpoint.type != ("binary" if binary else "continuous"):
        yield Finding((*loc, "endpoint"), "question-measure-mismatch",
                      f"endpoint '{endpoint.id}' is {endpoint.type}; measure '{outcome.analysis.measure}' needs a"
                      f" {'binary' if binary else 'continuous'} endpoint")
    yield from _crossover_problems(use, trial, endpoint.period, loc)


def _crossover_problems(use: StudyUse, trial: Trial, period: str | None, loc: tuple[Any, ...]) -> Iterator[Finding]:
    if trial.design.model != "crossover":
        return
    first = trial.design.periods[0].id if trial.design.periods else None
    if use.crossover_data is None:
        yield Finding(loc, "question-crossover-data",
                      f"'{trial.id}' is a crossover trial: set crossover_data (first-period) for data valid for a"
                      " between-treatment comparison, or list the trial under not_pooled with the reason")
    elif use.crossover_data == "within-patient":
        yield Finding((*loc, "crossover_data"), "question-crossover-data",
                      "within-patient estimates are not read from trial records; pool first-period data or list"
                      " the trial under not_pooled")
    elif period is None or period != first:
        yield Finding((*loc, "crossover_data"), "question-crossover-data",
                      f"endpoint '{use.endpoint}' is not measured in the first period ('{first}') of '{trial.id}'")


def _study(outcome: Outcome, use: StudyUse, linked: LinkedTrial, loc: tuple[Any, ...]) -> UsedStudy | Finding:
    trial = linked.trial
    common: dict[str, Any] = {"name": trial.short_name, "year": publication_year(trial), "design": trial.design.model,
              "crossover_basis": FIRST_PERIOD if trial.design.model == "crossover" else None}
    if use.adverse_event is not None:
        harm = linked.harm(use.adverse_event)
        if harm is None:
            return Finding((*loc, "adverse_event"), "question-no-data",
                           f"adverse event '{use.adverse_event}' of '{trial.id}' has no counts on both sides")
        label = next(e.term for e in trial.adverse_events if e.id == use.adverse_event)
        return UsedStudy(trial.id, trial.short_name, linked.path, use.adverse_event, label,
                         BinaryStudy(counts=harm.binary.counts, **common), None, use.note)
    binary = outcome.analysis.measure in BINARY_MEASURES
    for index, result in enumerate(trial.results):
        if result.endpoint != use.endpoint:
            continue
        if use.analysis_population and result.analysis_population != use.analysis_population:
            continue
        comparison = linked.comparison(index)
        if comparison is None:
            continue
        study: Study | None = None
        if binary and comparison.binary is not None:
            study = BinaryStudy(counts=comparison.binary.counts, **common)
        elif not binary and comparison.continuous is not None:
            c = comparison.continuous
            study = ContinuousStudy(group1=c.intervention, group2=c.comparator, **common)
        if study is not None:
            from evidencekb.rob2 import result_judgement

            label = next(e.label for e in trial.endpoints if e.id == use.endpoint)
            return UsedStudy(trial.id, trial.short_name, linked.path, result.endpoint, label, study,
                             result_judgement(trial, result.endpoint), use.note)
    where = f" for '{use.analysis_population}'" if use.analysis_population else ""
    return Finding((*loc, "endpoint"), "question-no-data",
                   f"endpoint '{use.endpoint}' of '{trial.id}' has no result{where} with per-group data to pool")
