"""Build cost of the records' history: N synthetic records in a git repository with C commits.

The first commit adds the N records; each later commit edits ten of them, alternately moving their
review date (which needs no recomputation) and lowering an event count by one (which recomputes the
effects of both versions), so the history has N + 10 (C - 1) entries. Timed is
``evidencekb.history.read_history`` (what the site build adds), best of the runs. ``scripts/bench.py``
calls :func:`bench_history`; run alone: ``python scripts/bench_history.py --n 1000 --commits 100``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evidencekb.history import read_history

EDITS_PER_COMMIT = 10
_REVIEWED = re.compile(r"last_reviewed: '?\d{4}-\d{2}-\d{2}'?")
_EVENTS = re.compile(r"(\{arm: [\w-]+, events: )([1-9]\d*)")
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Bench",
           "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "bench@example.org"}


def _git(repo: Path, *args: str, when: int = 1_700_000_000) -> None:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_repository(records: Path, repo: Path, commits: int) -> int:
    """A repository with ``records`` under content/trials in its first commit and ``commits - 1`` edits."""
    trials = repo / "content" / "trials"
    shutil.copytree(records, trials)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Records")
    files = sorted(trials.glob("*.yaml"))
    for c in range(1, commits):
        for k in range(EDITS_PER_COMMIT):
            path = files[(c * EDITS_PER_COMMIT + k) % len(files)]
            text = path.read_text(encoding="utf-8")
            if c % 2:
                text = _REVIEWED.sub(f"last_reviewed: 2025-{1 + c % 12:02d}-{1 + k:02d}", text, count=1)
            else:
                text = _EVENTS.sub(lambda m: f"{m.group(1)}{int(m.group(2)) - 1}", text, count=1)
            path.write_text(text, encoding="utf-8")
        _git(repo, "commit", "-q", "-am", f"Edit {c}", when=1_700_000_000 + c * 3600)
    return len(files)


def bench_history(records: Path, work: Path, commits: int = 100, repeats: int = 2) -> dict[str, Any]:
    repo = work / "history-repo"
    n = make_repository(records, repo, commits)
    times, entries = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        history = read_history(str(repo / "content"))
        times.append(time.perf_counter() - start)
        entries = len(history.entries)
    shutil.rmtree(repo, ignore_errors=True)
    return {"records": n, "commits": commits, "entries": entries, "seconds": min(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evidencekb-bench-history-"))
    try:
        synth = Path(__file__).resolve().parent / "synth.py"
        subprocess.run([sys.executable, str(synth), "--n", str(args.n), "--out", str(work / "records")], check=True)
        result = bench_history(work / "records", work, args.commits)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"history of {result['records']} records, {result['commits']} commits: {result['entries']} entries"
          f" in {result['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
