"""Build cost of the records' history: N synthetic records and the repository's question in a git repository
with C commits.

The first commit adds the N records, and the repository's question with the three trials it reads; each
later commit edits ten synthetic records, alternately moving their review date (which needs no
recomputation) and lowering an event count by one (which recomputes the effects of both versions), and
every tenth commit also lowers a ProDERM count the question pools, so its pooled result moves. Timed is
``evidencekb.history.read_history`` (what the site build adds), best of the runs, each run in a process of
its own so that its peak memory is its own. ``scripts/bench.py`` calls :func:`bench_history`; run alone:
``python scripts/bench_history.py --n 1000 --commits 100``. ``--baseline REV`` also times the history reader
of another revision on the same repository, the runs interleaved, and ``--write`` puts the result in the
history section of ``content/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EDITS_PER_COMMIT = 10
QUESTION = "questions/ivig-dermatomyositis.yaml"
POOLED_COUNT = re.compile(r"(\{arm: ivig-first, events: )(\d+)(, total: 47)")
"""ProDERM's TIS >= 20 responders on IVIG, which the question pools."""
_REVIEWED = re.compile(r"last_reviewed: '?\d{4}-\d{2}-\d{2}'?")
_EVENTS = re.compile(r"(\{arm: [\w-]+, events: )([1-9]\d*)")
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Bench",
           "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "bench@example.org"}
SECTION = "## History"


def _git(repo: Path, *args: str, when: int = 1_700_000_000) -> None:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_repository(records: Path, repo: Path, commits: int) -> int:
    """A repository with ``records`` (and the question with its trials) under content/ in its first commit
    and ``commits - 1`` edits; the number of synthetic records."""
    trials = repo / "content" / "trials"
    files = sorted(records.glob("*.yaml"))
    shutil.copytree(records, trials)
    shutil.copytree(ROOT / "content" / "trials", trials, dirs_exist_ok=True)
    (repo / "content" / "questions").mkdir()
    shutil.copy(ROOT / "content" / QUESTION, repo / "content" / QUESTION)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Records")
    for c in range(1, commits):
        for k in range(EDITS_PER_COMMIT):
            path = trials / files[(c * EDITS_PER_COMMIT + k) % len(files)].name
            text = path.read_text(encoding="utf-8")
            if c % 2:
                text = _REVIEWED.sub(f"last_reviewed: 2025-{1 + c % 12:02d}-{1 + k:02d}", text, count=1)
            else:
                text = _EVENTS.sub(lambda m: f"{m.group(1)}{int(m.group(2)) - 1}", text, count=1)
            path.write_text(text, encoding="utf-8")
        if c % 10 == 0:
            proderm = trials / "proderm.yaml"
            text = proderm.read_text(encoding="utf-8")
            proderm.write_text(POOLED_COUNT.sub(lambda m: f"{m.group(1)}{int(m.group(2)) - 1}{m.group(3)}", text,
                                                count=1), encoding="utf-8")
        _git(repo, "commit", "-q", "-am", f"Edit {c}", when=1_700_000_000 + c * 3600)
    return len(files)


def bench_history(records: Path, work: Path, commits: int = 100, repeats: int = 2,
                  baseline: str | None = None) -> dict[str, Any]:
    """The best time and largest peak memory of reading the history; with ``baseline``, the same of that
    revision's reader, run alternately with this one."""
    repo = work / "history-repo"
    n = make_repository(records, repo, commits)
    runs: dict[str, list[dict[str, Any]]] = {"current": [], "baseline": []}
    for _ in range(repeats):
        for variant in ("baseline", "current") if baseline else ("current",):
            command = [sys.executable, __file__, "--read", str(repo / "content")]
            command += ["--reader", baseline] if variant == "baseline" and baseline else []
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs[variant].append(json.loads(done.stdout))
    shutil.rmtree(repo, ignore_errors=True)
    result: dict[str, Any] = {"records": n, "commits": commits, **_best(runs["current"])}
    if baseline:
        result["baseline"] = {"revision": baseline, **_best(runs["baseline"])}
    return result


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entries": runs[0]["entries"], "pooled_moves": runs[0]["pooled_moves"],
            "seconds": min(r["seconds"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs)}


