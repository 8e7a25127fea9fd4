"""MkDocs hooks for ``scripts/bench_scale.py``: the build's resident memory at each stage.

Loaded with the ``hooks`` setting of a benchmark's configuration only (never by the site's own): at
each stage it notes the process's current resident memory and its high-water mark so far (VmRSS and
VmHWM), and at the end writes them to the JSON file named by ``EVIDENCEKB_STAGES``.
"""

from __future__ import annotations

import json
import os
from typing import Any

STAGES: dict[str, dict[str, float]] = {}


def _note(stage: str) -> None:
    values = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    STAGES[stage] = values


def on_files(files: Any, config: Any) -> Any:  # after the plugin's on_files: records listed, workers started
    _note("records listed")
    return files


def on_env(env: Any, config: Any, files: Any) -> Any:  # every page converted, every record in
    _note("pages converted")
    return env


def on_post_build(config: Any) -> None:
    _note("pages written")
    if out := os.environ.get("EVIDENCEKB_STAGES"):
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(STAGES, handle)
