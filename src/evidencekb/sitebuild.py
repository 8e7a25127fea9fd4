"""The site without MkDocs: each record's share of it, and the bookkeeping of rebuilds, as plain functions.

Checking, computing and rendering one record depends on no other record, so :class:`PendingRecords`
hands the records to worker processes as soon as the site's files are listed, and MkDocs collects each
page when it reads it: the workers render the next records while MkDocs converts the last ones (its own
work uses about one core), and only the pages that list every trial wait for all of them. One pass per
record gives both what the rest of the site needs of it (:class:`RecordSummary`) and its own files
(:class:`RenderedRecord`); the result is plain text and diagnostics that pickle cheaply, so a record is
read and checked once per build. :class:`RecordCache` keeps each result keyed by the record file's
modification time and size, so a rebuild under ``mkdocs serve`` redoes only the records that changed.
The rest (where a record's files go, generated files backed on disk for dirty builds, which pages an edit
makes stale, the search index after a dirty build) is plain data in, plain data out; ``evidencekb.plugin``
only hands MkDocs' objects to these functions."""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jinja2.bccache import Bucket, BytecodeCache

from evidencekb.bulk import compressed_members
from evidencekb.diagnostics import Diagnostic, Severity, has_errors
from evidencekb.history import Entry, History
from evidencekb.kinds import QUESTION
from evidencekb.pipeline import (
    RecordId,
    check_record,
    cross_record_problems,
    discover,
    no_cycle_collection,
    record_id,
)
from evidencekb.render import PageLinks, TrialRow, parse_abbreviations, tags, trial_row

if TYPE_CHECKING:
    from evidencekb.questions.links import LinkedTrial

# Below this many records per worker, starting workers costs more than it saves.
MIN_RECORDS_PER_WORKER = 16
# Results a worker may have ready before MkDocs asks for them: enough to keep it busy, few enough that
# the finished pages waiting in memory do not grow with the number of records.
RESULTS_AHEAD_PER_WORKER = 16
Listing = tuple[str | None, str, tuple[str, ...]]  # what the tag listings show of a trial: id, title, tags


@dataclass(frozen=True)
class RecordJob:
    """One record file and what its page links to; equal jobs of an unchanged file give equal pages."""

    path: str
    links: PageLinks
    glossary: tuple[tuple[str, str], ...]
    read_by_question: bool = False
    """A question pools the record: what the questions read of it comes back with its pages."""
    archive_folder: str | None = None
    """The folder of the site's archive of all trials that a published record's files go in (None: not
    archived); they come back compressed (``bulk.compressed_members``)."""


