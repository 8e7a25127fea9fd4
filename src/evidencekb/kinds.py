"""Kinds of record: each names its folder, its model and the stages that are its own.

The pipeline (``evidencekb.pipeline``) and the site build take every kind-specific stage from here, so a
new kind of record (evidence questions pooling several trials, risk-of-bias assessments) is one more
:class:`Kind` in ``KINDS``, not another copy of the chain. The statistics and the page templates are
imported only when a record is computed or rendered, so that ``validate`` starts fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from evidencekb.checks import run_checks
from evidencekb.diagnostics import Diagnostic
from evidencekb.loader import Document
from evidencekb.models import Trial
from evidencekb.validation import validate_document

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.render import PageLinks


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

    def validate(self, document: Document) -> tuple[Any, list[Diagnostic]]:
        return validate_document(document, self.model)


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
KINDS: tuple[Kind, ...] = (TRIAL,)
DEFAULT_KIND = TRIAL
"""Files outside every kind's folder (a single file given on the command line) are read as trials."""


def kind_of(path: str) -> Kind:
    """The kind whose folder holds ``path`` (the nearest folder of that name wins), else the default."""
    folders = os.path.normpath(path).split(os.sep)[:-1]
    for folder in reversed(folders):
        for kind in KINDS:
            if kind.folder == folder:
                return kind
    return DEFAULT_KIND
