"""RoB 2 judgements derived from signalling-question answers by the tool's decision algorithms.

Source of every rule here: Higgins JPT, Savović J, Page MJ, Sterne JAC, on behalf of the RoB 2
Development Group. Revised Cochrane risk-of-bias tool for randomized trials (RoB 2), full guidance
document for individually randomized, parallel-group trials, 22 August 2019 (riskofbias.info), the
"Algorithm for suggested judgement" diagram of each domain and the overall criteria; summarized in
Sterne JAC et al. BMJ 2019;366:l4898 (Table 2 and its web appendix). The question texts and response
options are the tool's own.

Each domain's algorithm reads answers through an asker that records every question it reaches, in
order: the reached questions are exactly the ones an assessment must answer, so validation and
judgement can never disagree. Questions the tool always asks are read up front even where the diagram
could decide without them (2.2 when 2.1 is Y, 4.2 when 4.1 is Y), because the tool asks them
unconditionally. A missing answer, or one the tool does not allow at that point (NA to a question that
applies, NI to 3.2), stops the domain: it has no judgement until the answer is fixed.

The crossover and cluster-randomized variants of RoB 2 add or change domains; their algorithms are not
implemented (they could not be checked against a source), so an assessment of a crossover trial is
reported as not assessable instead of being judged by the parallel-group rules, unless it assesses a
first-period result (``not_assessable_reason``). For the crossover variant (with its domain "bias
arising from period and carryover effects", as robvis names it) neither the tool's own text
(riskofbias.info) nor Cochrane Handbook section 23.2.3 could be read. The one public transcription
found with questions and a decision tree
(ProgramDoc/TheRubricGenerator, backend/rob_tools/rob2_crossover.py) is not used: its domain S tree is
not drawn from a published diagram, and where it repeats the parallel-group algorithms it departs from
the published diagrams (D1: 1.1 N/PN with 1.2 Y/PY gives high instead of some concerns; D2: 2.3 N/PN
gives some concerns instead of low).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from evidencekb.models import Trial
from evidencekb.models.rob import RiskOfBias, RobOverride

YES = frozenset({"Y", "PY"})
NO = frozenset({"N", "PN"})
STANDARD = frozenset({"Y", "PY", "PN", "N", "NI"})
WITH_NA = STANDARD | {"NA"}

LOW, SOME, HIGH = "low", "some-concerns", "high"
SEVERITY = {LOW: 0, SOME: 1, HIGH: 2}
JUDGEMENT_WORDS = {LOW: "Low risk", SOME: "Some concerns", HIGH: "High risk"}
ANSWER_WORDS = {"Y": "Yes", "PY": "Probably yes", "PN": "Probably no", "N": "No", "NI": "No information",
                "NA": "Not applicable"}


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: frozenset[str] = STANDARD
    """Answers allowed when the algorithm reaches the question (an unreached question may only be NA)."""


def _questions(*items: tuple[str, str] | tuple[str, str, frozenset[str]]) -> dict[str, Question]:
    return {item[0]: Question(*item) for item in items}


RANDOMIZATION = _questions(
    ("1.1", "Was the allocation sequence random?"),
    ("1.2", "Was the allocation sequence concealed until participants were enrolled and assigned to interventions?"),
    ("1.3", "Did baseline differences between intervention groups suggest a problem with the randomization process?"),
)
DEVIATIONS_ASSIGNMENT = _questions(
    ("2.1", "Were participants aware of their assigned intervention during the trial?"),
    ("2.2", "Were carers and people delivering the interventions aware of participants' assigned intervention"
            " during the trial?"),
    ("2.3", "If Y/PY/NI to 2.1 or 2.2: Were there deviations from the intended intervention that arose because of"
            " the trial context?"),
    ("2.4", "If Y/PY to 2.3: Were these deviations likely to have affected the outcome?"),
    ("2.5", "If Y/PY/NI to 2.4: Were these deviations from intended intervention balanced between groups?"),
    ("2.6", "Was an appropriate analysis used to estimate the effect of assignment to intervention?"),
    ("2.7", "If N/PN/NI to 2.6: Was there potential for a substantial impact (on the result) of the failure to"
            " analyse participants in the group to which they were randomized?"),
)
DEVIATIONS_ADHERENCE = _questions(
    ("2.1", "Were participants aware of their assigned intervention during the trial?"),
    ("2.2", "Were carers and people delivering the interventions aware of participants' assigned intervention"
            " during the trial?"),
    ("2.3", "[If applicable:] If Y/PY/NI to 2.1 or 2.2: Were important non-protocol interventions balanced across"
            " intervention groups?", WITH_NA),
    ("2.4", "[If applicable:] Were there failures in implementing the intervention that could have affected the"
            " outcome?", WITH_NA),
    ("2.5", "[If applicable:] Was there non-adherence to the assigned intervention regimen that could have"
            " affected participants' outcomes?", WITH_NA),
    ("2.6", "If N/PN/NI to 2.3, or Y/PY/NI to 2.4 or 2.5: Was an appropriate analysis used to estimate the effect"
            " of adhering to the intervention?"),
)
MISSING_DATA = _questions(
    ("3.1", "Were data for this outcome available for all, or nearly all, participants randomized?"),
    ("3.2", "If N/PN/NI to 3.1: Is there evidence that the result was not biased by missing outcome data?",
     frozenset({"Y", "PY", "PN", "N"})),
    ("3.3", "If N/PN to 3.2: Could missingness in the outcome depend on its true value?"),
    ("3.4", "If Y/PY/NI to 3.3: Is it likely that missingness in the outcome depended on its true value?"),
)
MEASUREMENT = _questions(
    ("4.1", "Was the method of measuring the outcome inappropriate?"),
    ("4.2", "Could measurement or ascertainment of the outcome have differed between intervention groups?"),
    ("4.3", "If N/PN/NI to 4.1 and 4.2: Were outcome assessors aware of the intervention received by study"
            " participants?"),
    ("4.4", "If Y/PY/NI to 4.3: Could assessment of the outcome have been influenced by knowledge of intervention"
            " received?"),
    ("4.5", "If Y/PY/NI to 4.4: Is it likely that assessment of the outcome was influenced by knowledge of"
            " intervention received?"),
)
SELECTION = _questions(
    ("5.1", "Were the data that produced this result analysed in accordance with a pre-specified analysis plan"
            " that was finalized before unblinded outcome data were available for analysis?"),
    ("5.2", "Is the numerical result being assessed likely to have been selected, on the basis of the results,"
            " from multiple eligible outcome measurements (e.g. scales, definitions, time points) within the"
            " outcome domain?"),
    ("5.3", "Is the numerical result being assessed likely to have been selected, on the basis of the results,"
            " from multiple eligible analyses of the data?"),
)


class Stop(Exception):
    """A reached question has no usable answer: the domain cannot be judged yet."""

    def __init__(self, question: str, problem: str) -> None:
        super().__init__(question, problem)
        self.question = question
        self.problem = problem


@dataclass
class Asker:
    """Reads answers for an algorithm and records the questions it reaches, in order."""

    questions: Mapping[str, Question]
    answers: Mapping[str, str]
    reached: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, question: str) -> str:
        answer = self.answers.get(question)
        if answer is None:
            raise Stop(question, "missing")
        if answer not in self.questions[question].options:
            raise Stop(question, "not-allowed")
        self.reached.append((question, answer))
        return answer


def randomization(ask: Asker) -> str:
    """Domain 1 diagram: 1.2 first (N/PN high; NI leads to 1.3 alone), then 1.1 and 1.3."""
    random, concealed, imbalance = ask("1.1"), ask("1.2"), ask("1.3")
    if concealed in NO:
        return HIGH
    if concealed == "NI":
        return HIGH if imbalance in YES else SOME
    if random in NO or imbalance in YES:
        return SOME
    return LOW


def deviations_assignment(ask: Asker) -> str:
    """Domain 2 (effect of assignment): the worse of part 1 (2.1-2.5) and part 2 (2.6-2.7)."""
    return max(_deviations_part1(ask), _analysis_part2(ask), key=SEVERITY.__getitem__)


def _deviations_part1(ask: Asker) -> str:
    participants, carers = ask("2.1"), ask("2.2")
    if participants in NO and carers in NO:
        return LOW
    context = ask("2.3")
    if context in NO:
        return LOW
    if context == "NI":
        return SOME
    if ask("2.4") in NO:
        return SOME
    return SOME if ask("2.5") in YES else HIGH


def _analysis_part2(ask: Asker) -> str:
    if ask("2.6") in YES:
        return LOW
    return SOME if ask("2.7") in NO else HIGH


def deviations_adherence(ask: Asker) -> str:
    """Domain 2 (effect of adhering): 2.3 only when someone was aware; 2.6 decides when anything went wrong."""
    participants, carers = ask("2.1"), ask("2.2")
    balanced = "NA" if participants in NO and carers in NO else ask("2.3")
    failures, nonadherence = ask("2.4"), ask("2.5")
    fine = NO | {"NA"}
    if balanced in YES | {"NA"} and failures in fine and nonadherence in fine:
        return LOW
    return SOME if ask("2.6") in YES else HIGH


def missing_data(ask: Asker) -> str:
    """Domain 3 diagram: 3.1, then 3.2, 3.3 and 3.4 in turn, each reached only after the previous one."""
    if ask("3.1") in YES or ask("3.2") in YES or ask("3.3") in NO:
        return LOW
    return SOME if ask("3.4") in NO else HIGH


def measurement(ask: Asker) -> str:
    """Domain 4 diagram: with 4.2 = NI the branch through 4.3-4.5 ends in some concerns instead of low."""
    inappropriate, differed = ask("4.1"), ask("4.2")
    if inappropriate in YES or differed in YES:
        return HIGH
    otherwise = SOME if differed == "NI" else LOW
    if ask("4.3") in NO or ask("4.4") in NO:
        return otherwise
    return SOME if ask("4.5") in NO else HIGH


def selection(ask: Asker) -> str:
    """Domain 5 diagram: 5.2 and 5.3 first (either Y/PY high; any NI some concerns), then 5.1."""
    plan, measurements, analyses = ask("5.1"), ask("5.2"), ask("5.3")
    if measurements in YES or analyses in YES:
        return HIGH
    if "NI" in (measurements, analyses):
        return SOME
    return LOW if plan in YES else SOME


@dataclass(frozen=True)
class Domain:
    key: str
    short: str
    label: str
    questions: Mapping[str, Question]
    algorithm: Callable[[Asker], str]


ASSIGNMENT_DOMAINS = (
    Domain("randomization", "D1", "Bias arising from the randomization process", RANDOMIZATION, randomization),
    Domain("deviations", "D2", "Bias due to deviations from intended interventions (effect of assignment)",
           DEVIATIONS_ASSIGNMENT, deviations_assignment),
    Domain("missing-data", "D3", "Bias due to missing outcome data", MISSING_DATA, missing_data),
    Domain("measurement", "D4", "Bias in measurement of the outcome", MEASUREMENT, measurement),
    Domain("selection-of-reported-result", "D5", "Bias in selection of the reported result", SELECTION, selection),
)
ADHERENCE_DOMAINS = (
    ASSIGNMENT_DOMAINS[0],
    Domain("deviations", "D2", "Bias due to deviations from intended interventions (effect of adhering)",
           DEVIATIONS_ADHERENCE, deviations_adherence),
    *ASSIGNMENT_DOMAINS[2:],
)


def domains_for(effect: str) -> tuple[Domain, ...]:
    return ADHERENCE_DOMAINS if effect == "adherence" else ASSIGNMENT_DOMAINS


@dataclass(frozen=True)
class Evaluation:
    """One domain's algorithm run on a set of answers."""

    judgement: str | None
    reached: tuple[tuple[str, str], ...]
    """(question, answer) in the order the algorithm read them."""
    stopped: Stop | None = None


