"""Properties every pooled analysis must have, whatever the data (Hypothesis), and the engine's rules for
crossover trials, exclusions and option combinations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekb.effects.binary import BinaryCounts
from evidencekb.effects.groups import GroupMean
from evidencekb.pooling import (
    COMMON_METHODS,
    FIRST_PERIOD,
    WITHIN_PATIENT,
    BinaryStudy,
    ContinuousStudy,
    EstimateStudy,
    PoolOptions,
    pool,
)

METHODS = [("common", "mh"), ("common", "iv"), ("random", "dl"), ("random", "reml"), ("random", "pm")]


@st.composite
def counts(draw: st.DrawFn, zero_cells: bool = True) -> BinaryCounts:
    low = 0 if zero_cells else 1
    n1, n2 = draw(st.integers(2, 400)), draw(st.integers(2, 400))
    e1 = draw(st.integers(low, n1 - (0 if zero_cells else 1)))
    e2 = draw(st.integers(low, n2 - (0 if zero_cells else 1)))
    return BinaryCounts(e1, n1, e2, n2)


def studies_of(tables: list[BinaryCounts]) -> list[BinaryStudy]:
    return [BinaryStudy(f"s{i}", counts=c) for i, c in enumerate(tables)]


def swapped(c: BinaryCounts) -> BinaryCounts:
    return BinaryCounts(c.events2, c.total2, c.events1, c.total1)


@settings(max_examples=40, deadline=None)
@given(st.lists(counts(), min_size=1, max_size=8), st.sampled_from(["rr", "or", "rd"]), st.sampled_from(METHODS))
def test_swapping_arms_inverts_ratios_and_negates_differences(tables, measure, model_method) -> None:
    options = PoolOptions(measure, *model_method)
    forward = pool(studies_of(tables), options)
    backward = pool(studies_of([swapped(c) for c in tables]), options)
    assert forward.used == backward.used
    if forward.estimate is None:
        assert backward.estimate is None
        return
    assert backward.estimate == pytest.approx(-forward.estimate, abs=1e-9)
    if forward.se is not None:
        assert backward.se == pytest.approx(forward.se, rel=1e-7)


@settings(max_examples=40, deadline=None)
@given(counts(zero_cells=False), st.sampled_from(["rr", "or", "rd"]), st.sampled_from(METHODS))
def test_a_single_study_pools_to_itself(table, measure, model_method) -> None:
    result = pool(studies_of([table]), PoolOptions(measure, *model_method))
    (study,) = result.studies
    assert result.estimate == pytest.approx(study.estimate, abs=1e-12)
    assert result.heterogeneity.q is None and result.prediction is None
    if model_method[1] != "mh" or measure == "or":
        # Mantel-Haenszel RR and RD variances differ from the Katz / Wald variances of a single table
        assert result.ci == pytest.approx(study.ci, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(counts(), min_size=2, max_size=8), st.sampled_from(["rr", "or", "rd"]), st.sampled_from(COMMON_METHODS))
def test_duplicating_every_study_keeps_the_estimate_and_halves_the_common_effect_variance(tables, measure, method):
    options = PoolOptions("or" if method == "peto" else measure, "common", method)
    once = pool(studies_of(tables), options)
    twice = pool(studies_of(tables + tables), options)
    if once.estimate is None or once.se is None:
        return
    assert twice.estimate == pytest.approx(once.estimate, abs=1e-9)
    assert twice.se is not None
    assert twice.se**2 == pytest.approx(once.se**2 / 2, rel=1e-7)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-5, 5), st.floats(0.01, 4)), min_size=2, max_size=10),
    st.sampled_from(["dl", "reml", "pm"]),
)
def test_tau2_and_its_interval_are_never_negative(pairs, method) -> None:
    studies = [EstimateStudy(f"s{i}", estimate=y, se=math.sqrt(v)) for i, (y, v) in enumerate(pairs)]
    het = pool(studies, PoolOptions("md", "random", method)).heterogeneity
    assert het.tau2 is not None and het.tau2 >= 0
    assert het.tau2_ci is not None and 0 <= het.tau2_ci[0] <= het.tau2_ci[1]
    assert het.i2 is not None and 0 <= het.i2 < 1


def test_paule_mandel_solves_its_estimating_equation_where_statsmodels_can_stop_at_zero() -> None:
    """Why Paule-Mandel is computed here: for this pair of tables statsmodels 0.15's iteration
    (atol=1e-10) can stop on a -1e-16 estimating equation and return tau^2 = 0, depending on the
    rounding of the numpy build it runs on; the root is 1.0649. The check is independent of both: at the
    returned tau^2 the generalised Q statistic equals its expectation, k - 1."""
    import numpy as np

    tables = [BinaryCounts(1, 2, 0, 2), BinaryCounts(0, 24, 1, 20)]
    result = pool(studies_of(tables), PoolOptions("or", "random", "pm"))
    y = np.array([s.estimate for s in result.studies])
    v = np.array([(s.se or 0) ** 2 for s in result.studies])
    tau2 = result.heterogeneity.tau2
    assert tau2 is not None
    weights = 1 / (v + tau2)
    mean = float(np.sum(weights * y) / np.sum(weights))
    assert float(np.sum(weights * (y - mean) ** 2)) == pytest.approx(len(y) - 1, abs=1e-8)
    assert tau2 == pytest.approx(1.0649056, abs=1e-6)
    assert pool(studies_of([swapped(c) for c in tables]), PoolOptions("or", "random", "pm")).heterogeneity.tau2 == (
        pytest.approx(result.heterogeneity.tau2, abs=1e-12)
    )


def test_peto_is_symmetric_in_the_arms() -> None:
    tables = [BinaryCounts(3, 40, 9, 41), BinaryCounts(0, 25, 4, 26), BinaryCounts(12, 100, 15, 98)]
    forward = pool(studies_of(tables), PoolOptions("or", "common", "peto"))
    backward = pool(studies_of([swapped(c) for c in tables]), PoolOptions("or", "common", "peto"))
    assert forward.estimate is not None and backward.estimate == pytest.approx(-forward.estimate)
    assert forward.continuity.startswith("none")


def test_smd_changes_sign_with_the_groups() -> None:
    a, b = GroupMean(10.0, 2.0, 20), GroupMean(8.5, 2.5, 22)
    forward = pool([ContinuousStudy("x", group1=a, group2=b)], PoolOptions("smd", "common", "iv"))
    backward = pool([ContinuousStudy("x", group1=b, group2=a)], PoolOptions("smd", "common", "iv"))
    assert forward.estimate is not None and backward.estimate == pytest.approx(-forward.estimate)


def test_zero_cell_correction_is_applied_to_that_study_only_and_said_so() -> None:
    studies = studies_of([BinaryCounts(0, 20, 5, 20), BinaryCounts(4, 30, 9, 31)])
    result = pool(studies, PoolOptions("rr", "common", "iv"))
    assert [s.continuity for s in result.studies] == ["0.5 added to every cell (a cell is zero)", None]
    assert result.studies[0].estimate == pytest.approx(math.log((0.5 / 21) / (5.5 / 21)))
    assert "zero cell" in result.continuity


def test_a_study_without_events_in_either_arm_is_excluded_from_ratios_and_kept_in_the_risk_difference() -> None:
    studies = studies_of([BinaryCounts(0, 20, 0, 20), BinaryCounts(4, 30, 9, 31), BinaryCounts(2, 15, 6, 14)])
    for measure in ("rr", "or"):
        result = pool(studies, PoolOptions(measure))
        assert result.used == ("s1", "s2")
        assert result.excluded[0][0] == "s0" and "both arms" in result.excluded[0][1]
    assert pool(studies, PoolOptions("rd")).used == ("s0", "s1", "s2")


def crossover(basis: str | None) -> BinaryStudy:
    return BinaryStudy("cross", design="crossover", crossover_basis=basis, counts=BinaryCounts(5, 12, 2, 12))


def test_a_crossover_without_valid_between_treatment_data_is_excluded_with_the_reason() -> None:
    studies = [crossover(None), *studies_of([BinaryCounts(4, 30, 9, 31), BinaryCounts(2, 15, 6, 14)])]
    for model, method in METHODS:
        result = pool(studies, PoolOptions("rr", model, method))
        assert "cross" not in result.used
        assert result.excluded[0][0] == "cross" and "crossover" in result.excluded[0][1]


def test_a_crossover_contributes_through_first_period_data_or_a_within_patient_estimate() -> None:
    parallel = studies_of([BinaryCounts(4, 30, 9, 31), BinaryCounts(2, 15, 6, 14)])
    first = pool([crossover(FIRST_PERIOD), *parallel], PoolOptions("rr", "common", "mh"))
    assert first.used == ("cross", "s0", "s1")
    paired = EstimateStudy("paired", design="crossover", crossover_basis=WITHIN_PATIENT, estimate=-0.4, se=0.3)
    assert "paired" in pool([paired, *parallel], PoolOptions("rr")).used
    mh = pool([paired, *parallel], PoolOptions("rr", "common", "mh"))
    assert mh.excluded == (("paired", "this method needs per-arm counts; the study gives an estimate with its SE"),)


def test_crossover_bases_must_fit_the_data_given() -> None:
    with pytest.raises(ValueError, match="estimate with its SE"):
        crossover(WITHIN_PATIENT)
    with pytest.raises(ValueError, match="per-arm data"):
        EstimateStudy("x", design="crossover", crossover_basis=FIRST_PERIOD, estimate=0.1, se=0.2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"measure": "hr"}, "unknown measure"),
        ({"measure": "rr", "model": "common", "method": "reml"}, "common-effect model uses"),
        ({"measure": "rr", "model": "random", "method": "mh"}, "random-effect model uses"),
        ({"measure": "md", "model": "common", "method": "mh"}, "binary measure"),
        ({"measure": "rr", "model": "common", "method": "peto"}, "odds ratio only"),
        ({"measure": "rr", "model": "common", "method": "iv", "hksj": True}, "random-effects"),
        ({"measure": "rr", "level": 1.5}, "strictly between 0 and 1"),
    ],
)
def test_option_combinations_that_make_no_sense_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        PoolOptions(**kwargs)


def test_duplicate_study_names_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate study: s0"):
        pool(studies_of([BinaryCounts(1, 10, 2, 10)]) * 2, PoolOptions("rr"))


def test_every_result_names_what_was_done() -> None:
    result = pool(
        studies_of([BinaryCounts(4, 30, 9, 31), BinaryCounts(2, 15, 6, 14), BinaryCounts(7, 50, 12, 52)]),
        PoolOptions("or", "random", "reml", hksj=True, level=0.9),
    )
    data = result.to_dict()
    for key in ("measure", "model", "method", "method_name", "level", "continuity", "used", "excluded", "hksj"):
        assert data[key] not in (None, "")
    assert data["method_name"] == "inverse variance, tau^2 by restricted maximum likelihood"
    assert data["distribution"] == "t, 2 df" and data["prediction_note"].startswith("t with 1 df")
    assert data["natural_scale"]["estimate"] == pytest.approx(math.exp(result.estimate or 0))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.001, 0.999), st.integers(1, 500), st.floats(-40, 40))
def test_fast_distribution_functions_equal_scipy_stats(q, df, x) -> None:
    from scipy import special, stats

    from evidencekb.pooling.heterogeneity import chi2_quantile

    assert chi2_quantile(q, df) == pytest.approx(stats.chi2.ppf(q, df), rel=1e-12)
    assert 2 * special.ndtr(-abs(x)) == pytest.approx(2 * stats.norm.sf(abs(x)), rel=1e-12, abs=1e-300)
    assert 2 * special.stdtr(df, -abs(x)) == pytest.approx(2 * stats.t.sf(abs(x), df), rel=1e-10, abs=1e-300)
