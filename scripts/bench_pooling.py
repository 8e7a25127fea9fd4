"""Benchmark of the pooling engine at k = 10, 100 and 10,000 studies, beside statsmodels' combine_effects.

``make bench`` runs it after the site benchmarks; ``scripts/bench_pooling.py --sizes 10,100`` alone is a
quick try. For each k it draws k synthetic two-arm trials (seeded), then times, as medians of repeated
runs in the same process, (a) ``evidencekb.pooling.pool`` with random effects and each tau^2 estimator
(DL, REML, PM), and with Mantel-Haenszel, on the counts; (b) statsmodels' ``combine_effects`` with
``method_re="dl"`` on the same per-study log odds ratios and variances (what the engine starts from).
The engine does more (per-study effects from counts, the Q-profile interval of tau^2, I^2 and H^2
intervals, the prediction interval), so the ratio says what that costs; growth is the time per 10-fold
increase of k. Results are printed as a table and written to build/bench/pooling.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from statsmodels.stats.meta_analysis import combine_effects

from evidencekb.effects.binary import BinaryCounts
from evidencekb.pooling import BinaryStudy, PoolOptions, pool

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "build" / "bench" / "pooling.json"
VARIANTS = {
    "random, DL": PoolOptions("or", "random", "dl"),
    "random, REML": PoolOptions("or", "random", "reml"),
    "random, PM": PoolOptions("or", "random", "pm"),
    "common, MH": PoolOptions("or", "common", "mh"),
}


def synthetic_trials(k: int, seed: int = 1) -> list[BinaryStudy]:
    """k trials of 20 to 400 per arm, control risk 5-40%, true log OR drawn around -0.3 (tau = 0.3)."""
    rng = np.random.default_rng(seed)
    studies = []
    for i in range(k):
        n1, n2 = (int(x) for x in rng.integers(20, 400, size=2))
        risk2 = rng.uniform(0.05, 0.4)
        odds1 = risk2 / (1 - risk2) * np.exp(rng.normal(-0.3, 0.3))
        e1, e2 = int(rng.binomial(n1, odds1 / (1 + odds1))), int(rng.binomial(n2, risk2))
        studies.append(BinaryStudy(f"trial {i + 1}", counts=BinaryCounts(e1, n1, e2, n2)))
    return studies


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(k: int) -> dict[str, float]:
    studies = synthetic_trials(k)
    repeats = 7 if k <= 100 else 3
    base = pool(studies, VARIANTS["random, DL"])
    y = np.array([s.estimate for s in base.studies if s.estimate is not None])
    v = np.array([s.se**2 for s in base.studies if s.se is not None])
    row = {"statsmodels combine_effects (DL)": median_seconds(lambda: combine_effects(y, v, method_re="dl"), repeats)}
    for name, options in VARIANTS.items():
        row[name] = median_seconds(lambda options=options: pool(studies, options), repeats)
    return row


def report(results: dict[int, dict[str, float]]) -> str:
    sizes = sorted(results)
    names = list(results[sizes[0]])
    reference = names[0]
    lines = ["| k | " + " | ".join(names) + " | engine DL / statsmodels |", "|---" * (len(names) + 2) + "|"]
    for k in sizes:
        cells = [f"{results[k][n] * 1000:.2f} ms" for n in names]
        lines.append(
            f"| {k:,} | " + " | ".join(cells) + f" | {results[k]['random, DL'] / results[k][reference]:.1f}x |"
        )
    for small, large in zip(sizes, sizes[1:], strict=False):
        growth = {n: results[large][n] / results[small][n] for n in names}
        lines.append(f"growth {small:,} -> {large:,}: " + ", ".join(f"{n} {g:.1f}x" for n, g in growth.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,10000", help="comma-separated k (default: 10,100,10000)")
    args = parser.parse_args(argv)
    results = {k: bench(k) for k in (int(x) for x in args.sizes.split(","))}
    print(report(results))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({str(k): r for k, r in results.items()}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
