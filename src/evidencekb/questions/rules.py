"""The rules within one question record: its id, its sources, its outcome ids and its analysis options.

Rules that need the trial records (unknown trial or endpoint, a measure that does not fit, crossover
data) belong to the cross-record stage (``evidencekb.questions.stage``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from evidencekb.checks import to_diagnostic
from evidencekb.checks.base import Finding
from evidencekb.diagnostics import Diagnostic
from evidencekb.loader import Document
from evidencekb.models.question import Question
from evidencekb.pooling import PoolOptions


def question_rules(question: Question, document: Document) -> list[Diagnostic]:
    findings = [*_id_matches_file_name(question, document.path), *_sources_exist(question),
                *_unique_outcomes(question), *_analysis_options(question)]
    return [to_diagnostic(document, f) for f in findings]


def _id_matches_file_name(question: Question, path: str) -> Iterator[Finding]:
    stem, extension = os.path.splitext(os.path.basename(path))
    if extension in (".yaml", ".yml") and stem != question.id:
        yield Finding(("id",), "id-mismatch", f"id '{question.id}' must equal the file name '{stem}'")


def _sources_exist(question: Question) -> Iterator[Finding]:
    known = {s.id for s in question.sources}
    listed = ", ".join(sorted(known)) or "none"
    for i, outcome in enumerate(question.outcomes):
        cited: list[tuple[tuple[Any, ...], str]] = []
        if outcome.thresholds:
            cited.append((("outcomes", i, "thresholds", "source"), outcome.thresholds.source))
        cited += [(("outcomes", i, "baseline_risks", j, "source"), b.source)
                  for j, b in enumerate(outcome.baseline_risks)]
        for loc, source in cited:
            if source not in known:
                yield Finding(loc, "unknown-source", f"unknown source '{source}' (known: {listed})")


def _unique_outcomes(question: Question) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, outcome in enumerate(question.outcomes):
        index = first.setdefault(outcome.id, i)
        if index != i:
            yield Finding(("outcomes", i, "id"), "duplicate-id",
                          f"id '{outcome.id}' is used twice in outcomes (first at item {index + 1})")


def _analysis_options(question: Question) -> Iterator[Finding]:
    for i, outcome in enumerate(question.outcomes):
        a = outcome.analysis
        try:
            PoolOptions(measure=a.measure, model=a.model, method=a.method, hksj=a.hksj, level=a.level)
        except ValueError as error:
            yield Finding(("outcomes", i, "analysis", "method"), "question-analysis", str(error))