def read_once(content: str, reader: str | None) -> dict[str, Any]:
    """One reading of the history, by this checkout's reader or by the one at revision ``reader``."""
    module: Any
    if reader:
        source = subprocess.run(["git", "show", f"{reader}:src/evidencekb/history.py"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
        module = sys.modules["baseline_history"] = types.ModuleType("baseline_history")  # for its dataclasses
        exec(compile(source, f"{reader}:history.py", "exec"), module.__dict__)  # noqa: S102 - the project's code
    else:
        module = importlib.import_module("evidencekb.history")
    read_history = module.read_history
    start = time.perf_counter()
    history = read_history(content)
    seconds = time.perf_counter() - start
    moves = sum(1 for e in history.entries for c in e.changes if ": pooled result" in c.what)
    return {"entries": len(history.entries), "pooled_moves": moves, "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def history_section(result: dict[str, Any], load: str = "") -> list[str]:
    """The benchmarks page's history section (Markdown lines)."""
    lines = [SECTION, "", f"Reading the change history at build time (`evidencekb.history.read_history`,"
             f" `scripts/bench_history.py`): {result['records']:,} synthetic trial records and the repository's"
             f" question with its three trials, {result['commits']} commits (each edits ten records; every tenth"
             " also moves the question's pooled result). Best of the runs, each in its own process; peak"
             " resident memory of the process." + (f" Load average {load}." if load else "")
             + " The time grows with the history's entries (N + 10 (C - 1)) and with the count changes, whose"
             " two versions have their effects recomputed; the pooled results add a pooling of the question"
             " per commit that changes it or its trials.", "",
             "| reader | history entries | pooled results moved | seconds | peak memory (MB) |",
             "|---|---:|---:|---:|---:|"]
    rows = [("this commit", result)]
    if "baseline" in result:
        rows.insert(0, (f"{result['baseline']['revision']} (no pooled results, no version cache)",
                        result["baseline"]))
    for name, row in rows:
        lines.append(f"| {name} | {row['entries']:,} | {row['pooled_moves']} | {row['seconds']:.1f} |"
                     f" {row['peak_mb']:.0f} |")
    return lines


def with_section(text: str, section: list[str]) -> str:
    """The benchmarks page with its history section replaced, or added before the raw-numbers line at its end."""
    block = "\n".join(section) + "\n\n"
    if SECTION + "\n" in text:
        start = text.index(SECTION + "\n")
        end = text.find("\n## ", start + 1)
        end = text.find("\nRaw numbers:", start) if end < 0 else end
        text = text[:start] + block + text[end + 1:]
    else:
        at = text.rfind("\nRaw numbers:")
        text = text[:at + 1] + block + text[at + 1:] if at >= 0 else text.rstrip("\n") + "\n\n" + block
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--baseline", help="also time the history reader of this git revision")
    parser.add_argument("--write", action="store_true", help="write the section into content/benchmarks.md")
    parser.add_argument("--read", help=argparse.SUPPRESS)  # one timed run, in its own process
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        print(json.dumps(read_once(args.read, args.reader)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="evidencekb-bench-history-"))
    load_start = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        synth = Path(__file__).resolve().parent / "synth.py"
        subprocess.run([sys.executable, str(synth), "--n", str(args.n), "--out", str(work / "records")], check=True,
                       capture_output=True)
        result = bench_history(work / "records", work, args.commits, args.repeats, args.baseline)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = f"{load_start} at the start, {' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end"
    section = history_section(result, load)
    print("\n".join(section))
    if args.write:
        page = ROOT / "content" / "benchmarks.md"
        page.write_text(with_section(page.read_text(encoding="utf-8"), section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
