"""A Summary of Findings table in GRADEpro's layout, fed by rows of ready text.

One row per outcome: participants (studies), relative effect (95% CI), anticipated absolute effects
(risk with the comparator, difference with the intervention), certainty, and what happens in plain
words. The rows come from a trial's comparisons (``trial_findings``) or, with the same columns, from
results pooled across trials; this module knows neither, it only lays rows out. Methods are named once
in the table's legend and every remark (unverified numbers, a known mismatch, a capped risk, a reason
for rating certainty down) is a lettered footnote, as in GRADEpro's tables, so the cells hold only the
numbers a reader quotes and the letters never read as part of a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from evidencekb.render.env import render


@dataclass
class FindingRow:
    anchor: str
    outcome: Markup  # the outcome's name, with its source mark
    detail: str  # time point, period, role: what the row is about
    kind: str  # benefit | harm
    participants: str  # e.g. "95 (1 RCT)"
    relative: str  # e.g. "RR 1.80 (1.25 to 2.59)"
    comparator_risk: str  # e.g. "438 per 1000" or "mean change -1.16 points"
    difference: str  # e.g. "350 more per 1000 (167 to 532 more)"
    nnt: str = ""  # e.g. "NNTB 3 (NNTB 2 to 6)"
    certainty: Markup = Markup('<span class="ekb-muted">not rated</span>')
    statement: str = ""
    notes: list[str] = field(default_factory=list)  # footnote letters of the table


@dataclass
class Footnotes:
    """Lettered remarks of one table; the same text gets the same letter however many rows use it."""

    texts: list[Markup] = field(default_factory=list)

    def add(self, text: Markup | str) -> str:
        text = Markup.escape(text)
        if text not in self.texts:
            self.texts.append(text)
        return footnote_letter(self.texts.index(text))

    def lettered(self) -> list[tuple[str, Markup]]:
        return [(footnote_letter(i), text) for i, text in enumerate(self.texts)]


def footnote_letter(index: int) -> str:
    """a, b, ..., z, then aa, ab, ...: the letters of the 0-based ``index``, like a spreadsheet's columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


@dataclass
class FindingsTable:
    caption: str
    intervention: str
    comparator: str
    rows: list[FindingRow]
    methods: list[str]
    footnotes: Footnotes
    studies: str = "studies"
    reading: str = ("Each row is one outcome as its main source reported it; the numbers are recomputed from the"
                    " per-group counts or means.")
    """The legend's first sentence: what a row is."""


def render_findings(table: FindingsTable) -> Markup:
    return render("findings.html", table=table)
