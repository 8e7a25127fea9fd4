"""Trial records with their RoB 2 assessments, and one answer changed, for the risk-of-bias tests."""

from __future__ import annotations

from conftest import ROOT
from evidencekb.models import Trial
from evidencekb.pipeline import check_record


def trial_record(name: str) -> Trial:
    """A record of content/trials, which must pass every check."""
    record = check_record(str(ROOT / f"content/trials/{name}.yaml"))
    assert record.trial is not None and not record.diagnostics
    return record.trial


def proderm() -> Trial:
    return trial_record("proderm")


def with_answer(trial: Trial, question: str, answer: str) -> Trial:
    """The trial with one answer of its first assessment replaced."""
    assessment = trial.risk_of_bias[0]
    answers = [a.model_copy(update={"answer": answer}) if a.question == question else a for a in assessment.answers]
    return trial.model_copy(update={"risk_of_bias": [assessment.model_copy(update={"answers": answers})]})
