"""The GRADE risk-of-bias signal of a pooled outcome, from each result's RoB 2 judgement and pooled weight.

Expected levels follow the "across studies" column of the Cochrane Handbook 5.1 Table 8.7.a (most
information from low-risk results: low; from low or unclear: some concerns; high only when the weights show
it), with "most" read as more than half the weight, as rob_signal's docstring states.
"""

from __future__ import annotations

import dataclasses

import pytest

from _rob import proderm, with_answer
from evidencekb import rob2
from evidencekb.effects.binary import BinaryCounts
from evidencekb.models import Trial
from evidencekb.pooling import BinaryStudy, PoolOptions, pool
from evidencekb.rob_signal import NOT_JUDGED, WeightedJudgement, risk_of_bias_signal, weighted_judgements

L, S, H = rob2.LOW, rob2.SOME, rob2.HIGH


def _judged(overall: str | None) -> rob2.ResultJudgement:
    """ProDERM's real judgement with its overall set as a reviewers' override would set it."""
    judgement = rob2.judge(proderm(), 0)
    return dataclasses.replace(judgement, overall_override=overall, computed_overall=None if overall is None else
                               judgement.computed_overall)


@pytest.fixture(scope="module")
def judged() -> dict[str | None, rob2.ResultJudgement]:
    return {level: _judged(level) for level in (L, S, H, None)}


@pytest.mark.parametrize(("weights", "level", "mentions_high"), [
    ({L: 70, H: 30}, L, True),          # most weight low; the high-risk share is left to the panel
    ({L: 60, S: 40}, L, False),
    ({L: 40, S: 20, H: 40}, S, True),   # most weight low or some concerns
    ({S: 100}, S, False),
    ({L: 30, H: 70}, H, False),         # most weight at high risk
    ({L: 40, None: 60}, None, False),   # unassessed weight never counts as low
    ({L: 50, H: 50}, None, True),       # exactly half is not "most"
])
def test_the_signal_follows_where_most_of_the_weight_lies(
    judged: dict[str | None, rob2.ResultJudgement], weights: dict[str | None, float], level: str | None,
    mentions_high: bool,
) -> None:
    rows = [WeightedJudgement(f"study {i}", w, judged[k]) for i, (k, w) in enumerate(weights.items())]
    signal = risk_of_bias_signal(rows)
    assert signal.level == level
    expected = {(k or NOT_JUDGED): float(w) for k, w in weights.items()}
    assert {k: v for k, v in signal.shares.items() if v} == pytest.approx(expected)
    assert ("Results at high risk of bias carry" in signal.reading) is mentions_high


def test_left_out_and_unassessed_studies_are_listed_with_their_reason(
    judged: dict[str | None, rob2.ResultJudgement],
) -> None:
    rows = [WeightedJudgement("a", 2.0, judged[L]), WeightedJudgement("b", None, judged[H]),
            WeightedJudgement("c", 1.0, None)]
    signal = risk_of_bias_signal(rows)
    assert signal.shares[L] == pytest.approx(200 / 3) and signal.shares[H] == 0  # b is not in the estimate
    assert signal.level == L
    assert [r.why_not_judged for r in signal.rows] == [None, None, "no RoB 2 assessment of this result"]
    empty = risk_of_bias_signal([WeightedJudgement("d", None, judged[L])])
    assert (empty.level, empty.reading) == (None, "No study carries weight in the pooled estimate.")


def test_a_crossover_result_counts_as_not_judged_with_the_tools_reason() -> None:
    trial = proderm()
    crossover = trial.model_copy(update={"design": trial.design.model_copy(update={"model": "crossover"})})
    row = WeightedJudgement("x", 100.0, rob2.result_judgement(crossover, "tis20-w16"))
    assert row.category == NOT_JUDGED and "crossover" in (row.why_not_judged or "")
    assert risk_of_bias_signal([row]).level is None


def _pooled_signal(first: Trial) -> str | None:
    """Two studies pooled by the engine (made-up counts: the first trial carries most of the weight)."""
    studies = [BinaryStudy("first", counts=BinaryCounts(30, 100, 20, 100)),
               BinaryStudy("second", counts=BinaryCounts(3, 10, 2, 10))]
    pooled = pool(studies, PoolOptions("rr", "common", "iv"))
    rows = weighted_judgements(pooled, {"first": (first, "tis20-w16"), "second": (proderm(), "no-such-endpoint")})
    assert [r.study for r in rows] == ["first", "second"] and rows[1].judgement is None
    assert (rows[0].weight_percent or 0) > 50
    return risk_of_bias_signal(rows).level


def test_changing_one_answer_changes_the_question_pages_signal() -> None:
    trial = proderm()
    assert _pooled_signal(trial) == S
    assert _pooled_signal(with_answer(trial, "1.2", "N")) == H  # allocation not concealed: D1 high, overall high
