"""The search index under ``mkdocs serve``: Pagefind runs after the rebuild has returned, so an edited page
shows without waiting for it.

Pagefind indexes a whole site, 17-20 s at 1,000 trials, while a dirty rebuild takes one or two. Its
Python API (``pagefind.index.PagefindIndex``, a service running the same binary) offers no shortcut: it
has no call that removes or replaces a page (only ``add_html_file``, ``add_directory``,
``add_custom_record``, ``get_files``, ``write_files`` and ``delete_index``), so a service kept across
rebuilds would hold an edited page twice, and a fresh one must be given every page again, which is the
work the command line does. Custom records of cached page text would spare the parsing but lose the
weights and sections that Pagefind reads from the HTML, so search would rank differently under serve
than on the published site.

So the index is rebuilt whole, in the background: one indexer at a time, a newer rebuild stops the
running one (its pages are being rewritten), and the finished index replaces ``site/pagefind`` by two
renames within one folder, so the served index is always a complete one (the last, until the next is
ready). A failed run is a warning that names its cause; the page stays served. A full ``mkdocs build``
indexes synchronously and fails when the indexer fails (``evidencekb.search_index.write_index``).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from evidencekb.search_index import INDEX_FOLDER, SearchIndexError, run_indexer

Indexer = Callable[[Path, Path, Callable[[subprocess.Popen[str]], None]], None]


class BackgroundIndexer:
    """Indexes the site after each rebuild in a thread of its own; the newest rebuild's index wins."""

    def __init__(self, log: logging.Logger, indexer: Indexer = run_indexer) -> None:
        self._log = log
        self._indexer = indexer
        self._lock = threading.Lock()
        self._generation = 0  # that of the newest rebuild; an older run's index is thrown away
        self._process: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None

    def start(self, site_dir: Path) -> None:
        """Index ``site_dir`` once the previous run (stopped now) has exited."""
        generation = self.stop()
        previous = self._thread
        self._thread = threading.Thread(target=self._index, args=(site_dir, generation, previous),
                                        name="evidencekb-search-index", daemon=True)
        self._thread.start()

    def stop(self) -> int:
        """Stop the running indexer (a newer rebuild has begun); returns the new generation."""
        with self._lock:
            self._generation += 1
            if self._process and self._process.poll() is None:
                self._process.kill()
            return self._generation

    def wait(self) -> None:
        """Until the last run has finished (or been stopped)."""
        if self._thread:
            self._thread.join()

    def _current(self, generation: int) -> bool:
        return generation == self._generation

    def _started(self, generation: int, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._process = process
            if not self._current(generation):
                process.kill()

    def _index(self, site_dir: Path, generation: int, previous: threading.Thread | None) -> None:
        if previous:
            previous.join()
        if not self._current(generation):
            return
        scratch = Path(tempfile.mkdtemp(prefix=".evidencekb-search-", dir=site_dir.parent))
        try:
            output = scratch / INDEX_FOLDER
            try:
                self._indexer(site_dir, output, lambda process: self._started(generation, process))
            except SearchIndexError as exc:
                if self._current(generation):
                    self._log.warning(f"evidencekb: the search index was not updated: {exc}")
                return
            with self._lock:
                if self._current(generation):
                    replace_index(output, site_dir / INDEX_FOLDER)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def replace_index(new: Path, served: Path) -> None:
    """Put the index at ``new`` in the place of ``served`` (same file system): two renames, the old index
    removed after."""
    old = new.with_name(new.name + "-old")
    if served.exists():
        os.rename(served, old)
    os.rename(new, served)
    shutil.rmtree(old, ignore_errors=True)