@dataclass(frozen=True)
class RecordSummary:
    """What the rest of the site needs of one record: its problems, status, tags and trial-table row."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    id: RecordId | None = None
    published: bool = False
    tags: tuple[str, ...] = ()
    row: TrialRow | None = None

    @property
    def trial_id(self) -> str | None:
        return self.id.id if self.id else None


@dataclass(frozen=True)
class RenderedRecord:
    """A published record's own files: the page's Markdown, the computed JSON and, for a job with an
    ``archive_folder``, the record and its computed JSON as members of the archive of all trials."""

    page: str
    computed_json: str
    archived: bytes = b""


@dataclass(frozen=True)
class RecordPages:
    """Everything one record adds to the site; ``rendered`` is None for drafts and invalid records."""

    summary: RecordSummary
    rendered: RenderedRecord | None = None
    for_questions: LinkedTrial | None = None
    """For a job ``read_by_question`` whose record is valid: what the question stage reads of the trial
    (``QUESTION.view``), made here so that the record is not checked again and the trial itself stays here."""


def build_record(job: RecordJob) -> RecordPages:
    """Check, compute and render one record: one pass through the pipeline."""
    record = check_record(job.path, compute=True)
    diagnostics = tuple(record.diagnostics)
    trial, document = record.trial, record.document
    assert QUESTION.view is not None  # questions read trials
    read = QUESTION.view(record.path, trial) if job.read_by_question and record.valid and trial else None
    if trial is None or document is None or has_errors(diagnostics) or trial.status != "published":
        return RecordPages(RecordSummary(job.path, diagnostics, record_id(record)), for_questions=read)
    computed = record.computed
    summary = RecordSummary(job.path, diagnostics, record_id(record), True, tags(trial),
                            trial_row(trial, computed.for_result))
    page = record.kind.render(trial, computed, document, job.links, dict(job.glossary))
    computed_json = json.dumps(computed.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                               allow_nan=False)
    archived = b""
    if job.archive_folder is not None:
        name = f"{job.archive_folder}/{os.path.splitext(os.path.basename(job.path))[0]}"
        with open(job.path, encoding="utf-8") as handle:
            archived = compressed_members([(f"{name}.yaml", handle.read()), (f"{name}.computed.json",
                                                                              computed_json + "\n")])
    return RecordPages(summary, RenderedRecord(page, computed_json + "\n", archived), read)


def build_records(jobs: Sequence[RecordJob], workers: int) -> list[RecordPages]:
    """``build_record`` of every job, in order; on up to ``workers`` processes when that pays."""
    return PendingRecords(jobs, {}, workers).results()


class PendingRecords:
    """The :class:`RecordPages` of each job, computed from the moment this is made, each collected when asked for.

    With workers, the jobs not already ``done`` are handed to the pool in order, so the pages MkDocs
    converts first are ready first and MkDocs converts them while the workers go on (the MkDocs phase
    uses about one core); a few jobs per worker are kept ahead of what MkDocs has asked for, so the
    results waiting to be read stay few however many records there are. Without workers, a job is built
    in this process when it is first asked for. Either way each record gets one pass.
    """

    def __init__(self, jobs: Sequence[RecordJob], done: dict[str, RecordPages], workers: int) -> None:
        self._jobs = {job.path: job for job in jobs}
        self._done = {path: pages for path, pages in done.items() if path in self._jobs}
        self._released: set[str] = set()
        stale = [job for job in jobs if job.path not in self._done]
        workers = useful_workers(len(stale), workers)
        self._pool = worker_pool(workers) if workers >= 2 else None
        self._window = workers * RESULTS_AHEAD_PER_WORKER
        self._waiting = collections.deque(stale if self._pool is not None else [])
        self._futures: dict[str, Future[RecordPages]] = {}
        self._submit(None)

    def _submit(self, path: str | None) -> None:
        """Hand the waiting jobs to the workers, in order, up to ``path`` and until the window is full."""
        while self._pool is not None and self._waiting and (
                len(self._futures) < self._window or (path is not None and path not in self._futures)):
            job = self._waiting.popleft()
            self._futures[job.path] = self._pool.submit(_build_without_cycle_collection, job)

    def result(self, path: str) -> RecordPages:
        """The pages of the record at ``path`` (one of the jobs), waiting for its worker if need be."""
        if path not in self._done:
            self._submit(path)
            future = self._futures.pop(path, None)
            self._done[path] = future.result() if future else _build_without_cycle_collection(self._jobs[path])
            self._submit(None)
        return self._done[path]

    def release(self, path: str, *, keep_json: bool = False) -> None:
        """Forget the record's page text and archived files (and its computed JSON unless ``keep_json``)
        once the site has them.

        What the rest of the site needs (the summary) stays; a released record is no longer offered to
        the cache of later builds, which would lack its text.
        """
        pages = self._done.get(path)
        if pages is not None and pages.rendered is not None:
            kept = pages.rendered.computed_json if keep_json else ""
            self._done[path] = dataclasses.replace(pages, rendered=RenderedRecord("", kept))
            self._released.add(path)

    def results(self) -> list[RecordPages]:
        """Every job's pages, in the order of the jobs; the workers are released."""
        try:
            return [self.result(path) for path in self._jobs]
        finally:
            self.close()

    def collected(self) -> dict[str, RecordPages]:
        """The pages built so far and still whole, by record path."""
        return {path: pages for path, pages in self._done.items() if path not in self._released}

    def close(self) -> None:
        """Stop the workers (a failed build drops the jobs not yet started)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._waiting.clear()


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
        self._keys: dict[str, tuple[object, ...]] = {}
        self._pending: PendingRecords | None = None

    def start(self, jobs: Sequence[RecordJob], workers: int) -> PendingRecords:
        """The pages of every job: the cached ones of unchanged records, the others on their way."""
        keys = {job.path: _key(job) for job in jobs}
        before = self._pending.collected() if self._pending else {}
        done = {path: pages for path, pages in before.items() if self._keys.get(path) == keys.get(path)}
        if self._pending:
            self._pending.close()
        self._keys, self._pending = keys, PendingRecords(jobs, done, workers)
        return self._pending

    def build(self, jobs: Sequence[RecordJob], workers: int) -> list[RecordPages]:
        """The pages of every job, waiting for all of them."""
        return self.start(jobs, workers).results()


def _key(job: RecordJob) -> tuple[object, ...]:
    """The file's identity and version as the file system sees it, plus everything else the pages use."""
    try:
        stat = os.stat(job.path)
    except OSError:
        return (job,)  # unreadable: never matches a cached result of a readable file
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size, job)


