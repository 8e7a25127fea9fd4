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
from dataclasses import dataclass
from typing import Any

from evidencekb.checks.base import Finding
from evidencekb.computed import HarmData, ResultData, harm_data, result_data
from evidencekb.models import Trial
from evidencekb.models.question import BINARY_MEASURES, Outcome, Question, StudyUse
from evidencekb.pooling import FIRST_PERIOD, BinaryStudy, ContinuousStudy, Study
from evidencekb.rob2 import ResultJudgement

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\s*;")


@dataclass(frozen=True)
class Endpoint:
    """What linking needs of a trial's endpoint."""

    type: str
    period: str | None
    label: str


@dataclass(frozen=True)
class PoolableResult:
    """One result of a trial, with the per-arm data a question can pool (``computed.result_data``)."""

    endpoint: str
    analysis_population: str | None
    data: ResultData


@dataclass(frozen=True)
class LinkedTrial:
    """What the question stage reads of a checked trial record: its ids and design, its endpoints, and the
    raw per-arm counts and means of its results and adverse events, without their analyses.

    Small on purpose: the site build's workers send it back with a trial's pages for the question stage,
    and the main process keeps one per trial a question reads until the questions are built; the trial and
    its computed namespace were several times larger and slowed the garbage collector of the process
    that converts the pages.
    """

    path: str
    id: str
    short_name: str
    status: str
    design: str
    first_period: str | None
    year: int | None
    endpoints: dict[str, Endpoint]
    results: tuple[PoolableResult, ...]
    adverse_events: dict[str, tuple[str, HarmData | None]]
    """By event id: its term and its counts on two comparable sides (None: it has none)."""
    judgements: dict[str, ResultJudgement]
    """The RoB 2 assessment of the effect of assignment, by endpoint (endpoints without one are absent)."""

    @classmethod
    def of(cls, path: str, trial: Trial) -> LinkedTrial:
        from evidencekb.rob2 import judge_all

        judgements: dict[str, ResultJudgement] = {}
        for judgement in judge_all(trial):
            if judgement.effect == "assignment":
                judgements.setdefault(judgement.endpoint, judgement)
        return cls(
            path, trial.id, trial.short_name, trial.status, trial.design.model,
            trial.design.periods[0].id if trial.design.periods else None, publication_year(trial),
            {e.id: Endpoint(e.type, e.period, e.label) for e in trial.endpoints},
            tuple(PoolableResult(r.endpoint, r.analysis_population, result_data(trial, i))
                  for i, r in enumerate(trial.results)),
            {e.id: (e.term, harm_data(trial, e)) for e in trial.adverse_events},
            judgements,
        )


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
        if question.status == "published" and linked is not None and linked.status == "draft":
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
    binary = outcome.analysis.measure in BINARY_MEASURES
    if (use.endpoint is None) == (use.adverse_event is None):
        yield Finding(loc, "question-study-item", "give either endpoint or adverse_event, not both or neither")
        return
    if use.adverse_event is not None:
        if use.adverse_event not in linked.adverse_events:
            yield Finding((*loc, "adverse_event"), "question-unknown-endpoint",
                          f"trial '{linked.id}' has no adverse event '{use.adverse_event}'")
        elif not binary:
            yield Finding((*loc, "adverse_event"), "question-measure-mismatch",
                          f"adverse events are counts; measure '{outcome.analysis.measure}' needs a continuous"
                          " endpoint")
        return
    endpoint = linked.endpoints.get(use.endpoint or "")
    if endpoint is None:
        yield Finding((*loc, "endpoint"), "question-unknown-endpoint",
                      f"trial '{linked.id}' has no endpoint '{use.endpoint}'")
        return
    if endpoint.type != ("binary" if binary else "continuous"):
        yield Finding((*loc, "endpoint"), "question-measure-mismatch",
                      f"endpoint '{use.endpoint}' is {endpoint.type}; measure '{outcome.analysis.measure}' needs a"
                      f" {'binary' if binary else 'continuous'} endpoint")
    yield from _crossover_problems(use, linked, endpoint.period, loc)


def _crossover_problems(use: StudyUse, trial: LinkedTrial, period: str | None, loc: tuple[Any, ...]
                        ) -> Iterator[Finding]:
    if trial.design != "crossover":
        return
    first = trial.first_period
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


def _study(outcome: Outcome, use: StudyUse, trial: LinkedTrial, loc: tuple[Any, ...]) -> UsedStudy | Finding:
    common: dict[str, Any] = {"name": trial.short_name, "year": trial.year, "design": trial.design,
              "crossover_basis": FIRST_PERIOD if trial.design == "crossover" else None}
    if use.adverse_event is not None:
        term, harm = trial.adverse_events[use.adverse_event]
        if harm is None:
            return Finding((*loc, "adverse_event"), "question-no-data",
                           f"adverse event '{use.adverse_event}' of '{trial.id}' has no counts on both sides")
        return UsedStudy(trial.id, trial.short_name, trial.path, use.adverse_event, term,
                         BinaryStudy(counts=harm.counts, **common), None, use.note)
    binary = outcome.analysis.measure in BINARY_MEASURES
    for result in trial.results:
        if result.endpoint != use.endpoint:
            continue
        if use.analysis_population and result.analysis_population != use.analysis_population:
            continue
        study: Study | None = None
        if binary and result.data.counts is not None:
            study = BinaryStudy(counts=result.data.counts, **common)
        elif not binary and result.data.means is not None:
            intervention, comparator = result.data.means
            study = ContinuousStudy(group1=intervention, group2=comparator, **common)
        if study is not None:
            return UsedStudy(trial.id, trial.short_name, trial.path, result.endpoint,
                             trial.endpoints[result.endpoint].label, study, trial.judgements.get(result.endpoint),
                             use.note)
    where = f" for '{use.analysis_population}'" if use.analysis_population else ""
    return Finding((*loc, "endpoint"), "question-no-data",
                   f"endpoint '{use.endpoint}' of '{trial.id}' has no result{where} with per-group data to pool")
