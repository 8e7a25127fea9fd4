"""Evidence questions: the record, its cross-record rules, the pooled results and their page.

Reference values are computed in the tests by hand-written formulas, not by the code under test: the
log risk ratio with the Katz (Wald) standard error and the mean difference with the unpooled SE
(Cochrane Handbook 6.4.1.2 and 6.5.1.1), the Mantel-Haenszel risk ratio with the Greenland-Robins
variance (Greenland and Robins, Biometrics 1985;41:55) and DerSimonian-Laird random effects
(DerSimonian and Laird, Control Clin Trials 1986;7:177).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from scipy.stats import norm

from _html import parse
from evidencekb.cli import main
from evidencekb.diagnostics import Severity
from evidencekb.kinds import QUESTION, kind_of
from evidencekb.models.question import DomainRating, GradeRating, Outcome
from evidencekb.pipeline import check_paths
from evidencekb.questions import grade
from evidencekb.render import PageLinks
from evidencekb.render.findings import footnote_letter
from evidencekb.render.question_page import question_findings

REPO = Path(__file__).resolve().parent.parent
TRIALS = REPO / "content" / "trials"
QUESTION_FILE = REPO / "content" / "questions" / "ivig-dermatomyositis.yaml"
Z = norm.ppf(0.975)
PRIMARY = "- {arm: ivig-first, events: 37, total: 47, percent: 79}"


def checked(path: Path):  # noqa: ANN201 - a CheckedRecord
    records, problems = check_paths([str(path)])
    assert problems == []
    (record,) = records
    return record


def katz_rr(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    log_rr = math.log((a / n1) / (c / n2))
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return math.exp(log_rr), math.exp(log_rr - Z * se), math.exp(log_rr + Z * se)


def test_the_ivig_question_pools_proderm_from_its_counts() -> None:
    record = checked(QUESTION_FILE)
    assert record.kind is QUESTION and record.valid, record.diagnostics
    response = record.computed.for_outcome("tis20-response")
    rr, low, high = katz_rr(37, 47, 21, 48)
    natural = response.pooled.natural()
    assert natural["estimate"] == pytest.approx(rr, rel=1e-9)
    assert natural["ci"] == pytest.approx([low, high], rel=1e-9)
    assert response.participants == 95
    # MMT-8: 14.38 (SD 14.581, n 45) vs 3.21 (SD 9.39, n 43), ClinicalTrials.gov results in the record
    strength = record.computed.for_outcome("muscle-strength").pooled
    se = math.sqrt(14.581**2 / 45 + 9.39**2 / 43)
    assert strength.estimate == pytest.approx(14.38 - 3.21)
    assert strength.ci == pytest.approx((11.17 - Z * se, 11.17 + Z * se))
    # absolute effect per 1000 at the pooled comparator risk 21/48 (GRADE: risk times RR)
    main_risk = response.absolute[0]
    assert main_risk.comparator == pytest.approx(1000 * 21 / 48)
    assert main_risk.difference == pytest.approx(1000 * 21 / 48 * (rr - 1))


def test_trials_not_pooled_are_listed_with_reasons_on_the_page() -> None:
    record = checked(QUESTION_FILE)
    page = record.kind.render(record.model, record.computed, record.document, PageLinks(home="../../"), {})
    assert page.count("Considered, not pooled") == len(record.model.outcomes)
    assert "crossover without first period data" in page
    assert '<a href="../../trials/dalakas-1993/">' in page and '<a href="../../trials/miyasaka-2012/">' in page
    assert 'data-kind="harm"' in page and 'data-kind="benefit"' in page
    table = question_findings(record.model, record.computed)
    importance = [row.detail.split("; ")[1] for row in table.rows]
    assert importance == sorted(importance, key=("critical", "important").index)  # critical outcomes first


def test_each_downgrade_is_a_lettered_footnote_with_its_reason() -> None:
    record = checked(QUESTION_FILE)
    page = parse(record.kind.render(record.model, record.computed, record.document, PageLinks(home="../../"), {}))
    notes = {li.attrs["id"]: li.text for li in page.find("ol", class_="ekb-footnotes").find_all("li")}
    row = page.find("tr", id="finding-tis20-response")
    letters = [a.text for a in row.find("small", class_="ekb-fnrefs").find_all("a")]
    texts = [notes[f"findings-note-{letter}"] for letter in letters]
    downgrades = [text for text in texts if "rated down" in text]
    assert letters[:2] == ["a", "b"]
    assert [d.split(":")[0] for d in downgrades] == ["Risk of bias", "Imprecision"]
    assert all(len(d) > 60 for d in downgrades)  # each carries the reviewers' reason, not only the level


def test_a_risk_difference_interval_past_the_possible_risks_gets_a_footnote_with_the_risks() -> None:
    """No thromboembolic event on placebo: the pooled risk difference's Wald interval goes below 0, but a
    risk with IVIG cannot; the footnote gives the possible risks (comparator risk plus the limits, kept
    between 0 and 1000 per 1000)."""
    record = checked(QUESTION_FILE)
    table = question_findings(record.model, record.computed)
    row = next(r for r in table.rows if r.anchor == "finding-thromboembolic-events")
    result = record.computed.for_outcome("thromboembolic-events")
    # ProDERM first period, as treated: 1 of 52 on IVIG, 0 of 48 on placebo; 0.5 added to every cell of a
    # trial with a zero cell (the default on the methods page; metafor add=1/2, to="only0"), then the Wald
    # interval of the risk difference
    p1, p2 = 1.5 / 53, 0.5 / 49
    se = math.sqrt(p1 * (1 - p1) / 53 + p2 * (1 - p2) / 49)
    low, high = p1 - p2 - Z * se, p1 - p2 + Z * se
    assert result.pooled.ci == pytest.approx((low, high), rel=1e-9)
    assert result.absolute[0].comparator == 0 and low < 0 < high
    notes = dict(table.footnotes.lettered())
    [text] = [notes[n] for n in row.notes if "possible risks" in notes[n]]
    assert f"is 0 to {round(1000 * high)} per 1000" in text  # 71


@pytest.mark.parametrize(("index", "letters"), [(0, "a"), (25, "z"), (26, "aa"), (51, "az"), (52, "ba")])
def test_footnote_letters_run_on_past_z(index: int, letters: str) -> None:
    assert footnote_letter(index) == letters


def _second_trial(folder: Path, events: tuple[int, int]) -> None:
    """A copy of ProDERM under another id with other response counts: a second trial to pool."""
    text = (TRIALS / "proderm.yaml").read_text(encoding="utf-8")
    text = text.replace("\nid: proderm\n", "\nid: second-trial\n", 1)
    text = text.replace("short_name: ProDERM", "short_name: Second")
    text = text.replace(PRIMARY, f"- {{arm: ivig-first, events: {events[0]}, total: 47}}")
    text = text.replace("- {arm: placebo-first, events: 21, total: 48, percent: 44}",
                        f"- {{arm: placebo-first, events: {events[1]}, total: 48}}")
    (folder / "second-trial.yaml").write_text(text, encoding="utf-8")


QUESTION_TWO = """\
schema_version: 1
id: two
status: published
title: Does the drug improve response?
short_name: Two trials
pico: {{population: Adults., intervention: IVIG, comparator: placebo}}
outcomes:
  - id: response
    label: Response
    kind: benefit
    importance: critical
    better: higher
    analysis: {{measure: rr, model: {model}, method: {method}}}
    studies:
      - {{trial: proderm, endpoint: tis20-w16, analysis_population: all randomized patients}}
      - {{trial: second-trial, endpoint: tis20-w16}}
