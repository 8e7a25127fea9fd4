"""Index pages by condition, intervention and outcome: for each one, a table of its trials.

Each trial page carries tags such as ``Condition: dermatomyositis`` in its front matter; an index page
takes the tags of one prefix and, under each, the home page's trial table (trial, N, design, primary
effect) of the trials that carry it. Tag names are already HTML-escaped (``page.tags``), so a record
value can break neither the heading nor the page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.render.env import render
from evidencekb.render.home import TrialRow, render_trial_table


@dataclass(frozen=True)
class IndexPage:
    path: str
    title: str
    prefix: str
    intro: str


INDEX_PAGES = (
    IndexPage("conditions.md", "Trials by condition", "Condition: ",
              "Each condition below lists the trials that studied it."),
    IndexPage("interventions.md", "Trials by intervention", "Intervention: ",
              "Each intervention below lists the trials that tested it."),
    IndexPage("outcomes.md", "Trials by outcome", "Outcome: ",
              "Each outcome below lists the trials that measured it (for example TIS, CDASI or MMT-8)."),
)


def render_index_page(page: IndexPage, trials: Sequence[tuple[Sequence[str], TrialRow]]) -> str:
    """Markdown of one index page; ``trials`` are each published trial's escaped tag names and its table
    row, with the row's link relative to this page."""
    chosen = sorted({t for tags, _ in trials for t in tags if t.startswith(page.prefix)})
    lines = ["---", f"title: {json.dumps(page.title)}", "---", "", f"# {page.title}", "", page.intro, ""]
    for tag in chosen:
        name = Markup(tag[len(page.prefix):])  # escaped by page.tags
        anchor = re.sub(r"[^a-z0-9]+", "-", html.unescape(name).lower()).strip("-") or "tag"
        rows = [row for tags, row in trials if tag in tags]
        caption = Markup("Trials of {}, with the primary outcome and its effect recomputed from the counts"
                         " (95% CI)").format(name)
        lines += [str(Markup('<h2 id="{}">{}</h2>').format(anchor, name)), "",
                  str(render_trial_table(rows, caption)), ""]
    if not chosen:
        lines.append("No published trial has one yet.")
    return "\n".join(lines) + "\n"


def render_glossary(glossary: dict[str, str]) -> Markup:
    return render("glossary.html", terms=sorted(glossary.items(), key=lambda kv: kv[0].lower()))
