"""Each record's share of the site, built without MkDocs: check, compute, render; cached and in parallel.

Checking, computing and rendering one record depends on no other record, so the work is shared out
over worker processes when there are enough records and cores (MkDocs waits for it anyway). A
worker's result, :class:`RecordPages`, is plain text and diagnostics that pickle cheaply; the MkDocs
glue only wraps it into files. :class:`RecordCache` keeps each result keyed by the record file's
modification time and size, so a rebuild under ``mkdocs serve`` redoes only the records that changed.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from evidencekb.computed import compare_result, compute_trial
from evidencekb.diagnostics import Diagnostic, has_errors
from evidencekb.records import check_file, no_cycle_collection
from evidencekb.render import PageLinks, TrialContext, TrialRow, render_trial_page, tags, trial_row

# Below this many records per worker, starting workers costs more than it saves.
MIN_RECORDS_PER_WORKER = 16


@dataclass(frozen=True)
class RecordJob:
    """One record file and what its page links to; equal jobs of an unchanged file give equal pages."""

    path: str
    links: PageLinks
    glossary: tuple[tuple[str, str], ...]
    render: bool = True
    """False: check and compute only (the summary), e.g. when pages are rendered later, elsewhere."""


@dataclass(frozen=True)
class RecordSummary:
    """What the rest of the site needs of one record: its problems, status, tags and trial-table row."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    trial_id: str | None = None
    id_position: tuple[int, int] = (1, 1)
    published: bool = False
    tags: tuple[str, ...] = ()
    row: TrialRow | None = None


@dataclass(frozen=True)
class RenderedRecord:
    """A published record's own files: the page's Markdown and the computed JSON."""

    page: str
    computed_json: str


@dataclass(frozen=True)
class RecordPages:
    """Everything one record adds to the site; ``rendered`` is None for drafts and invalid records."""

    summary: RecordSummary
    rendered: RenderedRecord | None = None


def build_record(job: RecordJob) -> RecordPages:
    """Check, compute and render one record."""
    record = check_file(job.path)
    diagnostics = tuple(record.diagnostics)
    trial, document = record.trial, record.document
    if trial is None or document is None:
        return RecordPages(RecordSummary(job.path, diagnostics))
    trial_id, id_position = trial.id, document.position(("id",))
    if has_errors(record.diagnostics) or trial.status != "published":
        return RecordPages(RecordSummary(job.path, diagnostics, trial_id, id_position))
    if not job.render:  # the summary needs the primary outcome's comparison only, not the whole audit
        row = trial_row(trial, functools.partial(compare_result, trial))
        return RecordPages(RecordSummary(job.path, diagnostics, trial_id, id_position, True, tags(trial), row))
    computed = compute_trial(trial, document.number_texts)
    summary = RecordSummary(job.path, diagnostics, trial_id, id_position, True, tags(trial),
                            trial_row(trial, computed.for_result))
    ctx = TrialContext(trial, computed, document.number_texts, job.links, dict(job.glossary))
    computed_json = json.dumps(computed.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                               allow_nan=False)
    return RecordPages(summary, RenderedRecord(render_trial_page(ctx), computed_json + "\n"))


def build_records(jobs: Sequence[RecordJob], workers: int) -> list[RecordPages]:
    """``build_record`` of every job, in order; on up to ``workers`` processes when that pays."""
    workers = useful_workers(len(jobs), workers)
    if workers < 2:
        with no_cycle_collection():
            return [build_record(job) for job in jobs]
    chunk = max(1, len(jobs) // (workers * 8))
    with worker_pool(workers) as pool:
        return list(pool.map(_build_without_cycle_collection, jobs, chunksize=chunk))


def useful_workers(records: int, workers: int) -> int:
    """How many of ``workers`` processes are worth starting for ``records`` records; below 2, none.

    Workers are forked, so they start at once with the statistics libraries already imported. Forking
    is done only on Linux (macOS offers it, but its system libraries are not safe to use after a fork)
    and only from a single-threaded process (a plain ``mkdocs build``, or the first build of ``mkdocs
    serve``): a fork while other threads hold locks can deadlock the child.
    """
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    return min(workers, records // MIN_RECORDS_PER_WORKER)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


class BackgroundRenderer:
    """Renders records on one worker process while MkDocs converts the pages rendered before them.

    MkDocs converts pages one after another on one core; rendering them on another core meanwhile
    takes the rendering out of the build's critical path. The worker checks and computes each record
    again (it shares no memory with the process that summarized it) and stays ahead of MkDocs, whose
    Markdown conversion of a page takes several times longer than rendering it.
    """

    def __init__(self, jobs: Sequence[RecordJob]) -> None:
        self._pool = worker_pool(1)
        self._futures = {job.path: self._pool.submit(_build_without_cycle_collection, job) for job in jobs}

    def rendered(self, path: str) -> RenderedRecord:
        """The record's files, waiting for the worker if it has not got there yet."""
        rendered = self._futures[path].result().rendered
        if rendered is None:
            raise RuntimeError(f"{path} has no page: it changed while the site was being built")
        return rendered

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def _build_without_cycle_collection(job: RecordJob) -> RecordPages:
    with no_cycle_collection():
        return build_record(job)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class RecordCache:
    """The last :class:`RecordPages` of each record, reused while its file and job are unchanged."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[object, ...], RecordPages]] = {}

    def build(self, jobs: Sequence[RecordJob], workers: int) -> list[RecordPages]:
        keys = {job.path: _key(job) for job in jobs}
        stale = [job for job in jobs if job.path not in self._entries or self._entries[job.path][0] != keys[job.path]]
        built = build_records(stale, workers)
        fresh = {job.path: (keys[job.path], pages) for job, pages in zip(stale, built, strict=True)}
        self._entries = {job.path: fresh.get(job.path) or self._entries[job.path] for job in jobs}
        return [self._entries[job.path][1] for job in jobs]


def _key(job: RecordJob) -> tuple[object, ...]:
    """The file's identity and version as the file system sees it, plus everything else the pages use."""
    try:
        stat = os.stat(job.path)
    except OSError:
        return (job,)  # unreadable: never matches a cached result of a readable file
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size, job)
