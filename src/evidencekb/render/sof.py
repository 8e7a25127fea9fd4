"""All results: one row per reported result of each endpoint, reported beside recomputed.

This is the detail behind the page's Summary of findings (``trial_findings``): every source's version
and every consistency check. Effects come only from the computed namespace (``ComputedTrial.for_result``);
when it declines to compare (crossover exposures, missing per-group data), or every arm received the
same treatment at that time point, the row shows the counts and its reason instead of an effect.
Printed statistics sit in the same row with a text-and-symbol consistency mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from evidencekb.computed import Comparison
from evidencekb.effects import METHOD_LABELS, VARIANCE_LABELS
from evidencekb.models import Endpoint, ReportedStatistic
from evidencekb.render import format as fmt
from evidencekb.render.cite import CALC
from evidencekb.render.context import TrialContext, status_mark
from evidencekb.render.env import render
from evidencekb.render.groups import GroupCell, group_cells

MEASURE_SHORT = {
    "risk-difference": "RD",
    "risk-ratio": "RR",
    "odds-ratio": "OR",
    "mean-difference": "MD",
    "standardized-mean-difference": "SMD",
    "hazard-ratio": "HR",
    "p-value-only": "p-value",
}
PART_LABEL = {"estimate": "estimate", "ci": "CI", "p_value": "p"}


@dataclass
class Effect:
    name: str
    value: str
    interval: str
    method: str
    note: str | None = None


@dataclass
class SofRow:
    anchor: str
    endpoint: Endpoint
    repeat: bool
    source_mark: Markup
    analysis_population: str | None
    note: str | None
    intervention: list[GroupCell]
    comparator: list[GroupCell]
    kind: str  # binary | continuous | none
    absolute: dict[str, str] | None = None
    rd: Effect | None = None
    rr: Effect | None = None
    nnt: Effect | None = None
    md: Effect | None = None
    not_computed: str | None = None
    reported: list[Markup] = field(default_factory=list)
    conflicts: Markup = Markup("")


def rd_effect(comparison: Comparison) -> Effect:
    assert comparison.binary is not None
    rd = comparison.binary.risk_difference
    return Effect("Risk difference", f"{fmt.percent_points(rd.estimate)} pp",
                  f"{fmt.percent_points(rd.ci_low)} to {fmt.percent_points(rd.ci_high)}",
                  METHOD_LABELS.get(("risk-difference", rd.method), rd.method), rd.note)


def rr_effect(comparison: Comparison) -> Effect:
    assert comparison.binary is not None
    rr = comparison.binary.risk_ratio
    return Effect("Risk ratio", fmt.num(rr.estimate, 2) if rr.estimate is not None else "not estimable",
                  fmt.interval(rr.ci_low, rr.ci_high, 2),
                  METHOD_LABELS.get(("risk-ratio", rr.method), rr.method), rr.note)


def md_effect(comparison: Comparison) -> Effect:
    assert comparison.continuous is not None
    md = comparison.continuous.mean_difference
    return Effect("Mean difference", fmt.num(md.estimate, 2), fmt.interval(md.ci_low, md.ci_high, 2),
                  VARIANCE_LABELS.get(md.method, md.method), md.note)


def reported_items(ctx: TrialContext, index: int, stats: list[ReportedStatistic]) -> list[Markup]:
    items = []
    for j, stat in enumerate(stats):
        loc = ("results", index, "reported", j)
        words = [MEASURE_SHORT.get(stat.measure, stat.measure)]
        if stat.estimate is not None:
            unit = " pp" if stat.scale == "percentage-points" else ""
            words.append(ctx.printed((*loc, "estimate"), stat.estimate) + unit)
        if stat.ci is not None:
            words.append(f"({round(stat.ci.level * 100):d}% CI {ctx.printed((*loc, 'ci', 'low'), stat.ci.low)}"
                         f" to {ctx.printed((*loc, 'ci', 'high'), stat.ci.high)})")
        if stat.p_value is not None:
            p = stat.p_value if isinstance(stat.p_value, str) else ctx.printed((*loc, "p_value"), stat.p_value)
            words.append(f"p {p}" if isinstance(stat.p_value, str) and stat.p_value[:1] in "<>" else f"p = {p}")
        if stat.method:
            words.append(f"[{stat.method}{', adjusted' if stat.adjusted else ''}]")
        elif stat.adjusted:
            words.append("[adjusted]")
        marks = Markup(" ").join(
            status_mark(check, PART_LABEL.get(str(check.loc[len(loc)]), str(check.loc[len(loc)])))
            for check in ctx.checks(loc) if len(check.loc) > len(loc)
        )
        note = f' <small class="ekb-note">{escape(stat.note)}</small>' if stat.note else ""
        items.append(Markup(f"{escape(' '.join(words))}{ctx.cite.of(stat)}{note}<br>{marks}"))
    return items


def sof_anchors(ctx: TrialContext) -> list[str]:
    """The id of each result's row: ``sof-<endpoint id>``, then ``-2``, ``-3`` for more reports of it."""
    anchors = []
    seen: dict[str, int] = {}
    for result in ctx.trial.results:
        count = seen[result.endpoint] = seen.get(result.endpoint, 0) + 1
        anchors.append(f"sof-{result.endpoint}" + (f"-{count}" if count > 1 else ""))
    return anchors


