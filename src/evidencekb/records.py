"""The validation pipeline for files: discover, load, validate against the models, run semantic checks.

Every file is processed and all problems are collected; one bad file never hides another.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from evidencekb.checks import run_checks
from evidencekb.content_rules import entry_problem, walk_records
from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.loader import Document, load_bytes, load_file
from evidencekb.models import Trial
from evidencekb.validation import validate_document

DEFAULT_CONTENT = "content"


@dataclass
class CheckedRecord:
    path: str
    document: Document | None = None
    trial: Trial | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def discover(paths: Iterable[str]) -> tuple[list[str], list[Diagnostic]]:
    """Record files under the given files or folders, sorted; missing paths and refused entries are diagnostics.

    What may be in a folder of records is decided by ``evidencekb.content_rules``.
    """
    files: list[str] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if not os.path.lexists(path):
            problems.append(Diagnostic(path, 1, 1, Severity.ERROR, "file-not-found", "no such file or folder"))
        elif problem := entry_problem(path, records_only=False):
            problems.append(problem)
        elif os.path.isdir(path):
            for records, refused in walk_records(path):
                files.extend(records)
                problems.extend(refused)
        else:
            files.append(path)
    return sorted(dict.fromkeys(os.path.normpath(f) for f in files)), problems


def check_file(path: str) -> CheckedRecord:
    return _check_loaded(path, *load_file(path))


def check_bytes(raw: bytes, path: str) -> CheckedRecord:
    """Check record text that is not (or not yet) a file, e.g. a file at another git revision."""
    return _check_loaded(path, *load_bytes(raw, path))


def _check_loaded(path: str, document: Document | None, problems: list[Diagnostic]) -> CheckedRecord:
    record = CheckedRecord(path)
    record.document = document
    record.diagnostics.extend(problems)
    if document is None:
        return record
    trial, problems = validate_document(document)
    record.diagnostics.extend(problems)
    if trial is not None:
        record.trial = trial
        record.diagnostics.extend(run_checks(trial, document))
    return record


def check_paths(paths: Iterable[str]) -> tuple[list[CheckedRecord], list[Diagnostic]]:
    files, problems = discover(paths)
    with no_cycle_collection():
        records = [check_file(f) for f in files]
    problems.extend(duplicate_trial_ids(
        (r.path, r.trial.id, r.document.position(("id",))) for r in records if r.trial and r.document))
    return records, problems


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while many records are checked.

    Loading allocates many small objects (nodes, positions, models) and keeps the documents and trials
    of every record, so the collector's full passes rescan an ever larger heap: they took half the time
    of validating 1,000 records. Nodes and models form no reference cycles (reference counting frees
    them), so nothing accumulates while it is paused; the collector resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def duplicate_trial_ids(ids: Iterable[tuple[str, str, tuple[int, int]]]) -> list[Diagnostic]:
    """Errors for every trial id already used by an earlier file: (path, id, position of the id) each."""
    first: dict[str, str] = {}
    problems = []
    for path, trial_id, (line, column) in ids:
        other = first.setdefault(trial_id, path)
        if other != path:
            problems.append(Diagnostic(path, line, column, Severity.ERROR, "duplicate-trial",
                                       f"trial id '{trial_id}' is already used by {other}"))
    return problems
