"""Per-group cells shared by the Summary of Findings and the results sections.

A cell shows what the record holds for one group (events/total, a mean with its spread, a median) with
its source mark; the percentage beside a count is the risk from the computed comparison, never divided
here, and a percentage the source printed is shown with its consistency mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from evidencekb.computed import Comparison
from evidencekb.models import BinaryGroup, ContinuousGroup, Result, TimeToEventGroup
from evidencekb.models.outcomes import GroupRef
from evidencekb.render import format as fmt
from evidencekb.render.context import TrialContext, status_mark


@dataclass
class GroupCell:
    group_id: str
    label: str
    side: str
    kind: str  # binary | continuous | time-to-event
    main: str  # e.g. "37/47" or "mean -9.36"
    detail: str = ""  # e.g. "78.7%" or "SD 10.54; n 45"
    printed: list[Markup] = field(default_factory=list)  # printed percentages with their marks
    population_note: str | None = None  # shown when the group is not a randomized arm


def comparison_risk(comparison: Comparison | None, group: GroupRef) -> float | None:
    """The computed risk of a group that is part of the randomized comparison, else None."""
    if comparison is None or comparison.binary is None:
        return None
    counts = comparison.binary.counts
    if group.group_id == comparison.intervention:
        return counts.risk1
    if group.group_id == comparison.comparator:
        return counts.risk2
    return None


def group_cells(ctx: TrialContext, index: int, result: Result, comparison: Comparison | None) -> list[GroupCell]:
    cells = []
    for j, group in enumerate(result.groups):
        side = ctx.side(group)
        note = None if group.arm else ctx.group_label(group)
        cell = GroupCell(group.group_id, ctx.group_label(group), side, "", "", population_note=note)
        if isinstance(group, BinaryGroup):
            _binary(ctx, index, j, group, comparison, cell)
        elif isinstance(group, ContinuousGroup):
            _continuous(group, cell)
        elif isinstance(group, TimeToEventGroup):
            _time_to_event(group, cell)
        cells.append(cell)
    return cells


def _binary(ctx: TrialContext, i: int, j: int, group: BinaryGroup, comparison: Comparison | None,
            cell: GroupCell) -> None:
    cell.kind = "binary"
    cell.main = f"{group.events}/{group.total}"
    risk = comparison_risk(comparison, group)
    if risk is not None:
        cell.detail = fmt.percent(risk)
    if group.percent is not None:
        loc = ("results", i, "binary", j, "percent")
        checks = ctx.checks(loc)
        mark = status_mark(checks[0]) if checks else Markup("")
        source = group.percent_source
        cite = ctx.cite(source, group.percent_locator) if source else Markup("")
        cell.printed.append(
            Markup("printed {}%{} {}").format(ctx.printed(loc, group.percent), cite, mark)
        )


def _continuous(group: ContinuousGroup, cell: GroupCell) -> None:
    cell.kind = "continuous"
    cell.main = f"mean {fmt.printed(None, group.mean)}"
    parts = []
    if group.sd is not None:
        parts.append(f"SD {fmt.printed(None, group.sd)}")
    if group.se is not None:
        parts.append(f"SE {fmt.printed(None, group.se)}")
    cell.detail = "; ".join(parts + _interval_and_n(group))


def _time_to_event(group: TimeToEventGroup, cell: GroupCell) -> None:
    cell.kind = "time-to-event"
    median = "not reached" if group.median is None else f"{fmt.printed(None, group.median)} {group.unit}"
    cell.main = f"median {median}"
    cell.detail = "; ".join(_interval_and_n(group))


def _interval_and_n(group: ContinuousGroup | TimeToEventGroup) -> list[str]:
    parts = []
    if group.ci is not None:
        parts.append(f"{round(group.ci.level * 100):d}% CI {_printed_interval(group.ci.low, group.ci.high)}")
    if group.n is not None:
        parts.append(f"n {group.n}")
    return parts


def _printed_interval(low: float | None, high: float | None) -> str:
    left = "not estimable" if low is None else fmt.printed(None, low)
    right = "not estimable" if high is None else fmt.printed(None, high)
    return f"{left} to {right}"
