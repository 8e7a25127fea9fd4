"""``evidencekb import ctgov``: drafts from real ClinicalTrials.gov API v2 responses.

Fixtures (origin in tests/fixtures/ctgov/README.md): NCT02210780 (dupilumab; binary outcomes printed as
percentages with denominators) is the shared fixture at ../shared/fixtures/ctgov/ or its copy;
NCT02552212 (C-AXSPAND; outcomes as counts of participants) and NCT02278341.json (the same study under
another file name) come from the AACT project's test fixtures, repository ctti-clinicaltrials/aact,
spec/support/json_data/, commit 5a060286d07ba038fbb5d01096a6b98eaa5803e2.
"""

from __future__ import annotations

import http.server
import json
import math
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import norm
from statsmodels.stats.proportion import confint_proportions_2indep

from _ctgov import CERTOLIZUMAB, CERTOLIZUMAB_LATER, DUPILUMAB, FIXTURES, SHARED, draft_text, filled
from evidencekb.cli import main
from evidencekb.computed import compute_trial
from evidencekb.importers import fetch
from evidencekb.importers.ctgov import resolve
from evidencekb.loader import load_bytes
from evidencekb.records import check_bytes, check_file
from evidencekb.rounding import decimals_of

_CITED = re.compile(r"# ctgov: (?P<locator>\S+)(?P<derived> \(the only count of \d+ that prints as [\d.]+%\))?"
                    r"(?P<fraction> \(as a fraction\))?$")


def test_the_copied_fixture_is_the_shared_one() -> None:
    if not SHARED.is_file():
        pytest.skip("no ../shared/fixtures/ctgov next to this checkout")
    assert SHARED.read_bytes() == (FIXTURES / "NCT02210780.json").read_bytes()


def test_draft_of_the_shared_fixture_has_only_placeholders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nct02210780.yaml"
    assert main(["import", "ctgov", str(DUPILUMAB), "--out", str(out)]) == 0
    record = check_file(str(out))
    codes = {d.code for d in record.diagnostics}
    assert codes == {"placeholder"}
    messages = [d.message for d in record.diagnostics]
    # What the registry cannot say: the reviewers' texts, and for each of the 11 outcomes whether more is better.
    assert sum(".better: still to fill in" in m for m in messages) == 11
    assert any(m.startswith("endpoints[8].type: still to fill in") and "4 classes" in m for m in messages)
    assert "18 placeholder(s) to fill in" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "status: draft" in text and 'version: "2023-11-15"' in text


@pytest.mark.parametrize("fixture", [DUPILUMAB, CERTOLIZUMAB], ids=lambda p: p.stem)
def test_every_number_cites_a_registry_locator_holding_that_number(fixture: Path) -> None:
    study = json.loads(fixture.read_bytes())
    text = draft_text(fixture, "draft")
    document, problems = load_bytes(text.encode("utf-8"), "draft.yaml")
    assert document is not None and not problems
    lines = text.splitlines()
    checked = 0
    for loc, written in document.number_texts.items():
        if loc == ("schema_version",):
            continue
        line, _ = document.position(loc)
        cited = _CITED.search(lines[line - 1])
        assert cited, f"line {line} has a number without a registry locator: {lines[line - 1]}"
        registry = float(str(resolve(study, cited["locator"])).lstrip("= "))  # p-values read "=0.247"
        value = float(written)
        if cited["derived"]:
            total = float(resolve(study, _denominator_of(lines, line)))
            percent_text = str(resolve(study, cited["locator"]))
            assert round(100 * value / total, decimals_of(percent_text)) == pytest.approx(registry)
        elif cited["fraction"]:
            assert value * 100 == pytest.approx(registry)
        else:
            assert value == registry
        checked += 1
    locators = [_value(document.data, p) for p in _all_paths(document.data) if p[-1] == "locator"]
    for locator in locators:
        resolve(study, locator)  # raises KeyError when a cited object's locator points at nothing
    assert checked > 100 and len(locators) > 50


