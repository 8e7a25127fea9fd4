"""Layer 6: adverse events by period and group, each count over its own denominator, and conflicts.

Denominators are the population size (e.g. ProDERM's first-period IVIG safety population of 52, which
includes the placebo switchers) or, for an arm, the number randomized; never a number guessed from a
neighbouring table. Percentages are shown only as the source printed them. Where both sides of a row have
counts and denominators, the row also gives the computed risk difference, risk ratio and NNTH (from
``ComputedTrial.harms``, analysed as harms, so never an NNTB for more events). Discrepancies between
sources are laid out side by side, each version with its own source mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from evidencekb.models import AdverseEvent
from evidencekb.models.safety import AdverseEventGroup
from evidencekb.render import format as fmt
from evidencekb.render.cite import CALC
from evidencekb.render.context import TrialContext
from evidencekb.render.env import paragraphs, render

STATUS_WORDS = {"unresolved": "Unresolved", "explained": "Explained", "likely-error": "Likely error"}


@dataclass
class Column:
    group_id: str
    label: str
    size: int | None
    mark: Markup
    unit: str = "participants"


@dataclass
class HarmRow:
    event: AdverseEvent
    term: Markup
    kinds: list[str]
    cells: dict[str, Markup]
    mark: Markup
    conflicts: Markup
    effects: dict[str, str] | None = None


@dataclass
class HarmTable:
    period_id: str | None
    title: str
    columns: list[Column]
    rows: list[HarmRow] = field(default_factory=list)

    shared: str = ""  # arms whose participants are in more than one compared group

    @property
    def compared(self) -> bool:
        return any(r.effects for r in self.rows)


def harm_effects(ctx: TrialContext, event_id: str) -> dict[str, str] | None:
    """Risk difference (percentage points), risk ratio and NNT of an adverse-event row, as text."""
    harm = ctx.computed.for_adverse_event(event_id)
    if harm is None:
        return None
    rd, rr, nnt = harm.binary.risk_difference, harm.binary.risk_ratio, harm.binary.nnt
    return {
        "rd": f"{fmt.percent_points(rd.estimate)} pp"
              f" ({fmt.percent_points(rd.ci_low)} to {fmt.percent_points(rd.ci_high)})",
        "rr": f"{fmt.num(rr.estimate, 2)} ({fmt.interval(rr.ci_low, rr.ci_high, 2)})" if rr.estimate is not None
        else "not estimable",
        "nnt": f"{fmt.nnt_estimate(nnt.kind, nnt.estimate)} ({fmt.nnt_interval(nnt.ci_low, nnt.ci_high, nnt.ci_text)})",
    }


def kinds(event: AdverseEvent) -> list[str]:
    words: list[str] = []
    if event.seriousness != "any":
        words.append(event.seriousness)
    if event.relatedness != "any":
        words.append("treatment-related" if event.relatedness == "related" else "not related")
    if event.outcome == "discontinuation":
        words.append("led to discontinuation")
    elif event.outcome == "death":
        words.append("death")
    if event.special_interest:
        words.append("special interest")
    return words


def cell(ctx: TrialContext, group: AdverseEventGroup, size: int | None) -> Markup:
    parts = []
    if group.patients is not None:
        over = f"/{size}" if size is not None else ""
        pct = f" ({fmt.printed(None, group.percent)}%)" if group.percent is not None else ""
        parts.append(Markup("<strong>{}{}</strong>{} patients").format(
            group.patients, over, pct))
    elif group.percent is not None:
        parts.append(Markup("{}% of patients").format(fmt.printed(None, group.percent)))
    if group.events is not None:
        parts.append(Markup("{} event{}").format(group.events, "" if group.events == 1 else "s"))
    return Markup("<br>").join(parts) if parts else Markup('<span class="ekb-muted">not reported</span>')


def _column(ctx: TrialContext, group: AdverseEventGroup) -> Column:
    found = ctx.denominator(group)
    size, owner = found if found else (None, None)
    unit = getattr(owner, "unit", "participants")
    return Column(group.group_id, ctx.group_label(group), size, ctx.cite.of(owner) if owner else Markup(""), unit)


def harm_tables(ctx: TrialContext) -> list[HarmTable]:
    order = [p.id for p in ctx.trial.design.periods] + [None]
    tables: dict[str | None, HarmTable] = {}
    for event in ctx.trial.adverse_events:
        table = tables.get(event.period)
        if table is None:
            table = tables[event.period] = HarmTable(event.period, ctx.period_label(event.period), [])
        for group in event.groups:
            if all(c.group_id != group.group_id for c in table.columns):
                table.columns.append(_column(ctx, group))
        sizes = {c.group_id: c.size for c in table.columns}
        table.rows.append(HarmRow(
            event=event,
            term=ctx.abbr(event.term),
            kinds=kinds(event),
            cells={g.group_id: cell(ctx, g, sizes.get(g.group_id)) for g in event.groups},
            mark=ctx.cite.of(event),
            conflicts=ctx.conflict_links(event.id),
            effects=harm_effects(ctx, event.id),
        ))
        harm = ctx.computed.for_adverse_event(event.id)
        if harm is not None and harm.shared:
            table.shared = ", ".join(ctx.group_id_label(a) for a in harm.shared)
    return sorted(tables.values(), key=lambda t: order.index(t.period_id) if t.period_id in order else len(order))


def special_interest(ctx: TrialContext) -> list[dict[str, object]]:
    rows = []
    for event in ctx.trial.adverse_events:
        if not event.special_interest:
            continue
        groups = []
        for group in event.groups:
            found = ctx.denominator(group)
            size = found[0] if found else None
            groups.append({"label": ctx.group_label(group), "size": size, "cell": cell(ctx, group, size)})
        rows.append({"event": event, "term": ctx.abbr(event.term), "period": ctx.period_label(event.period),
                     "kinds": kinds(event), "groups": groups, "mark": ctx.cite.of(event),
                     "conflicts": ctx.conflict_links(event.id)})
    return rows


def render_harms(ctx: TrialContext) -> Markup:
    return render("harms.html", tables=harm_tables(ctx), ctx=ctx, calc=CALC)


def render_special_interest(ctx: TrialContext) -> Markup:
    return render("special_interest.html", rows=special_interest(ctx), ctx=ctx)


def render_conflicts(ctx: TrialContext) -> Markup:
    conflicts = []
    for c in ctx.trial.conflicts:
        versions = [{
            "claim": ctx.abbr(v.claim),
            "source": ctx.cite.sources.get(v.source),
            "source_id": v.source,
            "mark": ctx.cite.of(v),
            "locator": v.locator,
            "value": fmt.printed(None, v.value) if v.value is not None else None,
            "assessment": ctx.abbr(v.assessment) if v.assessment else None,
        } for v in c.versions]
        conflicts.append({"c": c, "status": STATUS_WORDS.get(c.status, c.status), "versions": versions,
                          "note": paragraphs(c.note, ctx.abbr) if c.note else None,
                          "refers": [ctx.group_id_label(r) if r else r for r in c.refers_to]})
    return render("conflicts.html", conflicts=conflicts, ctx=ctx)
