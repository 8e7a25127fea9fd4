"""The home page's table of all published trials, one row each, linking to the trial pages.

The primary outcome's effect is the computed comparison of the first primary endpoint; when none can
be computed (e.g. crossover exposures) the row says why instead of showing an effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.computed import Comparison
from evidencekb.models import Trial
from evidencekb.render.context import randomized_total
from evidencekb.render.env import render
from evidencekb.render.sof import md_effect, rd_effect, rr_effect


@dataclass(frozen=True)
class TrialRow:
    """One row of the trial table as plain text, so it can be kept and sent between processes.

    ``href`` is relative to the page the table is on, so the site glue fills it in per page.
    """

    id: str
    short_name: str
    conditions: str
    interventions: str
    design: str
    randomized: int
    primary: dict[str, str | None]
    href: str = ""
    last_reviewed: str = ""
    """The review date (ISO), for the page's review freshness."""


def trial_row(trial: Trial, comparison_of: Callable[[int], Comparison | None]) -> TrialRow:
    """The row of ``trial``; ``comparison_of`` gives the computed comparison of a result by its index
    (``ComputedTrial.for_result``, or ``compare_result`` when only the primary outcome's is needed)."""
    return TrialRow(trial.id, trial.short_name, ", ".join(trial.conditions), ", ".join(trial.interventions),
                    _design(trial), randomized_total(trial)[0], _primary(trial, comparison_of),
                    last_reviewed=trial.review.last_reviewed.isoformat())


def _primary(trial: Trial, comparison_of: Callable[[int], Comparison | None]) -> dict[str, str | None]:
    primary = next((e for e in trial.endpoints if e.role == "primary"), trial.endpoints[0])
    label = primary.label if primary.role == "primary" and primary.role_verified else (
        f"{primary.label} (primary outcome not verified)")
    for index, result in enumerate(trial.results):
        if result.endpoint != primary.id:
            continue
        comparison = comparison_of(index)
        if comparison is None:
            continue
        if comparison.binary is not None:
            c = comparison.binary.counts
            rd, rr = rd_effect(comparison), rr_effect(comparison)
            return {"label": label, "counts": f"{c.events1}/{c.total1} vs {c.events2}/{c.total2}",
                    "effect": f"RD {rd.value} ({rd.interval}); RR {rr.value} ({rr.interval})",
                    "method": f"{rd.method}; {rr.method}"}
        if comparison.continuous is not None:
            md = md_effect(comparison)
            return {"label": label, "counts": "", "effect": f"MD {md.value} ({md.interval})",
                    "method": md.method}
        counts = " vs ".join(f"{g.events}/{g.total}" for g in (result.binary or []))
        return {"label": label, "counts": counts, "effect": None, "method": "",
                "reason": comparison.not_computed}
    return {"label": label, "counts": "", "effect": None, "method": "", "reason": "no results recorded"}


def _design(trial: Trial) -> str:
    d = trial.design
    phase = f"phase {d.phase}, " if d.phase != "not-applicable" else ""
    return f"{phase}{d.allocation} {d.model}, {d.control}"


def render_trial_table(rows: list[TrialRow], caption: str = "All published trials, with the primary outcome and"
                       " its effect recomputed from the counts (95% CI)") -> Markup:
    return render("trial_table.html", rows=rows, caption=caption)
