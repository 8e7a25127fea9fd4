"""MkDocs plugin: glue only. Each hook hands MkDocs' objects to a plain function of ``evidencekb.sitebuild``.

The records in ``docs_dir/trials`` become pages at build time: ``sitebuild`` checks, computes and renders
them (with the same pipeline and messages as ``evidencekb validate``; invalid records abort the build at
``on_env``, before anything is written), caches them across the rebuilds of ``mkdocs serve`` and spreads
them over processes started at ``on_files``. The plugin adds the generated files (each trial page and its
computed JSON, the index pages, the field and diagnostics references, the question pages of
``evidencekb.questions.site``, the "What's new" page and feeds of ``evidencekb.living``), whose text it
fills in when MkDocs reads each page (``on_pre_page``) and the other files at ``on_env``; it leaves drafts
out, fills the markers of hand-written pages (the pages listing every trial are read last), and has
Pagefind index the written site (``evidencekb.search_index``). Nothing generated is written into the
docs folder, so ``mkdocs serve`` keeps watching only the records and hand-written pages.

Search runs on Pagefind alone, so the theme's ``search`` plugin is not used: it would parse every page
into ``search/search_index.json`` (about a fifth of the build's time), which no reader downloads, and it
has no setting that keeps its search box but not its index (``enabled: false`` removes both). The theme's
header is shown with its search box from ``theme/partials/header.html``, a theme override added before the
theme's templates at ``on_config`` as ``custom_dir`` would (so copies of ``mkdocs.yml`` need no path).

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
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from evidencekb.background_index import BackgroundIndexer
from evidencekb.bulk import BulkArchive
from evidencekb.content_rules import refused_entries
from evidencekb.diagnostics import Diagnostic, has_errors, render
from evidencekb.freshness import REVIEW_PERIOD_MONTHS, today
from evidencekb.history import Entry, History
from evidencekb.icons import ICONS, SharedIcons
from evidencekb.kinds import QUESTION
from evidencekb.living import (
    SITE_FEED,
    WHATS_NEW,
    HistoryCache,
    PublishedPage,
    feed_files,
    pages_with_history,
    record_feed,
)
from evidencekb.pagestore import PageStore
from evidencekb.passthrough import SetAside
from evidencekb.questions.site import (
    QuestionPage,
    QuestionSite,
    informs_block,
    questions_by_trial,
    render_question_list,
)
from evidencekb.render import (
    INDEX_PAGES,
    IndexPage,
    PageLinks,
    TrialRow,
    render_glossary,
    render_index_page,
    render_trial_table,
)
from evidencekb.reused import Reused
from evidencekb.search_index import (
    SearchIndexError,
    marked_for_search,
    without_theme_index,
    write_index,
)
from evidencekb.sitebuild import (
    BackingFiles,
    CompiledTemplates,
    PendingRecords,
    RecordCache,
    RecordFiles,
    RecordJob,
    RecordPages,
    SiteListing,
    default_workers,
    display_path,
    entries_by_record,
    is_published,
    json_text,
    page_text,
    pages_made_stale,
    read_glossary,
    record_files,
    site_problems,
    tagged_rows,
    unpublished,
    warnings_of,
    without_indentation,
)

log = logging.getLogger("mkdocs.plugins.evidencekb")
CSS = "assets/evidencekb/evidencekb.css"
JS = "assets/evidencekb/evidencekb.js"
SEARCH_JS = "assets/evidencekb/search.js"
THEME = str(Path(__file__).parent / "theme")  # the theme's header with its search box (see the docstring)
REFERENCE = "reference.md"
DIAGNOSTICS = "diagnostics.md"


class EvidencePluginConfig(Config):
    records = c.Type(str, default="trials")
    """Folder of the YAML records, relative to docs_dir; trial pages are generated at <records>/<id>/."""
    glossary = c.Type(str, default="includes/abbreviations.md")
    """The abbreviations file (``*[TERM]: meaning``) that pymdownx.snippets appends to every page."""
    trials_marker = c.Type(str, default="<!-- evidencekb:trials -->")
    questions_marker = c.Type(str, default="<!-- evidencekb:questions -->")
    glossary_marker = c.Type(str, default="<!-- evidencekb:glossary -->")
    workers = c.Type(int, default=0)
    """Processes that check, compute and render records; 0: one per core."""
    review_period = c.Type(int, default=REVIEW_PERIOD_MONTHS)
    """Months after a record's last review when its page flags the review as overdue."""
    per_trial_files = c.Type(bool, default=True)
    """Publish each trial's record and computed JSON as files of their own, besides the archive of all
    trials; false: the archive only, about 25 KB a trial less on disk (for sites of thousands of trials)."""