conclusion: Two trials.
review: {{last_reviewed: 2026-12-01, reviewers: [test suite]}}
"""


def _content(tmp_path: Path, model: str, method: str, events: tuple[int, int] = (30, 25)) -> Path:
    (tmp_path / "trials").mkdir()
    (tmp_path / "questions").mkdir()
    shutil.copy(TRIALS / "proderm.yaml", tmp_path / "trials")
    _second_trial(tmp_path / "trials", events)
    path = tmp_path / "questions" / "two.yaml"
    path.write_text(QUESTION_TWO.format(model=model, method=method), encoding="utf-8")
    return path


def test_mantel_haenszel_risk_ratio_of_two_trials(tmp_path: Path) -> None:
    record = checked(_content(tmp_path, "common", "mh"))
    pooled = record.computed.outcomes[0].pooled
    tables = [(37, 47, 21, 48), (30, 47, 25, 48)]
    r = sum(a * n2 / (n1 + n2) for a, n1, c, n2 in tables)
    s = sum(c * n1 / (n1 + n2) for a, n1, c, n2 in tables)
    p = sum((n1 * n2 * (a + c) - a * c * (n1 + n2)) / (n1 + n2) ** 2 for a, n1, c, n2 in tables)
    se = math.sqrt(p / (r * s))
    assert pooled.estimate == pytest.approx(math.log(r / s), rel=1e-9)
    assert pooled.se == pytest.approx(se, rel=1e-9)
    weights = [100 * (c * n1 / (n1 + n2)) / s for a, n1, c, n2 in tables]  # Mantel-Haenszel RR weights
    assert [st.weight_percent for st in pooled.studies] == pytest.approx(weights)
    steps = record.computed.outcomes[0].leave_one_out
    assert [step.study for step in steps] == ["ProDERM", "Second"]


def test_dersimonian_laird_random_effects_of_two_trials(tmp_path: Path) -> None:
    record = checked(_content(tmp_path, "random", "dl", events=(40, 15)))
    pooled = record.computed.outcomes[0].pooled
    y, v = [], []
    for a, n1, c, n2 in [(37, 47, 21, 48), (40, 47, 15, 48)]:
        y.append(math.log((a / n1) / (c / n2)))
        v.append(1 / a - 1 / n1 + 1 / c - 1 / n2)
    w = [1 / vi for vi in v]
    fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    tau2 = max(0.0, (q - 1) / (sum(w) - sum(wi**2 for wi in w) / sum(w)))
    ws = [1 / (vi + tau2) for vi in v]
    mu = sum(wi * yi for wi, yi in zip(ws, y, strict=True)) / sum(ws)
    assert pooled.heterogeneity.q == pytest.approx(q, rel=1e-9)
    assert pooled.heterogeneity.tau2 == pytest.approx(tau2, rel=1e-9)
    assert pooled.estimate == pytest.approx(mu, rel=1e-9)
    assert pooled.se == pytest.approx(math.sqrt(1 / sum(ws)), rel=1e-9)
    signal = record.computed.outcomes[0].signal("inconsistency")
    assert signal.serious is (pooled.heterogeneity.i2 > 50)


BAD_QUESTION = """\
schema_version: 1
id: bad
status: draft
title: A question with every cross-record problem
short_name: Bad
pico: {population: Adults., intervention: IVIG, comparator: placebo}
outcomes:
  - id: response
    label: Response
    kind: benefit
    importance: critical
    better: higher
    analysis: {measure: rr}
    studies:
      - {trial: no-such-trial, endpoint: tis20-w16}
      - {trial: proderm, endpoint: no-such-endpoint}
      - {trial: proderm, endpoint: mmt8-w16}
      - {trial: dalakas-1993, endpoint: major-improvement}
      - {trial: proderm, endpoint: tis20-w16, analysis_population: nobody}
      - {trial: proderm}
  - id: response
    label: Strength
    kind: benefit
    importance: important
    better: higher
    analysis: {measure: md, model: common, method: mh}
    baseline_risks:
      - {label: moderate risk, per_1000: 100, source: nowhere}
