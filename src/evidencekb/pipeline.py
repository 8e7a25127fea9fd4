"""The one pipeline every consumer uses: load, validate, apply the rules, compute and audit.

A record's text passes each stage once, in one direction: the loader keeps positions, the kind's model
validates, the kind's rules check one record, its computation derives the computed namespace (with the
audit of every printed statistic). :func:`check_record` runs these stages for one file (or its bytes, e.g. at
another git revision) and returns one :class:`CheckedRecord`; :func:`cross_record_problems` applies the
rules that span records (duplicate ids) once per set of records, and :func:`cross_record_stage` the
computation of kinds that read other records (a question pools the checked trials). validate, check,
export, diff, the site build and the tests all go through here, so a new kind of record is a registration in
``evidencekb.kinds``, not another copy of the chain.

Every file is processed and all problems are collected; one bad file never hides another.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from evidencekb.content_rules import entry_problem, walk_records
from evidencekb.diagnostics import Diagnostic, Severity, has_errors
from evidencekb.kinds import TRIAL, Kind, kind_of
from evidencekb.loader import Document, load_bytes, load_file
from evidencekb.models import Trial

DEFAULT_CONTENT = "content"


@dataclass
class CheckedRecord:
    """One record after the pipeline: what each stage made of it, and every problem found."""

    path: str
    kind: Kind
    document: Document | None = None
    model: Any = None
    """The validated model (a :class:`Trial` for trial records); None when the schema rejected the record."""
    computed: Any = None
    """The computed namespace with its audit (a ``ComputedTrial``), when asked for and the model is valid."""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def trial(self) -> Trial | None:
        return self.model if isinstance(self.model, Trial) else None

    @property
    def valid(self) -> bool:
        return self.model is not None and not has_errors(self.diagnostics)


@dataclass(frozen=True)
class RecordId:
    """Where a record states its id: what cross-record rules need of it."""

    path: str
    kind: str
    id: str
    position: tuple[int, int]


def check_record(path: str, raw: bytes | None = None, *, compute: bool = False,
                 consistency: bool = False) -> CheckedRecord:
    """The record at ``path`` (or ``raw``, its text from elsewhere, shown as ``path``) through every stage.

    ``compute``: also build the computed namespace and its audit. ``consistency`` (implies ``compute``):
    also report the printed statistics the audit found inconsistent, as ``check`` does. Only a record
    without errors is computed: the statistics need the counts the rules vouch for (events within totals,
    endpoints that exist).
    """
    kind = kind_of(path)
    document, problems = load_file(path) if raw is None else load_bytes(raw, path)
    record = CheckedRecord(path, kind, document, diagnostics=list(problems))
    if document is None:
        return record
    record.model, problems = kind.validate(document)
    record.diagnostics.extend(problems)
    if record.model is None:
        return record
    record.diagnostics.extend(kind.rules(record.model, document))
    if (compute or consistency) and not has_errors(record.diagnostics):
        record.computed = kind.compute(record.model, document)
        if consistency:
            record.diagnostics.extend(kind.consistency(document, record.computed))
    return record


def record_id(record: CheckedRecord) -> RecordId | None:
    if record.model is None or record.document is None:
        return None
    return RecordId(record.path, record.kind.name, record.model.id, record.document.position(("id",)))


def cross_record_problems(ids: Iterable[RecordId | None]) -> list[Diagnostic]:
    """The rules across records: an id used by an earlier file of the same kind is an error at the later one."""
    first: dict[tuple[str, str], str] = {}
    problems = []
    for rid in ids:
        if rid is None:
            continue
        other = first.setdefault((rid.kind, rid.id), rid.path)
        if other != rid.path:
            line, column = rid.position
            problems.append(Diagnostic(rid.path, line, column, Severity.ERROR, f"duplicate-{rid.kind}",
                                       f"{rid.kind} id '{rid.id}' is already used by {other}"))
    return problems


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


def check_paths(paths: Iterable[str], *, compute: bool = False,
                consistency: bool = False) -> tuple[list[CheckedRecord], list[Diagnostic]]:
    """Every record under ``paths`` through :func:`check_record`, then the cross-record rules once."""
    problems: list[Diagnostic] = []
    with no_cycle_collection():
        records = list(checked_records(paths, problems, compute=compute, consistency=consistency))
    return records, problems


def checked_records(paths: Iterable[str], problems: list[Diagnostic], *, compute: bool = False,
                    consistency: bool = False) -> Iterator[CheckedRecord]:
    """Each record under ``paths`` through :func:`check_record`, trials one at a time.

    A caller that keeps only what it needs of each record holds one trial at a time, whatever their
    number: the cross-record rules need only each record's :class:`RecordId`, and the records whose kind
    reads other records (questions) are checked first, so that only the trials they read are kept until
    the cross-record stage has run over them; those records come last. The problems of finding the
    records, and (once the last record is through) those of the cross-record rules, are appended to
    ``problems``.
    """
    files, found = discover(paths)
    problems.extend(found)
    readers = [check_record(f, compute=compute, consistency=consistency) for f in files if kind_of(f).reads]
    wanted = {t for r in readers if r.kind.reads and r.model is not None for t in r.kind.reads(r.model)}
    ids = [record_id(r) for r in readers]
    kept = []
    for file in files:
        if kind_of(file).reads:
            continue
        record = check_record(file, compute=compute, consistency=consistency)
        ids.append(record_id(record))
        if record.kind is TRIAL and record.model is not None and record.model.id in wanted:
            kept.append(record)
        yield record
    if readers:
        cross_record_stage(readers, [*kept, *_trials_read_from_elsewhere([*readers, *kept])])
    yield from readers
    problems.extend(cross_record_problems(ids))


def cross_record_stage(records: list[CheckedRecord], others: Iterable[CheckedRecord] = ()) -> None:
    """The computation of every record whose kind reads other records, given the valid trials among
    ``records`` (and ``others``, trials read only for this stage); its diagnostics join the record's own."""
    trials = [r for r in [*others, *records] if r.kind is TRIAL and r.valid]
    for kind in dict.fromkeys(r.kind for r in records if r.kind.cross is not None):
        assert kind.view is not None
        cross_stage_of(kind, records, {r.model.id: kind.view(r.path, r.model) for r in trials})


