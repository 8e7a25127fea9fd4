"""Kinds of record: each names its folder, its model and the stages that are its own.

The pipeline (``evidencekb.pipeline``) and the site build take every kind-specific stage from here, so a
new kind of record (evidence questions pooling several trials, risk-of-bias assessments) is one more
:class:`Kind` in ``KINDS``, not another copy of the chain. The statistics and the page templates are
imported only when a record is computed or rendered, so that ``validate`` starts fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from evidencekb.checks import run_checks
from evidencekb.diagnostics import Diagnostic
from evidencekb.loader import Document
from evidencekb.models import Trial
from evidencekb.models.question import Question
from evidencekb.validation import validate_document

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.pipeline import CheckedRecord
    from evidencekb.questions.compute import ComputedQuestion
    from evidencekb.questions.links import LinkedTrial
    from evidencekb.render import PageLinks

CrossStage = Callable[[list["CheckedRecord"], Mapping[str, Any]], None]


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str
    """The folder of ``content/`` that holds records of this kind (and the URL prefix of their pages)."""
    model: type[BaseModel]
    rules: Callable[[Any, Document], list[Diagnostic]]
    """The semantic rules within one record."""
    compute: Callable[[Any, Document], Any]
    """The computed namespace, with the audit of the printed numbers."""
    consistency: Callable[[Document, Any], list[Diagnostic]]
    """Diagnostics for the printed numbers the audit found inconsistent."""
    render: Callable[[Any, Any, Document, PageLinks, Mapping[str, str]], str]
    """The record's page (Markdown with HTML blocks) from the model and the computed namespace."""
    reads: Callable[[Any], Iterable[str]] | None = None
    """For a kind whose computation reads other records: the ids of the trial records it reads."""
    cross: CrossStage | None = None
    """That computation for all records of the kind at once, given what ``view`` keeps of each checked
    trial record, by trial id: it adds each record's diagnostics and sets its computed namespace when it
    stays valid (run once per set of records by ``evidencekb.pipeline.cross_record_stage``; ``compute``
    is then unused)."""
    view: Callable[[str, Trial], Any] | None = None
    """What ``cross`` reads of a valid trial record (given its path and model): small, so that it can be
    sent from a worker process and kept for every trial read until the cross-record stage has run."""

    def validate(self, document: Document) -> tuple[Any, list[Diagnostic]]:
        return validate_document(document, self.model)

    def __reduce__(self) -> tuple[Callable[[str], Kind], tuple[str]]:
        """Pickled by name: a record checked in a worker process comes back with the very kind of this one."""
        return kind_named, (self.name,)


def _compute_trial(trial: Trial, document: Document) -> ComputedTrial:
    from evidencekb.audit import audit_trial

    return audit_trial(trial, document.number_texts)


def _trial_consistency(document: Document, computed: ComputedTrial) -> list[Diagnostic]:
    from evidencekb.audit import audit_diagnostics

    return audit_diagnostics(document, computed)


def _render_trial(trial: Trial, computed: ComputedTrial, document: Document, links: PageLinks,
                  glossary: Mapping[str, str]) -> str:
    from evidencekb.render import TrialContext, render_trial_page

    return render_trial_page(TrialContext(trial, computed, document.number_texts, links, dict(glossary)))


TRIAL = Kind("trial", "trials", Trial, run_checks, _compute_trial, _trial_consistency, _render_trial)


def _question_rules(question: Question, document: Document) -> list[Diagnostic]:
    from evidencekb.questions.rules import question_rules

    return question_rules(question, document)


def _question_trials(question: Question) -> list[str]:
    return sorted({use.trial for outcome in question.outcomes for use in outcome.studies})


def _question_stage(questions: list[CheckedRecord], trials: Mapping[str, LinkedTrial]) -> None:
    """Every question against the trials it reads."""
    from evidencekb.questions.stage import question_stage

    for record in questions:
        assert record.document is not None
        found, record.computed = question_stage(record.model, record.document, trials, record.valid)
        record.diagnostics.extend(found)


def _linked_trial(path: str, trial: Trial) -> LinkedTrial:
    from evidencekb.questions.links import LinkedTrial

    return LinkedTrial.of(path, trial)


def _render_question(question: Question, computed: ComputedQuestion, document: Document, links: PageLinks,
                     glossary: Mapping[str, str]) -> str:
    from evidencekb.render.question_page import render_question_page

    return render_question_page(question, computed, links, dict(glossary))


QUESTION = Kind("question", "questions", Question, _question_rules, lambda question, document: None,
                lambda document, computed: [], _render_question, _question_trials, _question_stage,
                _linked_trial)
KINDS: tuple[Kind, ...] = (TRIAL, QUESTION)
DEFAULT_KIND = TRIAL
"""Files outside every kind's folder (a single file given on the command line) are read as trials."""


def kind_named(name: str) -> Kind:
    return next(kind for kind in KINDS if kind.name == name)


def kind_of(path: str) -> Kind:
    """The kind whose folder holds ``path`` (the nearest folder of that name wins), else the default."""
    folders = os.path.normpath(path).split(os.sep)[:-1]
    for folder in reversed(folders):
        for kind in KINDS:
            if kind.folder == folder:
                return kind
    return DEFAULT_KIND
