"""Page rendering: records plus their computed namespace in, Markdown/HTML strings out.

Nothing here imports MkDocs; ``evidencekb.plugin`` is the thin glue that feeds these functions and
adds their output to the site. All record text is escaped by Jinja2 autoescape (see ``env``), numbers
are formatted only (see ``format``), and effects come from ``evidencekb.computed``.
"""

from evidencekb.render.context import PageLinks, TrialContext
from evidencekb.render.env import parse_abbreviations
from evidencekb.render.home import TrialRow, render_trial_table, trial_row
from evidencekb.render.indexes import INDEX_PAGES, IndexPage, render_glossary, render_index_page
from evidencekb.render.page import render_trial_page, tags

__all__ = [
    "INDEX_PAGES",
    "IndexPage",
    "PageLinks",
    "TrialContext",
    "TrialRow",
    "parse_abbreviations",
    "render_glossary",
    "render_index_page",
    "render_trial_page",
    "render_trial_table",
    "trial_row",
    "tags",
]