# -------------------------------------------------------------------------------- the site as a whole


def display_path(path: str) -> str:
    """A folder as ``validate`` names it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def record_files(records_dir: str) -> tuple[list[str], list[Diagnostic]]:
    """The record files of the site, as ``validate`` would name them, and the problems finding them."""
    return discover([display_path(records_dir)])


def site_problems(summaries: Iterable[RecordSummary], problems: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Every diagnostic of the site's records, the cross-record rules' included (run once per build)."""
    summaries = list(summaries)
    found = list(problems) + cross_record_problems(s.id for s in summaries)
    return found + [d for s in summaries for d in s.diagnostics]


def warnings_of(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.WARNING]


def read_glossary(path: str) -> dict[str, str]:
    """The abbreviations file (``*[TERM]: meaning``) as term -> meaning; none when there is no file."""
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return parse_abbreviations(handle.read())


def write_backing_file(folder: str, src_uri: str, content: str, written: dict[str, bytes]) -> str:
    """The file behind a generated page under ``folder``, rewritten only when its content changed.

    A dirty build rebuilds only pages whose source file is newer than their output, and a generated page
    with in-memory content always counts as newer; a file whose modification time changes only with its
    content makes the page count as changed only when it is. ``written`` holds the digest of what was
    last written to each file, so a rebuild compares thousands of unchanged files without reading them.
    """
    path = os.path.join(folder, *src_uri.split("/"))
    digest = hashlib.blake2b(content.encode("utf-8"), digest_size=16).digest()
    if written.get(path) != digest or not os.path.isfile(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        written[path] = digest
    return path


class BackingFiles:
    """The files behind generated pages in dirty builds, each made again only when its inputs changed.

    A dirty rebuild lists every generated file, and making the text of each (a trial page with its history,
    a question page, the feeds) costs time in proportion to the number of records, most of it for pages
    that did not change. Each file is given with its ``inputs`` (what its text is made from: equal inputs
    give equal text), and its text is made only when they differ from those of the last build; without
    inputs it is made every time. ``made`` lists the source URIs of the texts made, for the tests.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.made: list[str] = []
        self._written: dict[str, bytes] = {}  # backing file -> digest of its content
        self._inputs: dict[str, object] = {}  # source URI -> the inputs of its text as last made

    def path(self, src_uri: str, content: str | Callable[[], str], inputs: object = None) -> str:
        """The backing file of ``src_uri``, holding ``content`` (a text, or a function that makes it)."""
        path = os.path.join(self.folder, *src_uri.split("/"))
        if inputs is not None and self._inputs.get(src_uri) == inputs and os.path.isfile(path):
            return path
        if callable(content):
            self.made.append(src_uri)
        text = content() if callable(content) else content
        self._inputs[src_uri] = inputs
        return write_backing_file(self.folder, src_uri, text, self._written)


class CompiledTemplates(BytecodeCache):
    """The theme's templates as compiled by Jinja, kept across the rebuilds of ``mkdocs serve``.

    Each rebuild makes a new template environment, which compiled the theme's templates again (about half
    a second of every rebuild, whatever the number of records). Jinja checks each template's source
    against the checksum stored with its code, so an edited template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@dataclass(frozen=True)
