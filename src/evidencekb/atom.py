"""Atom feeds (RFC 4287) of the records' history, for readers who follow the evidence in a feed reader.

One entry per commit and record, for the changes that matter to readers. Everything in the feed comes
from the commits, never from the clock: an entry's id is a name-based UUID of the commit and the record
(a feed reader never sees one change twice, or two changes as one), its ``updated`` the commit date, and
the feed's ``updated`` its newest entry's, so two builds of one commit write the same bytes. ElementTree
escapes the text; characters XML 1.0 cannot hold at all (control characters a commit subject may carry)
are replaced.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from evidencekb.history import Entry

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES_PER_FEED = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EPOCH = "1970-01-01T00:00:00Z"
"""A feed without entries is as old as no change at all (still a fixed date, not the build time)."""


@dataclass(frozen=True)
class FeedItem:
    """An entry with what the feed shows of its record: the page's address and title."""

    entry: Entry
    href: str
    title: str


def entry_id(entry: Entry) -> str:
    """``urn:uuid:`` of the commit and the record: the same change keeps the same id in every build."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"evidencekb:{entry.commit.sha}:{entry.record}").urn


def atom_feed(name: str, title: str, self_href: str, home_href: str, items: Sequence[FeedItem]) -> str:
    """The feed document; ``name`` keeps its id distinct from the site's other feeds."""
    items = [i for i in items if i.entry.matters][:ENTRIES_PER_FEED]
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"evidencekb-feed:{name}").urn)
    _text(feed, "title", title)
    _text(feed, "updated", items[0].entry.commit.date if items else _EPOCH)
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_href)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=home_href)
    _text(ET.SubElement(feed, "author"), "name", title)
    for item in items:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", entry_id(item.entry))
        _text(entry, "title", f"{item.title}: {item.entry.commit.subject}")
        _text(entry, "updated", item.entry.commit.date)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=item.href)
        _text(entry, "summary", summary(item.entry))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def summary(entry: Entry) -> str:
    """The entry's changes as plain text, one per line: ``what: before -> after``."""
    lines = []
    for change in entry.changes:
        if change.before is None and change.after is None:
            lines.append(change.what)
        else:
            lines.append(f"{change.what}: {change.before or '(none)'} \u2192 {change.after or '(none)'}")
    return "\n".join(lines)


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = _NOT_XML.sub("\ufffd", text)
