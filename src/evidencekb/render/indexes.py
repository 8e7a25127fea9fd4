"""Index pages by condition, intervention and outcome, listed by the material tags plugin.

Each trial page carries tags such as ``Condition: dermatomyositis`` in its front matter; an index page
is a tags listing restricted to one prefix. The include list is written as JSON (valid YAML flow) from
names that are already HTML-escaped, so a record value can neither break the directive nor the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.render.env import render


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


def render_index_page(page: IndexPage, all_tags: list[str]) -> str:
    """Markdown of one index page; ``all_tags`` are the escaped tag names of every published trial."""
    chosen = sorted(t for t in set(all_tags) if t.startswith(page.prefix))
    lines = ["---", f"title: {json.dumps(page.title)}", "---", "", f"# {page.title}", "", page.intro, ""]
    if chosen:
        lines.append(f"<!-- material/tags {{ include: {json.dumps(chosen, ensure_ascii=True)} }} -->")
    else:
        lines.append("No published trial has one yet.")
    return "\n".join(lines) + "\n"


def render_glossary(glossary: dict[str, str]) -> Markup:
    return render("glossary.html", terms=sorted(glossary.items(), key=lambda kv: kv[0].lower()))