class RecordFiles:
    """Where a record's generated files go (relative to the docs folder): its page and its computed JSON.

    They are named after the file (trial ids equal file names, a checked rule), so they are known before
    the record is read; a draft's files are left out of the site once its result is in.
    """

    path: str
    page_uri: str
    json_uri: str

    @classmethod
    def of(cls, path: str, folder: str) -> RecordFiles:
        trial_id = os.path.splitext(os.path.basename(path))[0]
        return cls(path, f"{folder}/{trial_id}.md", f"{folder}/{trial_id}/{trial_id}.computed.json")


def page_text(pages: RecordPages) -> str:
    """The record's page ("" for a draft or an invalid record, which the site leaves out or refuses)."""
    return pages.rendered.page if pages.rendered else ""


def json_text(pages: RecordPages) -> str:
    return pages.rendered.computed_json if pages.rendered else ""


def unpublished(results: Iterable[RecordPages]) -> list[str]:
    """The paths of the records that are not published (drafts, invalid records)."""
    return [r.summary.path for r in results if not is_published(r)]


def is_published(pages: RecordPages) -> bool:
    return pages.summary.published and pages.summary.row is not None and pages.rendered is not None


def tagged_rows(results: Iterable[RecordPages], urls: dict[str, str]) -> list[tuple[tuple[str, ...], TrialRow]]:
    """Each published record's escaped tag names and trial-table row, linked to its page at ``urls[path]``."""
    return [(tuple(r.summary.tags), dataclasses.replace(r.summary.row, href=urls[r.summary.path]))
            for r in results if is_published(r) and r.summary.row]


@dataclass(frozen=True)
class SiteListing:
    """What pages other than a record's own show of the records: the trial table, tag listings, glossary."""

    rows: tuple[TrialRow, ...]
    listings: tuple[Listing, ...]
    glossary: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, rows: Iterable[TrialRow], results: Iterable[RecordPages], glossary: dict[str, str]) -> SiteListing:
        """The listing of a build: its table rows, every record's title and tags, the glossary."""
        listings = tuple((r.summary.trial_id, r.summary.row.short_name, r.summary.tags)
                         for r in results if r.summary.row)
        return cls(tuple(rows), listings, tuple(sorted(glossary.items())))


def pages_made_stale(before: SiteListing | None, now: SiteListing, pages: Sequence[str],
                     marker_pages: Iterable[str]) -> list[str]:
    """The pages (source URIs) a dirty rebuild must also rebuild, besides those whose own files changed.

    The trial table shows every trial's row; the tag listings show every trial's title and tags, and
    the tags plugin can list only the pages a build reads, so a change there (or to the glossary,
    which every page includes) rebuilds every page: rare edits, at the cost of a full build.
    ``before`` is None for the first build, which builds everything anyway.
    """
    if before is None:
        return []
    if now.listings != before.listings or now.glossary != before.glossary:
        return list(pages)
    if now.rows != before.rows:
        return sorted(marker_pages)
    return []


def entries_by_record(history: History) -> dict[str, tuple[Entry, ...]]:
    """Each record's entries of ``history``, in its order (``History.of`` of every record, in one pass)."""
    found: dict[str, list[Entry]] = {}
    for entry in history.entries:
        found.setdefault(entry.record, []).append(entry)
    return {record: tuple(entries) for record, entries in found.items()}


_PREFORMATTED = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)", re.S | re.I)
_INDENTATION = re.compile(r"\n[ \t\r\n]+")


def without_indentation(html: str) -> str:
    """The page with every line's leading whitespace removed (and blank lines), except in ``<pre>``.

    The theme's templates indent their markup and leave blank lines where a block is switched off:
    about 5 KB of a 80 KB trial page, on every one of them. HTML reads a line break and any run of
    whitespace the same, so what readers see does not change.
    """
    parts = _PREFORMATTED.split(html)
    return "".join(part if i % 2 else _INDENTATION.sub("\n", part) for i, part in enumerate(parts))