def cross_stage_of(kind: Kind, records: list[CheckedRecord], trials: Mapping[str, Any]) -> None:
    """``kind``'s cross-record stage over its records among ``records``, given ``kind.view`` of each valid
    trial it may read, by id (made elsewhere, e.g. in the site build's worker processes)."""
    assert kind.cross is not None
    kind.cross([r for r in records if r.kind is kind and r.model is not None and r.document is not None], trials)


def _trials_read_from_elsewhere(records: list[CheckedRecord]) -> list[CheckedRecord]:
    """Trials that a record reads but that are not among ``records`` (``validate`` of one question file):
    ``<id>.yaml`` in the trials folder beside the record's folder, where the id rule puts it."""
    present = {r.model.id for r in records if r.kind is TRIAL and r.model is not None}
    wanted: dict[str, str] = {}
    for record in records:
        if record.kind.reads is None or record.model is None:
            continue
        folder = os.path.join(os.path.dirname(os.path.dirname(record.path)), TRIAL.folder)
        for trial_id in record.kind.reads(record.model):
            path = os.path.join(folder, f"{trial_id}.yaml")
            if trial_id not in present and os.path.isfile(path):
                wanted.setdefault(trial_id, path)
    return [check_record(path) for path in wanted.values()]


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


def computed(record: CheckedRecord) -> Any:
    """The computed namespace of a valid record checked without it, computed now (once) when first needed."""
    if record.computed is None and record.valid and record.document is not None:
        record.computed = record.kind.compute(record.model, record.document)
    return record.computed