conclusion: None.
review: {last_reviewed: 2026-12-01, reviewers: [test suite]}
"""
BAD_EXPECTED = {
    ("question-unknown-trial", 15, 17),
    ("question-unknown-endpoint", 16, 36),
    ("question-measure-mismatch", 17, 36),
    ("question-crossover-data", 18, 9),
    ("question-no-data", 19, 36),
    ("question-study-item", 20, 9),
    ("duplicate-id", 21, 9),
    ("question-analysis", 26, 52),
    ("unknown-source", 28, 55),
}


def test_question_rules_give_positioned_errors(tmp_path: Path) -> None:
    (tmp_path / "questions").mkdir()
    (tmp_path / "trials").mkdir()
    for name in ("proderm.yaml", "dalakas-1993.yaml"):
        shutil.copy(TRIALS / name, tmp_path / "trials")
    path = tmp_path / "questions" / "bad.yaml"
    path.write_text(BAD_QUESTION, encoding="utf-8")
    assert kind_of(str(path)) is QUESTION
    records, _ = check_paths([str(path)])
    found = {(d.code, d.line, d.column) for d in records[0].diagnostics}
    assert found == BAD_EXPECTED
    assert main(["validate", str(path)]) == 1


def test_a_missing_override_reason_and_baseline_source_are_schema_errors(tmp_path: Path) -> None:
    text = BAD_QUESTION.replace("source: nowhere", "note: no source").replace(
        "conclusion: None.", "    statement_override: {text: Works.}\nconclusion: None.")
    (tmp_path / "questions").mkdir()
    path = tmp_path / "questions" / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    records, _ = check_paths([str(path)])
    missing = sorted((d.code, d.line, d.column) for d in records[0].diagnostics)
    assert missing == [("missing-field", 28, 9), ("missing-field", 29, 5)]


RATED = """\
schema_version: 1
id: rated
status: published
title: Does IVIG improve response?
short_name: Rated
pico: {{population: Adults., intervention: IVIG, comparator: placebo}}
outcomes:
  - id: response
    label: Response
    kind: benefit
    importance: critical
    better: higher
    analysis: {{measure: rr}}
    studies:
      - {{trial: proderm, endpoint: tis20-w16, analysis_population: all randomized patients}}
    certainty:
      domains:
        - {{domain: risk-of-bias, change: -1, reason: RoB 2 some concerns}}
        - {{domain: imprecision, change: {change}, reason: One trial of 95{departs}}}
      raters: [test suite]
