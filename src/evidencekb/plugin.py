"""MkDocs plugin: glue only. Each hook hands MkDocs' objects to a plain function of ``evidencekb.sitebuild``.

The records in ``docs_dir/trials`` become pages at build time: ``sitebuild`` checks, computes and renders
them (with the same pipeline and messages as ``evidencekb validate``; invalid records abort the build),
caches them across the rebuilds of ``mkdocs serve`` and spreads them over processes. The plugin adds the
generated files (each trial page and its computed JSON, the index pages, the field and diagnostics
references), fills the markers of hand-written pages, and tidies the search index. Nothing generated is
written into the docs folder, so ``mkdocs serve`` keeps watching only the records and hand-written pages.

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

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from evidencekb.content_rules import refused_entries
from evidencekb.diagnostics import has_errors, render
from evidencekb.freshness import REVIEW_PERIOD_MONTHS, today
from evidencekb.kinds import QUESTION
from evidencekb.living import WHATS_NEW, HistoryCache, PublishedPage, feed_files, pages_with_history
from evidencekb.questions.site import QuestionPage, informs_block, question_pages, render_question_list
from evidencekb.render import INDEX_PAGES, PageLinks, render_glossary, render_index_page, render_trial_table
from evidencekb.sitebuild import (
    RecordCache,
    RecordJob,
    SiteListing,
    TrialFiles,
    default_workers,
    display_path,
    merged_search_index,
    pages_made_stale,
    published_files,
    read_glossary,
    record_files,
    site_problems,
    tags_once_per_page,
    warnings_of,
    write_backing_file,
)

log = logging.getLogger("mkdocs.plugins.evidencekb")
CSS = "assets/evidencekb/evidencekb.css"
JS = "assets/evidencekb/evidencekb.js"
REFERENCE = "reference.md"
DIAGNOSTICS = "diagnostics.md"


class EvidencePluginConfig(Config):
    records = c.Type(str, default="trials")
    """Folder of the YAML records, relative to docs_dir; trial pages are generated at <records>/<id>/."""
    glossary = c.Type(str, default="includes/abbreviations.md")
    """The abbreviations file (``*[TERM]: meaning``) that pymdownx.snippets appends to every page."""
    trials_marker = c.Type(str, default="<!-- evidencekb:trials -->")
    glossary_marker = c.Type(str, default="<!-- evidencekb:glossary -->")
    questions_marker = c.Type(str, default="<!-- evidencekb:questions -->")
    workers = c.Type(int, default=0)
    """Processes that check, compute and render records; 0: one per core."""
    review_period = c.Type(int, default=REVIEW_PERIOD_MONTHS)
    """Months after a record's last review when its page flags the review as overdue."""


