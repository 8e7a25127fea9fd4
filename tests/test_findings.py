"""The reader-first Summary of findings, harms as effects, and numbers as readers quote them.

The effect values themselves come from ``evidencekb.effects``, whose tests check them against
published outputs; here the checks are which rows and numbers reach the table and how they are worded.
ProDERM's counts are from its sources (tests/../content/trials/proderm.yaml): serious adverse events
3/52 vs 2/48 in the first period (Arthritis Res Ther 2023, Table 1).
"""

from __future__ import annotations

import math

import pytest

from _html import parse
from evidencekb.audit import audit_trial
from evidencekb.effects import BinaryCounts, analyse_binary
from evidencekb.render import format as fmt
from evidencekb.render import render_trial_page
from evidencekb.render.trial_findings import trial_findings
from test_render import _record, context


def test_one_row_per_outcome_benefits_and_harms_together_without_open_label_time_points() -> None:
    table = trial_findings(context("proderm"))
    anchors = [row.anchor for row in table.rows]
    assert anchors == ["finding-tis20-w16", "finding-cdasi-activity-w16", "finding-mmt8-w16",
                       "finding-haq-w16", "finding-ck-w16", "finding-ae-teae-serious-fp",
                       "finding-ae-teae-discontinuation-fp", "finding-ae-tee-fp"]
    assert [row.kind for row in table.rows].count("harm") == 3
    primary = table.rows[0]
    assert primary.participants == "95 (1 RCT)" and primary.relative.startswith("RR 1.80 (")
    assert primary.difference == "350 more per 1000 (115 to 562 more)"  # GRADE: 438 x RR, capped at 1000
    assert primary.nnt == "NNTB 3 (NNTB 2 to 7)"  # 1/0.350 = 2.86 rounded up; interval from the Newcombe RD
    assert primary.statement == "More with IVIG first (better)."
    cdasi = table.rows[1]
    assert cdasi.difference == "MD 8.20 points lower (4.42 to 11.98 lower)"  # the registry's SDs and n
    assert all("not rated" in row.certainty for row in table.rows)


def test_harm_rows_give_risk_difference_ratio_and_nnth_with_their_denominators() -> None:
    ctx = context("proderm")
    harm = ctx.computed.for_adverse_event("teae-serious-fp")
    assert harm is not None
    assert harm.binary.counts == BinaryCounts(3, 52, 2, 48)
    assert harm.shared == ("placebo-first",)  # the five placebo patients switched to IVIG
    assert harm.binary.nnt.kind == "NNTH"  # more events with IVIG is harm, never an NNTB
    assert harm.binary == analyse_binary(BinaryCounts(3, 52, 2, 48), event="bad")
    assert ctx.computed.for_adverse_event("teae-any-all") is None  # IVIG only: nothing to compare
    row = next(r for r in trial_findings(ctx).rows if r.anchor == "finding-ae-teae-serious-fp")
    assert row.participants == "52 + 48 (1 RCT)" and row.nnt.startswith("NNTH 63 (")
    assert row.statement.startswith("No clear difference")
    notes = dict(trial_findings(ctx).footnotes.lettered())
    assert any("share participants of Placebo" in notes[letter] for letter in row.notes)
    root = parse(render_trial_page(ctx).split("---", 2)[2])
    serious = root.find("tr", id="ae-teae-serious-fp")
    assert serious is not None and serious.find("td", **{"data-measure": "nnt"}) is not None
    assert "NNTH 63" in serious.text and "1.6 pp" in serious.text
    caption = root.find("table", **{"data-table": "harms", "data-period": "first-period"}).find("caption")  # type: ignore[union-attr]
    assert caption is not None and "participants of Placebo first are counted in both" in caption.text


def test_no_events_in_the_comparator_gives_the_risk_difference_per_1000() -> None:
    row = next(r for r in trial_findings(context("proderm")).rows if r.anchor == "finding-ae-teae-discontinuation-fp")
    assert row.comparator_risk == "0 per 1000"
    assert row.difference.startswith("58 more per 1000 (")  # 3/52 - 0/48, not the 0 that GRADE's RR route gives


def test_known_mismatch_is_explained_in_words_in_a_footnote_and_unverified_is_one_note_per_row() -> None:
    table = trial_findings(context("proderm"))
    mmt = next(r for r in table.rows if r.anchor == "finding-mmt8-w16")
    texts = [dict(table.footnotes.lettered())[letter] for letter in mmt.notes]
    assert any(t.startswith("Known mismatch with the source (mean-difference estimate printed 8.6") and
               "the source explains neither this value" in t for t in texts), texts  # the reason, in words
    assert sum("not checked against the source" in t for t in texts) == 1
    html = render_trial_page(context("proderm"))
    findings = html[html.index('data-table="findings"'):html.index("</table>", html.index('data-table="findings"'))]
    assert "ekb-unverified" not in findings and "Newcombe" not in findings  # methods are in the legend


def test_a_record_without_adverse_events_says_so_without_implying_none_occurred() -> None:
    trial, _ = _record("proderm")
    bare = trial.model_copy(update={"adverse_events": [], "conflicts": []})
    html = render_trial_page(context("proderm", bare))
    assert "No adverse-event data recorded for this trial" in html
    assert "The record has no adverse events" not in html


def test_single_treatment_time_points_are_no_comparison_in_all_results() -> None:
    root = parse(render_trial_page(context("proderm")).split("---", 2)[2])
    row = root.find("tr", id="sof-tis20-w40")
    assert row is not None and row.attrs.get("data-kind") == "none"
    assert "every arm received IVIG (Octagam 10%) in the extension period (open-label)" in row.text


@pytest.mark.parametrize(("value", "whole"), [(2.857, 3), (5.0, 5), (5.000000000001, 5), (62.4, 63), (-9.1, 10)])
def test_nnt_is_a_whole_number_rounded_up(value: float, whole: int) -> None:
    assert fmt.whole_nnt(value) == whole


def test_nnt_interval_is_written_as_altman_does_with_whole_numbers() -> None:
    assert fmt.nnt_interval(1 / 0.53, 1 / 0.167, "") == "NNTB 2 to 6"
    assert fmt.nnt_interval(-1 / 0.3, -1 / 0.1, "") == "NNTH 4 to 10"
    assert fmt.nnt_interval(1 / 0.08, -1 / 0.11, "") == "NNTB 13 to infinity to NNTH 10"
    assert fmt.nnt_interval(None, -1 / 0.11, "") == "NNTH 10 to infinity"
    assert fmt.nnt_estimate("NNTB", 1 / 0.35) == "NNTB 3" and fmt.nnt_estimate(None, math.inf) == "infinity"


def test_absolute_differences_say_their_direction_once() -> None:
    assert fmt.per_1000_difference(350.4, 115.2, 561.9) == "350 more per 1000 (115 to 562 more)"
    assert fmt.per_1000_difference(16, -32, 289) == "16 more per 1000 (32 fewer to 289 more)"
    assert fmt.per_1000_difference(-16, -32, -2) == "16 fewer per 1000 (2 to 32 fewer)"
    assert fmt.directed_difference(-0.4, -0.5, 0.2) == "0.40 lower (0.50 lower to 0.20 higher)"


def test_computed_json_carries_the_harm_comparisons() -> None:
    trial, texts = _record("proderm")
    data = audit_trial(trial, texts).to_dict()
    events = [h["event"] for h in data["harms"]]
    assert events == ["teae-any-fp", "teae-related-fp", "teae-serious-fp", "teae-discontinuation-fp", "tee-fp"]