def evaluate(domain: Domain, answers: Mapping[str, str]) -> Evaluation:
    ask = Asker(domain.questions, answers)
    try:
        judgement = domain.algorithm(ask)
    except Stop as stop:
        return Evaluation(None, tuple(ask.reached), stop)
    return Evaluation(judgement, tuple(ask.reached))


def overall(judgements: list[str], several_concerns_high: bool) -> str:
    """Low only if every domain is low; high if any is high, or if the reviewers judged that several
    domains with some concerns together lower confidence substantially (the guidance leaves that to them)."""
    worst = max(judgements, key=SEVERITY.__getitem__)
    if worst == SOME and several_concerns_high and judgements.count(SOME) >= 2:
        return HIGH
    return worst


def not_assessable_reason(trial: Trial, assessment: RiskOfBias) -> str | None:
    """Why the parallel-group algorithms do not apply to this assessment, or None when they do.

    A crossover trial's result that uses the first period only, by a choice made in advance, is a
    parallel-group comparison: the guidance on reporting RoB 2 assessments says the standard tool can then
    be used as it is, and warns that first-period data reported only because carryover was detected may be
    a selectively reported result (BMJ Evidence-Based Medicine, table of reporting items, item 4,
    https://ebm.bmj.com/highwire/markup/147475/expansion; Cochrane Handbook section 23.2). Domain 5's
    answers carry that warning.
    """
    if trial.design.allocation != "randomized":
        return "RoB 2 is a tool for randomized trials; this trial was not randomized."
    if trial.design.model == "crossover" and not first_period_assessment(trial, assessment):
        return ("the RoB 2 variant for crossover trials (with its period and carryover domain) is not"
                " implemented, because its algorithm could not be checked against a source here.")
    return None


