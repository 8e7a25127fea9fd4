"""The pooling engine against published output of R's metafor and meta and of Stata's metan.

Every expected value below was computed by other software and printed in the file named with it; none
was produced by this code. Tolerances are the printed precision (half a unit in the last printed digit)
unless a test says otherwise.

Data sets:
* BCG: 13 trials of the BCG vaccine (Colditz et al. 1994, JAMA 271:698), metafor's ``dat.bcg`` /
  ``dat.colditz1994``, listed at https://www.metafor-project.org/doku.php/analyses:vanhouwelingen2002.
  The counts are confirmed by the 13 Mantel-Haenszel and 13 Peto cumulative estimates below, each matching
  metafor to the 6 printed decimals.
* Fine 1993: 17 trials, the counts stored in statsmodels 0.15's
  ``statsmodels/stats/tests/results/results_meta.py`` (``results_or_dl_hk``, R meta 4.11-0 output).
* Kacker 2004: 9 estimates with variances, same statsmodels file (``exk1_*``, R metafor output).
* Rothman, Greenland and Lash 2008, Modern Epidemiology, Tables 15-1 and 15-5: two strata each (k = 2).
* Zero cells: metafor's tests/testthat/test_misc_handling_of_edge_cases_due_to_zeros.r.
* SMD: 6 trials from Chen and Peace, Applied Meta-Analysis with R, as in statsmodels 0.15's
  ``statsmodels/stats/tests/test_meta.py`` (``TestEffSmdMeta``, metafor ``escalc`` values).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import effectsize_2proportions
from statsmodels.stats.tests.results import results_meta

from _pooling import bcg, close, tables
from evidencekb.effects.base import t_quantile
from evidencekb.effects.binary import BinaryCounts
from evidencekb.effects.groups import GroupMean
from evidencekb.pooling import (
    BinaryStudy,
    ContinuousStudy,
    EstimateStudy,
    PooledResult,
    PoolOptions,
    cumulative,
    leave_one_out,
    pool,
)


def check(result: PooledResult, estimate: float, low: float, high: float, decimals: int = 4) -> None:
    assert result.ci is not None
    for got, want in zip((result.estimate, *result.ci), (estimate, low, high), strict=True):
        close(got, want, decimals)


# metafor tests/testthat/test_misc_metan_vs_rma.mh_with_dat.bcg.r (metafor vs Stata metan)
@pytest.mark.parametrize(
    ("measure", "estimate", "low", "high", "z", "q"),
    [
        ("rr", -0.4537, -0.5308, -0.3766, -11.5338, 152.5676),
        ("or", -0.4734, -0.5538, -0.3930, -11.5444, 163.9426),
        ("rd", -0.0033, -0.0039, -0.0027, -11.4708, 386.7759),
    ],
)
def test_mantel_haenszel_matches_metafor_and_metan_on_bcg(measure, estimate, low, high, z, q) -> None:
    result = pool(bcg(), PoolOptions(measure, "common", "mh"))
    check(result, estimate, low, high)
    close(result.statistic, z, 4)
    close(result.heterogeneity.q, q, 4)
    assert result.method_name == "Mantel-Haenszel" and len(result.used) == 13


# metafor tests/testthat/test_analysis_example_rothman2008.r (Rothman 2008 Tables 15-1 and 15-5), 90% level
@pytest.mark.parametrize(
    ("measure", "estimate", "low", "high", "q", "q_p"),
    [
        ("rd", 0.0349, -0.0176, 0.0874, 0.0017, 0.9669),
        ("rr", 0.2818, -0.1442, 0.7078, 0.4472, 0.5037),
        ("or", 0.3387, -0.1731, 0.8505, 0.3474, 0.5556),
    ],
)
def test_mantel_haenszel_matches_rothman_tables_with_two_strata(measure, estimate, low, high, q, q_p) -> None:
    strata = tables([("Age <55", 8, 98, 5, 115, None), ("Age 55+", 22, 76, 16, 69, None)])
    result = pool(strata, PoolOptions(measure, "common", "mh", level=0.90))
    check(result, estimate, low, high)
    close(result.heterogeneity.q, q, 4)
    close(result.heterogeneity.q_p, q_p, 4)


def test_mantel_haenszel_odds_ratio_matches_rothman_table_15_5() -> None:
    strata = tables([("<35", 3, 9, 104, 1059, None), ("35+", 1, 3, 5, 86, None)])
    result = pool(strata, PoolOptions("or", "common", "mh", level=0.90))
    check(result, 1.3300, 0.3579, 2.3021)
    close(result.heterogeneity.q, 0.1378, 4)
    close(result.natural()["estimate"], 3.7812, 4)


# metafor tests/testthat/test_misc_metan_vs_rma.peto_with_dat.bcg.r
def test_peto_matches_metafor_and_metan_on_bcg() -> None:
    result = pool(bcg(), PoolOptions("or", "common", "peto"))
    check(result, -0.4744, -0.5541, -0.3948)
    close(result.statistic, -11.6689, 4)
    close(result.heterogeneity.q, 167.7302, 4)
    natural = result.natural()
    close(natural["estimate"], 0.6222, 4)
    assert natural["ci"] == pytest.approx([0.5746, 0.6738], abs=5e-5)


# metafor tests/testthat/test_misc_cumul.r: cumul() in order of publication year, 6 printed decimals
CUMULATIVE = {
    ("rr", "random", "reml"): [
        -0.889311,
        -1.325003,
        -0.97208,
        -1.001094,
        -1.101424,
        -0.973464,
        -0.901251,
        -0.788566,
        -0.865607,
        -0.785211,
        -0.708206,
        -0.794768,
        -0.714532,
    ],
    ("rr", "common", "mh"): [
        -0.889311,
        -1.351739,
        -0.827295,
        -0.837892,
        -0.894003,
        -0.850672,
        -0.835785,
        -0.774442,
        -0.789605,
        -0.666015,
        -0.635076,
        -0.775798,
        -0.45371,
    ],
    ("or", "common", "peto"): [
        -0.860383,
        -1.240086,
        -0.957016,
        -0.964222,
        -1.000315,
        -0.940979,
        -0.924632,
        -0.850145,
        -0.871198,
        -0.726791,
        -0.691247,
        -0.816134,
        -0.474446,
    ],
}


@pytest.mark.parametrize("key", sorted(CUMULATIVE))
def test_cumulative_matches_metafor_cumul(key: tuple[str, str, str]) -> None:
    steps = cumulative(bcg(), PoolOptions(*key))
    # metafor's REML stops when tau^2 changes by less than 1e-5, so its estimates differ from the converged
    # ones in the 6th decimal (largest difference seen 2.2e-6); MH and Peto are closed forms.
    tolerance = 5e-6 if key[2] == "reml" else 5e-7
    assert [s.result.estimate for s in steps] == pytest.approx(CUMULATIVE[key], abs=tolerance)
    assert steps[0].study == "Aronson" and steps[-1].study == "TPT Madras"


def test_leave_one_out_of_the_latest_trial_is_the_previous_cumulative_step() -> None:
    """Leaving out TPT Madras (1980, the latest) gives metafor's 12th cumulative estimate above."""
    for key, expected in CUMULATIVE.items():
        steps = {s.study: s.result for s in leave_one_out(bcg(), PoolOptions(*key))}
        assert len(steps) == 13
        assert steps["TPT Madras"].estimate == pytest.approx(expected[-2], abs=5e-6)


# metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (rma FE / DL vs Stata metan)
@pytest.mark.parametrize(
    ("measure", "model", "method", "estimate", "low", "high", "z"),
    [
        ("rr", "common", "iv", -0.4303, -0.5097, -0.3509, -10.6247),
        ("rr", "random", "dl", -0.7141, -1.0644, -0.3638, -3.9952),
        ("or", "common", "iv", -0.4361, -0.5190, -0.3533, -10.3190),
        ("or", "random", "dl", -0.7474, -1.1242, -0.3706, -3.8873),
        ("rd", "common", "iv", -0.0009, -0.0014, -0.0005, -4.0448),
        ("rd", "random", "dl", -0.0071, -0.0101, -0.0040, -4.5128),
    ],
)
def test_inverse_variance_matches_metafor_and_metan_on_bcg(measure, model, method, estimate, low, high, z) -> None:
    result = pool(bcg(), PoolOptions(measure, model, method))
    check(result, estimate, low, high)
    close(result.statistic, z, 4)


def test_dersimonian_laird_heterogeneity_and_q_profile_match_metafor_confint() -> None:
    """metafor tests/testthat/test_misc_confint.r: rma(method="DL") on log RR, confint()."""
    het = pool(bcg(), PoolOptions("rr", "random", "dl")).heterogeneity
    close(het.q, 152.2330, 4)
    close(het.tau2, 0.3088, 4)
    assert het.tau2_ci == pytest.approx((0.1197, 1.1115), abs=5e-5)
    close(100 * het.i2, 92.1173, 4)
    close(het.h2, 12.6861, 4)
    # confint() finds the tau^2 bounds with uniroot(tol = .Machine$double.eps^0.25 = 1.2e-4)
    # (R/confint.rma.uni.r), so its I^2 and H^2 bounds are only that accurate: here the lower tau^2
    # bound differs by 2.4e-5, which moves I^2 by 0.0029 points and H^2 by 0.0008 (largest differences).
    assert het.i2_ci is not None and het.h2_ci is not None
    assert [100 * x for x in het.i2_ci] == pytest.approx([81.9177, 97.6781], abs=0.004)
    assert list(het.h2_ci) == pytest.approx([5.5303, 43.0680], abs=0.001)


