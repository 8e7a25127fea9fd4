"""``evidencekb pool``: text and JSON output, option defaults, and positioned diagnostics for bad tables.

Expected pooled values are metafor's (tests/testthat/test_misc_metan_vs_rma.mh_with_dat.bcg.r), as in
test_pooling_references.py; the diagnostics tests check the code, line and column of every new code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from _pooling import BCG
from evidencekb.cli import main


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def bcg_csv(tmp_path: Path) -> str:
    lines = ["study,events1,total1,events2,total2,year"]
    lines += [f'"{n}",{a},{a + b},{c},{c + d},{y}' for n, a, b, c, d, y in BCG]
    return write(tmp_path, "bcg.csv", "\n".join(lines) + "\n")


def test_text_output_shows_studies_pooled_estimate_heterogeneity_and_prediction(tmp_path, capsys) -> None:
    assert main(["pool", bcg_csv(tmp_path), "--measure", "rr", "--method", "mh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Risk ratio; common effect, Mantel-Haenszel")
    assert "Pooled RR 0.6353 (0.5881 to 0.6862; normal" in out  # metafor predict(res, transf=exp)
    assert "Heterogeneity: Q = 152.57 on 12 df" in out
    assert "Prediction interval: none (no prediction interval under a common-effect model)" in out
    assert "TPT Madras" in out and "Studies used: 13; excluded: 0" in out


def test_json_has_the_same_keys_for_every_measure(tmp_path, capsys) -> None:
    binary = bcg_csv(tmp_path)
    continuous = write(tmp_path, "c.csv", "study,mean1,sd1,n1,mean2,sd2,n2\nA,94,22,60,92,20,60\nB,98,21,65,92,22,65\n")
    keys = []
    for path, measure in ((binary, "rr"), (binary, "or"), (binary, "rd"), (continuous, "md"), (continuous, "smd")):
        assert main(["pool", path, "--measure", measure, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        keys.append((set(data), set(data["heterogeneity"]), set(data["natural_scale"])))
        assert data["measure"] == measure and data["level"] == 0.95
    assert all(k == keys[0] for k in keys)


def test_defaults_are_random_effects_reml_and_mantel_haenszel_for_common_binary(tmp_path, capsys) -> None:
    path = bcg_csv(tmp_path)
    assert main(["pool", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["measure"], data["model"], data["method"]) == ("rr", "random", "reml")
    assert data["estimate"] == pytest.approx(-0.714532, abs=5e-6)  # metafor rma() default on log RR
    assert main(["pool", path, "--model", "common", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "mh"
    assert main(["pool", path, "--method", "peto", "--measure", "or", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "common"


def test_yaml_table_with_a_crossover_and_group_cis(tmp_path, capsys) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        """studies:
  - {study: A, mean1: 10, sd1: 2, n1: 20, mean2: 8, sd2: 2.5, n2: 22, year: 2001}
  - {study: B, mean1: 11, ci1_low: 10, ci1_high: 12, n1: 30, mean2: 9, se2: 0.5, n2: 28}
  - {study: C, mean1: 9, sd1: 3, n1: 12, mean2: 8, sd2: 3, n2: 12, design: crossover}
  - {study: D, estimate: 1.5, se: 0.6, design: crossover, crossover_data: within-patient}
