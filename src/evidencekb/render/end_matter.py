"""Layer 7, the end of a trial page: limitations, proposed mechanisms with their status, sources, the methods note.

The methods note is generated from what was actually computed for this trial (the interval methods
present in the computed namespace), so it can never name a method the page did not use.
"""

from __future__ import annotations

from markupsafe import Markup

from evidencekb.effects import METHOD_LABELS, VARIANCE_LABELS
from evidencekb.render.context import TrialContext
from evidencekb.render.env import paragraphs, render
from evidencekb.render.links import doi_url, pubmed_url, safe_url

LIMITATION_WORDS = {
    "selection-bias": "Selection bias",
    "measurement": "Measurement",
    "crossover-contamination": "Crossover or contamination",
    "imprecision": "Imprecision",
    "short-follow-up": "Short follow-up",
    "indirectness": "Indirectness",
    "attrition": "Attrition",
    "reporting": "Reporting",
    "other": "Other",
}
MECHANISM_WORDS = {"established": "Established", "hypothesized": "Hypothesized (not shown)",
                   "not-supported": "Not supported by evidence"}
KIND_WORDS = {
    "primary-publication": "primary publication",
    "secondary-publication": "secondary publication",
    "registry": "registry",
    "label": "product label",
    "sponsor": "sponsor material",
    "secondary-report": "secondary report",
    "news": "news",
    "protocol": "protocol",
    "review": "review",
}


def render_limitations(ctx: TrialContext) -> Markup:
    items = [{"type": LIMITATION_WORDS.get(li.type, li.type), "text": ctx.abbr(li.text), "mark": ctx.cite.of(li),
              "note": li.note} for li in ctx.trial.limitations]
    return render("limitations.html", items=items)


def render_mechanisms(ctx: TrialContext) -> Markup:
    items = [{"status": MECHANISM_WORDS.get(m.status, m.status), "text": ctx.abbr(m.hypothesis), "mark": ctx.cite.of(m),
              "note": ctx.abbr(m.note) if m.note else None} for m in ctx.trial.mechanisms]
    return render("mechanisms.html", items=items)


def render_sources(ctx: TrialContext) -> Markup:
    items = []
    for s in ctx.trial.sources:
        items.append({
            "s": s,
            "kind": KIND_WORDS.get(s.kind, s.kind),
            "doi_href": doi_url(s.doi),
            "pmid_href": pubmed_url(s.pmid),
            "url_href": safe_url(s.url),
            "note": ctx.abbr(s.note) if s.note else None,
            "locators": list(ctx.cite.locators.get(s.id, {}).items()),
        })
    return render("sources.html", items=items)


def methods_used(ctx: TrialContext) -> list[tuple[str, str]]:
    """(measure, method label) for every interval method present in the computed namespace."""
    used: dict[tuple[str, str], str] = {}
    for c in ctx.computed.comparisons:
        if c.binary is not None:
            for measure, est in (("risk-difference", c.binary.risk_difference),
                                 ("risk-ratio", c.binary.risk_ratio), ("odds-ratio", c.binary.odds_ratio)):
                used[(measure, est.method)] = METHOD_LABELS.get((measure, est.method), est.method)
        if c.continuous is not None:
            md = c.continuous.mean_difference
            used[("mean-difference", md.method)] = VARIANCE_LABELS.get(md.method, md.method)
            smd = c.continuous.standardized_mean_difference
            used[("standardized-mean-difference", smd.method)] = "Hedges' g, Cochrane/RevMan standard error"
    return [(measure.replace("-", " "), label) for (measure, _), label in sorted(used.items())]


def render_methods_note(ctx: TrialContext) -> Markup:
    notes = sorted({est.note for c in ctx.computed.comparisons if c.binary is not None
                    for est in (c.binary.risk_ratio, c.binary.odds_ratio) if est.note})
    not_computed = sorted({c.not_computed for c in ctx.computed.comparisons if c.not_computed})
    interval_methods = sorted({m for check in ctx.computed.checks for m in check.methods})
    return render("methods_note.html", used=methods_used(ctx), notes=notes, not_computed=not_computed,
                  level=round(ctx.computed.level * 100), interval_methods=interval_methods, ctx=ctx,
                  has_binary=any(c.binary is not None for c in ctx.computed.comparisons),
                  has_continuous=any(c.continuous is not None for c in ctx.computed.comparisons))


def render_downloads(ctx: TrialContext) -> Markup:
    return render("downloads.html", ctx=ctx, links=ctx.links)


__all__ = ["paragraphs", "render_downloads", "render_limitations", "render_mechanisms", "render_methods_note",
           "render_sources"]
