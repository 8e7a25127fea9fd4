"""The RoB 2 section of a trial page, its exports, and the judgements a question page will consume."""

from __future__ import annotations

import json

from fhir.resources.artifactassessment import ArtifactAssessment

from _html import Node, parse
from _rob import proderm, trial_record, with_answer
from conftest import ROOT
from evidencekb import rob2
from evidencekb.audit import audit_trial
from evidencekb.export.fhir_export import RISK_OF_BIAS_PROFILE, trial_bundle
from evidencekb.export.json_export import Export, trial_json
from evidencekb.models import Trial
from evidencekb.models.rob import RobOverride
from evidencekb.pipeline import check_record
from evidencekb.render import PageLinks, TrialContext
from evidencekb.render.rob import render_risk_of_bias


def _cells(trial: Trial) -> dict[str, str]:
    """Traffic-light cells by column (D1 ... D5, overall) as the reader sees them: symbol and words."""
    ctx = TrialContext(trial, audit_trial(trial), {}, PageLinks(record="r", computed="c", methods="m"))
    root = parse(str(render_risk_of_bias(ctx)))
    table = root.find("table", class_="ekb-rob-table")
    assert table is not None
    return {str(td.attrs["data-domain"]): td.text for td in table.find_all("td")}


def test_proderm_page_shows_the_computed_table_with_a_source_for_every_answer() -> None:
    trial = proderm()
    assert _cells(trial) == {"D1": "\u2212 Some concerns", "D2": "+ Low risk", "D3": "+ Low risk",
                             "D4": "+ Low risk", "D5": "\u2212 Some concerns", "overall": "\u2212 Some concerns"}
    ctx = TrialContext(trial, audit_trial(trial), {}, PageLinks(record="r", computed="c", methods="m"))
    root = parse(str(render_risk_of_bias(ctx)))
    details = root.find_all("details")
    assert [d.find("summary").text for d in details if d.find("summary")] == [
        "D1 Bias arising from the randomization process: Some concerns",
        "D2 Bias due to deviations from intended interventions (effect of assignment): Low risk",
        "D3 Bias due to missing outcome data: Low risk",
        "D4 Bias in measurement of the outcome: Low risk",
        "D5 Bias in selection of the reported result: Some concerns",
    ]
    answered = [row for d in details for row in d.find_all("tr") if _answered(row)]
    assert len(answered) == len(trial.risk_of_bias[0].answers) == 13
    assert all(row.find("a") is not None and row.find("a").attrs["href"].startswith("#cite-") for row in answered)


def _answered(row: Node) -> bool:
    cells = row.find_all("td")
    return len(cells) == 3 and cells[1].text != "Not answered (not reached)"


def test_changing_one_answer_changes_the_domain_the_overall_and_the_question_page_signal() -> None:
    trial = proderm()
    assert rob2.result_judgement(trial, "tis20-w16").overall == rob2.SOME  # type: ignore[union-attr]
    worse = with_answer(trial, "1.2", "N")  # allocation not concealed: domain 1 is high by the diagram
    cells = _cells(worse)
    assert cells["D1"] == "\u00d7 High risk" and cells["overall"] == "\u00d7 High risk"
    assert cells["D5"] == "\u2212 Some concerns"
    assert rob2.result_judgement(worse, "tis20-w16").overall == rob2.HIGH  # type: ignore[union-attr]


def test_an_override_is_shown_beside_the_computed_judgement() -> None:
    trial = proderm()
    assessment = trial.risk_of_bias[0]
    override = RobOverride(domain="randomization", judgement="low", reason="Checked with the trialists.")
    overridden = assessment.model_copy(update={"overrides": [override]})
    cells = _cells(trial.model_copy(update={"risk_of_bias": [overridden]}))
    assert cells["D1"] == "+ Low risk reviewers' judgement; computed: Some concerns"
    assert cells["overall"] == "\u2212 Some concerns"  # D5 still has some concerns


def test_several_concerns_escalation_is_stated_and_makes_the_overall_high() -> None:
    trial = proderm()
    escalated = trial.risk_of_bias[0].model_copy(update={"several_concerns_high": "Both concerns bear on the result."})
    judgement = rob2.judge(trial.model_copy(update={"risk_of_bias": [escalated]}), 0)
    assert (judgement.overall, judgement.escalated) == (rob2.HIGH, True)


def test_a_crossover_trial_is_not_judged_by_the_parallel_group_rules() -> None:
    trial = proderm()
    crossover = trial.model_copy(update={"design": trial.design.model_copy(update={"model": "crossover"})})
    judgement = rob2.judge(crossover, 0)
    assert judgement.overall is None and all(d.computed is None for d in judgement.domains)
    assert judgement.not_assessable and "crossover" in judgement.not_assessable
    assert _cells(crossover)["overall"] == "? Not judged"


