"""The synthetic records of the benchmarks (scripts/synth.py): valid, varied, deterministic, obviously synthetic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from _synth import synth
from evidencekb.cli import main
from evidencekb.pipeline import check_paths

ROOT = Path(__file__).resolve().parents[1]
N = 12




@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    synth.write(N, str(out), seed=7)
    return out


def test_every_record_passes_strict_validation(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--strict", str(records)]) == 0
    assert f"{N} record(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_reported_statistics_agree_with_the_counts(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The consistency audit reproduces every printed percentage, estimate, interval and p-value."""
    assert main(["check", "--strict", "--report", "none", str(records)]) == 0


def test_file_names_are_ids_and_records_look_synthetic(records: Path) -> None:
    checked, problems = check_paths([str(records)])
    assert not problems and len(checked) == N
    for record in checked:
        trial = record.trial
        assert trial is not None
        assert os.path.basename(record.path) == f"{trial.id}.yaml"
        assert trial.title.startswith("Synthetic trial")
        primary = next(s for s in trial.sources if s.id == trial.primary_source)
        assert "synthetic" in primary.citation.lower() and "not evidence" in primary.citation.lower()
        assert all(r.registry == "other" and r.id.startswith("SYNTHETIC-") for r in trial.registrations)


def test_records_vary_in_arms_and_endpoint_types(records: Path) -> None:
    checked, _ = check_paths([str(records)])
    trials = [r.trial for r in checked if r.trial is not None]
    assert {len(t.arms) for t in trials} >= {2, 3}
    assert all(2 <= len(t.arms) <= 4 for t in trials)
    kinds = {e.type for t in trials for e in t.endpoints}
    assert kinds == {"binary", "continuous", "time-to-event"}
    assert all(t.adverse_events and all(g.group_id for ae in t.adverse_events for g in ae.groups) for t in trials)
    assert any(t.populations for t in trials)
    assert sum(len(r.reported) for t in trials for r in t.results) >= len(trials)


def test_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    """Same seed, same bytes; the first records of a larger set are the records of a smaller one."""
    first, second, larger, other = (tmp_path / name for name in ("a", "b", "c", "d"))
    synth.write(3, str(first), seed=11)
    synth.write(3, str(second), seed=11)
    synth.write(5, str(larger), seed=11)
    synth.write(3, str(other), seed=12)
    names = sorted(os.listdir(first))
    assert names == ["synthetic-00001.yaml", "synthetic-00002.yaml", "synthetic-00003.yaml"]
    for name in names:
        text = (first / name).read_bytes()
        assert text == (second / name).read_bytes() == (larger / name).read_bytes()
        assert text != (other / name).read_bytes()
    assert yaml.safe_load((first / names[0]).read_text())["id"] == "synthetic-00001"


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "synth.py"), "--n", "2", "--out", str(out), "--seed", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["synthetic-00001.yaml", "synthetic-00002.yaml"]


def test_percent_check_fast_path_equals_rounding() -> None:
    """The validation speed-up in checks.counts gives exactly the counts of rounding.percentage_matches_counts."""
    import random

    from evidencekb.checks.counts import _matching_counts
    from evidencekb.rounding import percentage_matches_counts

    rng = random.Random(5)
    cases = [(round(k / 10**d, d), d, total) for total in (1, 3, 7, 48, 95, 227) for d in (0, 1)
             for k in range(0, 100 * 10**d + 1)]
    cases += [(rng.uniform(0, 100), rng.randint(0, 12), rng.randint(1, 10**8)) for _ in range(20_000)]
    cases += [(0.0, 0, 1), (-0.0, 1, 5), (100.0, 2, 3), (99.95, 1, 20), (0.5, 0, 1)]
    for printed, decimals, total in cases:
        expected = percentage_matches_counts(printed, decimals, total)
        fast = _matching_counts(printed, decimals, total)
        same = (fast.start, fast.stop) == (expected.start, expected.stop) or not (fast or expected)
        assert same, (printed, decimals, total)