def sof_rows(ctx: TrialContext) -> list[SofRow]:
    rows = []
    for index, (result, anchor) in enumerate(zip(ctx.trial.results, sof_anchors(ctx), strict=True)):
        endpoint = ctx.endpoint(result.endpoint)
        comparison = ctx.computed.for_result(index)
        cells = group_cells(ctx, index, result, comparison)
        row = SofRow(
            anchor=anchor,
            endpoint=endpoint,
            repeat=anchor != f"sof-{endpoint.id}",
            source_mark=ctx.cite.of(result),
            analysis_population=result.analysis_population,
            note=result.note,
            intervention=[c for c in cells if c.side == "intervention"],
            comparator=[c for c in cells if c.side != "intervention"],
            kind="none",
            reported=reported_items(ctx, index, result.reported),
            conflicts=ctx.conflict_links(endpoint.id),
        )
        single = ctx.same_treatment(endpoint)
        if single:
            row.not_computed = single
        elif comparison is not None and comparison.binary is not None:
            binary = comparison.binary
            row.kind = "binary"
            row.rd, row.rr = rd_effect(comparison), rr_effect(comparison)
            nnt = binary.nnt
            row.nnt = Effect("NNT", fmt.nnt_estimate(nnt.kind, nnt.estimate),
                             fmt.nnt_interval(nnt.ci_low, nnt.ci_high, nnt.ci_text), "Altman 1998")
            a = binary.absolute_per_1000
            row.absolute = {
                "comparator": fmt.per_1000(a.comparator),
                "intervention": fmt.per_1000(a.intervention),
                "intervention_ci": fmt.interval(a.intervention_ci_low, a.intervention_ci_high, 0),
                "difference": fmt.more_fewer(a.difference),
                "difference_ci": f"{fmt.more_fewer(a.difference_ci_low)} to {fmt.more_fewer(a.difference_ci_high)}",
                "note": a.note or "",
            }
        elif comparison is not None and comparison.continuous is not None:
            row.kind = "continuous"
            row.md = md_effect(comparison)
        else:
            row.not_computed = comparison.not_computed if comparison else "no comparison"
        rows.append(row)
    return rows


def certainty(ctx: TrialContext, endpoint: Endpoint) -> Markup:
    rating = endpoint.certainty
    if rating is None:
        return Markup('<span class="ekb-muted">not rated</span>')
    who = ctx.cite(rating.source, rating.locator) if rating.source else Markup(" (rated by {})").format(
        rating.assessor)
    domains = Markup("; ").join(
        Markup("{} {} {}: {}").format(d.direction, d.levels, d.domain, d.reason) for d in rating.domains
    )
    return Markup('<strong>{}</strong>{}{}').format(
        rating.rating.replace("-", " ").capitalize(), who,
        Markup("<br><small>{}</small>").format(domains) if rating.domains else Markup(""))


def render_sof(ctx: TrialContext) -> Markup:
    rows = sof_rows(ctx)
    return render(
        "sof.html",
        ctx=ctx,
        rows=rows,
        certainty=certainty,
        rated=any(row.endpoint.certainty for row in rows),
        calc=CALC,
        intervention_label=ctx.side_label("intervention"),
        comparator_label=ctx.side_label("comparator"),
        checks=ctx.computed.checks,
        status_mark=status_mark,
    )