def test_q_profile_interval_matches_metafor_on_log_odds_ratios() -> None:
    """metafor tests/testthat/test_analysis_example_vanhouwelingen2002.r: Q-profile CI 0.130 to 1.181
    (the metafor page prints 0.1302 to 1.1812); the interval does not depend on the tau^2 estimator. The
    lower bound here is 0.130149: 5.1e-5 from the printed 0.1302, within the 1.2e-4 tolerance of the uniroot
    search metafor's confint() uses (R/confint.rma.uni.r); the largest difference seen on this data set."""
    for method in ("dl", "reml", "pm"):
        het = pool(bcg(), PoolOptions("or", "random", method)).heterogeneity
        assert het.tau2_ci == pytest.approx((0.1302, 1.1812), abs=1.2e-4)
        assert [round(x, 3) for x in het.tau2_ci or ()] == [0.130, 1.181]


def test_reml_matches_metafor_on_bcg() -> None:
    """metafor's rma() default (REML) on log RR: the last cumul() step above and the printed tau^2."""
    result = pool(bcg(), PoolOptions("rr", "random", "reml"))
    close(result.estimate, -0.714532, 5)
    close(result.heterogeneity.tau2, 0.3132, 4)


KACKER = (
    [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90],
    [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225],
)


def kacker() -> list[EstimateStudy]:
    return [
        EstimateStudy(f"lab {i + 1}", estimate=y, se=math.sqrt(v)) for i, (y, v) in enumerate(zip(*KACKER, strict=True))
    ]


# statsmodels 0.15 results_meta.py: exk1_metafor (PM), exk1_dl, exk1_fe, exk1_dl_hksj, printed with ~15 digits
@pytest.mark.parametrize(
    ("name", "model", "method", "hksj"),
    [
        ("exk1_metafor", "random", "pm", False),
        ("exk1_dl", "random", "dl", False),
        ("exk1_fe", "common", "iv", False),
        ("exk1_dl_hksj", "random", "dl", True),
    ],
)
def test_generic_estimates_match_metafor_stored_by_statsmodels(name, model, method, hksj) -> None:
    expected = getattr(results_meta, name)
    result = pool(kacker(), PoolOptions("md", model, method, hksj=hksj))
    het = result.heterogeneity
    assert result.ci is not None
    assert [result.estimate, result.se, *result.ci] == pytest.approx(
        [expected.b, expected.se, expected.ci_lb, expected.ci_ub], abs=1e-9
    )
    assert [het.q, het.q_p, 100 * (het.i2 or 0), het.h2] == pytest.approx(
        [expected.QE, expected.QEp, expected.I2, expected.H2], abs=1e-8
    )
    assert (het.tau2 or 0.0) == pytest.approx(expected.tau2, abs=1e-9)
    assert result.distribution == ("t, 8 df" if hksj else "normal")