class EvidencePlugin(BasePlugin[EvidencePluginConfig]):
    """Defines ``on_startup``, so MkDocs keeps one instance across the rebuilds of ``mkdocs serve``:
    the record cache and the files behind generated pages outlive a single build."""

    def __init__(self) -> None:
        super().__init__()
        self._reset()

    def _reset(self) -> None:
        self.cache = RecordCache()
        self.history = HistoryCache()
        self.backing: str | None = None  # under --dirty: the folder of files behind generated pages
        self.listing: SiteListing | None = None  # None: no build yet
        self.marker_pages: set[str] = set()
        self.page_urls: set[str] = set()
        self.built_urls: set[str] = set()
        self.questions: list[QuestionPage] = []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.on_shutdown()
        self._reset()
        if dirty:
            self.backing = tempfile.mkdtemp(prefix="evidencekb-")

    def on_shutdown(self) -> None:
        if self.backing:
            shutil.rmtree(self.backing, ignore_errors=True)
            self.backing = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # before MkDocs lists (and would copy) the docs folder: no symlink, FIFO or stray file in it
        records_dir = os.path.join(config.docs_dir, self.config.records)
        refused = refused_entries(display_path(config.docs_dir), display_path(records_dir))
        questions_dir = display_path(os.path.join(config.docs_dir, QUESTION.folder))  # a folder of records too
        if os.path.isdir(questions_dir):
            refused += [p for p in refused_entries(questions_dir, questions_dir) if p not in refused]
        if refused:
            raise PluginError("evidencekb: the content folder holds what may not be published\n"
                              + render(refused, "text"))
        if CSS not in config.extra_css:
            config.extra_css.insert(0, CSS)
        if JS not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(JS)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        glossary = read_glossary(os.path.join(config.docs_dir, self.config.glossary))
        paths, problems = record_files(os.path.join(config.docs_dir, self.config.records))
        jobs = [RecordJob(path, self._links(files, config, path), tuple(sorted(glossary.items()))) for path in paths]
        results = self.cache.build(jobs, self.config.workers or default_workers())
        self.questions, question_problems = question_pages(
            config.docs_dir, lambda uri: self._page_links(files, config, uri))
        diagnostics = site_problems((r.summary for r in results), problems + question_problems)
        if has_errors(diagnostics):
            raise PluginError("evidencekb: invalid records\n" + render(diagnostics, "text"))
        for d in warnings_of(diagnostics):
            log.warning(render([d], "text"))
        for asset in (CSS, JS):
            text = resources.files("evidencekb").joinpath("assets", asset.rsplit("/", 1)[1])
            self._add(files, config, asset, text.read_text(encoding="utf-8"))
        published, unpublished = published_files(results, self.config.records)
        for path in unpublished:
            if record_file := files.get_file_from_path(self._src_uri(config, path) or ""):
                files.remove(record_file)
        rows, tagged = [], []
        living_pages, feeds = self._living(config, published)
        for trial in published:
            page_file = self._add(files, config, trial.page_uri, living_pages[trial.page_uri])
            self._add(files, config, trial.json_uri, trial.computed_json)
            rows.append(dataclasses.replace(trial.row, href=page_file.url))
            tagged.append((trial.tags, rows[-1]))
        for index in INDEX_PAGES:  # each row's link relative to the index page
            url = File.generated(config, index.path, content="").url
            here = [(tags, dataclasses.replace(row, href=get_relative_url(row.href, url))) for tags, row in tagged]
            self._add(files, config, index.path, render_index_page(index, here))
        for question in self.questions:
            self._add(files, config, question.uri, question.page)
        for uri, feed in feeds.items():
            self._add(files, config, uri, feed)
        self._add(files, config, REFERENCE, _field_reference())
        self._add(files, config, DIAGNOSTICS, _diagnostics_reference())
        listing = SiteListing.of(rows, results, glossary)
        if self.backing:
            pages = [f.src_uri for f in files.documentation_pages()]
            for src_uri in pages_made_stale(self.listing, listing, pages, self.marker_pages):
                if file := files.get_file_from_path(src_uri):
                    file.content_string = file.content_string  # in-memory content counts as modified
        self.listing = listing
        self.page_urls = {"" if f.url in (".", "./") else f.url for f in files.documentation_pages()}  # as Page.url
        self.built_urls = set()
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.listing is not None  # on_files ran
        if self.config.trials_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            rows = [dataclasses.replace(r, href=get_relative_url(r.href, page.file.url)) for r in self.listing.rows]
            markdown = markdown.replace(self.config.trials_marker, "\n" + str(render_trial_table(rows)) + "\n")
        if self.config.questions_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            listed = render_question_list(self.questions, lambda q: self._question_href(q, page, config))
            markdown = markdown.replace(self.config.questions_marker, "\n" + str(listed) + "\n")
        trial_folder = self.config.records + "/"
        if page.file.src_uri.startswith(trial_folder) and "</h1>" in markdown:
            trial_id = page.file.src_uri[len(trial_folder):].removesuffix(".md")
            block = informs_block(self.questions, trial_id, lambda q: self._question_href(q, page, config))
            markdown = markdown.replace("</h1>", "</h1>\n" + str(block), 1)
        if self.config.glossary_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            glossary = render_glossary(dict(self.listing.glossary))
            markdown = markdown.replace(self.config.glossary_marker, "\n" + str(glossary) + "\n")
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
            index.entries = merged_search_index(previous.entries, index.entries, self.page_urls, self.built_urls)
            search.search_index_prev = None  # type: ignore[union-attr]
        tags_once_per_page(index.entries)

    def _living(self, config: MkDocsConfig, published: list[TrialFiles]) -> tuple[dict[str, str], dict[str, str]]:
        """Each published page with its history and review freshness; the "What's new" page and the feeds."""
        pages = [PublishedPage(t.page_uri, File.generated(config, t.page_uri, content="").url, t.page,
                               t.row.short_name, t.row.last_reviewed) for t in published]
        history = self.history.history(config.docs_dir)
        whats_new = File.generated(config, WHATS_NEW, content="").url
        return (pages_with_history(pages, history, today(), self.config.review_period),
                feed_files(pages, history, config.site_url, get_relative_url, whats_new))

    def _add(self, files: Files, config: MkDocsConfig, src_uri: str, content: str) -> File:
        """A generated file, unless the docs folder has a file of that name (which then wins)."""
        existing = files.get_file_from_path(src_uri)
        if existing:
            return existing
        if self.backing:
            path = write_backing_file(self.backing, src_uri, content)
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

    def _page_links(self, files: Files, config: MkDocsConfig, src_uri: str) -> PageLinks:
        """Links from a generated page other than a trial's (a question page) to the site's pages."""
        page_url = File(src_uri, None, config.site_dir, config.use_directory_urls).url
        return PageLinks(methods=self._link(files, "methods.md", page_url),
                         glossary=self._link(files, "glossary.md", page_url),
                         home=self._link(files, "index.md", page_url))

    @staticmethod
    def _question_href(question: QuestionPage, page: Page, config: MkDocsConfig) -> str:
        url = File(question.uri, None, config.site_dir, config.use_directory_urls).url
        return get_relative_url(url, page.file.url)

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


@functools.cache
def _diagnostics_reference() -> str:
    """The diagnostics reference (generated from ``evidencekb.catalogue``)."""
    from evidencekb.catalogue import diagnostics_markdown

    return diagnostics_markdown()
