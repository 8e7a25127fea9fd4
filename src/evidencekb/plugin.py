"""MkDocs plugin: thin glue that turns the records in ``docs_dir/trials`` into pages at build time.

It validates records with the same pipeline and messages as ``evidencekb validate`` (invalid records
abort the build), computes each published trial's namespace, and adds generated files: the trial page,
its computed JSON, the index pages by condition/intervention/outcome, and the trial table on the home
page. The per-record work (check, compute, render) lives in ``evidencekb.sitebuild``, which caches it
across the rebuilds of ``mkdocs serve`` and spreads it over processes; nothing generated is written
into the docs folder, so ``mkdocs serve`` keeps watching only the records and hand-written pages.

Before MkDocs lists the docs folder, a folder holding a symlink, a FIFO or, among the records, any
other file is refused (``evidencekb.content_rules``): MkDocs would publish them as they are.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import shutil
import tempfile
from importlib import resources

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from evidencekb.content_rules import refused_entries
from evidencekb.diagnostics import Severity, has_errors, render
from evidencekb.records import discover, duplicate_trial_ids
from evidencekb.render import (
    INDEX_PAGES,
    PageLinks,
    TrialRow,
    parse_abbreviations,
    render_glossary,
    render_index_page,
    render_trial_table,
)
from evidencekb.sitebuild import (
    BackgroundRenderer,
    RecordCache,
    RecordJob,
    RenderedRecord,
    build_records,
    default_workers,
    useful_workers,
)

log = logging.getLogger("mkdocs.plugins.evidencekb")
CSS = "assets/evidencekb/evidencekb.css"
JS = "assets/evidencekb/evidencekb.js"
Listing = tuple[str | None, str, tuple[str, ...]]  # what the tag listings show of a trial: id, title, tags
REFERENCE = "reference.md"


class EvidencePluginConfig(Config):
    records = c.Type(str, default="trials")
    """Folder of the YAML records, relative to docs_dir; trial pages are generated at <records>/<id>/."""
    glossary = c.Type(str, default="includes/abbreviations.md")
    """The abbreviations file (``*[TERM]: meaning``) that pymdownx.snippets appends to every page."""
    trials_marker = c.Type(str, default="<!-- evidencekb:trials -->")
    glossary_marker = c.Type(str, default="<!-- evidencekb:glossary -->")
    workers = c.Type(int, default=0)
    """Processes that check, compute and render records; 0: one per core."""


class EvidencePlugin(BasePlugin[EvidencePluginConfig]):
    """Defines ``on_startup``, so MkDocs keeps one instance across the rebuilds of ``mkdocs serve``:
    the record cache and the files behind generated pages outlive a single build."""

    def __init__(self) -> None:
        super().__init__()
        self._reset()

    def _reset(self) -> None:
        self.cache = RecordCache()
        self.backing: str | None = None
        self.rows: list[TrialRow] = []
        self.listings: list[Listing] | None = None  # None: no build yet
        self.glossary: dict[str, str] = {}
        self.marker_pages: set[str] = set()
        self.page_urls: set[str] = set()
        self.built_urls: set[str] = set()
        self.renderer: BackgroundRenderer | None = None
        self.pending: dict[str, RecordJob] = {}  # generated files whose content the renderer is making

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # A dirty build rebuilds only pages whose source file is newer than their output, and a generated
        # page with in-memory content always counts as newer; so under --dirty generated pages are backed
        # by files that are rewritten only when their content changes.
        self.on_shutdown()
        self._reset()
        if dirty:
            self.backing = tempfile.mkdtemp(prefix="evidencekb-")

    def on_shutdown(self) -> None:
        self._stop_renderer()
        if self.backing:
            shutil.rmtree(self.backing, ignore_errors=True)
            self.backing = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # before MkDocs lists (and would copy) the docs folder: no symlink, FIFO or stray file in it
        records_dir = os.path.join(config.docs_dir, self.config.records)
        refused = refused_entries(_display_path(config.docs_dir), _display_path(records_dir))
        if refused:
            raise PluginError("evidencekb: the content folder holds what may not be published\n"
                              + render(refused, "text"))
        if CSS not in config.extra_css:
            config.extra_css.insert(0, CSS)
        if JS not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(JS)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        glossary = self._read_glossary(config)
        records_dir = os.path.join(config.docs_dir, self.config.records)
        paths, problems = discover([_display_path(records_dir)])
        jobs = [RecordJob(path, self._links(files, config, path), tuple(sorted(glossary.items()))) for path in paths]
        workers = useful_workers(len(jobs), self.config.workers or default_workers())
        render_later = workers > 1 and not self.backing
        if render_later:  # summaries now, pages in the background while MkDocs converts pages
            results = build_records([dataclasses.replace(j, render=False) for j in jobs], workers)
        else:
            results = self.cache.build(jobs, workers)
        summaries = [r.summary for r in results]
        problems += duplicate_trial_ids((r.path, r.trial_id, r.id_position) for r in summaries if r.trial_id)
        diagnostics = problems + [d for r in summaries for d in r.diagnostics]
        if has_errors(diagnostics):
            raise PluginError("evidencekb: invalid records\n" + render(diagnostics, "text"))
        for d in diagnostics:
            if d.severity is Severity.WARNING:
                log.warning(render([d], "text"))
        for asset in (CSS, JS):
            text = resources.files("evidencekb").joinpath("assets", asset.rsplit("/", 1)[1])
            self._add(files, config, asset, text.read_text(encoding="utf-8"))
        rows: list[TrialRow] = []
        tagged: list[tuple[tuple[str, ...], TrialRow]] = []
        for result, job in zip(results, jobs, strict=True):
            summary = result.summary
            record_file = files.get_file_from_path(self._src_uri(config, summary.path) or "")
            if not summary.published or summary.row is None:
                if record_file:
                    files.remove(record_file)
                continue
            folder = f"{self.config.records}/{summary.trial_id}"
            rendered = result.rendered or RenderedRecord("", "")  # empty until the background renderer has it
            page_file = self._add(files, config, f"{folder}.md", rendered.page)
            json_file = self._add(files, config, f"{folder}/{summary.trial_id}.computed.json", rendered.computed_json)
            for file in (page_file, json_file):
                if render_later and file.generated_by:  # a file of that name in the docs folder wins
                    self.pending[file.src_uri] = job
            rows.append(dataclasses.replace(summary.row, href=page_file.url))
            tagged.append((summary.tags, rows[-1]))
        if render_later:
            self.renderer = BackgroundRenderer(list(dict.fromkeys(self.pending.values())))
        for index in INDEX_PAGES:
            url = File.generated(config, index.path, content="").url
            here = [(t, dataclasses.replace(r, href=get_relative_url(r.href, url))) for t, r in tagged]
            self._add(files, config, index.path, render_index_page(index, here))
        self._add(files, config, REFERENCE, _field_reference())
        listings = [(r.trial_id, r.row.short_name, r.tags) for r in summaries if r.row]
        if self.backing and self.listings is not None:
            self._rebuild_what_changed(files, rows, listings, glossary)
        self.rows, self.listings, self.glossary = rows, listings, glossary
        self.page_urls = {"" if f.url in (".", "./") else f.url for f in files.documentation_pages()}  # as Page.url
        self.built_urls = set()
        return files

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        job = self.pending.get(page.file.src_uri)
        if job is None or self.renderer is None:
            return None
        return self.renderer.rendered(job.path).page

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """Every page has been read, so every render is done: fill in the computed JSON files."""
        if self.renderer is not None:
            for src_uri, job in self.pending.items():
                file = files.get_file_from_path(src_uri)
                if file and not file.is_documentation_page():
                    file.content_string = self.renderer.rendered(job.path).computed_json
            self._stop_renderer()
        return env

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_renderer()

    def _stop_renderer(self) -> None:
        if self.renderer is not None:
            self.renderer.close()
        self.renderer, self.pending = None, {}

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.config.trials_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            rows = [dataclasses.replace(r, href=get_relative_url(r.href, page.file.url)) for r in self.rows]
            markdown = markdown.replace(self.config.trials_marker, "\n" + str(render_trial_table(rows)) + "\n")
        if self.config.glossary_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            markdown = markdown.replace(self.config.glossary_marker,
                                        "\n" + str(render_glossary(self.glossary)) + "\n")
        return markdown

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        self.built_urls.add(page.url)
        # Abbreviations take keyboard focus, which shows their tooltip and has screen readers read the title;
        # the theme's search dialog gets the name it lacks.
        output = output.replace('data-md-component="search" role="dialog">',
                                'data-md-component="search" role="dialog" aria-label="Search">', 1)
        return output.replace("<abbr title=", '<abbr tabindex="0" title=')

    @event_priority(50)  # before the search plugin (priority 0) writes the index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        search = config.plugins.get("material/search")
        index = getattr(search, "search_index", None)
        if index is None:
            return
        previous = getattr(search, "search_index_prev", None)
        if self.backing and previous is not None:
            index.entries = self._merged_after_dirty_build(previous.entries, index.entries)
            search.search_index_prev = None  # type: ignore[union-attr]
        _tags_once_per_page(index.entries)

    def _merged_after_dirty_build(self, previous: list[dict[str, object]],
                                  rebuilt: list[dict[str, object]]) -> list[dict[str, object]]:
        """The whole search index after a dirty rebuild, without stale entries.

        mkdocs-material's search plugin indexes only the pages a dirty build rebuilt and merges them into
        the previous index by the first rebuilt page's URL alone: with several pages rebuilt, older
        entries of the others stay, and a rebuilt home page (URL "") drops every other page. Here the
        previous entries of every rebuilt or removed page are dropped instead.
        """
        kept = [e for e in previous
                if (url := _page_of(e)) in self.page_urls and url not in self.built_urls]
        return kept + rebuilt

    def _read_glossary(self, config: MkDocsConfig) -> dict[str, str]:
        path = os.path.join(config.docs_dir, self.config.glossary)
        if not os.path.isfile(path):
            return {}
        with open(path, encoding="utf-8") as handle:
            return parse_abbreviations(handle.read())

    def _add(self, files: Files, config: MkDocsConfig, src_uri: str, content: str) -> File:
        """A generated file, unless the docs folder has a file of that name (which then wins)."""
        existing = files.get_file_from_path(src_uri)
        if existing:
            return existing
        if self.backing:
            path = os.path.join(self.backing, *src_uri.split("/"))
            if not os.path.isfile(path) or _read(path) != content:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    handle.write(content)
            file = File.generated(config, src_uri, abs_src_path=path)
        else:
            file = File.generated(config, src_uri, content=content)
        files.append(file)
        return file

    def _links(self, files: Files, config: MkDocsConfig, path: str) -> PageLinks:
        """Links from the page of the record at ``path`` (trial ids equal file names, a checked rule)."""
        trial_id = os.path.splitext(os.path.basename(path))[0]
        folder = f"{self.config.records}/{trial_id}"
        page_url = File(f"{folder}.md", None, config.site_dir, config.use_directory_urls).url
        json_url = File(f"{folder}/{trial_id}.computed.json", None, config.site_dir, False).url
        record_file = files.get_file_from_path(self._src_uri(config, path) or "")
        return PageLinks(
            record=get_relative_url(record_file.url, page_url) if record_file else None,
            computed=get_relative_url(json_url, page_url),
            methods=self._link(files, "methods.md", page_url),
            glossary=self._link(files, "glossary.md", page_url),
            home=self._link(files, "index.md", page_url),
        )

    def _rebuild_what_changed(self, files: Files, rows: list[TrialRow], listings: list[Listing],
                              glossary: dict[str, str]) -> None:
        """Have a dirty build also rebuild the pages that show what an edit changed elsewhere.

        The trial table shows every trial's row; the tag listings show every trial's title and tags, and
        the tags plugin can list only the pages a build reads, so a change there (or to the glossary,
        which every page includes) rebuilds every page: rare edits, at the cost of a full build.
        """
        if listings != self.listings or glossary != self.glossary:
            uris = [f.src_uri for f in files.documentation_pages()]
        elif rows != self.rows:
            uris = sorted(self.marker_pages)
        else:
            return
        for src_uri in uris:
            file = files.get_file_from_path(src_uri)
            if file:
                file.content_string = file.content_string  # in-memory content counts as modified

    @staticmethod
    def _src_uri(config: MkDocsConfig, path: str) -> str | None:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(config.docs_dir))
        return None if relative.startswith("..") else relative.replace(os.sep, "/")

    @staticmethod
    def _link(files: Files, src_uri: str, from_url: str) -> str | None:
        target = files.get_file_from_path(src_uri)
        return get_relative_url(target.url, from_url) if target else None


@functools.cache
def _field_reference() -> str:
    """The record field reference (generated from the models by ``evidencekb.fieldref``), left out of the
    search index: its field names (endpoint, adverse event, TIS in examples) would outrank trial pages."""
    from evidencekb.fieldref import field_reference_markdown

    return "---\nsearch:\n  exclude: true\n---\n" + field_reference_markdown()


def _page_of(entry: dict[str, object]) -> str:
    return str(entry["location"]).split("#")[0]


def _tags_once_per_page(entries: list[dict[str, object]]) -> None:
    """Keep a page's tags on its first search entry only.

    The search plugin copies the page's tags into the entry of every section, which made them about
    40% of each trial's share of the index; on the page's own entry they still find and label it.
    """
    seen: set[str] = set()
    for entry in entries:
        page = _page_of(entry)
        if page in seen:
            entry.pop("tags", None)
        seen.add(page)


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _display_path(path: str) -> str:
    """The records folder relative to the working directory when inside it, as ``validate`` prints it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
