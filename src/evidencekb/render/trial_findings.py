"""The rows of a trial's Summary of Findings: its critical outcomes, benefits and harms together.

Benefits: one row per outcome (``endpoint.outcome``, e.g. TIS or CDASI), its first primary or secondary
endpoint, from the result whose comparison could be computed (the primary publication's first). Time
points at which every arm received the same treatment (an open-label extension) are left out: they
compare no treatments. Harms: adverse events that are serious, led to discontinuation or death, or are of
special interest, when both sides have counts and denominators. Every effect comes from the computed
namespace; this module only words it. Everything else (other endpoints, other sources' versions, every
consistency check) is in the page's "All results" section.
"""

from __future__ import annotations

from markupsafe import Markup

from evidencekb.computed import Comparison, HarmComparison
from evidencekb.effects import METHOD_LABELS, VARIANCE_LABELS, BinaryAnalysis, ContinuousAnalysis
from evidencekb.models import AdverseEvent, Endpoint, Result
from evidencekb.render import format as fmt
from evidencekb.render.context import TrialContext
from evidencekb.render.findings import FindingRow, FindingsTable, Footnotes, render_findings
from evidencekb.render.sof import certainty

NNT_METHOD = "NNT: Altman (BMJ 1998), rounded up to a whole number"
UNVERIFIED_NOTE = ("Some numbers in this row were not checked against the source itself"
                   " (marked unverified in the record).")


def _chosen_results(ctx: TrialContext) -> list[tuple[int, Endpoint]]:
    """(result index, endpoint) of the first endpoint of each outcome, primary endpoints first."""
    endpoints = sorted((e for e in ctx.trial.endpoints if e.role in ("primary", "secondary")),
                       key=lambda e: e.role != "primary")
    chosen, outcomes = [], set()
    for endpoint in endpoints:
        key = endpoint.outcome or endpoint.id
        if key in outcomes or ctx.same_treatment(endpoint):
            continue
        index = _best_result(ctx, endpoint.id)
        if index is not None:
            outcomes.add(key)
            chosen.append((index, endpoint))
    return chosen


def _best_result(ctx: TrialContext, endpoint_id: str) -> int | None:
    """The result shown for an endpoint: computed comparisons first, then the primary publication's."""
    indexes = [i for i, r in enumerate(ctx.trial.results) if r.endpoint == endpoint_id]

    def rank(index: int) -> tuple[bool, bool]:
        comparison = ctx.computed.for_result(index)
        computed = comparison is not None and (comparison.binary or comparison.continuous) is not None
        primary = ctx.trial.results[index].source == ctx.trial.primary_source
        return not computed, not primary

    return min(indexes, key=rank) if indexes else None


def _unverified(result: Result) -> bool:
    return not result.verified or any(not s.verified for s in result.reported)


def _statement(low: float | None, high: float | None, higher_with_intervention: bool, better_higher: bool,
               intervention: str, words: tuple[str, str]) -> str:
    """What happens, read mechanically from the interval (a reading of the numbers, not a GRADE judgement)."""
    if low is None or high is None or low <= 0 <= high:
        return "No clear difference: the 95% CI includes no difference."
    more, fewer = words
    good = higher_with_intervention == better_higher
    return f"{more if higher_with_intervention else fewer} with {intervention} ({'better' if good else 'worse'})."