def first_period_assessment(trial: Trial, assessment: RiskOfBias) -> bool:
    """The assessment says why it uses first-period data only, and its endpoint is of the first period."""
    first = trial.design.periods[0].id
    periods = {e.period for e in trial.endpoints if e.id == assessment.endpoint}
    return bool(assessment.first_period_only) and periods == {first}


@dataclass(frozen=True)
class DomainJudgement:
    key: str
    short: str
    label: str
    computed: str | None
    """The algorithm's judgement; None when an answer is missing or the domain is not assessable."""
    reached: tuple[tuple[str, str], ...]
    override: str | None = None
    override_reason: str | None = None

    @property
    def final(self) -> str | None:
        return self.override or self.computed


@dataclass(frozen=True)
class ResultJudgement:
    """The RoB 2 judgements of one assessed result, for trial pages, exports and question pages.

    ``overall`` is the judgement to use (the reviewers' override when there is one); ``computed_overall``
    is what the rules give from the domains' final judgements.
    """

    trial: str
    index: int
    """Position of the assessment in the record's ``risk_of_bias`` list."""
    endpoint: str
    analysis_population: str
    effect: str
    domains: tuple[DomainJudgement, ...]
    computed_overall: str | None
    overall_override: str | None
    overall_override_reason: str | None
    escalated: bool
    """True when several domains with some concerns were judged together as high (reason in the record)."""
    not_assessable: str | None

    @property
    def overall(self) -> str | None:
        return self.overall_override or self.computed_overall


