"""Living evidence on the site: each record page's history and review freshness, "What's new" and the feeds.

Plain data in, plain text out, like ``evidencekb.sitebuild``; the plugin hands it the published pages and
their URLs. The history is read from git once per commit (:class:`HistoryCache`): ``mkdocs serve``
rebuilds read it again only when a new commit moved HEAD. When there is no history (a shallow clone, no
git repository) the build says so once, and pages and feeds show none rather than a wrong one.
"""

from __future__ import annotations

import datetime
import logging
import subprocess
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from evidencekb.atom import FeedItem, atom_feed
from evidencekb.freshness import freshness_since
from evidencekb.history import History, read_history
from evidencekb.render.history import render_history_section, render_whats_new, review_notice, with_history

WHATS_NEW = "whats-new.md"
SITE_FEED = "feed.xml"
log = logging.getLogger("mkdocs.plugins.evidencekb")


@dataclass(frozen=True)
class PublishedPage:
    """A published record's page: where it is, its Markdown, title and review date."""

    src_uri: str
    url: str
    """Relative to the site root, as MkDocs gives it (``trials/proderm/``)."""
    markdown: str
    title: str
    last_reviewed: str

    @property
    def record(self) -> str:
        """The record's key in the history: its file relative to the content folder, without suffix."""
        return self.src_uri.removesuffix(".md")


class HistoryCache:
    """The history of one content folder, read again only when HEAD moves."""

    def __init__(self) -> None:
        self._read: tuple[tuple[str, str | None], History] | None = None

    def history(self, docs_dir: str) -> History:
        key = (docs_dir, _head(docs_dir))
        if self._read is None or self._read[0] != key or key[1] is None:
            history = read_history(docs_dir)
            if history.missing:
                log.info("evidencekb: no change history on the pages: %s", history.missing)
            self._read = (key, history)
        return self._read[1]


def _head(docs_dir: str) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=docs_dir,
                              capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() or None


def pages_with_history(pages: Sequence[PublishedPage], history: History, as_of: datetime.date,
                       months: int, feeds: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each page's Markdown (by source URI) with its review notice and its "Review and history" section;
    ``feeds`` links a page (by source URI) to its record's own feed."""
    out = {}
    for page in pages:
        fresh = freshness_since(datetime.date.fromisoformat(page.last_reviewed), as_of, months) \
            if page.last_reviewed else None
        section = render_history_section(history.of(page.record), fresh, history.missing,
                                         (feeds or {}).get(page.src_uri))
        out[page.src_uri] = with_history(page.markdown, section, review_notice(fresh))
    return out


RECORD_FEEDS = ("questions",)
"""Folders of records whose every record has a feed of its own (readers follow one question)."""


def record_feed(src_uri: str) -> str | None:
    """The source URI of the feed of the record whose page is ``src_uri``, if its folder gives one."""
    record = src_uri.removesuffix(".md")
    return f"{record}/feed.xml" if record.split("/")[0] in RECORD_FEEDS else None


def feed_files(pages: Sequence[PublishedPage], history: History, site_url: str | None,
               relative: Callable[[str, str], str], whats_new_url: str,
               record_feeds: Collection[str] = RECORD_FEEDS) -> dict[str, str]:
    """The "What's new" page and the Atom feeds by source URI: site-wide, one per folder of records, and
    one per record of the folders in ``record_feeds``.

    ``relative(url, from_url)`` is a link from one site URL to another (MkDocs' ``get_relative_url``);
    feeds link absolutely when the site's address is configured, else relative to the feed.
    """
    by_record = {p.record: p for p in pages}
    entries = [(e, by_record[e.record]) for e in history.entries if e.record in by_record]
    feeds = {SITE_FEED: ("site", "evidencekb: what's new", entries)}
    for folder in sorted({p.record.split("/")[0] for p in pages}):
        feeds[f"{folder}/feed.xml"] = (folder, f"evidencekb: what's new in {folder}",
                                       [(e, p) for e, p in entries if p.record.startswith(f"{folder}/")])
    for page in pages:
        if page.record.split("/")[0] in record_feeds:
            feeds[f"{page.record}/feed.xml"] = (page.record, f"evidencekb: {page.title}",
                                                [(e, p) for e, p in entries if p is page])
    files = {}
    for uri, (name, title, chosen) in feeds.items():
        def link(url: str, feed: str = uri) -> str:
            return site_url.rstrip("/") + "/" + url if site_url else relative(url, feed)
        items = [FeedItem(entry, link(page.url), page.title) for entry, page in chosen]
        files[uri] = atom_feed(name, title, link(uri), link(whats_new_url), items)
    listed = [(relative(page.url, whats_new_url), page.title, entry) for entry, page in entries]
    feed_links = [(relative(uri, whats_new_url), title) for uri, (_, title, _) in feeds.items()]
    files[WHATS_NEW] = render_whats_new(listed, history.missing, feed_links)
    return files
