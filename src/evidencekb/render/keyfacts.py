"""Layer 1 of a trial page: the reviewers' bottom line in plain language, then a key-facts card.

The card answers "who, what, against what, how, how many, where registered, how recent" before any
table; every count keeps its source mark and registry/DOI links go through the defensive link builders.
"""

from __future__ import annotations

from markupsafe import Markup

from evidencekb.render.context import TrialContext
from evidencekb.render.env import paragraphs, render
from evidencekb.render.links import doi_url, pubmed_url, registry_url

REGISTRY_NAMES = {"clinicaltrials.gov": "ClinicalTrials.gov", "eu-ctr": "EU Clinical Trials Register",
                  "isrctn": "ISRCTN", "other": "Registry"}


def _design(ctx: TrialContext) -> str:
    d = ctx.trial.design
    words = [f"phase {d.phase}" if d.phase != "not-applicable" else "phase not applicable", d.allocation,
             d.model, f"{d.control}-controlled" if d.control != "none" else "uncontrolled"]
    if d.allocation_ratio:
        words.append(f"allocation {d.allocation_ratio}")
    return ", ".join(words).capitalize()


def _masking(ctx: TrialContext) -> Markup | None:
    masking = ctx.trial.design.masking
    if masking is None:
        return None
    roles = f" ({', '.join(masking.roles)})" if masking.roles else ""
    return Markup("{} masking{}{}").format(masking.level.capitalize(), roles, ctx.cite.of(masking))


def _treatments(ctx: TrialContext, role: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for treatment in ctx.trial.treatments:
        if treatment.role != role:
            continue
        regimens = [
            Markup("{}{}{}").format(
                ctx.abbr(d.regimen),
                Markup(" <small>({})</small>").format(ctx.period_label(d.period)) if d.period else "",
                ctx.cite.of(d),
            )
            for d in ctx.trial.design.dosing if d.treatment == treatment.id
        ]
        out.append({"label": ctx.abbr(treatment.label), "description": ctx.abbr(treatment.description),
                    "regimens": regimens})
    return out


def _size(ctx: TrialContext) -> Markup:
    arms = ctx.trial.arms
    total, mark = ctx.randomized_total()
    parts = Markup(", ").join(Markup("{} {}{}").format(a.randomized, a.label, ctx.cite.of(a)) for a in arms)
    return Markup("<strong>{}</strong>{} randomized ({})").format(total, mark, parts)


def _registrations(ctx: TrialContext) -> list[dict[str, object]]:
    return [{"name": REGISTRY_NAMES.get(r.registry, r.registry), "id": r.id,
             "href": registry_url(r.registry, r.id)} for r in ctx.trial.registrations]


def _publication(ctx: TrialContext) -> dict[str, object] | None:
    source = ctx.cite.sources.get(ctx.trial.primary_source)
    if source is None:
        return None
    return {"citation": source.citation, "doi": source.doi, "doi_href": doi_url(source.doi),
            "pmid": source.pmid, "pmid_href": pubmed_url(source.pmid), "mark": ctx.cite(source.id)}


def render_bottom_line(ctx: TrialContext) -> Markup:
    return render("bottom_line.html", text=paragraphs(ctx.trial.bottom_line, ctx.prose), ctx=ctx)


def render_key_facts(ctx: TrialContext) -> Markup:
    d = ctx.trial.design
    return render(
        "keyfacts.html",
        ctx=ctx,
        population=ctx.prose(ctx.trial.population),
        age=d.eligibility.age if d.eligibility else None,
        age_mark=ctx.cite(d.eligibility.age_source, d.eligibility.age_locator) if d.eligibility else "",
        design_mark=ctx.cite(d.source, d.locator),
        design_notes=ctx.prose(d.description) if d.description else None,
        interventions=_treatments(ctx, "intervention"),
        comparators=_treatments(ctx, "comparator"),
        design=_design(ctx),
        masking=_masking(ctx),
        periods=[{"label": p.label, "blinding": p.blinding, "weeks": p.duration_weeks,
                  "description": ctx.abbr(p.description) if p.description else None, "mark": ctx.cite.of(p)}
                 for p in d.periods],
        size=_size(ctx),
        sites=d.sites,
        countries=d.countries,
        registrations=_registrations(ctx),
        publication=_publication(ctx),
        dates=[(label, value) for label, value in (("Start", d.start_date), ("Completion", d.completion_date))
               if value is not None],
        eligibility=d.eligibility,
    )