def _binary_cells(b: BinaryAnalysis, methods: set[str]) -> dict[str, str]:
    """Relative effect, comparator risk, absolute difference and NNT of a binary comparison, and the
    remark on them if any. With no events in the comparator group GRADE's risk-ratio-based difference
    is 0 whatever happened, so the difference is then the risk difference itself, per 1000."""
    rd, rr, a, nnt = b.risk_difference, b.risk_ratio, b.absolute_per_1000, b.nnt
    rd_method = METHOD_LABELS.get(("risk-difference", rd.method), rd.method)
    methods.add(f"risk ratio: {METHOD_LABELS.get(('risk-ratio', rr.method), rr.method)}")
    methods.add(NNT_METHOD + f", from the risk difference ({rd_method})")
    if a.comparator == 0:
        per_1000 = [None if v is None else v * 1000 for v in (rd.estimate, rd.ci_low, rd.ci_high)]
        difference = fmt.per_1000_difference(*per_1000)
        note = f"No events with the comparator: the difference is the risk difference ({rd_method}), per 1000."
    else:
        methods.add("absolute effects per 1000: risk with the comparator times the risk ratio (GRADE)")
        difference = fmt.per_1000_difference(a.difference, a.difference_ci_low, a.difference_ci_high)
        note = a.note or ""
    relative = f"RR {fmt.num(rr.estimate, 2)} ({fmt.interval(rr.ci_low, rr.ci_high, 2)})" \
        if rr.estimate is not None else "RR not estimable"
    return {
        "relative": relative,
        "comparator_risk": f"{fmt.per_1000(a.comparator)} per 1000",
        "difference": difference,
        "nnt": f"{fmt.nnt_estimate(nnt.kind, nnt.estimate)} ({fmt.nnt_interval(nnt.ci_low, nnt.ci_high, nnt.ci_text)})",
        "note": note,
    }


def _continuous_cells(endpoint: Endpoint, c: ContinuousAnalysis, methods: set[str]) -> dict[str, str]:
    md = c.mean_difference
    methods.add(f"mean difference: {VARIANCE_LABELS.get(md.method, md.method)}")
    unit = f" {endpoint.scale.unit}" if endpoint.scale and endpoint.scale.unit else ""
    measure = "mean change" if endpoint.measure == "change-from-baseline" else "mean"
    return {
        "relative": "not applicable",
        "comparator_risk": f"{measure} {fmt.printed(None, c.comparator.mean)}{unit}",
        "difference": "MD " + fmt.directed_difference(md.estimate, md.ci_low, md.ci_high, unit),
    }


def _participants(comparison: Comparison | None, b: BinaryAnalysis | None) -> str:
    if b is not None:
        return f"{b.counts.total1 + b.counts.total2} (1 RCT)"
    if comparison is not None and comparison.continuous is not None:
        c = comparison.continuous
        return f"{c.intervention.n + c.comparator.n} (1 RCT)"
    return "1 RCT"


def benefit_row(ctx: TrialContext, index: int, endpoint: Endpoint, notes: Footnotes, methods: set[str]) -> FindingRow:
    result = ctx.trial.results[index]
    comparison = ctx.computed.for_result(index)
    intervention = ctx.side_label("intervention")
    row = FindingRow(
        anchor=f"finding-{endpoint.id}", outcome=ctx.abbr(endpoint.label) + ctx.cite(result.source, result.locator),
        detail=f"{endpoint.role}; {endpoint.timepoint}", kind="benefit",
        participants=_participants(comparison, comparison.binary if comparison else None),
        relative="", comparator_risk="", difference="", certainty=certainty(ctx, endpoint))
    higher = endpoint.better == "higher"
    if comparison is not None and comparison.binary is not None:
        cells = _binary_cells(comparison.binary, methods)
        note = cells.pop("note")
        if note:
            row.notes.append(notes.add(note))
        rd = comparison.binary.risk_difference
        row.statement = _statement(rd.ci_low, rd.ci_high, (rd.estimate or 0) > 0, higher, intervention,
                                   ("More", "Fewer"))
        _fill(row, cells)
    elif comparison is not None and comparison.continuous is not None:
        md = comparison.continuous.mean_difference
        _fill(row, _continuous_cells(endpoint, comparison.continuous, methods))
        row.statement = _statement(md.ci_low, md.ci_high, (md.estimate or 0) > 0, higher, intervention,
                                   ("Higher", "Lower"))
    else:
        row.relative = "not computed"
        row.difference = f"No effect computed: {comparison.not_computed if comparison else 'no comparison'}."
        row.statement = "See All results below for what the sources printed."
    _check_notes(ctx, index, result, row, notes)
    return row


