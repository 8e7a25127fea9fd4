"""The page of an evidence question: the question, the conclusion and the Summary of Findings first.

The Summary of Findings is laid out by ``render.findings``, the renderer of the trial pages, with rows
made here from the pooled results; each outcome then has its forest plot, the trials pooled and not
pooled with their reasons, heterogeneity, sensitivity analyses and the GRADE rating beside the build's
signals. Every number comes from the computed namespace (``questions.compute``); record text is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from markupsafe import Markup, escape

from evidencekb.models.question import BINARY_MEASURES, Outcome, Question
from evidencekb.questions.compute import ComputedQuestion, OutcomeResult
from evidencekb.questions.grade import SYMBOLS
from evidencekb.render import PageLinks
from evidencekb.render import format as fmt
from evidencekb.render.env import render
from evidencekb.render.findings import FindingRow, FindingsTable, Footnotes, render_findings
from evidencekb.render.question_forest import digits_of, effect_text, natural, render_question_forest

IMPORTANCE_ORDER = ("critical", "important", "limited")
IMPORTANCE_WORDS = {"critical": "critical", "important": "important", "limited": "of limited importance"}
MEASURE_ABBR = {"rr": "RR", "or": "OR", "rd": "RD", "md": "MD", "smd": "SMD"}


def heading_text(text: str) -> str:
    """Record text for a Markdown heading: HTML escaped, and Markdown's own characters backslash-escaped, so
    that ``[x](javascript:...)`` or ``*`` in a label stays text (headings are Markdown, for the table of
    contents and search)."""
    return re.sub(r"([\\`*_{}\[\]()#+!|])", r"\\\1", str(escape(text)))


def trial_href(trial_id: str) -> str:
    """From ``questions/<slug>/`` to ``trials/<id>/`` (trial pages live beside the questions folder)."""
    return f"../../trials/{trial_id}/"


def ordered(question: Question) -> list[int]:
    """Outcome indexes as the table shows them: critical first, benefits before harms within a level."""
    return sorted(range(len(question.outcomes)), key=lambda i: (
        IMPORTANCE_ORDER.index(question.outcomes[i].importance), question.outcomes[i].kind != "benefit"))


def certainty_cell(outcome: Outcome, result: OutcomeResult, notes: Footnotes) -> tuple[Markup, list[str]]:
    if outcome.certainty is None or result.certainty is None:
        return Markup('<span class="ekb-muted">not rated</span>'), []
    refs = [notes.add(f"{d.domain.replace('-', ' ').capitalize()}: {'rated down' if d.change < 0 else 'rated up'}"
                      f" {abs(d.change)} level{'s' if abs(d.change) > 1 else ''}. {d.reason}")
            for d in outcome.certainty.domains if d.change != 0]
    cell = Markup('<span aria-hidden="true">{}</span> <strong>{}</strong>').format(
        SYMBOLS[result.certainty], result.certainty.capitalize())
    return cell, refs


def finding_row(question: Question, index: int, result: OutcomeResult, notes: Footnotes,
                methods: set[str]) -> FindingRow:
    outcome = question.outcomes[index]
    pooled = result.pooled
    studies = len(result.studies)
    row = FindingRow(
        anchor=f"finding-{outcome.id}", outcome=Markup('<a href="#{}">{}</a>').format(outcome.id, outcome.label),
        detail=f"{outcome.kind}; {IMPORTANCE_WORDS[outcome.importance]}", kind=outcome.kind,
        participants=f"{result.participants} ({studies} RCT{'s' if studies != 1 else ''})",
        relative="", comparator_risk="", difference="", statement=result.statement)
    row.certainty, refs = certainty_cell(outcome, result, notes)
    row.notes.extend(refs)
    for used in result.studies:
        if used.note:
            row.notes.append(notes.add(f"{used.short_name}: {used.note}"))
    if outcome.statement_override:
        row.notes.append(notes.add(f"Statement set by the reviewers: {outcome.statement_override.reason}"))
    if pooled is None or pooled.estimate is None:
        row.relative, row.difference = "not pooled", "No trial could be pooled."
        return row
    model = "random-effects" if pooled.model == "random" else "common-effect"
    methods.add(f"{pooled.measure_name}: {model} model, {pooled.method_name}")
    abbr, digits = MEASURE_ABBR[pooled.measure], digits_of(pooled)
    ci = (natural(pooled, pooled.ci[0]), natural(pooled, pooled.ci[1])) if pooled.ci else None
    if outcome.analysis.measure in BINARY_MEASURES and result.absolute:
        main = result.absolute[0]
        row.relative = f"{abbr} {effect_text(natural(pooled, pooled.estimate), ci, digits)}" \
            if pooled.measure != "rd" else "not applicable (risk difference pooled)"
        row.comparator_risk = f"{fmt.per_1000(main.comparator)} per 1000"
        low, high = main.ci if main.ci else (None, None)
        row.difference = fmt.per_1000_difference(main.difference, low, high)
        if main.note and main.intervention_ci:
            row.notes.append(notes.add(
                f"The interval passes the possible risks: with a comparator risk of {fmt.per_1000(main.comparator)}"
                f" per 1000 the risk with {question.pico.intervention} is {fmt.per_1000(main.intervention_ci[0])}"
                f" to {fmt.per_1000(main.intervention_ci[1])} per 1000 ({main.note})."))
        methods.add("absolute effects per 1000: the pooled relative effect applied to the pooled comparator"
                    " risk (GRADE); a pooled risk difference times 1000")
        for other in result.absolute[1:]:
            low, high = other.ci if other.ci else (None, None)
            row.notes.append(notes.add(f"With a comparator risk of {fmt.num(other.comparator, 0)} per 1000"
                                       f" ({other.label}): {fmt.per_1000_difference(other.difference, low, high)}."))
    else:
        row.relative = "not applicable"
        row.comparator_risk = "see the trials below" if studies != 1 else _comparator_mean(result)
        row.difference = f"{abbr} " + fmt.directed_difference(pooled.estimate, *(ci or (None, None)))
    return row


def _comparator_mean(result: OutcomeResult) -> str:
    study = result.studies[0].study
    group = getattr(study, "group2", None)
    return f"mean {fmt.printed(None, group.mean)}" if group is not None else ""


def question_findings(question: Question, computed: ComputedQuestion) -> FindingsTable:
    notes, methods = Footnotes(), set[str]()
    rows = [finding_row(question, i, computed.outcomes[i], notes, methods) for i in ordered(question)]
    caption = f"Summary of findings: {question.pico.intervention} compared with {question.pico.comparator}" \
              f" for {question.pico.population[0].lower()}{question.pico.population[1:].rstrip('.')}"
    reading = ("Each row is one outcome, pooled across the trials that answer it; the numbers are recomputed"
               " from the trial records' per-group counts or means.")
    return FindingsTable(caption, question.pico.intervention, question.pico.comparator, rows, sorted(methods),
                         notes, studies="studies", reading=reading)


def outcome_section(question: Question, index: int, result: OutcomeResult) -> Markup:
    outcome = question.outcomes[index]
    pooled = result.pooled
    intervention, comparator = question.pico.intervention, question.pico.comparator
    good_right = (outcome.better == "higher")
    words = (f"favours {comparator}", f"favours {intervention}") if good_right else \
        (f"favours {intervention}", f"favours {comparator}")
    forest = render_question_forest(pooled, f"forest-{outcome.id}", f"Forest plot: {outcome.label}", *words) \
        if pooled else Markup("")
    rating = {d.domain: d for d in outcome.certainty.domains} if outcome.certainty else {}
    return render("question_outcome.html", outcome=outcome, result=result, pooled=pooled, forest=forest,
                  href=trial_href, rating=rating, digits=digits_of(pooled) if pooled else 2, natural=natural,
                  effect_text=effect_text, importance=IMPORTANCE_WORDS[outcome.importance])


def front_matter(question: Question) -> str:
    meta = {
        "title": str(escape(question.short_name)),
        "description": str(escape(question.title)),
        "tags": [str(escape(f"Condition: {c}")) for c in question.conditions],
        "hide": ["navigation", "tags"],
        "search": {"boost": 6},  # questions rank above trial pages (boost 2) for clinical terms
    }
    return "---\n" + "\n".join(f"{k}: {json.dumps(v, ensure_ascii=True)}" for k, v in meta.items()) + "\n---\n"


def render_question_page(question: Question, computed: ComputedQuestion, links: PageLinks,
                         glossary: Mapping[str, str]) -> str:
    """The Markdown source of ``questions/<slug>.md``."""
    head = render("question_head.html", question=question, links=links)
    parts = [front_matter(question), str(head), "", "## What the evidence says {#what-the-evidence-says}", "",
             str(render("question_conclusion.html", question=question)),
             str(render_findings(question_findings(question, computed))), ""]
    parts += ["## Outcomes {#outcomes}", ""]
    for index in ordered(question):
        outcome = question.outcomes[index]
        parts += [f"### {heading_text(outcome.label)} {{#{outcome.id}}}", "",
                  str(outcome_section(question, index, computed.outcomes[index])), ""]
    parts += ["## Methods {#methods}", "", str(render("question_methods.html", links=links)), ""]
    return "\n".join(parts)
