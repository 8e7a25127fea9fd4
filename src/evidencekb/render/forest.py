"""Forest plot of the binary comparisons as inline SVG, drawn at build time (no JavaScript).

Estimates and intervals come from the computed namespace; this module only maps them to pixels. The
SVG has ``role="img"`` with a ``<title>`` and a ``<desc>`` that states every row in words, and the
plot prints each row's numbers beside it (they are the Summary of findings' numbers, with their
sources there), so nothing is conveyed by position or colour alone. Text is set with ``currentColor``
so the plot follows the light/dark palette. Each plot is drawn twice: a wide layout (label, plot and
numbers side by side) and a narrow one for phones (label and numbers above each row's interval), shown
by the stylesheet according to the screen width, so text stays at its size instead of being scaled down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.effects import METHOD_LABELS
from evidencekb.render import format as fmt
from evidencekb.render.context import TrialContext
from evidencekb.render.env import render

TOP = 44
BOTTOM = 62


@dataclass(frozen=True)
class Layout:
    name: str
    width: int
    label_w: int  # where the plot area starts
    plot_w: int
    row_h: int
    stacked: bool  # label and numbers above the interval instead of beside it


WIDE = Layout("wide", 760, 220, 330, 30, stacked=False)
NARROW = Layout("narrow", 360, 12, 330, 50, stacked=True)


@dataclass
class ForestRow:
    label: str
    endpoint: str
    counts: str
    estimate: float
    low: float | None
    high: float | None
    text: str
    y: int = 0
    label_y: int = 0
    text_y: int = 0
    x: float = 0
    x_low: float = 0
    x_high: float = 0


@dataclass
class Axis:
    ticks: list[tuple[float, str]]
    null_x: float
    left: float
    right: float


def _nice_step(span: float) -> float:
    raw = span / 6
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


class _Scale:
    def __init__(self, low: float, high: float, log: bool, layout: Layout) -> None:
        self.log = log
        self.layout = layout
        self.low, self.high = (math.log(low), math.log(high)) if log else (low, high)

    def __call__(self, value: float) -> float:
        v = math.log(value) if self.log else value
        return self.layout.label_w + (v - self.low) / (self.high - self.low) * self.layout.plot_w


def _linear_axis(values: list[float], layout: Layout) -> tuple[_Scale, list[tuple[float, str]]]:
    low, high = min([*values, 0.0]), max([*values, 0.0])
    step = _nice_step(max(high - low, 1e-9))
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    scale = _Scale(low, high, log=False, layout=layout)
    count = round((high - low) / step)
    ticks = [(scale(low + k * step), fmt.num(low + k * step, 0 if step >= 1 else 1)) for k in range(count + 1)]
    return scale, ticks


def _log_axis(values: list[float], layout: Layout) -> tuple[_Scale, list[tuple[float, str]]]:
    low, high = min([*values, 1.0]), max([*values, 1.0])
    low_exp, high_exp = math.floor(math.log2(low)), math.ceil(math.log2(high))
    if low_exp == high_exp:
        high_exp += 1
    scale = _Scale(2.0**low_exp, 2.0**high_exp, log=True, layout=layout)
    stride = max(1, math.ceil((high_exp - low_exp) / 8))
    ticks = [(scale(2.0**e), fmt.num(2.0**e, 2 if e < -1 else (1 if e < 0 else 0)))
             for e in range(low_exp, high_exp + 1, stride)]
    return scale, ticks


def _rows(ctx: TrialContext, measure: str) -> list[ForestRow]:
    rows = []
    for comparison in ctx.computed.comparisons:
        if comparison.binary is None:
            continue
        b = comparison.binary
        endpoint = ctx.endpoint(comparison.endpoint)
        if ctx.same_treatment(endpoint):
            continue
        estimate = b.risk_difference if measure == "risk-difference" else b.risk_ratio
        if estimate.estimate is None:
            continue
        factor = 100.0 if measure == "risk-difference" else 1.0
        low = None if estimate.ci_low is None else estimate.ci_low * factor
        high = None if estimate.ci_high is None else estimate.ci_high * factor
        digits = 1 if measure == "risk-difference" else 2
        text = f"{fmt.num(estimate.estimate * factor, digits)} ({fmt.interval(low, high, digits)})"
        counts = f"{b.counts.events1}/{b.counts.total1} vs {b.counts.events2}/{b.counts.total2}"
        rows.append(ForestRow(endpoint.short_label or endpoint.label, endpoint.id, counts,
                              estimate.estimate * factor, low, high, text))
    return rows


def forest_data(ctx: TrialContext, measure: str, layout: Layout = WIDE) -> dict[str, object] | None:
    rows = _rows(ctx, measure)
    if not rows:
        return None
    log = measure == "risk-ratio"
    values = [v for r in rows for v in (r.estimate, r.low, r.high) if v is not None]
    scale, ticks = _log_axis(values, layout) if log else _linear_axis(values, layout)
    left, right = layout.label_w, layout.label_w + layout.plot_w
    for i, row in enumerate(rows):
        top = TOP + i * layout.row_h
        row.y = top + (layout.row_h - 8 if layout.stacked else layout.row_h // 2)
        row.label_y = top + 12 if layout.stacked else row.y + 4
        row.text_y = top + 27 if layout.stacked else row.y + 4
        row.x = scale(row.estimate)
        row.x_low = scale(row.low) if row.low is not None else left
        row.x_high = scale(row.high) if row.high is not None else right
    null = 1.0 if log else 0.0
    methods = {
        c.binary.risk_difference.method if measure == "risk-difference" else c.binary.risk_ratio.method
        for c in ctx.computed.comparisons if c.binary is not None
    }
    method = "; ".join(sorted(METHOD_LABELS.get((measure, m), m) for m in methods))
    name = "Risk difference (percentage points)" if not log else "Risk ratio (log scale)"
    intervention, comparator = ctx.side_label("intervention"), ctx.side_label("comparator")
    axis = Axis(ticks, scale(null), left, right)
    axis_y = TOP + len(rows) * layout.row_h
    return {
        "id": f"forest-{measure}" + ("" if layout is WIDE else f"-{layout.name}"),
        "layout": layout.name,
        "stacked": layout.stacked,
        "measure": measure,
        "name": name,
        "method": method,
        "level": round(ctx.computed.level * 100),
        "rows": rows,
        "axis": axis,
        "width": layout.width,
        "height": axis_y + BOTTOM + (18 if layout.stacked else 0),
        "axis_y": axis_y,
        "text_x": 0 if layout.stacked else right + 14,
        # Each kind of stroke is one path for all rows: the plot is drawn by a few elements, not dozens.
        "whiskers": "".join(f"M{_px(r.x_low)} {r.y}H{_px(r.x_high)}M{_px(r.x_low)} {r.y - 5}v10"
                            f"M{_px(r.x_high)} {r.y - 5}v10" for r in rows),
        "squares": "".join(f"M{_px(r.x - 6)} {r.y - 6}h12v12h-12z" for r in rows),
        "null_line": f"M{_px(axis.null_x)} {TOP - 8}V{axis_y}",
        "axis_line": f"M{axis.left} {axis_y}H{axis.right}" + "".join(f"M{_px(x)} {axis_y}v5" for x, _ in ticks),
        "tick_labels": [(_px(x), label) for x, label in ticks],
        "left_x": _px(axis.null_x - 6),
        "right_x": _px(axis.null_x + 6),
        "middle_x": _px((axis.left + axis.right) / 2),
        "left_words": f"more events with {comparator}",
        "right_words": f"more events with {intervention}",
        "null": fmt.num(null, 0),
        "title": f"Forest plot: {name}, {intervention} vs {comparator}, {ctx.trial.short_name}",
    }


def _px(value: float) -> str:
    """An SVG coordinate to a tenth of a pixel, without trailing zeros (``372.5``, ``330``)."""
    return f"{round(value, 1):g}"


def render_forest(ctx: TrialContext) -> Markup:
    plots = [p for p in (forest_data(ctx, "risk-difference"), forest_data(ctx, "risk-ratio")) if p]
    for plot in plots:
        plot["narrow"] = forest_data(ctx, str(plot["measure"]), NARROW)
    reasons = sorted({c.not_computed for c in ctx.computed.comparisons
                      if c.not_computed and ctx.endpoint(c.endpoint).type == "binary"})
    return render("forest.html", plots=plots, reasons=reasons, ctx=ctx)
