"""A whole trial page: YAML front matter, fixed Markdown headings, and escaped HTML blocks between them.

Headings are Markdown with fixed ids (so the table of contents and the search index get sections that
deep-link, e.g. ``#harms``); everything that carries record text is a raw HTML block rendered with
autoescape, so Markdown never interprets record text. Front-matter values are escaped too, because the
theme prints the title and tags without escaping.
"""

from __future__ import annotations

import json

from markupsafe import Markup, escape

from evidencekb.models import Trial
from evidencekb.render.context import TrialContext
from evidencekb.render.end_matter import (
    render_downloads,
    render_limitations,
    render_mechanisms,
    render_methods_note,
    render_sources,
)
from evidencekb.render.flow import render_flow
from evidencekb.render.forest import render_forest
from evidencekb.render.harms import render_conflicts, render_harms, render_special_interest
from evidencekb.render.keyfacts import render_bottom_line, render_key_facts
from evidencekb.render.results import render_continuous, render_endpoints
from evidencekb.render.rob import render_risk_of_bias
from evidencekb.render.sof import render_sof
from evidencekb.render.trial_findings import render_trial_findings


def _always(trial: Trial) -> bool:
    return True


def _never(trial: Trial) -> bool:
    return False


# (anchor, heading level, heading, renderer, whether the section goes into the search index). Sections
# of numbers and boilerplate, or with nothing recorded, are left out: every indexed section repeats the
# page's tags in the index, and numbers are not what readers search for.
# The answer comes first (bottom line, then the Summary of findings of benefits and harms together), the
# harms next, then the trial's facts and every detail behind the summary.
SECTIONS = (
    ("bottom-line", 2, "Bottom line", render_bottom_line, _always),
    ("summary-of-findings", 2, "Summary of findings", render_trial_findings, _always),
    ("harms", 2, "Harms", render_harms, lambda t: t.adverse_events),
    ("special-interest", 3, "Adverse events of special interest", render_special_interest,
     lambda t: any(a.special_interest for a in t.adverse_events)),
    ("key-facts", 2, "Key facts", render_key_facts, _always),
    ("all-results", 2, "All results and consistency checks", render_sof, _always),
    ("forest-plot", 2, "Forest plot", render_forest, _never),
    ("participant-flow", 2, "Participant flow", render_flow, _never),
    ("endpoints", 2, "Endpoints", render_endpoints, _always),
    ("continuous-results", 2, "Continuous results", render_continuous,
     lambda t: any(e.type == "continuous" for e in t.endpoints)),
    ("conflicts", 2, "Where sources disagree", render_conflicts, lambda t: t.conflicts),
    ("limitations", 2, "Limitations", render_limitations, lambda t: t.limitations),
    ("risk-of-bias", 2, "Risk of bias", render_risk_of_bias, lambda t: t.risk_of_bias),
    ("mechanisms", 2, "Proposed mechanisms", render_mechanisms, lambda t: t.mechanisms),
    ("sources", 2, "Sources", render_sources, _never),  # the main publication is in the key facts
    ("methods-note", 2, "Methods note", render_methods_note, _never),
    ("downloads", 2, "Downloads", render_downloads, _never),
)


def tags(trial: Trial) -> tuple[str, ...]:
    """Tag names (escaped: the theme prints them raw) for the condition, intervention and outcome indexes."""
    found = [f"Condition: {c}" for c in trial.conditions]
    found += [f"Intervention: {i}" for i in trial.interventions]
    found += [f"Outcome: {e.outcome}" for e in trial.endpoints if e.outcome]
    return tuple(str(escape(t)) for t in dict.fromkeys(found))


def front_matter(ctx: TrialContext) -> str:
    """YAML front matter written as JSON values (JSON is YAML), every string pre-escaped for HTML."""
    meta = {
        "title": str(escape(ctx.trial.short_name)),
        "description": str(escape(f"{ctx.trial.short_name}: {ctx.trial.title}")),
        "tags": list(tags(ctx.trial)),
        "hide": ["navigation", "tags"],  # the breadcrumbs and index pages lead to the same places
        "search": {"boost": 2},  # trial pages rank above the documentation pages for clinical terms
    }
    lines = [f"{key}: {json.dumps(value, ensure_ascii=True)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def back_link(ctx: TrialContext) -> Markup:
    """Breadcrumbs above the title: the way back to the list of all trials, and where the trial sits."""
    if ctx.links.home is None:
        return Markup("")
    return Markup('<nav class="ekb-breadcrumbs" aria-label="Breadcrumb"><a href="{}">All trials</a> \u203a {}'
                  ' \u203a <span aria-current="page">{}</span></nav>\n').format(
        ctx.links.home, ", ".join(ctx.trial.conditions), ctx.trial.short_name)


def render_trial_page(ctx: TrialContext) -> str:
    """The Markdown source of ``trials/<slug>.md``."""
    heading = back_link(ctx) + Markup('<h1 id="trial-title">{} <small class="ekb-subtitle">{}</small></h1>').format(
        ctx.trial.short_name, ctx.abbr(ctx.trial.title))
    bodies = {}
    # The source list is rendered last: it lists the locators that the other sections cite.
    for anchor, _, _, section, _ in sorted(SECTIONS, key=lambda s: s[3] is render_sources):
        ctx.abbr.new_section()
        bodies[anchor] = section(ctx)
    parts = [front_matter(ctx), str(heading), ""]
    for anchor, level, title, _, searched in SECTIONS:
        exclude = "" if searched(ctx.trial) else ' data-pagefind-ignore="index"'
        parts += [f"{'#' * level} {title} {{#{anchor}{exclude}}}", "", str(bodies[anchor]), ""]
    return "\n".join(parts)
