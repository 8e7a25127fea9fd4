"""The consistency checker catches the edits an audit of the real records showed it let through.

Each test changes one thing in a copy of a real record (a mean under an acknowledgement, a printed
p-value, a number in the bottom line) and asserts that ``check --strict`` reports it at the changed
number, with the code a reviewer would look up; the unchanged records pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencekb.audit import audit_trial
from evidencekb.cli import main
from evidencekb.diagnostics import Diagnostic
from evidencekb.pipeline import check_record
from evidencekb.render.context import PageLinks, TrialContext
from evidencekb.render.page import render_trial_page

CONTENT = Path(__file__).resolve().parent.parent / "content" / "trials"
PRODERM = (CONTENT / "proderm.yaml").read_text(encoding="utf-8")
DALAKAS = (CONTENT / "dalakas-1993.yaml").read_text(encoding="utf-8")


def check(text: str, name: str = "proderm.yaml") -> list[Diagnostic]:
    """Every diagnostic of ``check`` for a record text: validation, semantic rules and the audit."""
    record = check_record(name, text.encode(), consistency=True)
    assert record.trial is not None and record.document is not None, record.diagnostics
    return record.diagnostics


def position(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """Line and column (1-based) of ``needle``, first found after ``after``."""
    offset = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize(("text", "name"), [(PRODERM, "proderm.yaml"), (DALAKAS, "dalakas-1993.yaml")])
def test_real_records_pass_strict_check(text: str, name: str) -> None:
    assert check(text, name) == []


def strict_check_fails(text: str, folder: Path) -> bool:
    path = folder / "proderm.yaml"
    path.write_text(text, encoding="utf-8")
    return main(["check", "--strict", "--report", "none", str(path)]) == 1


def test_changed_mean_under_an_acknowledgement_is_reported_again(tmp_path: Path) -> None:
    # The acknowledgement accepted 8.6 against a recomputed 11.170 (14.38 - 3.21); 18.38 changes that.
    changed = mutate(PRODERM, "mean: 14.38", "mean: 18.38")
    assert strict_check_fails(changed, tmp_path) and not strict_check_fails(PRODERM, tmp_path)
    found = [(d.code, d.line, d.column) for d in check(changed) if d.code == "estimate-mismatch"]
    assert found == [("estimate-mismatch", *position(PRODERM, "8.6", "endpoint: mmt8-w16"))]
    message = next(d.message for d in check(changed) if d.code == "estimate-mismatch")
    assert "15.170" in message and "accepted reported '8.6', recomputed '11.170" in message


def test_acknowledgement_without_a_pin_for_a_statistic_does_not_silence_it() -> None:
    changed = mutate(PRODERM, '            - statistic: ci\n              reported: "4.4 to 12.8"\n'
                     '              recomputed: "welch 5.99 to 16.35; pooled 5.95 to 16.39"\n', "")
    found = [d for d in check(changed) if d.code == "ci-not-reproduced"]
    assert [(d.line, d.column) for d in found] == [position(PRODERM, "{low: 4.4", "endpoint: mmt8-w16")]
    assert "does not cover the ci" in found[0].message


def test_printed_p_value_is_checked_within_its_printed_precision(tmp_path: Path) -> None:
    # 37/47 vs 21/48: Fisher's exact p = 0.00069 (fact sheet: Fisher 0.0007), which does not print as 0.005.
    changed = mutate(PRODERM, 'p_value: "<0.001"', "p_value: 0.005")
    assert strict_check_fails(changed, tmp_path)
    found = [d for d in check(changed) if d.code == "p-value-mismatch"]
    assert [(d.line, d.column) for d in found] == [position(PRODERM, '"<0.001"')]
    assert "0.00069" in found[0].message


def test_printed_bound_is_checked_as_a_bound() -> None:
    changed = mutate(PRODERM, 'p_value: "<0.001"', 'p_value: "<0.0001"')
    assert [d.code for d in check(changed)] == ["p-value-mismatch"]


def test_p_value_of_a_stated_stratified_analysis_is_not_checkable() -> None:
    record = check_record("proderm.yaml", PRODERM.encode(), compute=True)
    computed = record.computed
    (stratified,) = [c for c in computed.checks if c.loc == ("results", 0, "reported", 1, "p_value")]
    assert stratified.status == "not-checkable"
    assert "Cochran-Mantel-Haenszel" in stratified.detail


@pytest.mark.parametrize(
    ("old", "new", "flagged"),
    [
        ("37 of 47 patients (79%)", "38 of 47 patients (79%)", ["38 of 47", "79%"]),  # 38/47 is 80.9%
        ("37 of 47 patients (79%)", "37 of 47 patients (81%)", ["81%"]),
        ("8 events in 6 of 95 patients", "9 events in 6 of 95 patients", ["9 events in 6"]),
        ("(45\n  percentage points, 95% CI 27 to 63)", "(45\n  percentage points, 95% CI 27 to 65)", ["45"]),
    ],
)
def test_changed_number_in_the_bottom_line_is_reported_where_it_is(
    old: str, new: str, flagged: list[str], tmp_path: Path
) -> None:
    changed = mutate(PRODERM, old, new)
    found = sorted((d.code, d.line, d.column, d.severity.value) for d in check(changed))
    expected = sorted(("prose-number-unmatched", *position(changed, f, "bottom_line"), "warning") for f in flagged)
    assert found == expected
    assert strict_check_fails(changed, tmp_path)
    assert main(["check", "--report", "none", str(tmp_path / "proderm.yaml")]) == 0  # a warning without --strict


def test_numbers_inside_names_the_record_defines_are_not_claims() -> None:
    renamed = PRODERM.replace("Octagam 10%", "Octagam 13%")  # keyword, treatment label and bottom line
    assert check(renamed) == []
    changed = mutate(PRODERM, "(Octagam 10%, 2 g/kg", "(Octagam 13%, 2 g/kg")  # now an unknown number
    assert [(d.code, d.line, d.column) for d in check(changed)] == [
        ("prose-number-unmatched", *position(changed, "13%", "bottom_line"))
    ]


def test_open_label_extension_gets_no_between_treatment_effect() -> None:
    record = check_record("proderm.yaml", PRODERM.encode())
    assert record.trial is not None
    computed = audit_trial(record.trial)
    by_endpoint = {c.endpoint: c for c in computed.comparisons}
    for endpoint in ("tis20-w40", "tis40-w40", "tis60-w40", "cdasi-activity-w40"):
        comparison = by_endpoint[endpoint]
        assert comparison.binary is None and comparison.continuous is None
        assert comparison.not_computed is not None and "randomized sequence" in comparison.not_computed
    assert by_endpoint["tis20-w16"].binary is not None  # the double-blind period is still compared


# ---------------------------------------------------------------------------------------- the pages


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """The trial pages of the two records, as the site build renders them."""
    rendered = {}
    for name, text in (("proderm", PRODERM), ("dalakas-1993", DALAKAS)):
        record = check_record(f"{name}.yaml", text.encode())
        assert record.trial is not None and record.document is not None
        texts = record.document.number_texts
        ctx = TrialContext(record.trial, audit_trial(record.trial, texts), texts, PageLinks(methods="../methods/"))
        rendered[name] = render_trial_page(ctx)
    return rendered


def test_design_notes_are_on_the_page_with_their_citation(pages: dict[str, str]) -> None:
    notes = pages["proderm"].split('class="ekb-design-notes">', 1)[1].split("</p>", 1)[0]
    assert notes.startswith("Confirmed deterioration: physician global VAS worsening &gt;= 2 cm")
    assert "[art-2023" not in notes and '<a href="#cite-' in notes  # the in-text citation became a mark


def test_exposure_counts_are_headed_by_the_exposures_not_the_sequences(pages: dict[str, str]) -> None:
    page = pages["dalakas-1993"]
    assert '<th scope="col">All IVIG courses, both periods<br>' in page
    assert '<th scope="col">IVIG first<br>' not in page


def test_unverified_primary_role_and_empty_method_list_are_not_shown_as_facts(pages: dict[str, str]) -> None:
    page = pages["dalakas-1993"]
    assert "primary (role not verified)" in page and "(primary, role not verified, binary)" in page
    assert "with these methods:" not in page and "No effect on this page is recomputed" in page


def test_registry_mirror_versions_of_a_conflict_are_marked_unverified(pages: dict[str, str]) -> None:
    conflict = pages["proderm"].split('id="conflict-pyrexia-count"', 1)[1].split('id="conflict-', 1)[0]
    assert conflict.count("ekb-unverified") == 1  # the registry-mirror version only


def test_home_page_does_not_present_an_unverified_primary_outcome_as_verified() -> None:
    from evidencekb.render.home import trial_row

    record = check_record("dalakas-1993.yaml", DALAKAS.encode())
    assert record.trial is not None
    row = trial_row(record.trial, audit_trial(record.trial).for_result)
    assert row.primary["label"].endswith("(primary outcome not verified)")
