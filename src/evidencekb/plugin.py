"""MkDocs plugin: thin glue that turns the records in ``docs_dir/trials`` into pages at build time.

It validates records with the same pipeline and messages as ``evidencekb validate`` (invalid records
abort the build), computes each published trial's namespace, and adds generated files: the trial page,
its computed JSON, the index pages by condition/intervention/outcome, and the trial table on the home
page. Rendering lives in ``evidencekb.render`` (no MkDocs there); nothing generated is written into
the docs folder, so ``mkdocs serve`` keeps watching only the records and hand-written pages.
"""

from __future__ import annotations

import json
import logging
import os
from importlib import resources

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from evidencekb.computed import compute_trial
from evidencekb.diagnostics import Severity, has_errors, render
from evidencekb.records import check_paths
from evidencekb.render import (
    INDEX_PAGES,
    PageLinks,
    TrialContext,
    TrialEntry,
    parse_abbreviations,
    render_glossary,
    render_index_page,
    render_trial_page,
    render_trial_table,
    tags,
)

log = logging.getLogger("mkdocs.plugins.evidencekb")
CSS = "assets/evidencekb/evidencekb.css"
REFERENCE = "reference.md"


class EvidencePluginConfig(Config):
    records = c.Type(str, default="trials")
    """Folder of the YAML records, relative to docs_dir; trial pages are generated at <records>/<id>/."""
    glossary = c.Type(str, default="includes/abbreviations.md")
    """The abbreviations file (``*[TERM]: meaning``) that pymdownx.snippets appends to every page."""
    trials_marker = c.Type(str, default="<!-- evidencekb:trials -->")
    glossary_marker = c.Type(str, default="<!-- evidencekb:glossary -->")


class EvidencePlugin(BasePlugin[EvidencePluginConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if CSS not in config.extra_css:
            config.extra_css.insert(0, CSS)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.entries: list[TrialEntry] = []
        self.glossary = self._read_glossary(config)
        records_dir = os.path.join(config.docs_dir, self.config.records)
        checked, problems = check_paths([_display_path(records_dir)])
        diagnostics = problems + [d for r in checked for d in r.diagnostics]
        if has_errors(diagnostics):
            raise PluginError("evidencekb: invalid records\n" + render(diagnostics, "text"))
        for d in diagnostics:
            if d.severity is Severity.WARNING:
                log.warning(render([d], "text"))
        self._add_css(files, config)
        all_tags: list[str] = []
        for record in checked:
            trial, document = record.trial, record.document
            assert trial is not None and document is not None
            record_uri = self._src_uri(config, record.path)
            if trial.status != "published":
                if record_uri and files.get_file_from_path(record_uri):
                    files.remove(files.get_file_from_path(record_uri))  # type: ignore[arg-type]
                continue
            computed = compute_trial(trial, document.number_texts)
            folder = f"{self.config.records}/{trial.id}"
            page_file = File.generated(config, f"{folder}.md", content="")
            json_file = File.generated(config, f"{folder}/{trial.id}.computed.json",
                                       content=json.dumps(computed.to_dict(), sort_keys=True, indent=2,
                                                          ensure_ascii=False, allow_nan=False) + "\n")
            record_file = files.get_file_from_path(record_uri) if record_uri else None
            links = PageLinks(
                record=get_relative_url(record_file.url, page_file.url) if record_file else None,
                computed=get_relative_url(json_file.url, page_file.url),
                methods=self._link(files, "methods.md", page_file.url),
                glossary=self._link(files, "glossary.md", page_file.url),
                home=self._link(files, "index.md", page_file.url),
            )
            ctx = TrialContext(trial, computed, document.number_texts, links, self.glossary)
            page_file.content_string = render_trial_page(ctx)
            files.append(page_file)
            files.append(json_file)
            all_tags.extend(tags(ctx))
            self.entries.append(TrialEntry(trial, computed, page_file.url))
        for index in INDEX_PAGES:
            if not files.get_file_from_path(index.path):
                files.append(File.generated(config, index.path, content=render_index_page(index, all_tags)))
        if not files.get_file_from_path(REFERENCE):
            files.append(File.generated(config, REFERENCE, content=_field_reference()))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.config.trials_marker in markdown:
            entries = [TrialEntry(e.trial, e.computed, get_relative_url(e.href, page.file.url))
                       for e in self.entries]
            markdown = markdown.replace(self.config.trials_marker, "\n" + str(render_trial_table(entries)) + "\n")
        if self.config.glossary_marker in markdown:
            markdown = markdown.replace(self.config.glossary_marker,
                                        "\n" + str(render_glossary(self.glossary)) + "\n")
        return markdown

    def _read_glossary(self, config: MkDocsConfig) -> dict[str, str]:
        path = os.path.join(config.docs_dir, self.config.glossary)
        if not os.path.isfile(path):
            return {}
        with open(path, encoding="utf-8") as handle:
            return parse_abbreviations(handle.read())

    def _add_css(self, files: Files, config: MkDocsConfig) -> None:
        css = resources.files("evidencekb").joinpath("assets/evidencekb.css").read_text(encoding="utf-8")
        if not files.get_file_from_path(CSS):
            files.append(File.generated(config, CSS, content=css))

    @staticmethod
    def _src_uri(config: MkDocsConfig, path: str) -> str | None:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(config.docs_dir))
        return None if relative.startswith("..") else relative.replace(os.sep, "/")

    @staticmethod
    def _link(files: Files, src_uri: str, from_url: str) -> str | None:
        target = files.get_file_from_path(src_uri)
        return get_relative_url(target.url, from_url) if target else None


def _field_reference() -> str:
    """The record field reference (generated from the models by ``evidencekb.fieldref``)."""
    from evidencekb.fieldref import field_reference_markdown

    return field_reference_markdown()


def _display_path(path: str) -> str:
    """The records folder relative to the working directory when inside it, as ``validate`` prints it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