def fine1993() -> list[BinaryStudy]:
    r = results_meta.results_or_dl_hk
    rows = zip(r.event_e, r.n_e, r.event_c, r.n_c, strict=True)
    return [
        BinaryStudy(str(i + 1), counts=BinaryCounts(int(a), int(n), int(c), int(m)))
        for i, (a, n, c, m) in enumerate(rows)
    ]


def test_odds_ratio_dl_hksj_and_prediction_interval_match_r_meta() -> None:
    """R meta 4.11-0 metabin(sm="OR", method="Inverse", method.tau="DL", hakn=TRUE), in statsmodels 0.15's
    results_meta.py (``results_or_dl_hk``): per-study effects, weights, pooled estimates, Q, tau^2, I^2
    and H. Its prediction interval used the HKSJ SE (its seTE_predict is sqrt(tau^2 + seTE_random^2)), which
    meta 5.2-0 fixed ("use correct standard error to calculate prediction interval if Hartung-Knapp method
    was used", meta's NEWS.md); the engine's interval is Higgins et al.'s with the usual random-effects SE,
    1 / sqrt(sum w_random) from the same output (matched against meta 6 output in
    test_pooling_second_references.py), so here it differs from meta 4.11's by 4.3e-4."""
    r = results_meta.results_or_dl_hk
    result = pool(fine1993(), PoolOptions("or", "random", "dl", hksj=True))
    assert [s.estimate for s in result.studies] == pytest.approx(list(r.TE), abs=1e-12)
    assert [s.se for s in result.studies] == pytest.approx(list(r.seTE), abs=1e-12)
    assert [s.weight_percent for s in result.studies] == pytest.approx(
        list(100 * r.w_random / r.w_random.sum()), abs=1e-9
    )
    assert result.ci is not None and result.prediction is not None
    assert [result.estimate, result.se, *result.ci, result.p] == pytest.approx(
        [r.TE_random, r.seTE_random, r.lower_random, r.upper_random, r.pval_random], abs=1e-12
    )
    het = result.heterogeneity
    assert [het.q, het.q_p, het.tau2, het.i2, math.sqrt(het.h2 or 0)] == pytest.approx(
        [r.Q, r.pval_Q, r.tau2, r.I2, r.H], abs=1e-12
    )
    assert r.seTE_predict == pytest.approx(math.sqrt(r.tau2 + r.seTE_random**2), abs=1e-12)
    half = t_quantile(0.975, 15) * math.sqrt(r.tau2 + 1 / r.w_random.sum())
    assert list(result.prediction) == pytest.approx([r.TE_random - half, r.TE_random + half], abs=1e-12)
    assert list(result.prediction) != pytest.approx([r.lower_predict, r.upper_predict], abs=1e-4)
    assert pool(fine1993(), PoolOptions("or", "random", "dl")).prediction == result.prediction
    common = pool(fine1993(), PoolOptions("or", "common", "iv"))
    assert common.ci is not None
    assert [common.estimate, common.se, *common.ci] == pytest.approx(
        [r.TE_fixed, r.seTE_fixed, r.lower_fixed, r.upper_fixed], abs=1e-12
    )


def test_per_study_effects_match_metafor_escalc_on_fine1993() -> None:
    """metafor escalc RR/OR/RD (results_meta.py ``eff_prop1``) for the fine1993 'e2i' columns."""
    counts = [
        (11, 19, 12, 22),
        (18, 34, 12, 35),
        (21, 72, 15, 68),
        (14, 22, 5, 20),
        (42, 70, 13, 32),
        (80, 183, 33, 94),
        (13, 26, 18, 50),
        (37, 61, 30, 55),
        (23, 36, 12, 25),
        (19, 45, 14, 35),
        (106, 246, 76, 208),
        (170, 386, 46, 141),
        (34, 59, 17, 32),
        (18, 45, 3, 15),
        (13, 14, 14, 18),
        (12, 26, 10, 19),
        (42, 74, 40, 75),
    ]
    studies = [BinaryStudy(str(i), counts=BinaryCounts(*c)) for i, c in enumerate(counts)]
    for measure, y, v in (("rr", "y_rr", "v_rr"), ("or", "y_or", "v_or"), ("rd", "y_rd", "v_rd")):
        result = pool(studies, PoolOptions(measure, "common", "iv"))
        assert [s.estimate for s in result.studies] == pytest.approx(list(getattr(results_meta, y)), abs=1e-12)
        assert [s.se**2 for s in result.studies if s.se] == pytest.approx(list(getattr(results_meta, v)), abs=1e-12)


