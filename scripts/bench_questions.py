"""Benchmark of evidence questions: N synthetic trials (default 1,000) and Q questions (default 100) over them.

``make bench`` runs it after the other benchmarks. Each question pools one binary endpoint of 10 trials
(``scripts/synth.py``: the first binary result of each published synthetic trial). Times are medians of
repeated runs in one process: checking the trials alone (``check_paths`` on the trials folder, as
``validate`` does), the same with the questions (which adds the cross-record stage: linking, pooling,
leave-one-out and cumulative runs, GRADE signals), and rendering every question page. The difference per
question is the cost a question adds to validation; the render time per question is what it adds to the
site build. Results are printed and written to build/bench/questions.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import synth  # noqa: E402
from evidencekb.pipeline import check_paths  # noqa: E402
from evidencekb.render import PageLinks  # noqa: E402

RESULTS = ROOT / "build" / "bench" / "questions.json"


def median_seconds(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        trials_dir, questions_dir = content / "trials", content / "questions"
        synth.write(args.trials, str(trials_dir))
        synth.write_questions(args.questions, str(trials_dir), str(questions_dir))
        trials_only = median_seconds(lambda: check_paths([str(trials_dir)]), args.runs)
        both = median_seconds(lambda: check_paths([str(trials_dir), str(questions_dir)]), args.runs)
        records, _ = check_paths([str(trials_dir), str(questions_dir)])
        questions = [r for r in records if r.kind.name == "question"]
        errors = [d for r in questions for d in r.diagnostics if d.severity.value == "error"]
        render = median_seconds(lambda: [r.kind.render(r.model, r.computed, r.document, PageLinks(), {})
                                         for r in questions], args.runs)
    result = {
        "trials": args.trials, "questions": args.questions, "trials_per_question": synth.TRIALS_PER_QUESTION,
        "question_errors": len(errors), "validate_trials_s": trials_only, "validate_with_questions_s": both,
        "per_question_check_ms": 1000 * (both - trials_only) / args.questions,
        "per_question_render_ms": 1000 * render / args.questions,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for key, value in result.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0 if not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
