"""RoB 2 assessments: every answer the decision algorithms need is there, and no answer where none applies.

The rules run the same algorithms that compute the judgements (``evidencekb.rob2``), so "needed" means
exactly "reached by the algorithm given the earlier answers".
"""

from __future__ import annotations

from collections.abc import Iterator

from evidencekb import rob2
from evidencekb.checks.base import Context, Finding
from evidencekb.diagnostics import Severity
from evidencekb.models import Trial
from evidencekb.models.rob import RiskOfBias


def rob_assessments(trial: Trial, _: Context) -> Iterator[Finding]:
    for k, assessment in enumerate(trial.risk_of_bias):
        loc = ("risk_of_bias", k)
        yield from _first_period(trial, assessment, loc)
        reason = rob2.not_assessable_reason(trial, assessment)
        if reason:
            yield Finding((*loc, "tool"), "rob-not-assessable", f"domains are shown as not assessable: {reason}",
                          Severity.WARNING)
        else:
            yield from _answers(assessment, loc)
            yield from _several_concerns(trial, k)
        yield from _overrides(assessment, loc)
        yield from _assessed_result(trial, assessment, loc)


def _first_period(trial: Trial, assessment: RiskOfBias, loc: tuple[str, int]) -> Iterator[Finding]:
    """A first-period assessment needs a crossover trial and an endpoint of its first period."""
    if not assessment.first_period_only:
        return
    periods = {e.period for e in trial.endpoints if e.id == assessment.endpoint}
    first = trial.design.periods[0].id
    if trial.design.model != "crossover":
        problem = f"the trial's design is {trial.design.model}, not crossover"
    elif periods and periods != {first}:
        where = ", ".join(sorted(f"'{p}'" if p else "the whole study" for p in periods))
        problem = f"endpoint '{assessment.endpoint}' belongs to {where}, not to the first period '{first}'"
    else:
        return
    yield Finding((*loc, "first_period_only"), "rob-first-period-not-applicable",
                  f"first_period_only does not apply: {problem}")


def _answers(assessment: RiskOfBias, loc: tuple[str, int]) -> Iterator[Finding]:
    domains = rob2.domains_for(assessment.effect)
    known = {q for d in domains for q in d.questions}
    first: dict[str, int] = {}
    for i, a in enumerate(assessment.answers):
        if a.question in first:
            yield Finding((*loc, "answers", i, "question"), "rob-duplicate-answer",
                          f"question {a.question} is answered twice (first at answer {first[a.question]})")
        first.setdefault(a.question, i)
    answers = rob2.answers_of(assessment)
    reached: set[str] = set()
    for domain in domains:
        result = rob2.evaluate(domain, answers)
        reached.update(q for q, _ in result.reached)
        stop = result.stopped
        if stop is None:
            continue
        reached.update(domain.questions)  # undecided: later answers may yet apply
        question = domain.questions[stop.question]
        if stop.problem == "missing":
            yield Finding((*loc, "answers"), "rob-missing-answer",
                          f"{domain.short} needs an answer to question {stop.question}{_given(result.reached)}")
        else:
            allowed = "/".join(o for o in ("Y", "PY", "PN", "N", "NI", "NA") if o in question.options)
            yield Finding((*loc, "answers", first[stop.question], "answer"), "rob-answer-not-allowed",
                          f"{answers[stop.question]} is not an answer to question {stop.question}, which applies"
                          f"{_given(result.reached)}: answer {allowed}")
    for i, a in enumerate(assessment.answers):
        if a.question not in known:
            yield Finding((*loc, "answers", i, "question"), "rob-answer-not-applicable",
                          f"question {a.question} is not asked for the effect of {assessment.effect}")
        elif a.question not in reached and a.answer != "NA" and first[a.question] == i:
            yield Finding((*loc, "answers", i, "answer"), "rob-answer-not-applicable",
                          f"question {a.question} does not apply given the earlier answers: answer NA or leave it out")


def _given(reached: tuple[tuple[str, str], ...]) -> str:
    return f" (given {', '.join(f'{q} = {a}' for q, a in reached)})" if reached else ""


def _several_concerns(trial: Trial, k: int) -> Iterator[Finding]:
    if not trial.risk_of_bias[k].several_concerns_high:
        return
    finals = [d.final for d in rob2.judge(trial, k).domains]
    if None not in finals and (rob2.HIGH in finals or finals.count(rob2.SOME) < 2):
        yield Finding(("risk_of_bias", k, "several_concerns_high"), "rob-escalation-not-applicable",
                      "the several-concerns rule needs at least two domains with some concerns and none high")


def _overrides(assessment: RiskOfBias, loc: tuple[str, int]) -> Iterator[Finding]:
    for i, override in enumerate(assessment.overrides):
        if not override.reason or not override.reason.strip():
            yield Finding((*loc, "overrides", i), "rob-override-without-reason",
                          f"the override of {override.domain} needs a reason (shown beside the computed judgement)")


def _assessed_result(trial: Trial, assessment: RiskOfBias, loc: tuple[str, int]) -> Iterator[Finding]:
    """A result whose analysis population is not recorded matches any assessment of its endpoint."""
    populations = {r.analysis_population for r in trial.results if r.endpoint == assessment.endpoint}
    if populations and None not in populations and assessment.analysis_population not in populations:
        recorded = ", ".join(sorted(f"'{p}'" for p in populations if p))
        yield Finding((*loc, "analysis_population"), "rob-unknown-result",
                      f"no result of '{assessment.endpoint}' has this analysis population (recorded: {recorded})",
                      Severity.WARNING)
