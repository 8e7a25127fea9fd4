"""RoB 2 decision algorithms: every path of every domain, against the published diagrams.

Where the expected judgements come from: the "Algorithm for suggested judgement" diagrams of the RoB 2
full guidance for individually randomized parallel-group trials (Higgins, Savović, Page, Sterne;
22 August 2019, riskofbias.info), as transcribed in the public repository InfinityBowman/corates
(packages/web/src/components/checklist/ROB2Checklist/scoring/decision-diagrams/domain-1.md, domain-2-a.md,
domain-2-b.md, domain-4.md, domain-5.md); domain 3, which that transcription lacks, from the rule table
of Younthing/eagent (src/rob2/decision_rules.py, ``_risk_d3``) with the question conditions of its
rob2_questions.yaml; domain 1 also against the criteria table reproduced in Syst Rev 2021;10:171, Table 2
(https://pmc.ncbi.nlm.nih.gov/articles/PMC8191126/table/Tab2). Each PATHS entry below is one route
through a diagram, written as the answer groups on its arrows; the tests check every answer in every
group, that the paths of each domain cover every combination of answers exactly once, and which
questions each path needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekb import rob2

Y, N, NI, YNI, NNI = "Y/PY", "N/PN", "NI", "Y/PY/NI", "N/PN/NI"
GROUPS = {Y: ("Y", "PY"), N: ("N", "PN"), NI: ("NI",), YNI: ("Y", "PY", "NI"), NNI: ("N", "PN", "NI"),
          "NA/Y/PY": ("NA", "Y", "PY"), "NA/N/PN": ("NA", "N", "PN"), "Y/PY/PN/N/NI": ("Y", "PY", "PN", "N", "NI")}
ANY = "Y/PY/PN/N/NI"
L, S, H = rob2.LOW, rob2.SOME, rob2.HIGH
D1, D2A, D3, D4, D5 = rob2.ASSIGNMENT_DOMAINS
D2B = rob2.ADHERENCE_DOMAINS[1]

Path = tuple[dict[str, str], str, tuple[str, ...]]
"""(answer group per question on the route, judgement at its end, questions the route needs)."""

PATHS: dict[str, list[Path]] = {
    "randomization": [
        ({"1.2": N, "1.1": ANY, "1.3": ANY}, H, ("1.1", "1.2", "1.3")),
        ({"1.2": NI, "1.1": ANY, "1.3": Y}, H, ("1.1", "1.2", "1.3")),
        ({"1.2": NI, "1.1": ANY, "1.3": NNI}, S, ("1.1", "1.2", "1.3")),
        ({"1.2": Y, "1.1": N, "1.3": ANY}, S, ("1.1", "1.2", "1.3")),
        ({"1.2": Y, "1.1": YNI, "1.3": Y}, S, ("1.1", "1.2", "1.3")),
        ({"1.2": Y, "1.1": YNI, "1.3": NNI}, L, ("1.1", "1.2", "1.3")),
    ],
    "missing-data": [
        ({"3.1": Y}, L, ("3.1",)),
        ({"3.1": NNI, "3.2": Y}, L, ("3.1", "3.2")),
        ({"3.1": NNI, "3.2": N, "3.3": N}, L, ("3.1", "3.2", "3.3")),
        ({"3.1": NNI, "3.2": N, "3.3": YNI, "3.4": N}, S, ("3.1", "3.2", "3.3", "3.4")),
        ({"3.1": NNI, "3.2": N, "3.3": YNI, "3.4": YNI}, H, ("3.1", "3.2", "3.3", "3.4")),
    ],
    "measurement": [
        ({"4.1": Y, "4.2": ANY}, H, ("4.1", "4.2")),
        ({"4.1": NNI, "4.2": Y}, H, ("4.1", "4.2")),
        ({"4.1": NNI, "4.2": N, "4.3": N}, L, ("4.1", "4.2", "4.3")),
        ({"4.1": NNI, "4.2": N, "4.3": YNI, "4.4": N}, L, ("4.1", "4.2", "4.3", "4.4")),
        ({"4.1": NNI, "4.2": N, "4.3": YNI, "4.4": YNI, "4.5": N}, S, ("4.1", "4.2", "4.3", "4.4", "4.5")),
        ({"4.1": NNI, "4.2": N, "4.3": YNI, "4.4": YNI, "4.5": YNI}, H, ("4.1", "4.2", "4.3", "4.4", "4.5")),
        ({"4.1": NNI, "4.2": NI, "4.3": N}, S, ("4.1", "4.2", "4.3")),
        ({"4.1": NNI, "4.2": NI, "4.3": YNI, "4.4": N}, S, ("4.1", "4.2", "4.3", "4.4")),
        ({"4.1": NNI, "4.2": NI, "4.3": YNI, "4.4": YNI, "4.5": N}, S, ("4.1", "4.2", "4.3", "4.4", "4.5")),
        ({"4.1": NNI, "4.2": NI, "4.3": YNI, "4.4": YNI, "4.5": YNI}, H, ("4.1", "4.2", "4.3", "4.4", "4.5")),
    ],
    "selection-of-reported-result": [
        ({"5.2": Y, "5.3": ANY, "5.1": ANY}, H, ("5.1", "5.2", "5.3")),
        ({"5.2": NNI, "5.3": Y, "5.1": ANY}, H, ("5.1", "5.2", "5.3")),
        ({"5.2": NI, "5.3": NNI, "5.1": ANY}, S, ("5.1", "5.2", "5.3")),
        ({"5.2": N, "5.3": NI, "5.1": ANY}, S, ("5.1", "5.2", "5.3")),
        ({"5.2": N, "5.3": N, "5.1": Y}, L, ("5.1", "5.2", "5.3")),
        ({"5.2": N, "5.3": N, "5.1": NNI}, S, ("5.1", "5.2", "5.3")),
    ],
}

# "Either of 2.1 and 2.2 is Y/PY/NI", split into two disjoint routes so that each path is a plain conjunction.
AWARE = ({"2.1": YNI, "2.2": ANY}, {"2.1": N, "2.2": YNI})
UNAWARE = {"2.1": N, "2.2": N}

ASSIGNMENT_PART1: list[Path] = [(UNAWARE, L, ("2.1", "2.2"))]
for aware in AWARE:
    ASSIGNMENT_PART1 += [
        ({**aware, "2.3": N}, L, ("2.1", "2.2", "2.3")),
        ({**aware, "2.3": NI}, S, ("2.1", "2.2", "2.3")),
        ({**aware, "2.3": Y, "2.4": N}, S, ("2.1", "2.2", "2.3", "2.4")),
        ({**aware, "2.3": Y, "2.4": YNI, "2.5": Y}, S, ("2.1", "2.2", "2.3", "2.4", "2.5")),
        ({**aware, "2.3": Y, "2.4": YNI, "2.5": NNI}, H, ("2.1", "2.2", "2.3", "2.4", "2.5")),
    ]
ASSIGNMENT_PART2: list[Path] = [
    ({"2.6": Y}, L, ("2.6",)),
    ({"2.6": NNI, "2.7": N}, S, ("2.6", "2.7")),
    ({"2.6": NNI, "2.7": YNI}, H, ("2.6", "2.7")),
]
# Domain 2 criteria: low if both parts are low, high if either is high, otherwise some concerns.
PATHS["deviations-assignment"] = [
    ({**a, **b}, max(ja, jb, key=rob2.SEVERITY.__getitem__), qa + qb)
    for (a, ja, qa), (b, jb, qb) in itertools.product(ASSIGNMENT_PART1, ASSIGNMENT_PART2)
]

FINE = "NA/N/PN"
TROUBLE = ({"2.4": YNI, "2.5": "NA/Y/PY/PN/N/NI"}, {"2.4": FINE, "2.5": YNI})
GROUPS["NA/Y/PY/PN/N/NI"] = ("NA", "Y", "PY", "PN", "N", "NI")
ADHERENCE: list[Path] = [({**UNAWARE, "2.4": FINE, "2.5": FINE}, L, ("2.1", "2.2", "2.4", "2.5"))]
for trouble in TROUBLE:
    ADHERENCE += [
        ({**UNAWARE, **trouble, "2.6": Y}, S, ("2.1", "2.2", "2.4", "2.5", "2.6")),
        ({**UNAWARE, **trouble, "2.6": NNI}, H, ("2.1", "2.2", "2.4", "2.5", "2.6")),
    ]
for aware in AWARE:
    ADHERENCE.append(({**aware, "2.3": "NA/Y/PY", "2.4": FINE, "2.5": FINE}, L, ("2.1", "2.2", "2.3", "2.4", "2.5")))
    for trouble in TROUBLE:
        ADHERENCE += [
            ({**aware, "2.3": "NA/Y/PY", **trouble, "2.6": Y}, S, ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6")),
            ({**aware, "2.3": "NA/Y/PY", **trouble, "2.6": NNI}, H, ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6")),
        ]
    for analysis, judgement in ((Y, S), (NNI, H)):
        ADHERENCE.append(({**aware, "2.3": NNI, "2.4": "NA/Y/PY/PN/N/NI", "2.5": "NA/Y/PY/PN/N/NI", "2.6": analysis},
                          judgement, ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6")))
PATHS["deviations-adherence"] = ADHERENCE

DOMAINS = {"randomization": D1, "deviations-assignment": D2A, "deviations-adherence": D2B, "missing-data": D3,
           "measurement": D4, "selection-of-reported-result": D5}
CASES = [(name, i, path) for name, paths in PATHS.items() for i, path in enumerate(paths)]


def _answer_sets(path: dict[str, str]) -> list[dict[str, str]]:
    questions = sorted(path)
    combos = itertools.product(*(GROUPS[path[q]] for q in questions))
    return [dict(zip(questions, combo, strict=True)) for combo in combos]


@pytest.mark.parametrize(("name", "index", "path"), CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_every_answer_on_each_path_gives_the_diagrams_judgement(name: str, index: int, path: Path) -> None:
    route, expected, needed = path
    for answers in _answer_sets(route):
        result = rob2.evaluate(DOMAINS[name], answers)
        assert result.judgement == expected, (answers, result)
        assert sorted(q for q, _ in result.reached) == sorted(needed), answers


def _representatives(domain: rob2.Domain) -> dict[str, tuple[str, ...]]:
    """Y stands for Y and PY, N for N and PN: no arrow of any diagram tells them apart (checked below)."""
    return {q.id: tuple(sorted(q.options & {"Y", "N", "NI", "NA"})) for q in domain.questions.values()}


def test_probably_yes_and_probably_no_always_go_with_yes_and_no() -> None:
    for group in GROUPS.values():
        assert ("Y" in group) == ("PY" in group) and ("N" in group) == ("PN" in group), group


def _matches(route: Mapping[str, str], answers: Mapping[str, str]) -> bool:
    return all(answers[q] in GROUPS[group] for q, group in route.items())


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_the_paths_cover_every_combination_of_answers_exactly_once(name: str) -> None:
    domain = DOMAINS[name]
    options = _representatives(domain)
    questions = sorted(options)
    for combo in itertools.product(*(options[q] for q in questions)):
        answers = dict(zip(questions, combo, strict=True))
        matching = [judgement for route, judgement, _ in PATHS[name] if _matches(route, answers)]
        assert len(matching) == 1, answers
        assert rob2.evaluate(domain, answers).judgement == matching[0], answers


# Best to worst response per question, for the monotonicity property. "Good if yes" questions (random
# sequence, concealment, appropriate analysis, balanced deviations, data available, evidence of no bias,
# pre-specified plan) run Y ... N; the others ("was there a problem?") run N ... Y. NI sits between, and NA
# (where the tool lets it stand for "no such problem") counts as the best answer.
GOOD_IF_YES = {"1.1", "1.2", "2.6", "3.1", "3.2", "5.1"}
GOOD_IF_YES_BY_DOMAIN = {"deviations-assignment": {"2.5"}, "deviations-adherence": {"2.3"}}


def _order(name: str, question: rob2.Question) -> list[str]:
    good_if_yes = question.id in GOOD_IF_YES | GOOD_IF_YES_BY_DOMAIN.get(name, set())
    ranks = ["Y", "PY", "NI", "PN", "N"] if good_if_yes else ["N", "PN", "NI", "PY", "Y"]
    return [a for a in ["NA", *ranks] if a in question.options]


@st.composite
def answer_sets(draw: st.DrawFn, name: str) -> dict[str, str]:
    return {q.id: draw(st.sampled_from(sorted(q.options))) for q in DOMAINS[name].questions.values()}


@pytest.mark.parametrize("name", sorted(DOMAINS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_an_answer_the_algorithm_does_not_reach_never_changes_the_judgement(name: str, data: st.DataObject) -> None:
    domain = DOMAINS[name]
    answers = data.draw(answer_sets(name))
    result = rob2.evaluate(domain, answers)
    unreached = [q for q in domain.questions if q not in dict(result.reached)]
    for question in unreached:
        for other in ["NA", *sorted(domain.questions[question].options)]:
            changed = {**answers, question: other}
            assert rob2.evaluate(domain, changed).judgement == result.judgement
        dropped = {q: a for q, a in answers.items() if q != question}
        assert rob2.evaluate(domain, dropped).judgement == result.judgement


@pytest.mark.parametrize("name", sorted(DOMAINS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_a_worse_answer_on_the_path_never_improves_the_judgement(name: str, data: st.DataObject) -> None:
    domain = DOMAINS[name]
    answers = data.draw(answer_sets(name))
    result = rob2.evaluate(domain, answers)
    assert result.judgement is not None
    for question, answer in result.reached:
        order = _order(name, domain.questions[question])
        for worse in order[order.index(answer) + 1:]:
            changed = rob2.evaluate(domain, {**answers, question: worse}).judgement
            assert changed is not None
            assert rob2.SEVERITY[changed] >= rob2.SEVERITY[result.judgement], (question, answer, worse)


def test_a_missing_or_disallowed_answer_stops_the_domain_at_that_question() -> None:
    missing = rob2.evaluate(D3, {"3.1": "N"})
    assert missing.judgement is None and missing.reached == (("3.1", "N"),)
    assert missing.stopped is not None and (missing.stopped.question, missing.stopped.problem) == ("3.2", "missing")
    no_information = rob2.evaluate(D3, {"3.1": "N", "3.2": "NI"})  # 3.2 has no NI option in the tool
    assert no_information.stopped is not None and no_information.stopped.problem == "not-allowed"
    assert rob2.evaluate(D1, {"1.1": "NA", "1.2": "Y", "1.3": "N"}).stopped is not None


@pytest.mark.parametrize(("domains", "escalate", "expected"), [
    ([L, L, L, L, L], False, L),                      # low only if every domain is low
    ([L, S, L, L, L], False, S),
    ([L, S, S, L, L], False, S),                      # several some-concerns: some concerns by default
    ([L, S, S, L, L], True, H),                       # ... or high when the reviewers judge so
    ([L, S, L, L, L], True, S),                       # one domain with some concerns cannot be escalated
    ([H, L, L, L, L], False, H),                      # high if any domain is high
    ([H, S, S, L, L], True, H),
])
def test_overall_follows_the_guidance_criteria(domains: list[str], escalate: bool, expected: str) -> None:
    """Overall criteria of the RoB 2 guidance (Sterne et al. BMJ 2019;366:l4898; transcribed in corates'
    decision-diagrams/overall.md): the escalation of several some-concerns is the reviewers' call."""
    assert rob2.overall(domains, escalate) == expected
