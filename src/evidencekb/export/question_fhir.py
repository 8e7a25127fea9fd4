"""FHIR R5 export of an evidence question: its Summary of Findings as a Composition with one Evidence per
pooled outcome (``export.fhir_findings`` and ``export.fhir_pooled``), from the question and its computed
namespace. This module only maps the question's fields onto their plain inputs.
"""

from __future__ import annotations

from evidencekb.export.fhir_findings import FindingsQuestion, findings_bundle_json
from evidencekb.export.fhir_pooled import (
    ComparatorRisk,
    GradeDomainRating,
    GradeRating,
    PooledOutcome,
    PooledTrial,
    QuestionText,
    study_reference,
)
from evidencekb.models.question import Outcome, Question
from evidencekb.questions.compute import ComputedQuestion, OutcomeResult


def question_bundle_json(question: Question, computed: ComputedQuestion) -> str:
    text = QuestionText(question.id, question.title, question.pico.population, question.pico.intervention,
                        question.pico.comparator, question.status == "published")
    outcomes = tuple(_outcome(o, r) for o, r in zip(question.outcomes, computed.outcomes, strict=True)
                     if r.pooled is not None)
    return findings_bundle_json(FindingsQuestion(text, outcomes, tuple(question.review.reviewers),
                                                 question.review.last_reviewed))


def _outcome(outcome: Outcome, result: OutcomeResult) -> PooledOutcome:
    assert result.pooled is not None
    trials = tuple(PooledTrial(s.short_name, study_reference(s.trial), s.short_name) for s in result.studies)
    comparator = None
    if result.absolute:
        comparator = ComparatorRisk(result.absolute[0].comparator / 1000, result.absolute[0].label)
    return PooledOutcome(
        id=outcome.id, title=outcome.label, definition=outcome.label, result=result.pooled, trials=trials,
        certainty=_grade(outcome, result), statement=result.statement, importance=outcome.importance,
        comparator_risk=comparator,
        not_pooled=tuple((n.trial, n.explanation) for n in outcome.not_pooled))


def _grade(outcome: Outcome, result: OutcomeResult) -> GradeRating | None:
    if outcome.certainty is None or result.certainty is None:
        return None
    domains = tuple(GradeDomainRating(d.domain, abs(d.change), d.reason) for d in outcome.certainty.domains)
    return GradeRating(result.certainty, ", ".join(outcome.certainty.raters), domains,
                       starting=outcome.certainty.starting)