class EvidencePlugin(BasePlugin[EvidencePluginConfig]):
    """Defines ``on_startup``, so MkDocs keeps one instance across the rebuilds of ``mkdocs serve``:
    the record cache and the files behind generated pages outlive a single build."""

    def __init__(self) -> None:
        super().__init__()
        self._reset()

    def _reset(self) -> None:
        self.cache = RecordCache()
        self.history = HistoryCache()
        self.build_history = History()  # this build's, read once
        self.history_of: dict[str, tuple[Entry, ...]] = {}  # record -> its entries in this build's history
        self.backing: BackingFiles | None = None  # under --dirty: the files behind generated pages
        self.indexer: BackgroundIndexer | None = None  # under serve --dirty: search indexed after each rebuild
        self.templates = CompiledTemplates()
        self.links = Reused[PageLinks]()  # the links from each record's page, kept across rebuilds
        self.question_site = QuestionSite()
        self.question_problems: list[Diagnostic] | None = None  # once this build's questions are through
        self.question_links: Callable[[str], PageLinks] = lambda uri: PageLinks()
        self.listing: SiteListing | None = None  # that of the last build; None: no build yet
        self.marker_pages: set[str] = set()
        self.records = PendingRecords([], {}, 1)  # this build's records, on their way
        self.problems: list[Diagnostic] = []
        self.record_files: list[RecordFiles] = []
        self.page_urls_of: dict[str, str] = {}  # record path -> its page's URL
        self.tagged: list[tuple[tuple[str, ...], TrialRow]] | None = None  # this build's, once every record is in
        self.deferred: dict[str, Callable[[], str]] = {}  # src_uri -> its content, once the records are in
        self.glossary: dict[str, str] = {}
        self.questions: list[QuestionPage] = []
        self.questions_using: dict[str, list[QuestionPage]] = {}  # by trial id
        self.feeds: dict[str, str] | None = None  # this build's "What's new" page and feeds, once made
        self.bulk: BulkArchive | None = None  # every published trial's record and computed JSON, being written
        self.bulk_dir: str | None = None  # the folder of the last archive written
        self.converted = PageStore()  # each page's HTML between its conversion and its writing
        self.published_pages: set[str] = set()  # the written pages (dest_uri) of the last build
        self.icons = SharedIcons()  # the frame's icons of generated pages, written once into ICONS
        self.set_aside: dict[str, SetAside] = {}  # src_uri -> its finished HTML, while MkDocs converts the rest

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.on_shutdown()
        self._reset()
        if dirty:
            self.backing = BackingFiles(tempfile.mkdtemp(prefix="evidencekb-"))
        if dirty and command == "serve":
            self.indexer = BackgroundIndexer(log)

    def on_shutdown(self) -> None:
        if self.indexer:
            self.indexer.stop()
            self.indexer.wait()
        if self.backing:
            shutil.rmtree(self.backing.folder, ignore_errors=True)
            self.backing = None
        self._drop_archive()
        self.converted.close()

    def _drop_archive(self) -> None:
        if self.bulk:
            self.bulk.close()
        if self.bulk_dir:
            shutil.rmtree(self.bulk_dir, ignore_errors=True)
        self.bulk = self.bulk_dir = None

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
        if THEME not in config.theme.dirs:
            config.theme.dirs.insert(0, THEME)
        if CSS not in config.extra_css:
            config.extra_css.insert(0, CSS)
        for script in (JS, SEARCH_JS):
            if script not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(script)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.indexer:
            self.indexer.stop()  # the last build's pages are about to be rewritten
        self.site_config, self.deferred, self.page_urls_of, self.tagged = config, {}, {}, None
        self.converted.close()
        self.converted = PageStore()
        self.glossary = glossary = read_glossary(os.path.join(config.docs_dir, self.config.glossary))
        paths, self.problems = record_files(os.path.join(config.docs_dir, self.config.records))
        self.build_history = self.history.history(config.docs_dir)
        self.history_of = entries_by_record(self.build_history)
        self.questions, self.question_problems = self.question_site.read(config.docs_dir), None
        self.questions_using = questions_by_trial(self.questions)
        read = self.question_site.reads()
        self.links.next_build()
        targets = tuple(f.url if (f := files.get_file_from_path(uri)) else None
                        for uri in ("methods.md", "glossary.md", "index.md"))
        terms = tuple(sorted(glossary.items()))  # one tuple shared by every job, not a copy per record
        jobs = [RecordJob(path, self._links(files, config, path, targets), terms, _record_id(path) in read,
                          self.config.records) for path in paths]
        self.records = self.cache.start(jobs, self.config.workers or default_workers())  # workers start now
        for asset in (CSS, JS, SEARCH_JS):
            text = resources.files("evidencekb").joinpath("assets", asset.rsplit("/", 1)[1])
            self._add(files, config, asset, text.read_text(encoding="utf-8"))
        self.record_files = [RecordFiles.of(path, self.config.records) for path in paths]
        if self.record_files:
            self._add_archive(files, config)
        for record in self.record_files:  # filled in when MkDocs reads each page, by then most are ready
            self.page_urls_of[record.path] = File(record.page_uri, None, config.site_dir, config.use_directory_urls).url
            self._add(files, config, record.page_uri, functools.partial(self._page, record.path),
                      functools.partial(self._page_inputs, record.path))
            if self.config.per_trial_files:
                self._add(files, config, record.json_uri, functools.partial(self._json, record.path),
                          functools.partial(self.records.result, record.path))
            elif record_copy := files.get_file_from_path(self._src_uri(config, record.path) or ""):
                record_copy.inclusion = InclusionLevel.EXCLUDED  # in the archive instead
        for index in INDEX_PAGES:
            self._add(files, config, index.path, functools.partial(self._index_page, index), self._tagged)
        self._add(files, config, REFERENCE, _field_reference())
        self._add(files, config, DIAGNOSTICS, _diagnostics_reference())
        self.question_links = functools.partial(self._page_links, files, config)
        for question in self.questions:
            self._add(files, config, question.uri, functools.partial(self._question_page, question),
                      functools.partial(self._question_inputs, question))
        self.feeds = None
        question_feeds = [f"{QUESTION.folder}/feed.xml"] + [str(record_feed(q.uri)) for q in self.questions] \
            if self.questions else []
        living_inputs = functools.cache(self._living_inputs)  # the same for every feed of this build
        for uri in [WHATS_NEW, SITE_FEED] + ([f"{self.config.records}/feed.xml"] if self.record_files else []) \
                + question_feeds:
            self._add(files, config, uri, functools.partial(self._living_file, uri), living_inputs)
        if self.backing:
            pages = [f.src_uri for f in files.documentation_pages()]
            for src_uri in pages_made_stale(self.listing, self._listing(), pages, self.marker_pages):
                if file := files.get_file_from_path(src_uri):
                    file.content_string = file.content_string  # in-memory content counts as modified
        last = [f for f in files.documentation_pages()  # they wait for every record
                if self._lists_trials(f) or f.src_uri == WHATS_NEW]
        return Files([f for f in files if f not in last] + last)

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        if fill := self.deferred.pop(page.file.src_uri, None):
            page.file.content_string = fill()
        return page

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        env.bytecode_cache = self.templates
        results = self.records.results()
        diagnostics = site_problems((r.summary for r in results), self.problems + self._question_problems())
        if has_errors(diagnostics):
            raise PluginError("evidencekb: invalid records\n" + render(diagnostics, "text"))
        for d in warnings_of(diagnostics):
            log.warning(render([d], "text"))
        drafts = set(unpublished(results))
        for record in self.record_files:
            if record.path in drafts:  # neither the page, its JSON nor the YAML is published
                for src_uri in (record.page_uri, record.json_uri, self._src_uri(config, record.path)):
                    if file := files.get_file_from_path(src_uri or ""):
                        file.inclusion = InclusionLevel.EXCLUDED
        for src_uri, fill in self.deferred.items():  # the computed JSON files and feeds, copied next
            if file := files.get_file_from_path(src_uri):
                file.content_string = fill()
                if not file.content_string:  # a feed of a folder whose records are all drafts
                    file.inclusion = InclusionLevel.EXCLUDED
        self.deferred, self.listing = {}, self._listing()
        if self.backing:  # a dirty build leaves the pages it no longer publishes; Pagefind would index them
            published = {f.dest_uri for f in files.documentation_pages()}
            for dest_uri in self.published_pages - published:
                Path(config.site_dir, dest_uri).unlink(missing_ok=True)
            self.published_pages = published
        if self.bulk:
            self.bulk.close()  # complete: every record's page was made, and MkDocs copies it next
            self.bulk = None
        return env

    def on_build_error(self, *, error: Exception) -> None:
        self.records.close()

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        aside = self.set_aside[page.file.src_uri] = SetAside()
        if self.config.trials_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            rows = [dataclasses.replace(r, href=get_relative_url(r.href, page.file.url)) for _, r in self._tagged()]
            table = aside.mark(str(render_trial_table(rows)))
            markdown = markdown.replace(self.config.trials_marker, "\n" + table + "\n")
        if self.config.questions_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            listed = render_question_list(self.questions, lambda q: self._question_href(q, page, config))
            markdown = markdown.replace(self.config.questions_marker, "\n" + aside.mark(str(listed)) + "\n")
        trial_folder = self.config.records + "/"
        if page.file.src_uri.startswith(trial_folder) and "</h1>" in markdown:
            trial_id = page.file.src_uri[len(trial_folder):].removesuffix(".md")
            block = informs_block(self.questions_using.get(trial_id, []),
                                  lambda q: self._question_href(q, page, config))
            markdown = markdown.replace("</h1>", "</h1>\n" + str(block), 1)
        if self.config.glossary_marker in markdown:
            self.marker_pages.add(page.file.src_uri)
            glossary = render_glossary(self.glossary)
            markdown = markdown.replace(self.config.glossary_marker, "\n" + str(glossary) + "\n")
        return aside.page(markdown) if page.file.generated_by else markdown

    @event_priority(100)  # before any other plugin reads the converted page
    def _put_back(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        aside = self.set_aside.pop(page.file.src_uri, None)
        if not aside or not aside.blocks:
            return html
        page.present_anchor_ids = (page.present_anchor_ids or set()) | aside.anchor_ids()
        return aside.put_back(html)

    @event_priority(-100)  # after every other plugin's changes to the HTML
    def _keep_converted(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Keep the converted page on disk until MkDocs writes it, and drop its Markdown (its title,
        table of contents and anchors are already taken from it)."""
        self.converted.put(page.file.src_uri, html)
        page.markdown = ""
        if page.file.generated_by and not self.backing:
            page.file.content_string = ""
        return ""

    on_page_content = CombinedEvent(_put_back, _keep_converted)

    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        html = self.converted.take(page.file.src_uri)
        if html is not None:
            page.content = html
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        page.content = ""  # written: nothing reads it again
        # Abbreviations take keyboard focus, which shows their tooltip and has screen readers read the title;
        # the theme's search dialog gets the name it lacks.
        output = output.replace('data-md-component="search" role="dialog">',
                                'data-md-component="search" role="dialog" aria-label="Search">', 1)
        leads = page.url.startswith(QUESTION.folder + "/")  # a question ranks above the trials it summarises
        output = marked_for_search(without_theme_index(output), page.meta, leads=leads)
        output = output.replace("<abbr title=", '<abbr tabindex="0" title=')
        trial = page.file.src_uri.startswith(self.config.records + "/")
        if leads or trial:
            output = self.icons.page(output, get_relative_url(ICONS, page.url))
        return without_indentation(output) if trial else output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.icons.write(Path(config.site_dir))
        if self.indexer:  # every page is written by now
            self.indexer.start(Path(config.site_dir))
        else:
            try:
                write_index(Path(config.site_dir))
            except SearchIndexError as exc:
                raise PluginError(f"evidencekb: {exc}") from None

    def _add(self, files: Files, config: MkDocsConfig, src_uri: str, content: str | Callable[[], str],
             inputs: Callable[[], object] | None = None) -> File:
        """A generated file, unless the docs folder has a file of that name (which then wins).

        Content given as a function is filled in when MkDocs reads the page (or, for other files, at
        ``on_env``), except in dirty builds: they compare the file on disk, so it is written now, or kept
        as it is when ``inputs()`` (what the content is made from) equals that of the last build.
        """
        existing = files.get_file_from_path(src_uri)
        if existing:
            return existing
        if callable(content) and not self.backing:
            self.deferred[src_uri] = content
            content = ""
        if self.backing:
            path = self.backing.path(src_uri, content, inputs() if inputs else None)
            file = File.generated(config, src_uri, abs_src_path=path)
        else:
            file = File.generated(config, src_uri, content=content() if callable(content) else content)
        files.append(file)
        return file

    def _page(self, path: str) -> str:
        """The record's page; a published one with its review notice and its history, and with its
        files added to the archive (a full build then forgets them: MkDocs holds the page now)."""
        result = self.records.result(path)
        if not is_published(result):
            return page_text(result)
        page = self._published_page(result)
        text = pages_with_history([page], self.build_history, today(), self.config.review_period)[page.src_uri]
        if self.bulk and result.rendered:
            self.bulk.add(result.rendered.archived)
        if not self.backing:
            self.records.release(path, keep_json=self.config.per_trial_files)
        return text

    def _page_inputs(self, path: str) -> object:
        """What the record's page is made from (``_page``)."""
        page_uri = RecordFiles.of(path, self.config.records).page_uri
        return self.records.result(path), self.page_urls_of[path], self._history_inputs(page_uri)

    def _history_inputs(self, src_uri: str) -> object:
        """What a page's review notice and history section are made from."""
        record = src_uri.removesuffix(".md")
        return (self.history_of.get(record, ()), self.build_history.missing, today(), self.config.review_period)

    def _add_archive(self, files: Files, config: MkDocsConfig) -> None:
        """The archive of every published trial, written as the pages are made and complete at ``on_env``.

        A dirty rebuild (``make serve``) keeps the first build's archive: compressing every record again
        would take longer than the rest of showing an edit.
        """
        if not (self.backing and self.bulk_dir):
            self._drop_archive()
            self.bulk_dir = tempfile.mkdtemp(prefix="evidencekb-")
            self.bulk = BulkArchive(os.path.join(self.bulk_dir, "trials.tar.gz"))
        archive = os.path.join(self.bulk_dir, "trials.tar.gz")
        files.append(File.generated(config, self._bulk_uri(), abs_src_path=archive))

    def _bulk_uri(self) -> str:
        return f"{self.config.records}/{self.config.records}.tar.gz"

    def _published_page(self, result: RecordPages) -> PublishedPage:
        row = result.summary.row
        assert row is not None  # a published record has its row
        page_uri = RecordFiles.of(result.summary.path, self.config.records).page_uri
        return PublishedPage(page_uri, self.page_urls_of[result.summary.path], page_text(result),
                             row.short_name, row.last_reviewed)

    def _published_question(self, question: QuestionPage) -> PublishedPage:
        url = File(question.uri, None, self.site_config.site_dir, self.site_config.use_directory_urls).url
        return PublishedPage(question.uri, url, self._question_text(question), question.short_name,
                             question.last_reviewed)

    def _question_inputs(self, question: QuestionPage) -> object:
        """What the question's page is made from (``_question_page``)."""
        return self._question_text(question), self._history_inputs(question.uri)

    def _question_text(self, question: QuestionPage) -> str:
        self._question_problems()
        return self.question_site.page(question)

    def _question_problems(self) -> list[Diagnostic]:
        """The questions' diagnostics, after their cross-record stage (run once per build, when first needed)
        on the trial records this build checked."""
        if self.question_problems is None:
            read = self.question_site.reads()
            paths = {_record_id(r.path): r.path for r in self.record_files if _record_id(r.path) in read}
            trials = {trial_id: self.records.result(path).for_questions for trial_id, path in paths.items()}
            self.question_problems = self.question_site.build(trials, self.question_links)
        return self.question_problems

    def _question_page(self, question: QuestionPage) -> str:
        """A question's page with its review notice, its history and the link to its own feed."""
        page = self._published_question(question)
        feed = get_relative_url(str(record_feed(page.src_uri)), page.url)
        return pages_with_history([page], self.build_history, today(), self.config.review_period,
                                  {page.src_uri: feed})[page.src_uri]

    def _living_file(self, src_uri: str) -> str:
        """The "What's new" page or a feed ("" for none), all made once when the first is asked for."""
        if self.feeds is None:
            config = self.site_config
            pages = [self._published_page(r) for r in self.records.results() if is_published(r)]
            pages += [self._published_question(q) for q in self.questions]
            whats_new = File.generated(config, WHATS_NEW, content="").url
            self.feeds = feed_files(pages, self.build_history, config.site_url, get_relative_url, whats_new)
        return self.feeds.get(src_uri, "")

    def _living_inputs(self) -> object:
        """What the "What's new" page and the feeds are made from (``_living_file``)."""
        rows = tuple((r.summary.path, r.summary.row) for r in self.records.results() if is_published(r))
        return rows, tuple(self.questions), self.build_history, self.site_config.site_url

    def _json(self, path: str) -> str:
        text = json_text(self.records.result(path))
        if not self.backing:
            self.records.release(path)
        return text

    def _index_page(self, index: IndexPage) -> str:
        """An index page, each row's link relative to it."""
        url = File.generated(self.site_config, index.path, content="").url
        here = [(tags, dataclasses.replace(row, href=get_relative_url(row.href, url))) for tags, row in self._tagged()]
        return render_index_page(index, here)

    def _tagged(self) -> list[tuple[tuple[str, ...], TrialRow]]:
        """Each published record's tags and row, made once per build: the index pages, the trial table and
        the listing that decides which pages an edit makes stale all ask for them."""
        if self.tagged is None:
            self.tagged = tagged_rows(self.records.results(), self.page_urls_of)
        return self.tagged

    def _listing(self) -> SiteListing:
        return SiteListing.of([row for _, row in self._tagged()], self.records.results(), self.glossary)

    def _links(self, files: Files, config: MkDocsConfig, path: str, targets: tuple[str | None, ...]) -> PageLinks:
        """Links from the page of the record at ``path``: the last build's, unless what they are made of
        (the record's copy in the site, the URLs of the pages linked to: ``targets``) changed."""
        record_file = files.get_file_from_path(self._src_uri(config, path) or "")
        key = (path, record_file.url if record_file else None, targets, config.use_directory_urls,
               self.config.per_trial_files, self.config.records)
        return self.links.get(key, lambda: self._made_links(files, config, path))

    def _made_links(self, files: Files, config: MkDocsConfig, path: str) -> PageLinks:
        trial_id = _record_id(path)
        folder = f"{self.config.records}/{trial_id}"
        page_url = File(f"{folder}.md", None, config.site_dir, config.use_directory_urls).url
        json_url = File(f"{folder}/{trial_id}.computed.json", None, config.site_dir, False).url
        record_file = files.get_file_from_path(self._src_uri(config, path) or "")
        each = self.config.per_trial_files
        return PageLinks(
            record=get_relative_url(record_file.url, page_url) if record_file and each else None,
            computed=get_relative_url(json_url, page_url) if each else None,
            bulk=None if each else get_relative_url(File(self._bulk_uri(), None, config.site_dir, False).url, page_url),
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

    def _lists_trials(self, file: File) -> bool:
        """A hand-written page with the trial-table marker (one MkDocs cannot read, it reports itself)."""
        try:
            return not file.generated_by and self.config.trials_marker in file.content_string
        except (OSError, ValueError):
            return False

    @staticmethod
    def _src_uri(config: MkDocsConfig, path: str) -> str | None:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(config.docs_dir))
        return None if relative.startswith("..") else relative.replace(os.sep, "/")

    @staticmethod
    def _link(files: Files, src_uri: str, from_url: str) -> str | None:
        target = files.get_file_from_path(src_uri)
        return get_relative_url(target.url, from_url) if target else None


def _record_id(path: str) -> str:
    """The id of the record at ``path``: its file name (trial ids equal file names, a checked rule)."""
    return os.path.splitext(os.path.basename(path))[0]


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