def judge(trial: Trial, index: int) -> ResultJudgement:
    assessment = trial.risk_of_bias[index]
    reason = not_assessable_reason(trial, assessment)
    answers = answers_of(assessment)
    overrides: dict[str, RobOverride] = {o.domain: o for o in assessment.overrides}
    domains = []
    for domain in domains_for(assessment.effect):
        result = Evaluation(None, ()) if reason else evaluate(domain, answers)
        override = overrides.get(domain.key)
        domains.append(DomainJudgement(
            domain.key, domain.short, domain.label, result.judgement, result.reached,
            override.judgement if override else None, override.reason if override else None))
    finals = [d.final for d in domains]
    computed = None
    if all(finals):
        computed = overall([f for f in finals if f], bool(assessment.several_concerns_high))
    escalated = computed == HIGH and HIGH not in finals
    top = overrides.get("overall")
    return ResultJudgement(
        trial.id, index, assessment.endpoint, assessment.analysis_population, assessment.effect, tuple(domains),
        computed, top.judgement if top else None, top.reason if top else None, escalated, reason)


def judge_all(trial: Trial) -> tuple[ResultJudgement, ...]:
    return tuple(judge(trial, i) for i in range(len(trial.risk_of_bias)))


def result_judgement(trial: Trial, endpoint: str, effect: str = "assignment") -> ResultJudgement | None:
    """The assessment of a trial's result for an endpoint, for a question page's risk-of-bias column and the
    GRADE risk-of-bias signal; None when the trial has no RoB 2 assessment of that endpoint."""
    for judgement in judge_all(trial):
        if judgement.endpoint == endpoint and judgement.effect == effect:
            return judgement
    return None


def answers_of(assessment: RiskOfBias) -> dict[str, str]:
    """First answer per question (a repeated question is reported by validation)."""
    found: dict[str, str] = {}
    for a in assessment.answers:
        found.setdefault(a.question, a.answer)
    return found
