"""The ProDERM record with its RoB 2 assessment, and one answer changed, for the risk-of-bias tests."""

from __future__ import annotations

from conftest import ROOT
from evidencekb.models import Trial
from evidencekb.pipeline import check_record


def proderm() -> Trial:
    record = check_record(str(ROOT / "content/trials/proderm.yaml"))
    assert record.trial is not None and not record.diagnostics
    return record.trial


def with_answer(trial: Trial, question: str, answer: str) -> Trial:
    """The trial with one answer of its first assessment replaced."""
    assessment = trial.risk_of_bias[0]
    answers = [a.model_copy(update={"answer": answer}) if a.question == question else a for a in assessment.answers]
    return trial.model_copy(update={"risk_of_bias": [assessment.model_copy(update={"answers": answers})]})
