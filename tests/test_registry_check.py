"""``evidencekb check --registry``: a record's numbers against its ClinicalTrials.gov entry.

Records here are drafts of the fixtures (origin in tests/fixtures/ctgov/README.md) with their placeholders
filled, i.e. records that agree with the registry by construction; each test changes one thing and
expects exactly the finding about it, at the record's line and column, naming the registry's locator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _ctgov import CERTOLIZUMAB, CERTOLIZUMAB_LATER, DUPILUMAB, draft_text, filled
from evidencekb.cli import main
from evidencekb.diagnostics import Diagnostic
from evidencekb.importers.ctgov import Study
from evidencekb.importers.fetch import load_study
from evidencekb.records import check_bytes
from evidencekb.registry import compare

IGA = "resultsSection.outcomeMeasuresModule.outcomeMeasures[3]"


def _record(fixture: Path, edit: tuple[str, str] | None = None) -> tuple[str, list[str]]:
    text = filled(draft_text(fixture, "trial"))
    if edit is not None:
        assert text.count(edit[0]) == 1, edit[0]
        text = text.replace(*edit)
    return text, text.splitlines()


def _registry_findings(text: str, fixture: Path) -> tuple[list[Diagnostic], int]:
    record = check_bytes(text.encode("utf-8"), "trial.yaml")
    assert record.trial is not None and record.document is not None
    comparison = compare(record.document, record.trial, Study(load_study(str(fixture))))
    return comparison.diagnostics, len(comparison.rows)


def _line_of(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


@pytest.mark.parametrize("fixture", [DUPILUMAB, CERTOLIZUMAB], ids=["dupilumab", "czp"])
def test_a_record_built_from_the_registry_agrees_with_it(fixture: Path) -> None:
    findings, compared = _registry_findings(_record(fixture)[0], fixture)
    assert findings == []
    assert compared > 100


def test_one_changed_count_is_reported_with_both_locators() -> None:
    changed = f"        events: 43  # ctgov: {IGA}.classes[0].categories[0].measurements[1].value"
    text, lines = _record(DUPILUMAB, (changed, changed.replace("events: 43", "events: 42")))
    findings, _ = _registry_findings(text, DUPILUMAB)
    assert [(d.code, d.line, d.column, d.severity.value) for d in findings] == [
        ("registry-difference", _line_of(lines, "        events: 42"), 17, "warning")]
    assert findings[0].message == (
        "results[3].binary[1].events: participants with the event (from the registry's percentage): record 42,"
        f" registry 44.3% at {IGA}.classes[0].categories[0].measurements[1].value (NCT02210780, version 2023-11-15)")


def test_a_changed_count_of_participants_is_reported() -> None:
    outcome = "resultsSection.outcomeMeasuresModule.outcomeMeasures[27]"
    changed = f"        events: 4  # ctgov: {outcome}.classes[0].categories[0].measurements[1].value"
    text, lines = _record(CERTOLIZUMAB, (changed, changed.replace("events: 4 ", "events: 5 ")))
    findings, _ = _registry_findings(text, CERTOLIZUMAB)
    assert [(d.code, d.line, d.column) for d in findings] == [
        ("registry-difference", _line_of(lines, "        events: 5 "), 17)]
    assert "record 5, registry 4 at" in findings[0].message
    assert f"{outcome}.classes[0].categories[0].measurements[1].value" in findings[0].message


def test_a_changed_adverse_event_denominator_is_reported() -> None:
    text, lines = _record(DUPILUMAB, ("    randomized: 97  # ctgov: resultsSection.participantFlowModule.periods[0]"
                                      ".milestones[0].achievements[1]", "    randomized: 98  # ctgov: x"))
    findings, _ = _registry_findings(text, DUPILUMAB)
    at_risk = [d for d in findings if "participants at risk" in d.message]
    assert len(at_risk) == 12 and all(d.code == "registry-difference" for d in findings)
    assert "record 98, registry 97 at resultsSection.adverseEventsModule.eventGroups[1].deathsNumAtRisk" in (
        at_risk[0].message)


def test_a_newer_registry_version_is_a_warning() -> None:
    text, lines = _record(CERTOLIZUMAB)
    findings, _ = _registry_findings(text, CERTOLIZUMAB_LATER)
    assert [(d.code, d.line, d.column, d.severity.value) for d in findings] == [
        ("registry-newer-version", _line_of(lines, '    version: "2023-12-12"'), 14, "warning")]
    assert "version 2024-01-03 is newer than 2023-12-12 cited by source 'ctgov'" in findings[0].message


def test_a_record_without_the_registry_version_is_told_to_cite_it() -> None:
    version = '    version: "2023-11-15"  # ctgov: derivedSection.miscInfoModule.versionHolder\n'
    text, lines = _record(DUPILUMAB, (version, ""))
    findings, _ = _registry_findings(text, DUPILUMAB)
    assert [(d.code, d.line, d.column) for d in findings] == [
        ("registry-unversioned", _line_of(lines, "  - id: ctgov"), 5)]


def test_a_registry_outcome_without_an_endpoint_is_listed_as_possibly_missing() -> None:
    text, lines = _record(DUPILUMAB)
    poem = "resultsSection.outcomeMeasuresModule.outcomeMeasures[10]"
    text = text.replace(f"locator: {poem}\n", "locator: Table 2\n").replace(
        '"Change in Patient Oriented Eczema Measure (POEM) Score From Baseline to Week 16"', '"POEM, week 16"')
    findings, _ = _registry_findings(text, DUPILUMAB)
    assert [(d.code, d.line, d.column) for d in findings] == [
        ("registry-missing-outcome", _line_of(lines, "endpoints:"), 1)]
    assert f"({poem}) has no endpoint in this record" in findings[0].message


def test_another_study_is_refused() -> None:
    text, lines = _record(DUPILUMAB)
    findings, compared = _registry_findings(text, CERTOLIZUMAB)
    assert [(d.code, d.line, d.column, d.severity.value) for d in findings] == [
        ("registry-other-study", _line_of(lines, "registrations:"), 1, "error")]
    assert compared == 0


def test_check_finds_the_registered_records_and_prints_both_sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trials = tmp_path / "content" / "trials"
    trials.mkdir(parents=True)
    (trials / "trial.yaml").write_text(_record(DUPILUMAB)[0], encoding="utf-8")
    other = filled(draft_text(CERTOLIZUMAB, "other"))
    (trials / "other.yaml").write_text(other, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--registry", str(DUPILUMAB)]) == 0
    out = capsys.readouterr().out
    assert "content/trials/trial.yaml: compared with ClinicalTrials.gov NCT02210780 (version 2023-11-15)" in out
    assert "other.yaml" not in out
    assert ("[      ok] participants with the event (from the registry's percentage): record 10, registry 10.3%"
            f"  (results/3/binary/0/events | {IGA}.classes[0].categories[0].measurements[0].value)") in out
    assert (f"[      ok] percentage of participants: record 10.3, registry 10.3  (results/3/binary/0/percent |"
            f" {IGA}.classes[0].categories[0].measurements[0].value)") in out


def test_check_without_a_registered_record_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--registry", str(DUPILUMAB)]) == 1
    assert capsys.readouterr().err == "evidencekb check: no record in content/ is registered as NCT02210780\n"


def test_endpoints_without_registry_locators_are_matched_by_title() -> None:
    """A record written from a publication cites its tables; identical titles still find the registry outcome."""
    text, _ = _record(DUPILUMAB)
    by_locator = _registry_findings(text, DUPILUMAB)[1]
    outcome_locator = r"locator: resultsSection\.outcomeMeasuresModule\.outcomeMeasures\[\d+\]\n"
    text = re.sub(outcome_locator, "locator: Table 2\n", text)
    findings, by_title = _registry_findings(text, DUPILUMAB)
    assert findings == [] and by_title == by_locator


def test_a_risk_difference_as_a_fraction_is_compared_on_the_registry_scale() -> None:
    """IGA 0/1: the registry prints 34.0 percentage points (90% CI 24.29 to 43.75); 0.34 is the same number."""
    analysis = f"{IGA}.analyses[0]"
    text, lines = _record(DUPILUMAB)
    for registry, record in (("scale: percentage-points\n        estimate: 34.0  # ctgov: " + analysis,
                              "scale: fraction\n        estimate: 0.340  # ctgov: " + analysis),
                             (f"low: 24.29  # ctgov: {analysis}", f"low: 0.2429  # ctgov: {analysis}"),
                             (f"high: 43.75  # ctgov: {analysis}", f"high: 0.4275  # ctgov: {analysis}"),
                             (f"level: 0.9  # ctgov: {analysis}", f"level: 0.95  # ctgov: {analysis}")):
        assert text.count(registry) == 1
        text = text.replace(registry, record)
    findings, _ = _registry_findings(text, DUPILUMAB)
    lines = text.splitlines()
    assert [(d.code, d.line) for d in findings] == [
        ("registry-difference", _line_of(lines, "          level: 0.95")),
        ("registry-difference", _line_of(lines, "          high: 0.4275")),
    ]
    assert "confidence level: record 0.95, registry 0.9 at" in findings[0].message
    assert "upper confidence limit: record 0.4275, registry 43.75 at" in findings[1].message
