"""Risk-of-bias assessments (Cochrane RoB 2) as recorded: the reviewers' answers, never the judgements.

The answers to the tool's signalling questions are the data; the domain and overall judgements are
derived from them by the tool's decision algorithms (``evidencekb.rob2``). The question texts belong to
the tool and live in the code, so a record carries only question numbers, answers and their support.
"""

from __future__ import annotations

from typing import Literal

from evidencekb.models.base import Cited, Date, Model, ShortText, Slug, Text, describe, optional

Answer = Literal["Y", "PY", "PN", "N", "NI", "NA"]
Judgement = Literal["low", "some-concerns", "high"]
QuestionId = Literal[
    "1.1", "1.2", "1.3",
    "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
    "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4", "4.5",
    "5.1", "5.2", "5.3",
]
DomainName = Literal["randomization", "deviations", "missing-data", "measurement", "selection-of-reported-result"]


class RobAnswer(Cited):
    question: QuestionId = describe(
        "Signalling question number as the RoB 2 tool numbers it, e.g. '1.2' (quote it: 1.2 unquoted is a number)."
    )
    answer: Answer = describe(
        "Y (yes), PY (probably yes), PN (probably no), N (no), NI (no information: the sources do not say),"
        " NA (not applicable, only where the tool allows it)."
    )
    support: Text = describe(
        "Why this answer: a quote from the source (in quotation marks) or the reviewers' note on what the"
        " source says or does not say."
    )


class RobOverride(Model):
    domain: DomainName | Literal["overall"] = describe(
        "The domain (or 'overall') whose computed judgement is replaced."
    )
    judgement: Judgement = describe("The reviewers' judgement, shown beside the computed one.")
    reason: Text | None = optional(
        "Why the computed judgement is replaced; required (a missing reason is a positioned error)."
    )


class RiskOfBias(Model):
    """One RoB 2 assessment of one result: trial, endpoint, analysis population and effect of interest."""

    tool: Literal["rob2"] = describe("Assessment tool: Cochrane RoB 2 for randomized trials.")
    endpoint: Slug = describe("Id of the endpoint whose result is assessed.")
    analysis_population: ShortText = describe(
        "Analysis population of the assessed result, as written in that result's 'analysis_population'."
    )
    effect: Literal["assignment", "adherence"] = describe(
        "Effect of interest: of assignment to intervention (intention to treat) or of adhering to it."
    )
    assessor: ShortText = describe("Who answered the signalling questions.")
    assessed_on: Date | None = optional("When the answers were last reviewed (YYYY-MM-DD).")
    answers: list[RobAnswer] = describe(
        "One answer per signalling question that the decision algorithms reach; others may be left out or NA.",
        min_length=1,
    )
    first_period_only: Text | None = optional(
        "For a crossover trial: why this result uses the first period's data only, as a parallel-group"
        " comparison chosen in advance (not because carryover was found). The parallel-group algorithms then"
        " apply to it; the endpoint must belong to the first period."
    )
    several_concerns_high: Text | None = optional(
        "When several domains have some concerns, the guidance lets reviewers judge the overall risk high if"
        " together they lower confidence substantially: state here why; the overall judgement is then high."
    )
    overrides: list[RobOverride] = optional(
        "Reviewers' judgements that replace a computed one, each with its reason; the page shows both.",
        default_factory=list,
    )