def _denominator_of(lines: list[str], line: int) -> str:
    """The locator of the ``total`` written just after a derived ``events`` line."""
    match = _CITED.search(lines[line])
    assert match and lines[line].strip().startswith("total:")
    return match["locator"]


def _all_paths(data: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _all_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _all_paths(value, (*prefix, index))


def _value(data: object, loc: tuple[str | int, ...]) -> str:
    for part in loc:
        data = data[part]  # type: ignore[index]
    return str(data)


def _independent_binary(a: int, n1: int, c: int, n2: int) -> dict[str, tuple[float, float, float]]:
    """RD (Newcombe, statsmodels), RR (Katz log) and OR (Woolf logit), formulas written out here."""
    z = norm.ppf(0.975)
    p1, p2 = a / n1, c / n2
    low, high = confint_proportions_2indep(a, n1, c, n2, method="newcomb", compare="diff", alpha=0.05)
    rr = p1 / p2
    se_rr = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    odds = (a * (n2 - c)) / (c * (n1 - a))
    se_or = math.sqrt(1 / a + 1 / (n1 - a) + 1 / c + 1 / (n2 - c))
    return {
        "risk_difference": (p1 - p2, low, high),
        "risk_ratio": (rr, rr * math.exp(-z * se_rr), rr * math.exp(z * se_rr)),
        "odds_ratio": (odds, odds * math.exp(-z * se_or), odds * math.exp(z * se_or)),
    }


@pytest.mark.parametrize(("fixture", "expected"), [(DUPILUMAB, 6), (CERTOLIZUMAB, 8)], ids=["dupilumab", "czp"])
def test_effects_of_count_outcomes_match_an_independent_recomputation(fixture: Path, expected: int) -> None:
    record = check_bytes(filled(draft_text(fixture, "filled")).encode("utf-8"), "filled.yaml")
    assert record.trial is not None and record.document is not None and not record.diagnostics
    computed = compute_trial(record.trial, record.document.number_texts)
    binary = [c for c in computed.comparisons if c.binary is not None]
    assert len(binary) == expected
    for comparison in binary:
        assert comparison.binary is not None
        counts = comparison.binary.counts
        reference = _independent_binary(counts.events1, counts.total1, counts.events2, counts.total2)
        for name, (estimate, low, high) in reference.items():
            got = getattr(comparison.binary, name)
            assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx((estimate, low, high), rel=1e-9), name


def test_czp_counts_are_the_registry_counts() -> None:
    """The AU-flare outcome: 4/159 on certolizumab vs 8/158 on placebo, as the registry posts them."""
    record = check_bytes(filled(draft_text(CERTOLIZUMAB, "filled")).encode("utf-8"), "filled.yaml")
    assert record.trial is not None
    result = next(r for r in record.trial.results if r.endpoint.startswith("number-of-subjects-with-anterior"))
    assert [(g.arm, g.events, g.total) for g in result.binary or []] == [
        ("placebo", 8, 158), ("czp-200-mg-q2w", 4, 159)]


def test_the_payload_nct_id_is_trusted_not_the_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["import", "ctgov", str(CERTOLIZUMAB_LATER)]) == 0
    written = tmp_path / "content" / "trials" / "nct02552212.yaml"
    assert "id: NCT02552212" in written.read_text(encoding="utf-8")
    assert not (tmp_path / "content" / "trials" / "nct02278341.yaml").exists()