def test_statsmodels_zero_correction_adds_to_events_of_every_study() -> None:
    """Why the engine adds 0.5 itself: with zero_correction=0.5 statsmodels 0.15 adds 0.5 to the events of
    a study without zero cells too (p = 4.5/123 instead of 4/123 for Aronson), leaving its total alone.
    metafor's escalc gives log RR = -0.8893 for that study (vanhouwelingen2002 page: the OR -0.9387)."""
    eff, _ = effectsize_2proportions(
        np.array([4]), np.array([123]), np.array([11]), np.array([139]), statistic="risk-ratio", zero_correction=0.5
    )
    assert float(eff[0]) == pytest.approx(math.log((4.5 / 123) / (11.5 / 139)))
    ours = pool(bcg()[:1], PoolOptions("or", "common", "iv")).estimate
    close(ours, -0.9387, 4)


# metafor tests/testthat/test_misc_handling_of_edge_cases_due_to_zeros.r
@pytest.mark.parametrize("only_events", [False, True])
def test_studies_without_events_in_either_arm(only_events: bool) -> None:
    """No events (or only events) anywhere: RR and OR are not estimable (metafor: NA), the MH risk
    difference is 0 (metafor: 0). Unlike metafor, which keeps all-event studies in the MH risk ratio
    (RR = 1 with zero variance), the engine excludes them from RR and OR alike and says why."""
    cells = [(0, 10, 0, 10), (0, 15, 0, 10), (0, 20, 0, 30), (0, 25, 0, 20)]
    rows = [
        (str(i), b, a, d, c, None) if only_events else (str(i), a, b, c, d, None)
        for i, (a, b, c, d) in enumerate(cells)
    ]
    studies = tables(rows)
    assert pool(studies, PoolOptions("rd", "common", "mh")).estimate == 0
    for measure in ("rr", "or"):
        result = pool(studies, PoolOptions(measure, "common", "mh"))
        assert result.estimate is None and result.used == ()
        assert len(result.excluded) == 4 and "both arms" in result.excluded[0][1]
    assert pool(studies, PoolOptions("or", "common", "peto")).estimate is None


def test_smd_matches_metafor_escalc() -> None:
    """Hedges' g and its large-sample variance as metafor's escalc("SMD") prints them (statsmodels 0.15
    test_meta.py ``TestEffSmdMeta``: yi and vi_asy, 16 digits)."""
    data = [
        ("Carroll", 94, 22, 60, 92, 20, 60),
        ("Grant", 98, 21, 65, 92, 22, 65),
        ("Peck", 98, 28, 40, 88, 26, 40),
        ("Donat", 94, 19, 200, 82, 17, 200),
        ("Stewart", 98, 21, 50, 88, 22, 45),
        ("Young", 96, 21, 85, 92, 22, 85),
    ]
    studies = [
        ContinuousStudy(n, group1=GroupMean(m1, s1, n1), group2=GroupMean(m2, s2, n2))
        for n, m1, s1, n1, m2, s2, n2 in data
    ]
    yi = [
        0.09452415852032972,
        0.27735586626551018,
        0.36654442951591998,
        0.66438496832691396,
        0.46180628128769841,
        0.18516443739910043,
    ]
    vi = [
        0.03337056173559990,
        0.03106510106366112,
        0.05083971761755720,
        0.01055175923267344,
        0.04334466980873156,
        0.02363025255552155,
    ]
    result = pool(studies, PoolOptions("smd", "random", "reml"))
    assert [s.estimate for s in result.studies] == pytest.approx(yi, abs=1e-13)
    assert [s.se**2 for s in result.studies if s.se] == pytest.approx(vi, abs=1e-13)
