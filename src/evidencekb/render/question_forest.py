"""Forest plot of one pooled outcome as inline SVG: a row per trial, the pooled diamond, the prediction interval.

The axis, scales and pixel rounding are the trial pages' (``render.forest``); what differs is what is
plotted: each trial's effect as pooled (on the measure's natural scale, square sized by its weight), the
pooled estimate as a diamond and the prediction interval as a line under it. The SVG is an image with a
``<desc>`` stating every row in words, and the page prints the same numbers in a table beside it, so
nothing depends on reading positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.pooling import PooledResult
from evidencekb.render import format as fmt
from evidencekb.render.env import render
from evidencekb.render.forest import BOTTOM, TOP, WIDE, _linear_axis, _log_axis, _px

ROW_H = 30


@dataclass
class PlotRow:
    label: str
    text: str
    y: int
    x: float
    x_low: float
    x_high: float
    half: float
    """Half the square's side, growing with the square root of the weight."""


def effect_text(value: float | None, ci: tuple[float, float] | None, digits: int) -> str:
    if value is None:
        return "not estimable"
    return f"{fmt.num(value, digits)} ({fmt.interval(ci[0], ci[1], digits) if ci else 'no interval'})"


def natural(pooled: PooledResult, value: float) -> float:
    return math.exp(value) if pooled.scale == "log" else value


def digits_of(pooled: PooledResult) -> int:
    return 3 if pooled.measure == "rd" else 2


def render_question_forest(pooled: PooledResult, plot_id: str, title: str, left_words: str,
                           right_words: str) -> Markup:
    """The plot, or nothing when no trial has an estimate."""
    studies = [s for s in pooled.studies if s.estimate is not None and s.ci is not None]
    if not studies:
        return Markup("")
    log, digits = pooled.scale == "log", digits_of(pooled)
    values = [natural(pooled, v) for s in studies for v in (s.estimate, *(s.ci or ())) if v is not None]
    if pooled.ci:
        values += [natural(pooled, v) for v in pooled.ci]
    if pooled.prediction:
        values += [natural(pooled, v) for v in pooled.prediction]
    scale, ticks = _log_axis(values, WIDE) if log else _linear_axis(values, WIDE)
    rows = []
    for i, s in enumerate(studies):
        assert s.estimate is not None and s.ci is not None
        y = TOP + i * ROW_H + ROW_H // 2
        half = 3 + 5 * math.sqrt((s.weight_percent or 0) / 100)
        ci = (natural(pooled, s.ci[0]), natural(pooled, s.ci[1]))
        rows.append(PlotRow(s.name, effect_text(natural(pooled, s.estimate), ci, digits), y,
                            scale(natural(pooled, s.estimate)), scale(ci[0]), scale(ci[1]), half))
    pooled_y = TOP + len(rows) * ROW_H + ROW_H // 2
    diamond = prediction = ""
    pooled_text = "not estimable"
    if pooled.estimate is not None and pooled.ci is not None:
        centre, low, high = (scale(natural(pooled, v)) for v in (pooled.estimate, *pooled.ci))
        diamond = (f"M{_px(low)} {pooled_y}L{_px(centre)} {pooled_y - 7}L{_px(high)} {pooled_y}"
                   f"L{_px(centre)} {pooled_y + 7}z")
        pooled_text = effect_text(natural(pooled, pooled.estimate),
                                  (natural(pooled, pooled.ci[0]), natural(pooled, pooled.ci[1])), digits)
    if pooled.prediction is not None:
        a, b = (scale(natural(pooled, v)) for v in pooled.prediction)
        prediction = f"M{_px(a)} {pooled_y + 12}H{_px(b)}"
    axis_y = pooled_y + 24
    left, right = WIDE.label_w, WIDE.label_w + WIDE.plot_w
    null_x = scale(1.0 if log else 0.0)
    data = {
        "id": plot_id, "title": title, "rows": rows, "width": WIDE.width, "height": axis_y + BOTTOM,
        "text_x": right + 14, "pooled_y": pooled_y, "pooled_text": pooled_text, "axis_y": axis_y,
        "squares": "".join(f"M{_px(r.x - r.half)} {r.y - r.half}h{_px(2 * r.half)}v{_px(2 * r.half)}"
                           f"h-{_px(2 * r.half)}z" for r in rows),
        "whiskers": "".join(f"M{_px(r.x_low)} {r.y}H{_px(r.x_high)}" for r in rows),
        "diamond": diamond, "prediction": prediction,
        "null_line": f"M{_px(null_x)} {TOP - 8}V{axis_y}",
        "axis_line": f"M{left} {axis_y}H{right}" + "".join(f"M{_px(x)} {axis_y}v5" for x, _ in ticks),
        "tick_labels": [(_px(x), label) for x, label in ticks],
        "left_x": _px(null_x - 6), "right_x": _px(null_x + 6),
        "left_words": left_words, "right_words": right_words,
        "heading": f"{pooled.measure.upper()} ({round(pooled.level * 100)}% CI)",
        "name": pooled.measure_name + (" (log scale)" if log else ""),
    }
    return render("question_forest.svg", p=data)
