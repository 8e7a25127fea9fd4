"""The site's search index: Pagefind's chunked static index, written after every build.

mkdocs-material's own index is one JSON file that every page view downloads before the first result can
show: about 6 KB per trial, 41 MB at 10,000 trials. Pagefind (``pagefind`` on PyPI, its binary in the
``pagefind_bin`` wheel, so nothing is downloaded at build time) splits the index into fragments by word
and page, and a page view loads only the fragments its query needs (``scripts/bench_search.py`` measures
both). The theme's search box stays; ``assets/search.js`` answers its queries from Pagefind.

Each built page says what Pagefind indexes (``marked_for_search``): the article of each page not excluded
by its front matter (``search: {exclude: true}``), without the elements marked ``data-pagefind-ignore``
(numbers and boilerplate repeated on every trial page, ``evidencekb.render.env``), with their front
matter's ``search.boost`` as Pagefind's weight of their words, and the question pages filed under the
filter ``leads``. Pagefind's weights scale a word's count before its ranking saturates it, which
left trial pages level with the question page that summarises them, so the search script also multiplies
the score of a question page by 3 (its boost of 6 over the trial pages' 2). One filter of one value:
Pagefind 1.5 writes a filter of several values in a different order on each run, which would break
byte-identical builds. ``write_index`` then indexes the built site into ``pagefind/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ARTICLE = '<article class="md-content__inner md-typeset">'
THEME_FORM = '<form class="md-search__form" name="search">'
INDEX_FOLDER = "pagefind"
UNUSED = ("pagefind-*ui.*", "pagefind-highlight.js")  # Pagefind's own search UIs and highlighter
MAX_WEIGHT = 10.0  # Pagefind's weights run from 0 to 10
TIMEOUT = 600  # seconds: a stuck indexer fails the build instead of hanging it


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why."""


def marked_for_search(html: str, meta: Mapping[str, Any], *, leads: bool = False) -> str:
    """The page with its article marked as Pagefind's page body, weighted by its ``search.boost``, and
    filed under ``leads`` when it ranks above the rest (a question page).

    Pages whose front matter says ``search: {exclude: true}`` stay unmarked, which keeps them out of the
    index: once any page has a ``data-pagefind-body``, Pagefind indexes only such pages.
    """
    search = meta.get("search") or {}
    if not isinstance(search, Mapping) or search.get("exclude"):
        return html
    boost = search.get("boost", 1)
    weight = min(float(boost), MAX_WEIGHT) if isinstance(boost, int | float) and boost > 0 else 1.0
    lead = ' data-pagefind-filter="leads:yes"' if leads else ""
    marked = ARTICLE[:-1] + f' data-pagefind-body data-pagefind-weight="{weight:g}"{lead}>'
    return html.replace(ARTICLE, marked, 1)


def without_theme_index(html: str) -> str:
    """The page with the theme's search form renamed: for a form named ``search`` the theme's script fetches
    its own index (``search/search_index.json``, which the site does not have); ``assets/search.js``
    answers the form's queries instead."""
    return html.replace(THEME_FORM, THEME_FORM.replace('name="search"', 'name="ekb-search"'), 1)


def indexer_command(site_dir: Path, output: Path) -> list[str]:
    """Pagefind run by this Python (the binary of the installed ``pagefind_bin``), quiet unless it fails."""
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(output),
            "--force-language", "en", "--silent"]


def write_index(site_dir: Path) -> None:
    """Index the built site into ``site_dir/pagefind`` (replaced whole, so no page's fragments go stale).

    Pagefind writes into a temporary folder that is moved into the site once it has finished: a build
    killed meanwhile (its indexer lives on for a moment) leaves stray files there, never in a staging
    folder of the site that a later build has already removed.
    """
    shutil.rmtree(site_dir / INDEX_FOLDER, ignore_errors=True)
    if not any(site_dir.rglob("*.html")):
        raise SearchIndexError(f"no page to index in {site_dir}")
    with tempfile.TemporaryDirectory(prefix="evidencekb-search-") as scratch:
        output = Path(scratch) / INDEX_FOLDER
        run_indexer(site_dir, output)
        shutil.move(output, site_dir / INDEX_FOLDER)


def run_indexer(site_dir: Path, output: Path,
                started: Callable[[subprocess.Popen[str]], None] = lambda process: None) -> None:
    """Pagefind indexes the built site into ``output`` (without its unused UIs); ``started`` is handed the
    running indexer, so that a newer build can stop it."""
    try:
        process = subprocess.Popen(indexer_command(site_dir, output), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise SearchIndexError(f"the search indexer did not run: {exc}") from None
    started(process)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise SearchIndexError(f"the search indexer did not finish within {TIMEOUT} s") from None
    if process.returncode != 0:
        reason = (stderr or stdout).strip().splitlines()
        raise SearchIndexError("the search indexer failed: " + (reason[-1] if reason else f"exit {process.returncode}"))
    for pattern in UNUSED:
        for unused in output.glob(pattern):
            unused.unlink()
