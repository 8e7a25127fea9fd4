"""FHIR R5 Evidence of pooled results and the Summary of Findings Composition.

The pooled results come from the real engine on data sets whose output other software published:
metafor's ``dat.bcg`` (13 BCG trials; rma DL, Mantel-Haenszel, as in tests/test_pooling_references.py,
values printed by metafor's tests test_misc_metan_vs_rma.*_with_dat.bcg.r and test_misc_confint.r) and
Fine 1993 (17 trials; R meta 4.11-0 ``metabin(sm="OR", method.tau="DL", hakn=TRUE)`` stored in
statsmodels 0.15's results_meta.py). The tests check that each published number lands in the FHIR element
meant for it, that every resource validates with ``fhir.resources`` (R5), and that record text stays text.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import markdown
import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.evidence import Evidence
from statsmodels.stats.tests.results import results_meta

from _html import parse
from _pooling import BCG, bcg
from evidencekb.audit import audit_trial
from evidencekb.effects import Estimate
from evidencekb.effects.absolute import absolute_per_1000_from
from evidencekb.effects.binary import BinaryCounts
from evidencekb.export.fhir_export import trial_bundle
from evidencekb.export.fhir_findings import FindingsQuestion, findings_bundle, findings_bundle_json
from evidencekb.export.fhir_pooled import (
    ComparatorRisk,
    GradeDomainRating,
    GradeRating,
    PooledOutcome,
    PooledTrial,
    QuestionText,
    pooled_evidence,
    study_reference,
)
from evidencekb.pipeline import check_paths
from evidencekb.pooling import BinaryStudy, EstimateStudy, PooledResult, PoolOptions, pool
from test_pooling_references import fine1993

CONTENT = Path(__file__).resolve().parent.parent / "content"
QUESTION = QuestionText(
    "bcg", "BCG vaccine for preventing tuberculosis", "People at risk of tuberculosis", "BCG vaccine", "No vaccine"
)
PARTICIPANTS = {name: tpos + tneg + cpos + cneg for name, tpos, tneg, cpos, cneg, _ in BCG}
EVENTS = {name: tpos + cpos for name, tpos, _, cpos, _, _ in BCG}


def trials(result: PooledResult, counts: bool = True) -> tuple[PooledTrial, ...]:
    return tuple(
        PooledTrial(s.name, study_reference(s.name.lower().replace(" ", "-").replace("&", "and")), s.name,
                    PARTICIPANTS.get(s.name) if counts else None, EVENTS.get(s.name) if counts else None)
        for s in result.studies
    )


def outcome(result: PooledResult, **changes: Any) -> PooledOutcome:
    base = PooledOutcome("tb", "Tuberculosis", "Cases of tuberculosis during follow-up", result, trials(result))
    return dataclasses.replace(base, **changes)


def statistic(evidence: dict[str, Any]) -> dict[str, Any]:
    Evidence.model_validate(evidence)
    [only] = evidence["statistic"]
    return only


def attribute(stat: dict[str, Any], code: str) -> dict[str, Any]:
    [found] = [a for a in stat["attributeEstimate"] if code in json.dumps(a["type"])]
    return found


def codes(concepts: list[dict[str, Any]]) -> list[str]:
    return [c["code"]["coding"][0]["code"] for c in concepts]


def test_random_effects_risk_ratio_lands_in_the_evidence_elements() -> None:
    """metafor rma(method="DL") on BCG log RR: -0.7141 (-1.0644 to -0.3638); Q 152.2330, tau^2 0.3088
    (Q-profile 0.1197 to 1.1115), I^2 92.1173%. Ratios are exported on their own scale (exp of the log)."""
    stat = statistic(pooled_evidence(QUESTION, outcome(pool(bcg(), PoolOptions("rr", "random", "dl")))))
    assert stat["statisticType"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/statistic-type", "code": "C93152", "display": "Relative Risk"}
    assert math.log(stat["quantity"]["value"]) == pytest.approx(-0.7141, abs=5e-5)
    ci = attribute(stat, "C53324")
    assert ci["level"] == 0.95
    assert [math.log(ci["range"][b]["value"]) for b in ("low", "high")] == pytest.approx([-1.0644, -0.3638], abs=5e-5)
    q = attribute(stat, "0000419")
    assert q["quantity"]["value"] == pytest.approx(152.2330, abs=5e-5)
    assert q["attributeEstimate"][0]["quantity"]["value"] == 12  # degrees of freedom, k - 1
    tau2 = attribute(stat, "0000421")
    assert tau2["quantity"]["value"] == pytest.approx(0.3088, abs=5e-5)
    assert [tau2["attributeEstimate"][0]["range"][b]["value"] for b in ("low", "high")] == pytest.approx(
        [0.1197, 1.1115], abs=5e-5)
    assert attribute(stat, "0000420")["quantity"]["value"] == pytest.approx(0.921173, abs=5e-7)
    assert stat["sampleSize"]["numberOfStudies"] == 13
    assert stat["sampleSize"]["numberOfParticipants"] == sum(PARTICIPANTS.values()) == 357347
    assert stat["numberOfEvents"] == sum(EVENTS.values())
    assert codes(stat["modelCharacteristic"]) == [
        "metaAnalysis", "effectsRandom", "poolInverseVariance", "tauDersimonianLaird"]
    assert "Prediction interval" in json.dumps(stat["attributeEstimate"])


def test_hksj_interval_p_value_and_prediction_interval_match_r_meta() -> None:
    """R meta metabin(sm="OR", method.tau="DL", hakn=TRUE) on Fine 1993 (statsmodels results_meta.py):
    the HKSJ interval and p-value, Q with its p-value, tau^2, I^2 and the prediction interval."""
    r = results_meta.results_or_dl_hk
    result = pool(fine1993(), PoolOptions("or", "random", "dl", hksj=True))
    stat = statistic(pooled_evidence(QUESTION, outcome(result, trials=trials(result, counts=False))))
    assert math.log(stat["quantity"]["value"]) == pytest.approx(r.TE_random, abs=1e-9)
    ci = attribute(stat, "C53324")["range"]
    assert [math.log(ci["low"]["value"]), math.log(ci["high"]["value"])] == pytest.approx(
        [r.lower_random, r.upper_random], abs=1e-9)
    assert attribute(stat, "C44185")["quantity"]["value"] == pytest.approx(r.pval_random, rel=1e-9)
    q = attribute(stat, "0000419")
    assert [q["quantity"]["value"], q["attributeEstimate"][1]["quantity"]["value"]] == pytest.approx(
        [r.Q, r.pval_Q], rel=1e-9)
    assert attribute(stat, "0000421")["quantity"]["value"] == pytest.approx(r.tau2, rel=1e-9)
    assert attribute(stat, "0000420")["quantity"]["value"] == pytest.approx(r.I2, rel=1e-9)
    [prediction] = [a for a in stat["attributeEstimate"] if a["type"] == {"text": "Prediction interval"}]
    bounds = [math.log(prediction["range"][b]["value"]) for b in ("low", "high")]
    # meta 4.11 built its prediction interval on the HKSJ SE, which meta 5.2-0 corrected; the engine's
    # interval (tests/test_pooling_references.py) is the one exported
    assert bounds == pytest.approx(list(result.prediction or ()), abs=1e-9)
    assert codes(stat["modelCharacteristic"])[-1] == "hartungKnapp"
    assert stat["statisticType"]["coding"][0]["code"] == "C16932"  # odds ratio
    # participants unknown for a trial: no total is claimed
    assert "numberOfParticipants" not in stat["sampleSize"] and "numberOfEvents" not in stat


def test_common_effect_mantel_haenszel_has_no_tau2_and_no_prediction_interval() -> None:
    """metafor rma.mh / Stata metan on BCG log OR: -0.4734 (-0.5538 to -0.3930), Q 163.9426."""
    stat = statistic(pooled_evidence(QUESTION, outcome(pool(bcg(), PoolOptions("or", "common", "mh")))))
    assert math.log(stat["quantity"]["value"]) == pytest.approx(-0.4734, abs=5e-5)
    assert attribute(stat, "0000419")["quantity"]["value"] == pytest.approx(163.9426, abs=5e-5)
    assert codes(stat["modelCharacteristic"]) == ["metaAnalysis", "effectsFixed", "poolMantelHaenzsel"]
    text = json.dumps(stat["attributeEstimate"])
    assert "0000421" not in text and "Prediction interval" not in text


def test_mean_difference_keeps_its_unit_and_its_outcome_is_continuous() -> None:
    """metafor's Normand 1999 example (length of stay in days, 9 trials, DL): MD -14.10 (-24.45 to -3.75),
    tau^2 218.72, printed to 2 decimals from rounded inputs (tolerance 0.011, as in the pooling tests)."""
    yi = [-20, -2, -55, -71, -4, 1, 11, -10, 7]
    vi = [40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69]
    pairs = enumerate(zip(yi, vi, strict=True))
    studies = [EstimateStudy(f"trial {i + 1}", estimate=y, se=math.sqrt(v)) for i, (y, v) in pairs]
    result = pool(studies, PoolOptions("md", "random", "dl"))
    stay = outcome(result, title="Length of stay", unit="days", trials=trials(result, counts=False))
    bundle = findings_bundle(question(stay))
    Bundle.model_validate(bundle)
    resources = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    stat = statistic(resources["Evidence"])
    assert stat["statisticType"]["coding"][0]["code"] == "0000457"  # mean difference
    assert stat["quantity"] == {"value": pytest.approx(-14.10, abs=0.011), "unit": "days"}
    ci = attribute(stat, "C53324")["range"]
    assert [ci["low"]["value"], ci["high"]["value"]] == pytest.approx([-24.45, -3.75], abs=0.011)
    assert attribute(stat, "0000421")["quantity"]["value"] == pytest.approx(218.72, abs=0.011)
    assert resources["EvidenceVariable"]["handling"] == "continuous"
    assert "result-with-comparator-alone" not in json.dumps(resources["Composition"])


def test_zero_cell_constant_is_named_only_when_a_pooled_study_needed_it() -> None:
    with_zero = [*bcg()[:3], BinaryStudy("no events with vaccine", counts=BinaryCounts(0, 120, 4, 118))]
    stat = statistic(pooled_evidence(QUESTION, outcome(pool(with_zero, PoolOptions("rr", "common", "iv")))))
    [constant] = [m for m in stat["modelCharacteristic"] if m["code"]["coding"][0]["code"] == "zeroCellConstant"]
    assert constant["value"]["value"] == 0.5
    assert "zeroCellConstant" not in json.dumps(statistic(
        pooled_evidence(QUESTION, outcome(pool(bcg(), PoolOptions("rr", "common", "iv"))))))


def test_a_trial_not_pooled_is_a_note_with_its_reason_and_not_a_source() -> None:
    studies = [*bcg()[:3], dataclasses.replace(bcg()[3], design="crossover")]
    result = pool(studies, PoolOptions("rr", "random", "reml"))
    set_aside = ("Stein & Aronson", "alternate allocation, not randomized")
    evidence = pooled_evidence(QUESTION, outcome(result, not_pooled=(set_aside,)))
    stat = statistic(evidence)
    assert stat["sampleSize"]["numberOfStudies"] == 3
    assert [a["display"] for a in evidence["relatedArtifact"]] == [s.name for s in studies[:3]]
    reviewers, engine = [n["text"] for n in evidence["note"] if n["text"].startswith("Not pooled")]
    assert reviewers == "Not pooled: Stein \\& Aronson: alternate allocation, not randomized"
    assert "Hart \\& Sutherland" in engine and "crossover trial without data valid" in engine
    assert codes(stat["modelCharacteristic"])[-1] == "tauRestrictedMaximumLikelihood"
    nothing = pool(studies[3:], PoolOptions("rr", "random", "reml"))
    empty = statistic(pooled_evidence(QUESTION, outcome(nothing)))
    assert empty["description"] == "RR not estimable: no study could be pooled"
    assert empty["sampleSize"]["numberOfStudies"] == 0 and "quantity" not in empty


def test_grade_certainty_has_a_rated_subcomponent_per_domain_with_its_reason() -> None:
    grade = GradeRating("low", "Guideline panel", (
        GradeDomainRating("risk-of-bias", 0),
        GradeDomainRating("inconsistency", 1, "I^2 above 90%; effects differ in direction"),
        GradeDomainRating("imprecision", 2, "fewer than 400 participants"),
        GradeDomainRating("large-effect", 1, "RR below 0.5"),
    ), summary="Low: inconsistency and imprecision")
    evidence = pooled_evidence(QUESTION, outcome(pool(bcg(), PoolOptions("rr", "random", "dl")), certainty=grade))
    Evidence.model_validate(evidence)
    [overall] = evidence["certainty"]
    assert overall["type"]["coding"][0]["code"] == "Overall" and overall["rating"]["coding"][0]["code"] == "low"
    assert overall["rater"] == "Guideline panel"
    assert overall["note"] == [{"text": "Rated down or up from a starting level of high."}]
    got = [(s["type"]["coding"][0]["code"], s["rating"]["coding"][0]["code"], [n["text"] for n in s.get("note", [])])
           for s in overall["subcomponent"]]
    assert got == [
        ("RiskOfBias", "no-concern", []),
        ("Inconsistency", "serious-concern", ["I^2 above 90%; effects differ in direction"]),
        ("Imprecision", "very-serious-concern", ["fewer than 400 participants"]),
        ("LargeEffect", "upcode1", ["RR below 0.5"]),
    ]
    assert GradeRating("very low", "panel").rating == "very-low"
    with pytest.raises(ValueError, match="not 'doubtful'"):
        GradeRating("doubtful", "panel")
    with pytest.raises(ValueError, match="unknown GRADE domain"):
        pooled_evidence(QUESTION, outcome(pool(bcg(), PoolOptions("rr", "random", "dl")),
                                          certainty=GradeRating("low", "x", (GradeDomainRating("luck", 1),))))


def test_a_pooled_study_without_a_trial_reference_is_refused() -> None:
    result = pool(bcg(), PoolOptions("rr", "random", "dl"))
    with pytest.raises(ValueError, match="no trial reference for pooled studies: Aronson"):
        pooled_evidence(QUESTION, outcome(result, trials=trials(result)[1:]))


def test_study_reference_is_the_research_study_of_the_trial_bundle() -> None:
    records, _ = check_paths([str(CONTENT / "trials" / "proderm.yaml")])
    trial = records[0].trial
    assert trial is not None
    bundle = trial_bundle(trial, audit_trial(trial))
    [study] = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ResearchStudy"]
    assert study_reference("proderm") == study


def question(*outcomes: PooledOutcome) -> FindingsQuestion:
    return FindingsQuestion(QUESTION, outcomes, ("Guideline panel",), date(2026, 11, 30))


def test_summary_of_findings_follows_the_profile_and_references_resolve() -> None:
    result = pool(bcg(), PoolOptions("rr", "random", "dl"))
    harms = outcome(pool(bcg()[:5], PoolOptions("rd", "common", "mh")), id="harm", title="Local reactions",
                    importance="important", statement="We are uncertain.")
    benefit = outcome(result, importance="critical", statement="BCG may reduce tuberculosis.",
                      certainty=GradeRating("low", "Guideline panel", (GradeDomainRating("inconsistency", 2, "I^2"),)))
    bundle = findings_bundle(question(harms, benefit))
    Bundle.model_validate(bundle)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    composition = bundle["entry"][0]["resource"]
    assert composition["meta"]["profile"] == ["http://hl7.org/fhir/uv/ebm/StructureDefinition/summary-of-findings"]
    assert composition["type"]["coding"][0]["code"] == "SummaryOfFindings"
    assert composition["date"] == "2026-11-30" and composition["author"] == [{"display": "Guideline panel"}]
    headers, findings = composition["section"]
    assert [s["code"]["coding"][0]["code"] for s in (headers, findings)] == ["column-headers", "summary-of-findings"]
    columns = [s["code"]["coding"][0]["code"] for s in headers["section"]]
    assert len(columns) >= 2 and "outcome-measure" in columns
    assert [s["title"] for s in findings["section"]] == ["Tuberculosis", "Local reactions"]  # critical first
    for entry in findings["section"]:
        assert entry["code"]["coding"][0]["code"] == "summary-of-findings-entry-for-a-single-outcome"
        assert by_url[entry["focus"]["reference"]]["resourceType"] == "EvidenceVariable"
        assert [c for c in columns if c in {s["code"]["coding"][0]["code"] for s in entry["section"]}] == [
            s["code"]["coding"][0]["code"] for s in entry["section"]]
        for cell in entry["section"]:
            [target] = cell["entry"]
            assert by_url[target["reference"]]["resourceType"] == target["type"]
    cells = {c["title"]: parse(c["text"]["div"]).text for c in findings["section"][0]["section"]}
    assert cells == {
        "Outcome": "Tuberculosis",
        "Participants (studies)": "357347 (13 studies)",
        "Relative effect (95% CI)": "RR 0.49 (0.34 to 0.70)",
        "Certainty of the evidence (GRADE)": "Low (very serious inconsistency: I^2)",
        "What happens": "BCG may reduce tuberculosis.",
    }
    assert findings_bundle_json(question(harms, benefit)) == findings_bundle_json(question(harms, benefit))
    with pytest.raises(ValueError, match="outcome ids repeat: tb"):
        findings_bundle(question(benefit, benefit))
    with pytest.raises(ValueError, match="at least one reviewer"):
        findings_bundle(dataclasses.replace(question(benefit), reviewers=()))


def test_absolute_effects_per_1000_derive_from_the_comparator_risk_and_the_pooled_risk_ratio() -> None:
    """GRADE: risk with intervention = comparator risk x RR and its limits; here the BCG control-arm risk
    (dat.bcg's cpos over cpos + cneg) and metafor's DL RR exp(-0.7141) (exp(-1.0644) to exp(-0.3638))."""
    risk = sum(cpos for *_, cpos, _, _ in BCG) / sum(cpos + cneg for *_, cpos, cneg, _ in BCG)
    result = pool(bcg(), PoolOptions("rr", "random", "dl"))
    with_risk = outcome(result, comparator_risk=ComparatorRisk(risk, "pooled control-arm risk"))
    bundle = findings_bundle(question(with_risk))
    Bundle.model_validate(bundle)
    evidence = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    assert evidence["bcg.tb.comparator"]["statistic"][0]["quantity"]["value"] == pytest.approx(risk, rel=1e-12)
    _, derived = evidence["bcg.tb.pooled"]["statistic"]
    assert derived["statisticType"]["coding"][0]["code"] == "0000424"  # risk difference
    expected = [risk * (math.exp(x) - 1) for x in (-0.7141, -1.0644, -0.3638)]
    bounds = derived["attributeEstimate"][0]["range"]
    got = [derived["quantity"]["value"], bounds["low"]["value"], bounds["high"]["value"]]
    assert got == pytest.approx(expected, abs=risk * 5e-5 * 1.01)
    entry = bundle["entry"][0]["resource"]["section"][1]["section"][0]
    cells = {c["title"]: parse(c["text"]["div"]).text for c in entry["section"]}
    assert cells["Risk with comparator"] == "9 per 1000"
    assert cells["Risk with intervention (derived from the pooled effect)"] == (
        "4 per 1000 (3 to 6): 5 fewer per 1000 (3 to 6 fewer)")  # 9.08 x 0.490 = 4.45; 4.64 fewer
    odds = findings_bundle(question(outcome(pool(bcg(), PoolOptions("or", "random", "dl")),
                                            comparator_risk=ComparatorRisk(risk, "pooled"))))
    assert "result-with-intervention-alone-calculated" in json.dumps(odds)
    rd = findings_bundle(question(outcome(pool(bcg(), PoolOptions("rd", "common", "mh")),
                                          comparator_risk=ComparatorRisk(risk, "pooled"))))
    [pooled_rd] = [e["resource"] for e in rd["entry"] if e["resource"]["id"] == "bcg.tb.pooled"]
    assert len(pooled_rd["statistic"]) == 1  # a pooled risk difference is the absolute effect already


def test_absolute_effects_match_the_cochrane_handbook_examples() -> None:
    """Cochrane Handbook 5.1: OR 0.73 with an assumed control risk of 0.3 is 62 fewer per 1000 (section
    12.5.4.3, handbook-5-1.cochrane.org/chapter_12/12_5_4_3_computing_absolute_risk_reduction_or_nnt_from_an_odds.htm);
    RR 0.75 takes a control risk of 80% to 60% and of 20% to 15% (section 11.5.5,
    handbook-5-1.cochrane.org/chapter_11/11_5_5_statistical_considerations_in_summary_of_findings.htm)."""
    absolute = absolute_per_1000_from("or", 0.3, Estimate(0.73, None, None, "given", 0.95))
    assert absolute.difference is not None and round(absolute.difference) == -62
    for control, treated in ((0.8, 600), (0.2, 150)):
        assert absolute_per_1000_from("rr", control, Estimate(0.75, None, None, "given", 0.95)).intervention == (
            pytest.approx(treated))
    capped = absolute_per_1000_from("rd", 0.01, Estimate(-0.05, -0.08, 0.02, "given", 0.95))
    assert (capped.intervention, capped.intervention_ci_low, capped.intervention_ci_high) == (0.0, 0.0, 30.0)
    assert (capped.difference, capped.difference_ci_low, capped.difference_ci_high) == (-50.0, -80.0, 20.0)
    assert capped.note == "risk with intervention kept between 0 and 1000 per 1000"
    with pytest.raises(ValueError, match="not 'md'"):
        absolute_per_1000_from("md", 0.3, Estimate(1.0, None, None, "given", 0.95))


HOSTILE = "<script>alert(1)</script> *bold* [link](javascript:alert(2)) & `code`\n# heading\n- item"


def test_record_text_reaches_fhir_as_text_only() -> None:
    text = QuestionText("bcg", HOSTILE, HOSTILE, HOSTILE, HOSTILE)
    result = pool(bcg(), PoolOptions("rr", "random", "dl"))
    hostile = outcome(result, title=HOSTILE, definition=HOSTILE, statement=HOSTILE, importance="critical",
                      certainty=GradeRating("low", HOSTILE, (GradeDomainRating("imprecision", 1, HOSTILE),), HOSTILE))
    bundle = findings_bundle(FindingsQuestion(text, (hostile,), (HOSTILE,), date(2026, 11, 30)))
    Bundle.model_validate(bundle)
    evidence = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Evidence"][0]
    markdown_fields = [evidence["description"], evidence["assertion"], evidence["certainty"][0]["description"],
                       evidence["certainty"][0]["subcomponent"][0]["note"][0]["text"],
                       *(v["description"] for v in evidence["variableDefinition"])]
    for field in markdown_fields:  # renders to one paragraph of plain text: no element, link or heading
        rendered = markdown.markdown(field)
        assert [n.tag for n in parse(rendered).iter()][1:] == ["p"], rendered
        assert "<script" not in rendered and "href" not in rendered
    assert evidence["certainty"][0]["rater"] == HOSTILE  # a string element: the text as typed
    divs = _divs(bundle["entry"][0]["resource"])
    assert divs
    for div in divs:  # narrative is XHTML whose only elements are the div and its paragraphs
        tree = ElementTree.fromstring(div)
        assert {e.tag.split("}")[1] for e in tree.iter()} <= {"div", "p"}
    assert any(HOSTILE in "".join(ElementTree.fromstring(d).itertext()) for d in divs)


def _divs(data: Any) -> list[str]:
    if isinstance(data, dict):
        found = [data["div"]] if "div" in data else []
        return found + [d for v in data.values() for d in _divs(v)]
    if isinstance(data, list):
        return [d for v in data for d in _divs(v)]
    return []
