"""A record page's "Review and history" section, its review-overdue notice, and the "What's new" page.

Commit subjects are untrusted text like record values: they reach the page only through the autoescaping
templates. Entries with no change that matters to a reader (wording, formatting) are collapsed into one
line that counts them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from markupsafe import Markup

from evidencekb.freshness import Freshness
from evidencekb.history import Entry
from evidencekb.render.env import render

CHANGES_SHOWN = 12
"""Changes listed per entry; the rest are counted (a commit that re-read a whole table changes dozens)."""
HISTORY_HEADING = '## Review and history {#history data-pagefind-ignore="index"}'
"""Left out of the search index: the changes repeat the record's own text and numbers."""


def render_history_section(entries: Sequence[Entry], freshness: Freshness | None, missing: str | None,
                           feed: str | None = None) -> str:
    """The section's Markdown: the review date and when the next review is due, then the dated changes, and
    the link to the record's own Atom feed (``feed``) where it has one."""
    shown = [e for e in entries if e.matters]
    body = render("history.html", entries=shown, freshness=freshness, missing=missing, limit=CHANGES_SHOWN,
                  cosmetic_commits=len(entries) - len(shown), feed=feed)
    return f"{HISTORY_HEADING}\n\n{body}\n"


def review_notice(freshness: Freshness | None) -> Markup:
    """A warning at the top of the page of a record whose review is overdue; nothing otherwise."""
    if freshness is None or not freshness.overdue:
        return Markup("")
    return Markup('<div class="admonition warning ekb-overdue-notice"><p class="admonition-title">Review overdue</p>'
                  "<p>This record was last checked against its sources on {}, more than {} months before {};"
                  ' its numbers may be out of date. See <a href="#history">Review and history</a>.</p></div>'
                  ).format(freshness.last_reviewed.isoformat(), freshness.months, freshness.as_of.isoformat())


def with_history(page: str, section: str, notice: Markup) -> str:
    """A rendered record page with the notice before its first section and the history section at the end."""
    if notice:
        head, sep, rest = page.partition("\n## ")
        page = f"{head}\n{notice}\n{sep}{rest}" if sep else page
    return f"{page.rstrip()}\n\n{section}"


def render_whats_new(items: Sequence[tuple[str, str, Entry]], missing: str | None,
                     feeds: Sequence[tuple[str, str]]) -> str:
    """The "What's new" page (not in the search index: it repeats the records' pages).

    ``items`` are (link to the record's page, its title, entry), newest first; ``feeds`` (link, title) the feeds.
    """
    links = ", ".join(str(Markup('<a href="{}" type="application/atom+xml">{}</a>').format(h, t)) for h, t in feeds)
    lines = ["---", "title: " + json.dumps("What's new"), "search:", "  exclude: true", "---", "", "# What's new", "",
             "<p>Changes to the records that matter to readers (numbers, sources, discrepancies between sources,"
             " reviews), newest first, each with the commit that made it. Follow them in a feed reader: "
             + links + ".</p>", "",  # an HTML block: the feeds' titles (a question's name) are not Markdown
             render("whats_new.html", items=[i for i in items if i[2].matters], missing=missing,
                    limit=CHANGES_SHOWN), ""]
    return "\n".join(lines)
