"""``evidencekb export``: JSON round trip and schema, tidy CSV tables, FHIR R5 bundles, reproducible bytes."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.bundle import Bundle
from statsmodels.stats.proportion import confint_proportions_2indep

from evidencekb.audit import audit_trial
from evidencekb.cli import main
from evidencekb.commands.export import FORMATS
from evidencekb.export import FORMATS as EXPORT_FORMATS
from evidencekb.export.csv_export import ADVERSE_EVENTS, ARMS_RESULTS, EFFECTS
from evidencekb.export.fhir_export import MAX_ID, _fhir_id, trial_bundle
from evidencekb.export.json_export import EXPORT_SCHEMA_PATH, export_schema_text
from evidencekb.models import Trial
from evidencekb.pipeline import check_paths

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
INVALID = Path(__file__).resolve().parent / "corpus" / "invalid"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    for fmt in FORMATS:
        assert main(["export", "--format", fmt, "--out", str(out), str(CONTENT)]) == 0
    return out


def _json(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _resources(bundle: dict, kind: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {e["resource"]["id"]: e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind}


def test_command_formats_match_the_package() -> None:
    assert FORMATS == EXPORT_FORMATS


# --------------------------------------------------------------------------------------------- json

def test_json_record_validates_back_into_the_same_trial(exported: Path) -> None:
    records, _ = check_paths([str(CONTENT / "trials" / "proderm.yaml")])
    data = _json(exported / "json" / "proderm.json")
    assert set(data) == {"record", "computed", "risk_of_bias"}
    assert Trial.model_validate(data["record"]) == records[0].trial


def test_json_risk_difference_equals_statsmodels(exported: Path) -> None:
    computed = _json(exported / "json" / "proderm.json")["computed"]
    comparison = next(c for c in computed["comparisons"] if c["endpoint"] == "tis20-w16")
    rd = comparison["binary"]["risk_difference"]
    low, high = confint_proportions_2indep(37, 47, 21, 48, method="newcomb", compare="diff")
    assert rd["estimate"] == pytest.approx(37 / 47 - 21 / 48, abs=1e-11)
    assert (rd["ci_low"], rd["ci_high"]) == (pytest.approx(low, abs=1e-11), pytest.approx(high, abs=1e-11))
    assert rd["method"] == "newcomb" and computed["consistency"]


def test_json_exports_match_the_committed_schema(exported: Path) -> None:
    assert (REPO / EXPORT_SCHEMA_PATH).read_text(encoding="utf-8") == export_schema_text(), (
        "schema/export.schema.json is stale: run 'evidencekb schema'"
    )
    validator = jsonschema.Draft202012Validator(json.loads(export_schema_text()))
    for path in sorted((exported / "json").glob("*.json")):
        if not path.name.startswith("question-"):  # questions' exports: tests/test_questions.py
            validator.validate(_json(path))
    broken = _json(exported / "json" / "proderm.json")
    broken["computed"]["comparisons"][0]["binary"]["risk_difference"]["surprise"] = 1
    assert not validator.is_valid(broken)


# ---------------------------------------------------------------------------------------------- csv

def test_csv_tables_have_the_stated_columns(exported: Path) -> None:
    for name, columns in (("arms_results", ARMS_RESULTS), ("effects", EFFECTS), ("adverse_events", ADVERSE_EVENTS)):
        text = (exported / "csv" / f"{name}.csv").read_text(encoding="utf-8")
        assert text.split("\n", 1)[0].split(",") == list(columns)
        assert "\r" not in text


def test_csv_rows_hold_the_record_numbers(exported: Path) -> None:
    arms = _rows(exported / "csv" / "arms_results.csv")
    row = next(r for r in arms if (r["endpoint"], r["group"]) == ("tis20-w16", "ivig-first"))
    assert (row["events"], row["total"], row["percent"], row["group_kind"]) == ("37", "47", "79", "arm")
    assert (row["source"], row["locator"], row["verified"]) == ("nejm-abs-b", "abstract", "true")
    crossover = next(r for r in arms if r["trial"] == "dalakas-1993" and r["group"] == "ivig-exposures")
    assert crossover["group_kind"] == "population"

    events = _rows(exported / "csv" / "adverse_events.csv")
    row = next(r for r in events if (r["ae_id"], r["group"]) == ("teae-any-fp", "fp-safety-ivig"))
    assert (row["denominator"], row["patients"], row["events"], row["period"]) == ("52", "42", "196", "first-period")

    effects = _rows(exported / "csv" / "effects.csv")
    rd = next(r for r in effects if (r["endpoint"], r["measure"]) == ("tis20-w16", "risk-difference"))
    assert float(rd["estimate"]) == pytest.approx(37 / 47 - 21 / 48)
    assert not any(r["trial"] == "dalakas-1993" for r in effects)  # crossover exposures: no parallel effect


# --------------------------------------------------------------------------------------------- fhir

def test_fhir_bundles_validate_as_r5(exported: Path) -> None:
    for path in sorted((exported / "fhir").glob("*.json")):
        data = _json(path)
        bundle = Bundle.model_validate(data)
        assert bundle.type == "collection"
        ids = [(e.resource.get_resource_type(), e.resource.id) for e in bundle.entry]
        assert len(set(ids)) == len(ids) and all(len(rid) <= MAX_ID for _, rid in ids)
        assert len({e.fullUrl for e in bundle.entry}) == len(ids)


def test_fhir_bundle_carries_citations_and_evidence(exported: Path) -> None:
    bundle = _json(exported / "fhir" / "proderm.json")
    citations = _resources(bundle, "Citation").values()
    identifiers = [i for c in citations for i in c["citedArtifact"].get("identifier", [])]
    assert {"type": {"text": "DOI"}, "system": "https://doi.org", "value": "10.1056/NEJMoa2117912"} in identifiers
    study = _resources(bundle, "ResearchStudy")["proderm"]
    assert {i["value"] for i in study["identifier"]} == {"NCT02728752", "2016-002902-37"}

    evidence = _resources(bundle, "Evidence")
    ivig = evidence["proderm.tis20-w16.0.ivig-first"]["statistic"][0]
    assert (ivig["numberOfEvents"], ivig["sampleSize"]["numberOfParticipants"]) == (37, 47)
    comparative = evidence["proderm.tis20-w16.0"]
    roles = [v["variableRole"]["coding"][0]["code"] for v in comparative["variableDefinition"]]
    assert roles == ["population", "exposure", "referenceExposure", "measuredVariable"]
    rd = next(s for s in comparative["statistic"] if s["statisticType"]["coding"][0]["code"] == "0000424")
    low, high = confint_proportions_2indep(37, 47, 21, 48, method="newcomb", compare="diff")
    ci = rd["attributeEstimate"][0]
    assert ci["type"]["coding"][0]["code"] == "C53324" and ci["level"] == 0.95
    assert (ci["range"]["low"]["value"], ci["range"]["high"]["value"]) == (
        pytest.approx(low, abs=1e-11), pytest.approx(high, abs=1e-11)
    )
    assert (rd["numberOfEvents"], rd["sampleSize"]["numberOfParticipants"]) == (58, 95)


def test_fhir_crossover_exposures_have_counts_but_no_comparison(exported: Path) -> None:
    evidence = _resources(_json(exported / "fhir" / "dalakas-1993.json"), "Evidence")
    assert "dalakas-1993.major-improvement.0" not in evidence
    group = evidence["dalakas-1993.major-improvement.0.ivig-exposures"]
    assert group["statistic"][0]["numberOfEvents"] == 9
    assert "numberOfParticipants" not in group["statistic"][0]["sampleSize"]
    assert any("crossover" in note["text"] for note in group["note"])


def test_fhir_certainty_is_exported_as_grade() -> None:
    records, _ = check_paths([str(CONTENT / "trials" / "proderm.yaml")])
    data = records[0].trial.model_dump(mode="json")  # type: ignore[union-attr]
    data["endpoints"][0]["certainty"] = {
        "rating": "low",
        "assessor": "evidencekb editorial team",
        "domains": [{"domain": "imprecision", "direction": "downgrade", "levels": 2, "reason": "95 patients"}],
    }
    trial = Trial.model_validate(data)
    bundle = trial_bundle(trial, audit_trial(trial))
    Bundle.model_validate(bundle)
    certainty = _resources(bundle, "Evidence")["proderm.tis20-w16.0"]["certainty"][0]
    assert certainty["rating"]["coding"][0]["code"] == "low"
    assert certainty["subcomponent"][0]["type"]["coding"][0]["code"] == "Imprecision"
    assert certainty["subcomponent"][0]["rating"]["coding"][0]["code"] == "downcode2"


def test_long_fhir_ids_are_cut_and_stay_distinct() -> None:
    first, second = _fhir_id("t" * 80, "a"), _fhir_id("t" * 80, "b")
    assert len(first) == len(second) == MAX_ID and first != second


# ------------------------------------------------------------------------------------ the command

def test_exports_are_byte_for_byte_reproducible(exported: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from evidencekb.cli import main\n"
        f"for fmt in {FORMATS!r}: assert main(['export', '--format', fmt, '--out', sys.argv[1], sys.argv[2]]) == 0\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path), str(CONTENT)], check=True, env=env)
    first = {p.relative_to(exported): p.read_bytes() for p in exported.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    # JSON and FHIR per trial (3), 3 CSV tables, and the question in the JSON, CSV and FHIR exports
    assert sorted(first) == sorted(second) and len(first) == 12
    assert first == second


def test_invalid_records_exit_1_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "records"
    records.mkdir()
    shutil.copy(CONTENT / "trials" / "proderm.yaml", records)
    shutil.copy(INVALID / "ci-order.yaml", records)
    out = tmp_path / "out"
    for fmt in FORMATS:
        assert main(["export", "--format", fmt, "--out", str(out), str(records)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "ci-order.yaml:" in err and "error[ci-order]" in err and "nothing exported" in err


def test_drafts_are_exported_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (CONTENT / "trials" / "dalakas-1993.yaml").read_text(encoding="utf-8")
    draft = tmp_path / "dalakas-1993.yaml"
    draft.write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
    assert main(["export", "--format", "json", "--out", str(tmp_path / "a"), str(draft)]) == 0
    assert list((tmp_path / "a" / "json").iterdir()) == []
    assert "draft, not exported" in capsys.readouterr().err
    assert main(["export", "--format", "fhir", "--include-drafts", "--out", str(tmp_path / "b"), str(draft)]) == 0
    bundle = _json(tmp_path / "b" / "fhir" / "dalakas-1993.json")
    assert {e["resource"]["status"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Evidence"} == {
        "draft"
    }
