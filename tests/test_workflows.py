"""The CI workflows: actions pinned by commit, no credentials left in checkouts, no expression in shell
text, and the Pages permissions only where the site is deployed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / ".github" / "workflows").glob("*.yml"))
_PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")
_TAG_COMMENT = re.compile(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_hardening(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    steps = _steps(workflow)
    assert steps
    for job, step in steps:
        if "uses" in step:
            assert _PINNED.fullmatch(step["uses"]), f"{job}: {step['uses']} is not pinned by commit"
            if step["uses"].startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{job}: checkout keeps the token"
        if "run" in step:
            assert "${{" not in step["run"], f"{job}: an expression in shell text: {step['run']}"
    uses_lines = [line.strip().removeprefix("- ") for line in text.splitlines() if "uses:" in line]
    assert all(_TAG_COMMENT.fullmatch(line) for line in uses_lines), uses_lines  # the tag, for readers
    assert workflow.get("permissions") == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        deploys = any(str(step.get("uses", "")).startswith("actions/deploy-pages@") for step in job.get("steps", []))
        granted = job.get("permissions", {})
        assert ("pages" in granted or "id-token" in granted) == deploys, name


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_jobs_that_build_the_site_fetch_the_whole_history(path: Path) -> None:
    """A shallow checkout would build pages without their history (the build says so and omits it)."""
    for name, job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].items():
        steps = job.get("steps", [])
        if not any(step.get("run") in ("make site", "make test") for step in steps):
            continue
        checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
        assert checkout.get("with", {}).get("fetch-depth") == 0, name
