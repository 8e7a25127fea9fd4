"""Exports of evidence questions: one JSON file per question, and a tidy CSV of pooled outcomes.

The JSON holds the validated question record and, apart from it, what the build derived (per outcome
the pooled result with its studies and weights, absolute effects, sensitivity analyses, GRADE signals,
certainty and statement), as ``ComputedQuestion.to_dict()`` gives it. The CSV has one row per outcome,
with the columns a guideline panel reads off a Summary of Findings; the CSV conventions (number
formatting, formula-like text made inert) are the trial tables' (``csv_export``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from evidencekb.export import stable, stable_float
from evidencekb.export.csv_export import _write
from evidencekb.models.question import Question
from evidencekb.questions.compute import ComputedQuestion

QUESTION_OUTCOMES = (
    "question", "outcome", "label", "kind", "importance", "measure", "model", "method", "studies", "trials",
    "participants", "estimate", "ci_low", "ci_high", "prediction_low", "prediction_high", "i2", "tau2",
    "certainty", "statement",
)


def question_json(question: Question, computed: ComputedQuestion) -> str:
    data = {"record": question.model_dump(mode="json"), "computed": stable(computed.to_dict())}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def question_csv(pairs: Iterable[tuple[Question, ComputedQuestion]]) -> str:
    return _write(QUESTION_OUTCOMES, [row for q, c in pairs for row in outcome_rows(q, c)])


def outcome_rows(question: Question, computed: ComputedQuestion) -> Iterator[dict[str, Any]]:
    for outcome, result in zip(question.outcomes, computed.outcomes, strict=True):
        pooled = result.pooled
        natural = pooled.natural() if pooled else {"estimate": None, "ci": None, "prediction": None}
        ci, prediction = natural["ci"] or (None, None), natural["prediction"] or (None, None)
        yield {
            "question": question.id, "outcome": outcome.id, "label": outcome.label, "kind": outcome.kind,
            "importance": outcome.importance, "measure": outcome.analysis.measure,
            "model": outcome.analysis.model, "method": outcome.analysis.method,
            "studies": len(result.studies), "trials": " ".join(s.trial for s in result.studies),
            "participants": result.participants, "estimate": _number(natural["estimate"]),
            "ci_low": _number(ci[0]), "ci_high": _number(ci[1]),
            "prediction_low": _number(prediction[0]), "prediction_high": _number(prediction[1]),
            "i2": _number(pooled.heterogeneity.i2) if pooled else None,
            "tau2": _number(pooled.heterogeneity.tau2) if pooled else None,
            "certainty": result.certainty, "statement": result.statement,
        }


def _number(value: float | None) -> float | None:
    return None if value is None else stable_float(value)