def _check_notes(ctx: TrialContext, index: int, result: Result, row: FindingRow, notes: Footnotes) -> None:
    """Footnotes for unverified numbers and for printed numbers the recomputation does not reproduce."""
    if _unverified(result):
        row.notes.append(notes.add(UNVERIFIED_NOTE))
    for j, stat in enumerate(result.reported):
        checks = ctx.checks(("results", index, "reported", j))
        differ = [c for c in checks if c.status in ("acknowledged", "inconsistent")]
        if not differ:
            continue
        parts = "; ".join(f"{c.statistic} printed {c.reported}, recomputed {c.recomputed}" for c in differ)
        if stat.acknowledged:
            row.notes.append(notes.add(f"Known mismatch with the source ({parts}). {stat.acknowledged.reason}"))
        else:
            row.notes.append(notes.add(f"Mismatch with the source ({parts}); see All results below."))
    conflicts = ctx.conflicts_for(result.endpoint)
    if conflicts:
        links = Markup(", ").join(Markup('<a href="#conflict-{}">{}</a>').format(c, topic) for c, topic in conflicts)
        row.notes.append(notes.add(Markup("Sources disagree about this outcome: {}.").format(links)))


def _fill(row: FindingRow, cells: dict[str, str]) -> None:
    for name, value in cells.items():
        setattr(row, name, value)


def critical_harms(ctx: TrialContext) -> list[tuple[AdverseEvent, HarmComparison]]:
    found = []
    for event in ctx.trial.adverse_events:
        harm = ctx.computed.for_adverse_event(event.id)
        critical = event.seriousness == "serious" or event.outcome != "any" or event.special_interest
        if harm is not None and critical:
            found.append((event, harm))
    return found


def harm_row(ctx: TrialContext, event: AdverseEvent, harm: HarmComparison, notes: Footnotes,
             methods: set[str]) -> FindingRow:
    b = harm.binary
    cells = _binary_cells(b, methods)
    row = FindingRow(
        anchor=f"finding-ae-{event.id}", outcome=ctx.abbr(event.term) + ctx.cite(event.source, event.locator),
        detail=f"harm; {ctx.period_label(event.period).lower()}", kind="harm",
        participants=f"{b.counts.total1} + {b.counts.total2} (1 RCT)", relative="", comparator_risk="",
        difference="")
    note = cells.pop("note")
    _fill(row, cells)
    if note:
        row.notes.append(notes.add(note))
    if harm.shared:
        row.notes.append(notes.add(
            f"The groups share participants of {', '.join(ctx.group_id_label(a) for a in harm.shared)} (switched"
            " treatment within the period), so they are not fully independent; the interval treats them as"
            " independent."))
    rd = b.risk_difference
    row.statement = _statement(rd.ci_low, rd.ci_high, (rd.estimate or 0) > 0, False,
                               ctx.side_label("intervention"), ("More", "Fewer"))
    if not event.verified:
        row.notes.append(notes.add(UNVERIFIED_NOTE))
    return row


def trial_findings(ctx: TrialContext) -> FindingsTable:
    notes, methods = Footnotes(), set[str]()
    rows = [benefit_row(ctx, i, e, notes, methods) for i, e in _chosen_results(ctx)]
    rows += [harm_row(ctx, e, h, notes, methods) for e, h in critical_harms(ctx)]
    intervention, comparator = ctx.side_label("intervention"), ctx.side_label("comparator")
    caption = f"Summary of findings: {ctx.trial.short_name}, {intervention} compared with {comparator}"
    return FindingsTable(caption, intervention, comparator, rows, sorted(methods), notes)


def render_trial_findings(ctx: TrialContext) -> Markup:
    return render_findings(trial_findings(ctx))
