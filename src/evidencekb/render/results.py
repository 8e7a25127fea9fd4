"""Layer 5: what each endpoint measures, and the effects of continuous endpoints beyond the Summary of findings.

Mean differences, Hedges' g and t-test p-values are read from the computed namespace (with the SD's
provenance when it was derived from an SE or CI). The group means and medians, each with its source,
and what the source printed are shown once, in the endpoint's Summary of findings row, which each
row here links to.
"""

from __future__ import annotations

from markupsafe import Markup

from evidencekb.effects import VARIANCE_LABELS
from evidencekb.render import format as fmt
from evidencekb.render.cite import CALC
from evidencekb.render.context import TrialContext
from evidencekb.render.env import paragraphs, render
from evidencekb.render.sof import sof_anchors


def _endpoint_rows(ctx: TrialContext) -> list[dict[str, object]]:
    rows = []
    for e in ctx.trial.endpoints:
        scale = None
        if e.scale:
            bounds = f", {fmt.printed(None, e.scale.min)} to {fmt.printed(None, e.scale.max)}" if (
                e.scale.min is not None and e.scale.max is not None) else ""
            scale = f"{e.scale.name}{bounds}{' ' + e.scale.unit if e.scale.unit else ''}"
        rows.append({
            "e": e,
            "label": ctx.abbr(e.label),
            "definition": paragraphs(e.definition, ctx.abbr),
            "period": ctx.period_label(e.period),
            "better": "higher is better" if e.better == "higher" else "lower is better",
            "scale": scale,
            "mark": ctx.cite(e.source, e.locator),
            "conflicts": ctx.conflict_links(e.id),
        })
    return rows


def _continuous(ctx: TrialContext) -> list[dict[str, object]]:
    out = []
    for index, (result, anchor) in enumerate(zip(ctx.trial.results, sof_anchors(ctx), strict=True)):
        if result.continuous is None and not (result.reported and ctx.endpoint(result.endpoint).type == "continuous"):
            continue
        comparison = ctx.computed.for_result(index)
        analysis = comparison.continuous if comparison else None
        effects = None
        if analysis is not None:
            md, smd, p = analysis.mean_difference, analysis.standardized_mean_difference, analysis.t_test
            effects = {
                "md": f"{fmt.num(md.estimate)} ({fmt.interval(md.ci_low, md.ci_high)})",
                "md_method": VARIANCE_LABELS.get(md.method, md.method),
                "smd": f"{fmt.num(smd.estimate)} ({fmt.interval(smd.ci_low, smd.ci_high)})",
                "p": fmt.num(p.value, 4) if p.value is not None and p.value >= 0.0001 else (
                    "< 0.0001" if p.value is not None else "not computable"),
                "test": p.test,
                "sd_sources": sorted({g.sd_source for g in (analysis.intervention, analysis.comparator)}),
            }
        out.append({
            "endpoint": ctx.endpoint(result.endpoint),
            "label": ctx.abbr(ctx.endpoint(result.endpoint).label),
            "population": result.analysis_population,
            "effects": effects,
            "reason": comparison.not_computed if comparison else None,
            "sof": anchor,
        })
    return out


def _baseline(ctx: TrialContext) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for b in ctx.trial.baseline:
        values = []
        for v in b.values:
            parts = []
            if v.count is not None:
                parts.append(f"{v.count}" + (f"/{v.n}" if v.n is not None else ""))
            if v.percent is not None:
                parts.append(f"{fmt.printed(None, v.percent)}%")
            if v.mean is not None:
                parts.append(f"mean {fmt.printed(None, v.mean)}" + (f" (SD {fmt.printed(None, v.sd)})" if v.sd else ""))
            if v.median is not None:
                parts.append(f"median {fmt.printed(None, v.median)}")
            if v.min is not None and v.max is not None:
                parts.append(f"range {fmt.printed(None, v.min)} to {fmt.printed(None, v.max)}")
            if v.n is not None and v.count is None:
                parts.append(f"n {v.n}")
            values.append((ctx.group_id_label(v.arm) if v.arm else "All", ", ".join(parts)))
        rows.append({"label": b.label, "cells": values, "mark": ctx.cite.of(b), "note": b.note})
    return rows


def render_endpoints(ctx: TrialContext) -> Markup:
    return render("endpoints.html", rows=_endpoint_rows(ctx), ctx=ctx)


def render_continuous(ctx: TrialContext) -> Markup:
    return render("continuous.html", results=_continuous(ctx), baseline=_baseline(ctx), ctx=ctx, calc=CALC)