conclusion: One trial.
review: {{last_reviewed: 2026-12-01, reviewers: [test suite]}}
"""


@pytest.mark.parametrize(("change", "departs", "warned"), [(0, None, True), (-1, None, False), (0, "Because.", False)])
def test_a_rating_that_disagrees_with_the_signal_is_a_warning(change: int, departs: str | None, warned: bool,
                                                              tmp_path: Path) -> None:
    text = RATED.format(change=change, departs=f", departs_from_signal: {departs}" if departs else "")
    (tmp_path / "questions").mkdir()
    shutil.copytree(TRIALS, tmp_path / "trials")
    path = tmp_path / "questions" / "rated.yaml"
    path.write_text(text, encoding="utf-8")
    records, _ = check_paths([str(path)])
    warnings = [(d.code, d.line, d.column) for d in records[0].diagnostics if d.severity is Severity.WARNING]
    assert warnings == ([("question-grade-signal", 19, 41)] if warned else [])
    assert records[0].computed.outcomes[0].certainty == ("moderate" if change == 0 else "low")


def test_certainty_levels_and_informative_statements() -> None:
    def certainty(*changes: tuple[str, int]) -> GradeRating:
        return GradeRating(domains=[DomainRating(domain=d, change=c, reason="r") for d, c in changes], raters=["t"])

    assert grade.certainty_level(certainty(("imprecision", -1))) == "moderate"
    assert grade.certainty_level(certainty(("imprecision", -2), ("risk-of-bias", -2))) == "very low"
    assert grade.certainty_level(certainty(("large-effect", 2))) == "high"  # never above high
    # Santesso et al. 2020, Table 2 wording
    assert grade.informative_statement("high", "moderate", True, "IVIG", "response") == "IVIG increases response."
    assert grade.informative_statement("moderate", "small", False, "IVIG", "pain") == \
        "IVIG probably reduces pain slightly."
    assert grade.informative_statement("moderate", "trivial", False, "IVIG", "pain") == \
        "IVIG probably results in little to no difference in pain."
    assert grade.informative_statement("low", "trivial", True, "IVIG", "pain") == \
        "IVIG may result in little to no difference in pain."
    assert grade.informative_statement("low", "large", True, "IVIG", "response") == \
        "IVIG may result in a large increase in response."
    assert grade.informative_statement("very low", None, True, "IVIG", "pain") == \
        "The evidence is very uncertain about the effect of IVIG on pain."


def test_size_words_follow_the_thresholds() -> None:
    outcome = Outcome.model_validate({
        "id": "o", "label": "O", "kind": "benefit", "importance": "critical", "better": "higher",
        "analysis": {"measure": "rr"},
        "thresholds": {"small": 20, "moderate": 50, "large": 100, "unit": "per-1000", "source": "s"},
    })
    assert [grade.size_word(outcome, v) for v in (10, -30, 60, 150)] == ["trivial", "small", "moderate", "large"]


def test_changing_one_count_moves_the_pooled_result_the_row_and_the_diff(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_diff import git

    (tmp_path / "content").mkdir()
    shutil.copytree(TRIALS, tmp_path / "content" / "trials")
    shutil.copytree(QUESTION_FILE.parent, tmp_path / "content" / "questions")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "records")
    monkeypatch.chdir(tmp_path)
    question = Path("content/questions/ivig-dermatomyositis.yaml")
    before = checked(question)
    trial = tmp_path / "content" / "trials" / "proderm.yaml"
    trial.write_text(trial.read_text(encoding="utf-8").replace(PRIMARY, PRIMARY.replace("37", "30").replace(
        ", percent: 79", "")), encoding="utf-8")
    after = checked(question)
    old, new = (r.computed.for_outcome("tis20-response") for r in (before, after))
    rr, low, high = katz_rr(30, 47, 21, 48)
    assert new.pooled.natural()["estimate"] == pytest.approx(rr)
    assert old.pooled.estimate != new.pooled.estimate
    rows = [question_findings(r.model, r.computed).rows[0] for r in (before, after)]
    assert rows[0].relative == "RR 1.80 (1.26 to 2.56)"
    assert rows[1].relative == f"RR {rr:.2f} ({low:.2f} to {high:.2f})"
    assert main(["diff", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert "Pooled results of questions that moved:" in out
    assert (f"ivig-dermatomyositis / tis20-response: RR 1.799 [1.264, 2.562] (1 trial) -> "
            f"RR {rr:.3f} [{low:.3f}, {high:.3f}] (1 trial)") in out


def test_two_question_files_with_one_id(tmp_path: Path) -> None:
    folder = tmp_path / "questions"
    folder.mkdir()
    shutil.copytree(TRIALS, tmp_path / "trials")
    for name in ("ivig-dermatomyositis.yaml", "zz-copy.yaml"):
        shutil.copy(QUESTION_FILE, folder / name)
    _, problems = check_paths([str(folder)])
    assert [(d.code, d.path.endswith("zz-copy.yaml"), d.line, d.column) for d in problems] == \
        [("duplicate-question", True, 3, 5)]


def test_questions_in_the_json_and_csv_exports(tmp_path: Path) -> None:
    import csv
    import json

    from evidencekb.models.question import Question

    assert main(["export", "--format", "json", "--out", str(tmp_path), str(REPO / "content")]) == 0
    assert main(["export", "--format", "csv", "--out", str(tmp_path), str(REPO / "content")]) == 0
    data = json.loads((tmp_path / "json" / "question-ivig-dermatomyositis.json").read_text(encoding="utf-8"))
    assert Question.model_validate(data["record"]).id == "ivig-dermatomyositis"
    response = data["computed"]["outcomes"][0]
    rr, low, high = katz_rr(37, 47, 21, 48)
    assert response["pooled"]["natural_scale"]["estimate"] == pytest.approx(rr)
    rows = list(csv.DictReader((tmp_path / "csv" / "question_outcomes.csv").open(encoding="utf-8")))
    assert [r["outcome"] for r in rows][:2] == ["tis20-response", "muscle-strength"]
    assert float(rows[0]["ci_low"]) == pytest.approx(low) and float(rows[0]["ci_high"]) == pytest.approx(high)
    assert rows[0]["certainty"] == "low"


def test_a_changed_rob2_answer_moves_the_risk_of_bias_signal(tmp_path: Path) -> None:
    """Issue 16's link: the question's GRADE risk-of-bias signal reads the trial's computed RoB 2 judgement."""
    (tmp_path / "questions").mkdir()
    shutil.copytree(TRIALS, tmp_path / "trials")
    path = tmp_path / "questions" / "ivig-dermatomyositis.yaml"
    shutil.copy(QUESTION_FILE, path)
    before = checked(path).computed.for_outcome("tis20-response")
    trial = tmp_path / "trials" / "proderm.yaml"
    old = '      - question: "1.2"\n        answer: NI\n'
    text = trial.read_text(encoding="utf-8")
    assert text.count(old) == 1
    trial.write_text(text.replace(old, '      - question: "1.2"\n        answer: "N"\n'), encoding="utf-8")
    after = checked(path).computed.for_outcome("tis20-response")
    assert [s.rob for s in before.studies] == ["some-concerns"] and [s.rob for s in after.studies] == ["high"]
    from evidencekb.rob_signal import READINGS

    assert before.signal("risk-of-bias").serious is None  # some concerns: the panel's call
    assert before.signal("risk-of-bias").reasons == (READINGS["some-concerns"],)
    assert after.signal("risk-of-bias").serious is True and after.signal("risk-of-bias").reasons == (READINGS["high"],)


