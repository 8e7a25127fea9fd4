"""Shared fixtures.

``input_log`` records every adversarial input that the robustness tests feed to the loader or the
validation pipeline; the end of the session prints one line: inputs tried, tracebacks, slowest input.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings

T = TypeVar("T")

# No property test fails for being slow: the machines running the suite are shared and noisy, and speed
# is measured by ``make bench``, not asserted (Hypothesis' default is a 200 ms deadline per example).
settings.register_profile("evidencekb", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("evidencekb")


@dataclass
class InputLog:
    """How many inputs were tried, how many raised instead of giving diagnostics, and the slowest one."""

    tried: int = 0
    tracebacks: int = 0
    slowest_name: str = ""
    slowest_seconds: float = 0.0

    def run(self, name: str, function: Callable[[], T]) -> tuple[T, float]:
        """Call ``function`` on input ``name``; return its result and the seconds it took.

        An exception counts as a traceback and propagates, so the test fails.
        """
        start = time.perf_counter()
        try:
            result = function()
        except Exception:
            self.tracebacks += 1
            raise
        finally:
            seconds = time.perf_counter() - start
            self.tried += 1
            if seconds > self.slowest_seconds:
                self.slowest_name, self.slowest_seconds = name, seconds
        return result, seconds


_INPUT_LOG = pytest.StashKey[InputLog]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_INPUT_LOG] = InputLog()


@pytest.fixture(scope="session")
def input_log(pytestconfig: pytest.Config) -> InputLog:
    return pytestconfig.stash[_INPUT_LOG]


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    log = config.stash.get(_INPUT_LOG, None)
    if log is None or not log.tried:
        return
    terminalreporter.write_line(
        f"adversarial inputs: {log.tried} tried, {log.tracebacks} tracebacks, "
        f"slowest {log.slowest_name} ({log.slowest_seconds:.2f} s)"
    )


# --- The built site, shared by the site and browser tests (built once per session) -------------------

ROOT = Path(__file__).resolve().parent.parent
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)> [md](javascript:alert(1))"
"""Appended to every text field of a copy of proderm.yaml to check that record text is always escaped."""

_TEXT_KEYS = {
    "title", "short_name", "bottom_line", "citation", "note", "label", "short_label",
    "definition", "term", "claim", "assessment", "topic", "text", "hypothesis", "description", "regimen",
    "analysis_population", "locator", "timepoint", "accessed", "age", "conclusion", "explanation",
}
_TEXT_LISTS = {"conditions", "interventions", "keywords", "reviewers"}


def _poison(value: object, key: str | None = None) -> object:
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in _TEXT_LISTS:
            return [f"{v}{XSS}" if isinstance(v, str) else v for v in value]
        return [_poison(v) for v in value]
    if isinstance(value, str) and key in _TEXT_KEYS:
        return f"{value} {XSS}"[:490] if key in {"short_name", "label", "short_label", "term", "topic", "locator",
                                                 "timepoint", "accessed", "age", "analysis_population"} \
            else f"{value} {XSS}"
    return value


def make_xss_site(target: Path) -> Path:
    """A copy of the content folder whose ProDERM record and questions have script payloads in every text field."""
    import shutil

    import yaml

    content = target / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("trials"))
    (content / "trials").mkdir()
    for question in (content / "questions").glob("*.yaml"):
        poisoned = _poison(yaml.safe_load(question.read_text(encoding="utf-8")))
        question.write_text(yaml.safe_dump(poisoned, sort_keys=False, allow_unicode=True), encoding="utf-8")
    data = yaml.safe_load((ROOT / "content/trials/proderm.yaml").read_text(encoding="utf-8"))
    data = _poison(data)
    data["population"] = f"{data['population']} {XSS}"  # top-level text (groups use 'population' as an id)
    (content / "trials/proderm.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (target / "mkdocs.yml").write_text(config, encoding="utf-8")
    return target / "mkdocs.yml"


@dataclass
class BuiltSites:
    real: Path
    xss: Path
    seconds: float


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> BuiltSites:
    """``mkdocs build --strict`` of the real content and of the XSS copy, run in parallel, once."""
    import os
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("sites")
    real, xss = base / "real", base / "xss"
    xss_config = make_xss_site(base / "xss-src")
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    jobs = [
        subprocess.Popen([*mkdocs, "--site-dir", str(real)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        subprocess.Popen([*mkdocs, "-f", str(xss_config), "--site-dir", str(xss)], cwd=xss_config.parent,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
    ]
    outputs = [job.communicate(timeout=300)[0] for job in jobs]
    for job, output, name in zip(jobs, outputs, ("real site", "XSS site"), strict=True):
        assert job.returncode == 0, f"mkdocs build --strict of the {name} failed:\n{output}"
    return BuiltSites(real, xss, time.perf_counter() - start)
