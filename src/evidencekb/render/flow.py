"""Participant flow (CONSORT style) as HTML boxes: one row per stage, one column per randomized arm.

Boxes are real text in reading order (stage by stage, arm by arm), so the diagram needs no separate
text alternative; arrows are decorative. Totals (``arm: null``) span the row. Stages are shown in
CONSORT order whatever order the record lists them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.render.context import TrialContext
from evidencekb.render.env import render

ORDER = ["randomized", "allocated", "received", "switched", "discontinued", "entered-extension", "completed"]
STAGE_NAMES = {
    "randomized": "Randomized",
    "allocated": "Allocated",
    "received": "Received allocated treatment",
    "switched": "Switched treatment",
    "discontinued": "Discontinued",
    "entered-extension": "Entered the extension",
    "completed": "Completed",
}


@dataclass
class FlowBox:
    stage: str
    arm: str | None
    arm_label: str
    count: int
    mark: Markup


@dataclass
class FlowRow:
    stage: str
    title: str
    period: str | None
    note: str | None
    total: list[FlowBox]
    arms: list[FlowBox | None]


def flow_rows(ctx: TrialContext) -> list[FlowRow]:
    arms = ctx.trial.arms
    stages = sorted(ctx.trial.flow, key=lambda s: ORDER.index(s.stage))
    rows: list[FlowRow] = []
    for stage in stages:
        mark = ctx.cite.of(stage)
        boxes = {c.arm: FlowBox(stage.stage, c.arm, ctx.group_id_label(c.arm) if c.arm else "All arms",
                                c.count, mark) for c in stage.counts}
        rows.append(FlowRow(
            stage=stage.stage,
            title=stage.label or STAGE_NAMES[stage.stage],
            period=ctx.period_label(stage.period) if stage.period else None,
            note=stage.note,
            total=[boxes[None]] if None in boxes else [],
            arms=[boxes.get(a.id) for a in arms] if any(k is not None for k in boxes) else [],
        ))
    return rows


def render_flow(ctx: TrialContext) -> Markup:
    return render("flow.html", rows=flow_rows(ctx), arms=ctx.trial.arms, ctx=ctx,
                  conflicts=Markup(" ").join(ctx.conflict_links(p.id) for p in ctx.trial.populations))