""",
    )
    assert main(["pool", path, "--measure", "md", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["used"] == ["A", "B", "D"]
    assert data["excluded"][0][0] == "C" and "crossover" in data["excluded"][0][1]


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message"),
    [
        (
            "study,events1,total1,events2,total2\nA,-1,10,2,10\n",
            "pool-bad-value",
            2,
            3,
            "row 1, column events1: must be >= 0",
        ),
        ("study,events1,total1,events2,total2\nA,1,10,12,10\n", "pool-bad-value", 2, 8, "need 0 <= events <= total"),
        ("study,events1,total1,events2,total2\n", "pool-no-studies", 1, 1, "k = 0"),
        (
            "study,events1,total1,events2,total2\nA,1,ten,2,10\n",
            "pool-bad-value",
            2,
            5,
            "expected a whole number, got 'ten'",
        ),
        (
            "study,events1,total1,events2,total2\nA,1,10,2,10\nA,2,10,3,10\n",
            "pool-duplicate-study",
            3,
            1,
            "'A' appears more than once",
        ),
        ("study,events1,total1,events2,totl2\nA,1,10,2,10\n", "pool-unknown-column", 1, 30, "unknown column 'totl2'"),
        ("name,events1,total1,events2,total2\nA,1,10,2,10\n", "pool-unknown-column", 1, 1, "unknown column 'name'"),
        ("study,events1,total1,events2\nA,1,10,2\n", "pool-missing-column", 2, 1, "row 1: no value for total2"),
        ("study,mean1,n1,mean2,sd2,n2\nA,1.5,10,2,1,10\n", "pool-bad-value", 2, 3, "give exactly one of sd1"),
        ("study,estimate,se\nA,0.2,inf\n", "pool-bad-value", 2, 7, "expected a finite number"),
        ("study,events1,total1,events2,total2\n,1,10,2,10\n", "pool-missing-column", 2, 2, "row 1: no study name"),
        (
            "study,events1,total1,events2,total2,design\nA,1,10,2,10,cross\n",
            "pool-bad-value",
            2,
            13,
            "parallel or crossover",
        ),
    ],
)
def test_bad_tables_exit_2_with_the_row_and_column(tmp_path, capsys, text, code, line, column, message) -> None:
    path = write(tmp_path, "bad.csv", text)
    assert main(["pool", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}:{line}:{column}: error[{code}]: " in captured.err
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_missing_study_column_and_bad_file_type(tmp_path, capsys) -> None:
    path = write(tmp_path, "s.csv", "events1,total1,events2,total2\n1,10,2,10\n")
    assert main(["pool", path]) == 2
    assert f"{path}:1:1: error[pool-missing-column]: the header has no 'study' column" in capsys.readouterr().err
    other = write(tmp_path, "s.txt", "x")
    assert main(["pool", other]) == 2
    assert f"{other}:1:1: error[pool-file]: expected a .csv, .yaml or .yml file" in capsys.readouterr().err
    assert main(["pool", str(tmp_path / "absent.csv")]) == 2
    assert "error[pool-file]: cannot read file" in capsys.readouterr().err


def test_yaml_diagnostics_point_at_the_value(tmp_path, capsys) -> None:
    rows = ["studies:", "- {study: A, events1: 1, total1: 10, events2: 2, total2: 10}"]
    rows.append("- {study: B, events1: x, total1: 10, events2: 2, total2: 10}")
    path = write(tmp_path, "t.yaml", "\n".join(rows) + "\n")
    assert main(["pool", path]) == 2
    assert (
        f"{path}:3:23: error[pool-bad-value]: row 2, column events1: expected a whole number, got 'x'"
        in capsys.readouterr().err
    )
    listed = write(tmp_path, "list.yaml", "- {study: A}\n")
    assert main(["pool", listed]) == 2
    assert f"{listed}:1:1: error[root-not-mapping]" in capsys.readouterr().err
    other = write(tmp_path, "other.yaml", "trials: []\n")
    assert main(["pool", other]) == 2
    assert f"{other}:1:1: error[pool-file]: expected one key, 'studies', holding a list" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "random", "--method", "mh"], "random-effect model uses"),
        (["--model", "common", "--hksj"], "random-effects models"),
        (["--measure", "md"], "the measure must be one of rr, or, rd"),
        (["--method", "peto"], "odds ratio only"),
    ],
)
def test_option_conflicts_exit_2_on_one_line(tmp_path, capsys, argv, message) -> None:
    assert main(["pool", bcg_csv(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("evidencekb pool: error: ") and message in err and err.count("\n") == 1


def test_estimates_only_need_a_measure(tmp_path, capsys) -> None:
    path = write(tmp_path, "e.csv", "study,estimate,se\nA,0.2,0.1\nB,0.4,0.2\nC,-0.1,0.3\n")
    assert main(["pool", path]) == 2
    assert "say which measure they are with --measure" in capsys.readouterr().err
    assert main(["pool", path, "--measure", "or", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["natural_scale"]["estimate"] == pytest.approx(math.exp(data["estimate"]))


def test_numbers_too_extreme_to_pool_exit_2_without_a_traceback(tmp_path, capsys) -> None:
    path = write(tmp_path, "x.csv", "study,estimate,se\nA,1e300,1\nB,-1e300,1\nC,1,1\n")
    for method in ("reml", "pm", "iv"):
        assert main(["pool", path, "--measure", "md", "--method", method]) == 2
        err = capsys.readouterr().err
        assert err.startswith("evidencekb pool: error: these numbers cannot be pooled") and err.count("\n") == 1


def test_sensitivity_adds_leave_one_out_and_cumulative_runs(tmp_path, capsys) -> None:
    """Cumulative risk ratios as metafor's cumul(res, order=year, transf=exp) prints them
    (tests/testthat/test_misc_cumul.r, REML)."""
    assert main(["pool", bcg_csv(tmp_path), "--sensitivity", "--json"]) == 0
    sensitivity = json.loads(capsys.readouterr().out)["sensitivity"]
    cumulative = [step["natural_scale"]["estimate"] for step in sensitivity["cumulative"]]
    assert cumulative[:3] == pytest.approx([0.410939, 0.265802, 0.378296], abs=5e-6)
    assert [step["k"] for step in sensitivity["leave_one_out"]] == [12] * 13
    no_years = write(tmp_path, "n.csv", "study,events1,total1,events2,total2\nA,1,10,2,10\nB,2,10,4,10\n")
    assert main(["pool", no_years, "--sensitivity"]) == 0
    out = capsys.readouterr().out
    assert "Leave one out:" in out and "cumulative analysis needs a year for every study; missing for A, B" in out