def test_a_published_question_cannot_pool_a_draft_trial(tmp_path: Path) -> None:
    (tmp_path / "questions").mkdir()
    shutil.copytree(TRIALS, tmp_path / "trials")
    trial = tmp_path / "trials" / "proderm.yaml"
    trial.write_text(trial.read_text(encoding="utf-8").replace("status: published", "status: draft", 1),
                     encoding="utf-8")
    path = tmp_path / "questions" / "rated.yaml"
    path.write_text(RATED.format(change=-1, departs=""), encoding="utf-8")
    records, _ = check_paths([str(path)])
    assert [(d.code, d.line, d.column) for d in records[0].diagnostics] == [("question-draft-trial", 15, 17)]


def test_the_question_as_a_fhir_summary_of_findings(tmp_path: Path) -> None:
    import json

    from fhir.resources.bundle import Bundle

    assert main(["export", "--format", "fhir", "--out", str(tmp_path), str(REPO / "content")]) == 0
    data = json.loads((tmp_path / "fhir" / "question-ivig-dermatomyositis.json").read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    resources = [e["resource"] for e in data["entry"]]
    assert resources[0]["resourceType"] == "Composition"
    evidence = next(r for r in resources if r["resourceType"] == "Evidence"
                    and r["statistic"][0]["statisticType"]["coding"][0]["code"] == "C93152")  # relative risk
    rr, low, high = katz_rr(37, 47, 21, 48)
    statistic = evidence["statistic"][0]
    assert statistic["quantity"]["value"] == pytest.approx(rr, rel=1e-6)
    ci = next(a for a in statistic["attributeEstimate"] if a["type"]["coding"][0]["code"] == "C53324")
    assert [ci["range"]["low"]["value"], ci["range"]["high"]["value"]] == pytest.approx([low, high], rel=1e-6)
