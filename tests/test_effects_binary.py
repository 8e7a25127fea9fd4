"""Binary effect measures, NNT, absolute effects, p-values and the consistency helpers for binary data.

Reference values are computed independently of the code under test, as each test says: published worked
examples (Newcombe 1998 Table II; Altman 1998 via Newcombe's reply; the ProDERM trial's printed CIs),
closed-form Wald/Katz/Woolf/Wilson/Pearson formulas written out here, or statsmodels called directly.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep

from evidencekb.effects import (
    OR_METHODS,
    RD_METHODS,
    RR_METHODS,
    BinaryCounts,
    Estimate,
    absolute_per_1000,
    analyse_binary,
    chi_square_p,
    fisher_exact_p,
    interval_method_matches,
    number_needed_to_treat,
    odds_ratio,
    p_value_consistent,
    percentage_matches_counts,
    reported_value_interval,
    risk_difference,
    risk_ratio,
)
from evidencekb.effects.base import guarded_interval

Z95 = 1.959963984540054  # standard normal 97.5% quantile (printed tables: 1.96)
PRODERM = BinaryCounts(37, 47, 21, 48)  # ProDERM, TIS >= 20 at week 16: IVIG vs placebo


def value(result: Estimate) -> float:
    assert result.estimate is not None, result
    return result.estimate


def limits(result: Estimate) -> tuple[float, float]:
    assert result.ci_low is not None and result.ci_high is not None, result
    return result.ci_low, result.ci_high


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for one proportion, closed form (Newcombe 1998, method 3)."""
    centre = (2 * x + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * x * (1 - x / n)) / (2 * (n + z * z))
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10), written out from the paper."""
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def katz(a: float, n1: float, c: float, n2: float, z: float = Z95) -> tuple[float, float, float]:
    """Risk ratio with the log (Katz) interval, closed form."""
    rr = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rr, rr * math.exp(-z * se), rr * math.exp(z * se)


def woolf(a: float, b: float, c: float, d: float, z: float = Z95) -> tuple[float, float, float]:
    """Odds ratio with the logit (Woolf) interval from the four cells, closed form."""
    odds = a * d / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return odds, odds * math.exp(-z * se), odds * math.exp(z * se)


# --- ProDERM (Aggarwal et al., NEJM 2022), values stated in the issue and recomputed by hand -------------


def test_proderm_risk_difference_newcombe_and_wald() -> None:
    rd = risk_difference(PRODERM)
    assert rd.method == "newcomb" and rd.level == 0.95 and rd.note is None
    assert rd.estimate == pytest.approx(37 / 47 - 21 / 48)
    assert rd.estimate == pytest.approx(0.3497, abs=5e-5)
    assert (rd.ci_low, rd.ci_high) == pytest.approx(newcombe(37, 47, 21, 48), abs=1e-12)
    assert (rd.ci_low, rd.ci_high) == pytest.approx((0.1545, 0.5099), abs=5e-5)
    wald = risk_difference(PRODERM, "wald")
    p1, p2 = 37 / 47, 21 / 48
    half = Z95 * math.sqrt(p1 * (1 - p1) / 47 + p2 * (1 - p2) / 48)  # Wald, closed form
    assert (wald.ci_low, wald.ci_high) == pytest.approx((p1 - p2 - half, p1 - p2 + half), abs=1e-12)
    assert (wald.ci_low, wald.ci_high) == pytest.approx((0.1670, 0.5324), abs=5e-5)


def test_proderm_ratios_match_katz_and_woolf() -> None:
    rr, odds = risk_ratio(PRODERM), odds_ratio(PRODERM)
    assert (rr.estimate, rr.ci_low, rr.ci_high) == pytest.approx(katz(37, 47, 21, 48), rel=1e-12)
    assert (odds.estimate, odds.ci_low, odds.ci_high) == pytest.approx(woolf(37, 10, 21, 27), rel=1e-12)
    assert round(value(rr), 2) == 1.80 and round(value(odds), 2) == 4.76
    assert (rr.method, odds.method) == ("log", "logit")


@pytest.mark.parametrize(("function", "compare"), [(risk_ratio, "ratio"), (odds_ratio, "odds-ratio")])
def test_ratio_score_methods_are_statsmodels(function: Callable[..., Estimate], compare: str) -> None:
    result = function(PRODERM, "score", 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = confint_proportions_2indep(37, 47, 21, 48, method="score", compare=compare, alpha=0.1)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(map(float, expected)), rel=1e-12)
    assert result.level == 0.9


def brute_force_mn(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> tuple[float, float]:
    """Miettinen-Nurminen interval by brute force: the restricted likelihood is maximised numerically
    (bounded Brent search, not the cubic used by the code) and the statistic inverted with brentq."""
    critical = stats.chi2.ppf(level, 1)

    def excess(d: float) -> float:
        def minus_loglik(p2: float) -> float:
            terms = ((x1, n1, p2 + d), (x2, n2, p2))
            return -sum(
                x * math.log(max(p, 1e-300)) + (n - x) * math.log(max(1 - p, 1e-300)) for x, n, p in terms
            )

        p2 = optimize.minimize_scalar(
            minus_loglik, bounds=(max(0, -d), min(1, 1 - d)), method="bounded", options={"xatol": 1e-12}
        ).x
        p1, total = p2 + d, n1 + n2
        variance = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * total / (total - 1)
        return (x1 / n1 - x2 / n2 - d) ** 2 / max(variance, 1e-300) - critical

    estimate = x1 / n1 - x2 / n2
    low = -1.0 if estimate == -1 else optimize.brentq(excess, -1 + 1e-12, estimate)
    high = 1.0 if estimate == 1 else optimize.brentq(excess, estimate, 1 - 1e-12)
    return low, high


@pytest.mark.parametrize(
    "table", [(37, 47, 21, 48), (1, 10, 9, 10), (1, 4, 1, 6), (0, 10, 0, 20), (10, 10, 0, 10)]
)
def test_miettinen_nurminen_risk_difference(table: tuple[int, int, int, int]) -> None:
    # statsmodels' own score interval for differences is wrong (statsmodels issue #10269) and raises on
    # 1/10 vs 9/10; ours must match the brute-force computation.
    rd = risk_difference(BinaryCounts(*table), "score")
    assert rd.note is None
    assert (rd.ci_low, rd.ci_high) == pytest.approx(brute_force_mn(*table), abs=1e-6)


def test_miettinen_nurminen_newcombe_table_ii() -> None:
    # Newcombe (1998) Table II, method 6 (Miettinen-Nurminen), example (a) 56/70 vs 48/80: 0.0528 to 0.3382.
    rd = risk_difference(BinaryCounts(56, 70, 48, 80), "score")
    assert (rd.ci_low, rd.ci_high) == pytest.approx((0.0528, 0.3382), abs=5e-5)


def test_proderm_p_values() -> None:
    fisher, chi = fisher_exact_p(PRODERM), chi_square_p(PRODERM)
    assert fisher.value == pytest.approx(0.00069, abs=5e-6)
    assert fisher.test == "Fisher's exact test (two-sided)"
    # Pearson chi-square written out: N (ad - bc)^2 / (r1 r2 c1 c2), p = erfc(sqrt(chi2 / 2)) for 1 df.
    a, b, c, d = 37, 10, 21, 27
    statistic = 95 * (a * d - b * c) ** 2 / (47 * 48 * 58 * 37)
    assert chi.value == pytest.approx(math.erfc(math.sqrt(statistic / 2)), rel=1e-9)
    assert chi.value == pytest.approx(0.0005, abs=5e-5)
    assert chi.test == "Pearson chi-square (no continuity correction)"
    yates = chi_square_p(PRODERM, yates=True)
    statistic = 95 * (abs(a * d - b * c) - 95 / 2) ** 2 / (47 * 48 * 58 * 37)
    assert yates.value == pytest.approx(math.erfc(math.sqrt(statistic / 2)), rel=1e-9)
    assert "Yates" in yates.test


def test_proderm_analysis_nnt_and_per_1000() -> None:
    result = analyse_binary(PRODERM)
    assert result.nnt.kind == "NNTB"
    assert result.nnt.estimate == pytest.approx(1 / (37 / 47 - 21 / 48))
    assert round(result.nnt.estimate, 2) == 2.86
    lo, hi = newcombe(37, 47, 21, 48)
    assert result.nnt.ci_text == f"NNTB {1 / hi:.2f} to {1 / lo:.2f}" == "NNTB 1.96 to 6.47"
    absolute = result.absolute_per_1000
    rr, rr_low, rr_high = katz(37, 47, 21, 48)
    assert absolute.comparator == pytest.approx(437.5)
    assert absolute.intervention == pytest.approx(437.5 * rr)
    assert absolute.intervention_ci_low == pytest.approx(437.5 * rr_low)
    assert 437.5 * rr_high > 1000 and absolute.intervention_ci_high == 1000.0
    assert absolute.note is not None and "capped" in absolute.note
    assert absolute.difference == pytest.approx(1000 * (37 / 47 - 21 / 48))
    assert absolute.difference_ci_high == pytest.approx(562.5)


def test_per_1000_follows_grade_without_capping() -> None:
    counts = BinaryCounts(15, 47, 4, 48)  # ProDERM TIS >= 60
    rr, low, high = katz(15, 47, 4, 48)
    result = absolute_per_1000(4 / 48, risk_ratio(counts))
    comparator = 1000 * 4 / 48
    assert (result.intervention, result.intervention_ci_low, result.intervention_ci_high) == pytest.approx(
        (comparator * rr, comparator * low, comparator * high)
    )
    assert result.difference_ci_low == pytest.approx(comparator * (low - 1))
    assert result.note is None


def test_per_1000_with_zero_comparator_risk_points_to_the_risk_difference() -> None:
    result = absolute_per_1000(0.0, risk_ratio(BinaryCounts(10, 10, 0, 10)))
    assert result.intervention == 0.0 and result.note is not None and "risk difference" in result.note


# --- Newcombe (1998) Table II, method 10 -----------------------------------------------------------------
# Published values, confirmed with the closed form above. The issue listed 0.0381 to 0.8333 for 6/7 vs 2/7
# and -0.1611 to 0.3091 for 0/10 vs 0/20; the Wilson-based formula (and the paper) give 0.0582 to 0.8062 and
# -0.1611 to 0.2775 (for 0/10 vs 0/20 the upper limit is the Wilson upper limit of 0/10, 0.2775).

NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("table", "published"), NEWCOMBE_TABLE_II)
def test_newcombe_table_ii(table: tuple[int, int, int, int], published: tuple[float, float]) -> None:
    rd = risk_difference(BinaryCounts(*table), "newcomb")
    assert (rd.ci_low, rd.ci_high) == pytest.approx(published, abs=5e-5)
    assert (rd.ci_low, rd.ci_high) == pytest.approx(newcombe(*table), abs=1e-12)


# --- zero cells and failing library methods --------------------------------------------------------------


def test_one_zero_arm_uses_half_correction_in_every_cell() -> None:
    counts = BinaryCounts(5, 56, 0, 29)
    rr, odds = risk_ratio(counts), odds_ratio(counts)
    assert (rr.estimate, rr.ci_low, rr.ci_high) == pytest.approx(katz(5.5, 57, 0.5, 30), rel=1e-12)
    assert (odds.estimate, odds.ci_low, odds.ci_high) == pytest.approx(woolf(5.5, 51.5, 0.5, 29.5), rel=1e-12)
    for result in (rr, odds):
        assert result.note is not None and "0.5 added to every cell" in result.note
        assert "comparator arm has 0 events" in result.note


def test_all_events_in_one_arm_also_corrected() -> None:
    rr = risk_ratio(BinaryCounts(10, 10, 5, 10))
    assert rr.estimate == pytest.approx((10.5 / 11) / (5.5 / 11))
    assert rr.note is not None and "intervention arm has all events" in rr.note


@pytest.mark.parametrize("table", [(0, 10, 0, 20), (10, 10, 20, 20), (0, 1, 0, 1)])
def test_both_arms_degenerate_ratios_not_estimable_rd_computed(table: tuple[int, int, int, int]) -> None:
    counts = BinaryCounts(*table)
    for result in (
        risk_ratio(counts),
        odds_ratio(counts),
        risk_ratio(counts, "score"),
        odds_ratio(counts, "score"),
    ):
        assert result.estimate is None and result.ci_low is None and result.ci_high is None
        assert result.note is not None and result.note.startswith("not estimable")
    rd = risk_difference(counts)
    low, high = limits(rd)
    assert rd.estimate == 0.0 and low < 0 < high
    chi = chi_square_p(counts)
    assert chi.value is None and chi.note is not None
    assert fisher_exact_p(counts).value == 1.0


def test_statsmodels_failure_is_reported_not_raised() -> None:
    # statsmodels' Koopman score interval comes out reversed for this very unbalanced table.
    counts = BinaryCounts(2, 4, 406261, 406730)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape either
        rr = risk_ratio(counts, "score")
        analysis = analyse_binary(counts, rr_method="score")
    assert rr.estimate == pytest.approx(0.5 / (406261 / 406730))
    assert rr.ci_low is None and rr.ci_high is None
    assert rr.note is not None and "unavailable for this table" in rr.note and "reversed" in rr.note
    assert analysis.absolute_per_1000.intervention_ci_low is None
    assert analysis.absolute_per_1000.intervention == pytest.approx(1000 * 0.5)


def test_score_ratio_limits_are_verified_with_the_score_test() -> None:
    # For 1/2 vs 731828/745115 statsmodels' closed-form Koopman interval is (0.2288, 0.9202), but its own
    # score test gives p = 0.35 (not 0.05) at the lower limit: the interval must be reported unavailable.
    rr = risk_ratio(BinaryCounts(1, 2, 731828, 745115), "score")
    assert rr.ci_low is None and rr.note is not None and "p = 0.351" in rr.note


@pytest.mark.parametrize(
    ("compute", "reason"),
    [
        (
            lambda: (_ for _ in ()).throw(ValueError("The function value at x=-0.8 is NaN")),
            "ValueError: The function",
        ),
        (lambda: (np.float64(0.0) / np.float64(0.0), 1.0), "non-finite"),
        (lambda: (1 / np.float64(0.0), 2.0), "non-finite"),
        (lambda: (2.0, 1.0), "reversed"),
    ],
)
def test_guarded_interval_turns_failures_into_reasons(
    compute: Callable[[], tuple[float, float]], reason: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = guarded_interval(compute)
    assert isinstance(result, str) and reason in result


def test_unavailable_rd_interval_leaves_nnt_without_interval() -> None:
    nnt = number_needed_to_treat(-0.8, None, None, "good")
    assert nnt.kind == "NNTH" and nnt.estimate == pytest.approx(1.25)
    assert nnt.ci_low is None and nnt.ci_high is None and nnt.ci_text.startswith("not available")


def test_wald_interval_truncated_to_unit_range() -> None:
    rd = risk_difference(BinaryCounts(1, 10, 9, 10), "wald")  # raw Wald lower limit is -1.063
    assert rd.ci_low == -1.0 and rd.note == "interval truncated to [-1, 1]"


@pytest.mark.parametrize(
    "table", [(1, 1, 0, 1), (0, 1, 1, 1), (0, 1, 0, 1), (1, 1, 1, 1), (0, 1, 1, 2), (10**6, 10**6, 0, 10**6)]
)
def test_tiny_and_extreme_tables_never_raise(table: tuple[int, int, int, int]) -> None:
    counts = BinaryCounts(*table)
    for rd_method in RD_METHODS:
        for rr_method in RR_METHODS:
            for or_method in OR_METHODS:
                analyse_binary(counts, 0.95, rd_method, rr_method, or_method).to_dict()


def test_large_equal_arms_give_infinite_nnt() -> None:
    result = analyse_binary(BinaryCounts(500_000, 10**6, 500_000, 10**6))
    assert result.risk_difference.estimate == 0.0
    assert math.isinf(result.nnt.estimate) and result.nnt.kind is None and result.nnt.text == "infinity"
    assert result.nnt.to_dict()["estimate"] is None
    assert "to infinity to" in result.nnt.ci_text
    low, high = limits(result.risk_ratio)
    assert result.risk_ratio.estimate == 1.0 and low < 1 < high


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": 1.0}, "between 0 and 1"),
        ({"level": 0.0}, "between 0 and 1"),
        ({"method": "katz"}, "choose one of"),
    ],
)
def test_bad_arguments_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        risk_ratio(PRODERM, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("table", [(5, 3, 1, 2), (-1, 10, 1, 2), (0, 0, 1, 2), (1, 2, 3, 2), (True, 2, 1, 2)])
def test_bad_counts_rejected(table: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        BinaryCounts(*table)


# --- NNT (Altman 1998) -----------------------------------------------------------------------------------


def test_altman_nnt_through_infinity() -> None:
    # Altman's example as summarised in Newcombe's BMJ reply: an absolute risk reduction (of a bad event)
    # of 10% with 95% CI -5% to 25% gives NNTB 10, CI "NNTB 4 through infinity to NNTH 20".
    nnt = number_needed_to_treat(-0.10, -0.25, 0.05, event="bad")
    assert nnt.kind == "NNTB" and nnt.estimate == pytest.approx(10)
    assert nnt.ci_text == "NNTB 4 to infinity to NNTH 20"
    assert (nnt.ci_low, nnt.ci_high) == pytest.approx((4, -20))


@pytest.mark.parametrize(
    ("rd", "low", "high", "event", "kind", "text", "signed"),
    [
        (0.2, 0.1, 0.5, "good", "NNTB", "NNTB 2 to 10", (2, 10)),
        (-0.2, -0.5, -0.1, "good", "NNTH", "NNTH 2 to 10", (-10, -2)),
        (0.2, 0.1, 0.5, "bad", "NNTH", "NNTH 2 to 10", (-10, -2)),
        (0.1, 0.0, 0.2, "good", "NNTB", "NNTB 5 to infinity", (5, None)),
        (-0.1, -0.2, 0.0, "good", "NNTH", "NNTH 5 to infinity", (None, -5)),
        (0.0, 0.0, 0.0, "good", None, "infinity", (None, None)),
        (1 / 3, 0.25, 0.5, "good", "NNTB", "NNTB 2 to 4", (2, 4)),
    ],
)
def test_nnt_cases(
    rd: float,
    low: float,
    high: float,
    event: str,
    kind: str | None,
    text: str,
    signed: tuple[float | None, ...],
) -> None:
    nnt = number_needed_to_treat(rd, low, high, event)  # type: ignore[arg-type]
    assert nnt.kind == kind and nnt.ci_text == text
    assert (nnt.ci_low, nnt.ci_high) == pytest.approx(signed)
    assert nnt.estimate == (math.inf if rd == 0 else pytest.approx(1 / abs(rd)))


def test_nnt_rejects_unknown_event() -> None:
    with pytest.raises(ValueError, match="good"):
        number_needed_to_treat(0.1, 0.0, 0.2, "neutral")  # type: ignore[arg-type]


# --- consistency helpers -------------------------------------------------------------------------------


def test_reported_value_interval() -> None:
    assert reported_value_interval(35, 0) == (34.5, 35.5)
    assert reported_value_interval(0.35, 2) == pytest.approx((0.345, 0.355))
    assert reported_value_interval(-1.16, 2) == pytest.approx((-1.165, -1.155))


@pytest.mark.parametrize(
    ("table", "low", "high"),
    [((37, 47, 21, 48), 16.70, 53.24), ((32, 47, 11, 48), 27.31, 63.03), ((15, 47, 4, 48), 8.13, 39.03)],
)
def test_proderm_printed_intervals_are_wald(
    table: tuple[int, int, int, int], low: float, high: float
) -> None:
    counts = BinaryCounts(*table)
    exact = interval_method_matches(counts, "risk-difference", low, high, 2, "percentage-points")
    assert [m.method for m in exact] == list(RD_METHODS)
    assert [m.method for m in exact if m.matches] == ["wald"]
    rounded = interval_method_matches(
        counts, "risk-difference", round(low), round(high), 0, "percentage-points"
    )
    assert "wald" in [m.method for m in rounded if m.matches]
    as_fraction = interval_method_matches(counts, "risk-difference", low / 100, high / 100, 4)
    assert [m.method for m in as_fraction if m.matches] == ["wald"]


def test_ratio_interval_matches() -> None:
    rr, low, high = katz(37, 47, 21, 48)
    matches = interval_method_matches(PRODERM, "risk-ratio", round(low, 2), round(high, 2), 2)
    assert [m.method for m in matches if m.matches] == ["log"]
    odds = interval_method_matches(PRODERM, "odds-ratio", 1.93, 11.72, 2, "ratio")
    assert [m.method for m in odds if m.matches] == ["logit"]
    failed = interval_method_matches(BinaryCounts(2, 4, 406261, 406730), "risk-ratio", 0.13, 1.5, 2)
    score = next(m for m in failed if m.method == "score")
    assert not score.matches and score.ci_low is None and score.note is not None


def test_interval_matches_rejects_wrong_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        interval_method_matches(PRODERM, "risk-ratio", 1.0, 2.0, 2, "percentage-points")
    with pytest.raises(ValueError, match="measure"):
        interval_method_matches(PRODERM, "hazard-ratio", 1.0, 2.0, 2)


def test_percentage_matches_counts() -> None:
    assert list(percentage_matches_counts(78.7, 1, 47)) == [37]  # 37/47 = 78.72%
    assert list(percentage_matches_counts(44, 0, 48)) == [21]  # 21/48 = 43.75% -> 44
    assert list(percentage_matches_counts(50.5, 1, 10)) == []  # tenths of 10 cannot make 50.5%
    assert list(percentage_matches_counts(0, 0, 1000)) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]  # 5/1000 = 0.5%: a half, either way
    assert list(percentage_matches_counts(100, 0, 10)) == [10]


@given(total=st.integers(1, 5000), data=st.data(), decimals=st.integers(0, 3))
def test_printed_percentage_always_recovers_its_count(total: int, data: st.DataObject, decimals: int) -> None:
    # Python's own formatting (round-half-even of the binary value) decides the printed percentage.
    events = data.draw(st.integers(0, total))
    printed = float(f"{100 * events / total:.{decimals}f}")
    assert events in percentage_matches_counts(printed, decimals, total)


@pytest.mark.parametrize(
    ("reported", "recomputed", "decimals", "consistent"),
    [
        ("<0.001", 0.00047, None, True),  # ProDERM: printed bound, unstratified chi-square
        ("< 0.001", 0.003, None, False),  # a bound is checked as the bound it states, no tolerance
        (0.005, 0.00069, 3, False),  # 0.005 covers 0.0045 to 0.0055 only
        (0.005, 0.0045, 3, True),
        (0.005, 0.0055, 3, True),  # both ends: sources round halves either way
        (0.005, 0.0044, 3, False),
        (0.0007, 0.00069, 4, True),  # 0.0007 printed with 4 decimals covers 0.00065 to 0.00075
        (0.0007, 0.00069, None, True),  # decimals default to those of the printed number
        (0.04, 0.3, 2, False),
        (">0.05", 0.4, None, True),
        (">0.05", 0.001, None, False),
        ("<=0.05", 0.05, None, True),
        ("<0.05", 0.05, None, False),
        (0.0, 0.00001, 3, True),  # printed 0.000
    ],
)
def test_p_value_consistency(reported: float | str, recomputed: float, decimals: int | None, consistent: bool) -> None:
    check = p_value_consistent(reported, recomputed, decimals)
    assert check.consistent is consistent, check.detail
    assert f"{recomputed:.2g}" in check.detail


@pytest.mark.parametrize("reported", ["p<0.05", "<", "1.5", "=0.3"])
def test_p_value_unreadable_rejected(reported: str) -> None:
    with pytest.raises(ValueError):
        p_value_consistent(reported, 0.5)


# --- properties over many tables -----------------------------------------------------------------------

sizes = st.one_of(st.integers(1, 40), st.integers(1, 10**6))


@st.composite
def tables(draw: st.DrawFn) -> BinaryCounts:
    n1, n2 = draw(sizes), draw(sizes)
    return BinaryCounts(draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2)


def swapped(counts: BinaryCounts) -> BinaryCounts:
    return BinaryCounts(counts.events2, counts.total2, counts.events1, counts.total1)


def contains(result: Estimate) -> bool:
    (low, high), estimate = limits(result), value(result)
    slack = 1e-9 * max(1.0, abs(estimate))
    return low - slack <= estimate <= high + slack


@settings(max_examples=150, deadline=None)
@given(counts=tables(), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_every_method_is_safe_and_its_interval_contains_the_estimate(
    counts: BinaryCounts, level: float
) -> None:
    for method in RD_METHODS:
        rd = risk_difference(counts, method, level)
        assert rd.estimate == counts.risk1 - counts.risk2
        if rd.ci_low is not None:
            assert -1.0 <= rd.ci_low <= limits(rd)[1] <= 1.0
            assert contains(rd) or method == "agresti-caffo", rd
        else:
            assert rd.note is not None and "unavailable" in rd.note
    for function, methods in ((risk_ratio, RR_METHODS), (odds_ratio, OR_METHODS)):
        for method in methods:
            result = function(counts, method, level)
            if result.estimate is None:
                assert result.note is not None and "not estimable" in result.note
            elif result.ci_low is not None:
                assert 0 < result.ci_low <= limits(result)[1] and contains(result), result


@settings(max_examples=60, deadline=None)
@given(counts=tables())
def test_agresti_caffo_contains_the_estimate_at_95(counts: BinaryCounts) -> None:
    # At lower levels the Agresti-Caffo interval (centred on the +1-adjusted difference) may legitimately
    # exclude the raw difference for extreme tables; at 95% it contains it.
    assert contains(risk_difference(counts, "agresti-caffo"))


@settings(max_examples=100, deadline=None)
@given(counts=tables())
def test_swapping_arms_negates_rd_and_inverts_ratios(counts: BinaryCounts) -> None:
    other = swapped(counts)
    for method in RD_METHODS:
        rd, back = risk_difference(counts, method), risk_difference(other, method)
        assert value(back) == -value(rd)
        if rd.ci_low is not None and back.ci_low is not None:
            low, high = limits(rd)
            # score limits come from a root finder over a closed-form cubic that loses digits on very
            # unbalanced tables (0/1 vs 0/527991 differs by 1.1e-6 between orientations)
            tolerance = 1e-5 if method == "score" else 1e-12
            assert limits(back) == pytest.approx((-high, -low), abs=tolerance)
    for function, methods in ((risk_ratio, RR_METHODS), (odds_ratio, OR_METHODS)):
        for method in methods:
            result, back = function(counts, method), function(other, method)
            if result.estimate is None:
                assert back.estimate is None
                continue
            assert back.estimate == pytest.approx(1 / value(result), rel=1e-12)
            if result.ci_low is not None and back.ci_low is not None:
                # score limits are accepted while statsmodels' test gives p within 1e-4 of alpha there; where
                # the p-value curve is flat (e.g. 754347/754347 vs 2/24) that allows limits about 0.1% apart
                low, high = limits(result)
                assert limits(back) == pytest.approx(
                    (1 / high, 1 / low), rel=1e-2 if method == "score" else 1e-12
                )


@settings(max_examples=100, deadline=None)
@given(counts=tables(), event=st.sampled_from(["good", "bad"]))
def test_analysis_is_json_ready(counts: BinaryCounts, event: str) -> None:
    import json

    data = analyse_binary(counts, event=event).to_dict()  # type: ignore[arg-type]
    text = json.dumps(data, allow_nan=False)
    assert set(json.loads(text)) >= {
        "risk_difference",
        "risk_ratio",
        "odds_ratio",
        "nnt",
        "absolute_per_1000",
        "p_values",
    }