def test_an_existing_file_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kept.yaml"
    out.write_text("kept\n", encoding="utf-8")
    assert main(["import", "ctgov", str(DUPILUMAB), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert capsys.readouterr().err.strip() == f"evidencekb import: {out} already exists"


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "invalid JSON"),
    (b'{"studies": []}', "no 'protocolSection'"),
    (b'{"protocolSection": {"identificationModule": {"nctId": "NCT123"}}}', "no valid 'nctId'"),
])
def test_a_file_that_is_not_a_study_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert main(["import", "ctgov", str(bad), "--out", str(tmp_path / "x.yaml")]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


class _Registry(http.server.BaseHTTPRequestHandler):
    """A local stand-in for the API: one study, after ``failures`` answers of 503."""

    body = b""
    failures = 0
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        type(self).requests.append(self.path)
        if type(self).failures:
            type(self).failures -= 1
            self.send_error(503)
        elif self.path.startswith("/api/v2/studies/NCT02210780"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(type(self).body)
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Registry]]:
    _Registry.body, _Registry.failures, _Registry.requests = DUPILUMAB.read_bytes(), 0, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("EVIDENCEKB_CTGOV_API", f"http://127.0.0.1:{server.server_address[1]}/api/v2")
    monkeypatch.setattr(fetch, "PAUSE_SECONDS", 0.0)
    yield _Registry
    server.shutdown()
    server.server_close()


def test_import_by_nct_id_over_http_retries_server_errors(tmp_path: Path, registry: type[_Registry]) -> None:
    registry.failures = 2
    out = tmp_path / "nct02210780.yaml"
    assert main(["import", "ctgov", "NCT02210780", "--out", str(out)]) == 0
    assert len(registry.requests) == 3 and registry.requests[-1] == "/api/v2/studies/NCT02210780?format=json"
    assert out.read_text(encoding="utf-8") == draft_text(DUPILUMAB, "nct02210780")


def test_unknown_study_and_persistent_server_errors(
    tmp_path: Path, registry: type[_Registry], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "ctgov", "NCT00000000", "--out", str(tmp_path / "a.yaml")]) == 1
    assert "NCT00000000 is not on ClinicalTrials.gov (HTTP 404" in capsys.readouterr().err
    registry.failures = 5
    assert main(["import", "ctgov", "NCT02210780", "--out", str(tmp_path / "b.yaml")]) == 1
    err = capsys.readouterr().err
    assert "answered HTTP 503 for NCT02210780 (3 attempt(s))" in err and err.count("\n") == 1
    assert not (tmp_path / "b.yaml").exists()