def test_json_export_carries_the_judgements_and_matches_its_schema() -> None:
    trial = proderm()
    data = json.loads(trial_json(trial, audit_trial(trial)))
    Export.model_validate(data)
    [assessment] = data["risk_of_bias"]
    assert [d["judgement"] for d in assessment["domains"]] == ["some-concerns", "low", "low", "low", "some-concerns"]
    assert assessment["overall"] == "some-concerns"
    assert assessment["domains"][2]["path"] == [{"question": "3.1", "answer": "PY"}]
    assert data["record"]["risk_of_bias"][0]["answers"][0]["question"] == "1.1"


def test_fhir_artifact_assessment_follows_the_risk_of_bias_profile() -> None:
    trial = with_answer(proderm(), "1.2", "N")
    bundle = trial_bundle(trial, audit_trial(trial))
    [entry] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "ArtifactAssessment"]
    resource = ArtifactAssessment.model_validate(entry["resource"])
    assert resource.meta.profile == [RISK_OF_BIAS_PROFILE]
    evidence = {e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Evidence"}
    assert entry["resource"]["artifactReference"]["reference"] in evidence
    [top] = entry["resource"]["content"]
    domains = {c["type"]["text"][:2]: c["classifier"][0]["text"] for c in top["component"]}
    assert domains == {"D1": "High risk", "D2": "Low risk", "D3": "Low risk", "D4": "Low risk", "D5": "Some concerns"}
    assert top["classifier"][0]["text"] == "High risk" and top["author"]["display"] == "evidencekb editorial team"
    responses = [r for c in top["component"] for r in c["component"]]
    assert len(responses) == 13 and all(r["relatedArtifact"][0]["resourceReference"]["reference"] for r in responses)


def test_an_answer_that_opens_a_new_branch_makes_its_question_required_in_the_record() -> None:
    text = (ROOT / "content/trials/proderm.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index('      - question: "3.1"') + 1
    assert lines[at] == "        answer: PY"
    lines[at] = "        answer: PN"  # not all data available: domain 3 now needs 3.2
    record = check_record("proderm.yaml", ("\n".join(lines) + "\n").encode())
    [missing] = [d for d in record.diagnostics if d.code == "rob-missing-answer"]
    first_answer = lines.index('      - question: "1.1"') + 1
    assert (missing.line, missing.column) == (first_answer, 7)  # the answers list, at its first item
    assert missing.message == "D3 needs an answer to question 3.2 (given 3.1 = PN)"


def test_a_crossover_trials_first_period_result_is_judged_by_the_parallel_group_rules() -> None:
    trial = trial_record("dalakas-1993")
    judgement = rob2.judge(trial, 0)
    assert judgement.not_assessable is None
    assert _cells(trial) == {"D1": "\u2212 Some concerns", "D2": "+ Low risk", "D3": "+ Low risk",
                             "D4": "\u2212 Some concerns", "D5": "\u2212 Some concerns",
                             "overall": "\u2212 Some concerns"}
    ctx = TrialContext(trial, audit_trial(trial), {}, PageLinks(record="r", computed="c", methods="m"))
    shown = parse(str(render_risk_of_bias(ctx))).text
    assert "First period only, assessed as a parallel-group comparison: The methods pool a crossover" in shown
    assessment = trial.risk_of_bias[0].model_copy(update={"first_period_only": None})
    unexplained = rob2.judge(trial.model_copy(update={"risk_of_bias": [assessment]}), 0)
    assert unexplained.overall is None and unexplained.not_assessable and "crossover" in unexplained.not_assessable


def test_a_first_period_assessment_needs_an_endpoint_of_the_first_period() -> None:
    lines = (ROOT / "content/trials/dalakas-1993.yaml").read_text(encoding="utf-8").splitlines()
    at = lines.index("    endpoint: muscle-strength-3m")
    lines[at] = "    endpoint: major-improvement"  # counted over both periods
    record = check_record("dalakas-1993.yaml", ("\n".join(lines) + "\n").encode())
    [wrong] = [d for d in record.diagnostics if d.code == "rob-first-period-not-applicable"]
    reason_line = next(i for i, line in enumerate(lines, 1) if line.startswith("    first_period_only:"))
    assert (wrong.line, wrong.column) == (reason_line, 24)
    assert wrong.message == ("first_period_only does not apply: endpoint 'major-improvement' belongs to the whole"
                             " study, not to the first period 'period-1'")
    assert "rob-not-assessable" in {d.code for d in record.diagnostics}
