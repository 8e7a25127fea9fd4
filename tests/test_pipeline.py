"""The one pipeline (evidencekb.pipeline): each stage once, the same result from a file or its bytes."""

from __future__ import annotations

from pathlib import Path

from evidencekb.kinds import TRIAL, kind_of
from evidencekb.pipeline import check_record, cross_record_problems, record_id

ROOT = Path(__file__).resolve().parents[1]
PRODERM = ROOT / "content" / "trials" / "proderm.yaml"
INVALID = ROOT / "tests" / "corpus" / "invalid"


def test_a_file_and_its_bytes_give_the_same_result() -> None:
    from_file = check_record(str(PRODERM), consistency=True)
    from_bytes = check_record(str(PRODERM), PRODERM.read_bytes(), consistency=True)
    assert from_file.diagnostics == from_bytes.diagnostics == []
    assert from_file.computed is not None and from_bytes.computed is not None
    assert from_file.computed.to_dict() == from_bytes.computed.to_dict()
    assert from_file.kind is TRIAL and from_file.trial is from_file.model


def test_computing_is_asked_for_and_only_for_records_without_errors() -> None:
    assert check_record(str(PRODERM)).computed is None
    computed = check_record(str(PRODERM), compute=True).computed
    assert computed is not None and computed.trial == "proderm" and computed.checks
    broken = check_record(str(INVALID / "events-exceed-total.yaml"), consistency=True)
    assert broken.model is not None and broken.computed is None  # the counts are impossible: nothing to compute
    assert [d.code for d in broken.diagnostics] == ["impossible-count"]


def test_consistency_adds_the_audit_warnings_to_the_diagnostics() -> None:
    path = str(INVALID / "estimate-mismatch.yaml")
    assert check_record(path, compute=True).diagnostics == []
    assert [d.code for d in check_record(path, consistency=True).diagnostics] == ["estimate-mismatch"]


def test_kind_of_a_record_is_given_by_its_folder() -> None:
    assert kind_of("content/trials/proderm.yaml") is TRIAL
    assert kind_of("main:content/trials/proderm.yaml") is TRIAL  # a file at a git revision
    assert kind_of("somewhere/else.yaml") is TRIAL  # outside every kind's folder: the default kind


def test_cross_record_rules_name_the_later_file() -> None:
    first = check_record(str(PRODERM))
    second = check_record("copy/proderm.yaml", PRODERM.read_bytes())
    [problem] = cross_record_problems([record_id(first), None, record_id(second)])
    assert (problem.path, problem.code, problem.severity.value) == ("copy/proderm.yaml", "duplicate-trial", "error")
    assert (problem.line, problem.column) == record_id(second).position  # type: ignore[union-attr]
    assert str(PRODERM) in problem.message