def test_offline_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Registry)
    port = server.server_address[1]
    server.server_close()  # nothing listens on this port any more
    monkeypatch.setenv("EVIDENCEKB_CTGOV_API", f"http://127.0.0.1:{port}/api/v2")
    assert main(["import", "ctgov", "NCT02210780", "--out", str(tmp_path / "a.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("evidencekb import: cannot reach ClinicalTrials.gov") and err.count("\n") == 1


def test_plain_http_is_refused_except_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EVIDENCEKB_CTGOV_API", "http://example.org/api/v2")
    assert main(["import", "ctgov", "NCT02210780", "--out", str(tmp_path / "a.yaml")]) == 1
    assert "must be an https address" in capsys.readouterr().err


@pytest.mark.parametrize("mutate", [
    lambda s: s["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0].update(classes=[7]),
    lambda s: s["protocolSection"]["designModule"].update(designInfo="RANDOMIZED"),
    lambda s: s["resultsSection"]["adverseEventsModule"]["seriousEvents"][0].update(stats={"groupId": "EG000"}),
], ids=["classes", "design", "stats"])
def test_a_study_of_an_unexpected_shape_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: Callable[[dict[str, Any]], None]
) -> None:
    study = json.loads(DUPILUMAB.read_bytes())
    mutate(study)
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(study), encoding="utf-8")
    status = main(["import", "ctgov", str(odd), "--out", str(tmp_path / "odd.yaml")])
    err = capsys.readouterr().err
    assert status in (0, 1) and err.count("\n") == 1 and "Traceback" not in err
    assert status == 0 or "unexpected structure" in err


def test_check_registry_by_nct_id_over_http(
    tmp_path: Path, registry: type[_Registry], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trials = tmp_path / "content" / "trials"
    trials.mkdir(parents=True)
    (trials / "trial.yaml").write_text(filled(draft_text(DUPILUMAB, "trial")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--registry", "NCT02210780", "--report", "none"]) == 0
    assert registry.requests == ["/api/v2/studies/NCT02210780?format=json"]
    assert "1 record(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().err
    assert main(["check", "--registry", "NCT00000000"]) == 1
    assert capsys.readouterr().err.startswith("evidencekb check: NCT00000000 is not on ClinicalTrials.gov (HTTP 404")


def test_a_percentage_that_fits_several_counts_leaves_the_count_to_fill_in(tmp_path: Path) -> None:
    """10% of 300 printed without decimals is 28.5% to 31.5%: 29, 30 or 31 participants, so no count is guessed."""
    study = json.loads(DUPILUMAB.read_bytes())
    iga = study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][3]
    iga["classes"][0]["categories"][0]["measurements"][0]["value"] = "10"
    iga["denoms"][0]["counts"][0]["value"] = "300"
    saved = tmp_path / "study.json"
    saved.write_text(json.dumps(study), encoding="utf-8")
    out = tmp_path / "trial.yaml"
    assert main(["import", "ctgov", str(saved), "--out", str(out)]) == 0
    record = check_file(str(out))
    assert record.document is not None
    events = [d for d in record.diagnostics if d.message.startswith("results[3].binary[0].events:")]
    assert [(d.code, d.line) for d in events] == [
        ("placeholder", record.document.position(("results", 3, "binary", 0, "events"))[0])]
    assert events[0].message.endswith("10% of 300 fits 29, 30, 31")
    assert "percent: 10  # ctgov:" in out.read_text(encoding="utf-8")


def test_arms_take_their_role_from_the_registry_arm_they_match() -> None:
    """C-AXSPAND's flow calls the arm 'CZP 200 mg Q2W', the protocol 'Certolizumab Pegol 200 mg Q2W'."""
    text = draft_text(CERTOLIZUMAB, "czp")
    document, _ = load_bytes(text.encode("utf-8"), "czp.yaml")
    assert document is not None
    arms = document.data["arms"]
    assert [(a["id"], a["role"], a["randomized"]) for a in arms] == [
        ("placebo", "comparator", 158), ("czp-200-mg-q2w", "intervention", 159)]
    assert [t["role"] for t in document.data["treatments"]] == ["intervention", "comparator"]
    # The open-label switch groups of the safety set are not randomized arms: named, not imported.
    assert "\n  # not imported: registry group(s) 'Placebo->OL CZP (SS)', 'CZP->OL CZP (SS)'," in text


def test_neither_an_nct_id_nor_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "ctgov", "NCT123", "--out", str(tmp_path / "a.yaml")]) == 1
    assert capsys.readouterr().err == "evidencekb import: 'NCT123' is neither an NCT id (NCT and 8 digits) nor a file\n"


def test_the_draft_can_go_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "ctgov", str(DUPILUMAB), "--out", "-"]) == 0
    assert capsys.readouterr().out == draft_text(DUPILUMAB, "nct02210780")


@pytest.mark.parametrize("removed", [
    ("resultsSection",), ("resultsSection", "armsInterventionsModule", "outcomesModule"),
], ids=["no-results", "no-arms-or-outcomes"])
def test_a_study_without_results_gives_a_draft_of_placeholders(tmp_path: Path, removed: tuple[str, ...]) -> None:
    study = json.loads(DUPILUMAB.read_bytes())
    for key in removed:
        study.pop(key, None)
        study["protocolSection"].pop(key, None)
    saved = tmp_path / "study.json"
    saved.write_text(json.dumps(study), encoding="utf-8")
    out = tmp_path / "trial.yaml"
    assert main(["import", "ctgov", str(saved), "--out", str(out)]) == 0
    record = check_file(str(out))
    assert record.document is not None and {d.code for d in record.diagnostics} == {"placeholder"}
    endpoints = record.document.data["endpoints"]
    if len(removed) == 1:  # the protocol's 11 planned outcome measures, without per-group data
        assert len(endpoints) == 11 and "results" not in record.document.data
        assert endpoints[0]["locator"] == "protocolSection.outcomesModule.primaryOutcomes[0]"
    else:
        assert len(endpoints) == 1 and endpoints[0]["label"].startswith("TODO")
