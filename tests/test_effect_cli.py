"""The ``evidencekb effect`` calculator: output, usage errors and start-up cost.

Most tests build a small parser from ``effect.add_parser`` (independent of the other commands); one goes
through ``evidencekb.cli.main`` and one runs ``python -m evidencekb`` in a subprocess. Expected numbers are
the ProDERM values worked out by hand in test_effects_binary.py (RD 0.3497, Newcombe 0.1545 to 0.5099).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys

import pytest

from evidencekb import effects
from evidencekb.cli import main
from evidencekb.commands import effect


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="evidencekb")
    effect.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_binary_json_proderm(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["effect", "binary", "37/47", "21/48", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"risk_difference", "risk_ratio", "odds_ratio", "nnt", "absolute_per_1000", "p_values"} <= set(
        data
    )
    rd = data["risk_difference"]
    assert set(rd) == {"estimate", "ci_low", "ci_high", "method", "level", "note"}
    assert rd["estimate"] == pytest.approx(37 / 47 - 21 / 48)
    assert (rd["ci_low"], rd["ci_high"]) == pytest.approx((0.1545, 0.5099), abs=5e-5)
    assert (rd["method"], rd["level"], rd["note"]) == ("newcomb", 0.95, None)
    assert data["risk_ratio"]["estimate"] == pytest.approx(1.7994, abs=1e-4)
    assert data["odds_ratio"]["estimate"] == pytest.approx(4.7571, abs=1e-4)
    nnt = data["nnt"]
    assert set(nnt) == {"estimate", "kind", "ci_text", "ci_low", "ci_high"}
    assert (
        nnt["kind"] == "NNTB" and round(nnt["estimate"], 2) == 2.86 and nnt["ci_text"] == "NNTB 1.96 to 6.47"
    )
    assert data["absolute_per_1000"]["comparator"] == pytest.approx(437.5)
    assert data["p_values"]["fisher_exact"]["value"] == pytest.approx(0.00069, abs=5e-6)
    assert data["p_values"]["chi_square"]["test"] == "Pearson chi-square (no continuity correction)"


def test_binary_json_options(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["effect", "binary", "37/47", "21/48", "--json", "--level", "0.9", "--rd-method", "wald"]
    assert run([*argv, "--rr-method", "score", "--or-method", "score", "--event", "bad"]) == 0
    data = json.loads(capsys.readouterr().out)
    p1, p2 = 37 / 47, 21 / 48
    half = 1.6448536269514722 * math.sqrt(p1 * (1 - p1) / 47 + p2 * (1 - p2) / 48)  # 90% Wald, by hand
    assert (data["risk_difference"]["ci_low"], data["risk_difference"]["ci_high"]) == pytest.approx(
        (p1 - p2 - half, p1 - p2 + half)
    )
    assert data["risk_difference"]["level"] == 0.9
    assert data["risk_ratio"]["method"] == "score" and data["odds_ratio"]["method"] == "score"
    assert data["nnt"]["kind"] == "NNTH"  # more events is worse when the event is bad


def test_binary_json_not_estimable_and_infinite(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["effect", "binary", "0/10", "0/20", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["risk_ratio"]["estimate"] is None and "not estimable" in data["risk_ratio"]["note"]
    assert data["odds_ratio"]["estimate"] is None
    assert data["risk_difference"]["estimate"] == 0.0
    # RD = 0: infinite NNT; Newcombe -0.1611 to 0.2775 (Table II) gives NNTB 3.6 to infinity to NNTH 6.21.
    assert data["nnt"]["estimate"] is None and data["nnt"]["kind"] is None
    assert data["nnt"]["ci_text"] == "NNTB 3.6 to infinity to NNTH 6.21"
    nnt = data["nnt"]
    assert (nnt["ci_low"], nnt["ci_high"]) == pytest.approx((1 / 0.27753, -1 / 0.16113), rel=1e-4)
    assert data["p_values"]["chi_square"]["value"] is None


def test_binary_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["effect", "binary", "37/47", "21/48"]) == 0
    out = capsys.readouterr().out
    assert "Risk difference  0.3497     0.1545 to 0.5099   Newcombe hybrid score (Wilson)" in out
    assert "Risk ratio       1.80       1.26 to 2.56       log (Katz)" in out
    assert "Odds ratio       4.76       1.93 to 11.72      logit (Woolf)" in out
    assert "NNTB 2.86" in out and "NNTB 1.96 to 6.47" in out and "3 when rounded up" in out
    assert "comparator 438, intervention 787 (553 to 1000)" in out
    assert "Fisher's exact test (two-sided) 0.00069" in out
    assert "Pearson chi-square (no continuity correction) 0.00047" in out
    assert "capped at 1000" in out


def test_binary_text_altman_interval(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["effect", "binary", "3/10", "3/10", "--level", "0.9"]) == 0
    out = capsys.readouterr().out
    assert "90% CI" in out and "to infinity to NNTH" in out and "\nNNT              infinity" in out


def test_continuous_json_cdasi_from_cis(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["effect", "continuous", "--mean1", "-9.36", "--ci1", "-12.52", "-6.19", "--n1", "45"]
    assert run([*argv, "--mean2", "-1.16", "--ci2", "-3.32", "0.99", "--n2", "43", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = effects.mean_difference(
        effects.group_from_ci(-9.36, -12.52, -6.19, 45), effects.group_from_ci(-1.16, -3.32, 0.99, 43)
    )
    assert data["mean_difference"] == expected.to_dict()
    assert data["mean_difference"]["estimate"] == pytest.approx(-8.2)
    assert set(data["standardized_mean_difference"]) == {
        "estimate",
        "ci_low",
        "ci_high",
        "method",
        "level",
        "note",
    }
    assert "t quantile with 44 df" in data["intervention"]["sd_source"]


def test_continuous_text_sd_and_se(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["effect", "continuous", "--mean1", "-9.36", "--sd1", "10.542", "--n1", "45"]
    assert run([*argv, "--mean2", "-1.16", "--se2", "1.0675", "--n2", "43", "--variance", "pooled"]) == 0
    out = capsys.readouterr().out
    assert "Mean difference               -8.20" in out
    assert "pooled variance" in out and "Hedges' g" in out and "SD = sqrt(n) x SE" in out
    assert "Student's t-test, pooled variance (two-sided)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["binary", "5/3", "21/48"], "'5/3': need 0 <= events <= total"),
        (["binary", "-1/10", "21/48"], "'-1/10': need 0 <= events <= total"),
        (["binary", "37/47", "-1/10"], "'-1/10': need 0 <= events <= total"),
        (["binary", "a/b", "21/48"], "expected EVENTS/TOTAL"),
        (["binary", "0/0", "21/48"], "'0/0': need 0 <= events <= total and total >= 1"),
        (["binary", "37/47", "21/48", "--level", "1.5"], "strictly between 0 and 1"),
        (["binary", "37/47", "21/48", "--level", "0"], "strictly between 0 and 1"),
        (["binary", "37/47", "21/48", "--level", "-0.5"], "strictly between 0 and 1"),
        (["binary", "37/47", "21/48", "--level", "nan"], "finite"),
        (["binary", "37/47", "21/48", "--rd-method", "exact"], "invalid choice: 'exact'"),
        (["binary", "37/47", "21/48", "--rr-method", "wald"], "invalid choice: 'wald'"),
        (["binary", "37/47"], "required"),
        ("continuous --mean1 1 --sd1 -2 --n1 5 --mean2 0 --sd2 1 --n2 5".split(), ">= 0"),
        ("continuous --mean1 1 --sd1 2 --n1 0 --mean2 0 --sd2 1 --n2 5".split(), ">= 1"),
        ("continuous --mean1 1 --sd1 2 --se1 1 --n1 5 --mean2 0 --sd2 1".split(), "not allowed"),
        ("continuous --mean1 1 --ci1 3 2 --n1 5 --mean2 0 --sd2 1 --n2 5".split(), "low <= high"),
        ("continuous --mean1 1 --ci1 0 2 --n1 1 --mean2 0 --sd2 1 --n2 5".split(), "n < 2"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = run(["effect", *argv])
    except SystemExit as exit_:
        status = int(exit_.code)  # type: ignore[arg-type]
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("evidencekb effect ") and "Traceback" not in captured.err


def test_parser_choices_match_the_library() -> None:
    assert effect.RD_CHOICES == effects.RD_METHODS
    assert effect.RR_CHOICES == effects.RR_METHODS
    assert effect.OR_CHOICES == effects.OR_METHODS
    assert effect.VARIANCE_CHOICES == effects.VARIANCES


def test_through_the_cli_core(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effect", "binary", "15/47", "4/48", "--rd-method", "wald", "--json"]) == 0
    rd = json.loads(capsys.readouterr().out)["risk_difference"]
    assert (100 * rd["ci_low"], 100 * rd["ci_high"]) == pytest.approx(
        (8.13, 39.03), abs=0.005
    )  # ProDERM, printed


def test_python_dash_m_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "evidencekb", "effect", "binary", "37/47", "21/48", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["risk_difference"]["estimate"] == pytest.approx(0.3497, abs=5e-5)
    assert data["nnt"]["kind"] == "NNTB"


def test_importing_the_command_loads_no_statistics_library() -> None:
    code = (
        "import sys, evidencekb.commands.effect\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'statsmodels') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
