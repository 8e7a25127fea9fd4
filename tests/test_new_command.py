"""`evidencekb new trial`: the skeleton fails only at its TODO values, and filling them makes it valid."""

from __future__ import annotations

import re
from pathlib import Path

from evidencekb.cli import main
from evidencekb.pipeline import check_paths

FILLED = {
    "randomized": "24",
    "events": "5",
    "total": "20",
    "last_reviewed": "2026-01-31",
    "phase": '"3"',
    "id": "NCT01234567",
    "doi": "10.1000/xyz123",
}


def _codes(path: Path) -> list[tuple[str, int]]:
    records, problems = check_paths([str(path)])
    return [(d.code, d.line) for r in records for d in r.diagnostics] + [(d.code, d.line) for d in problems]


def test_skeleton_fails_only_at_placeholders(tmp_path: Path) -> None:
    assert main(["new", "trial", "my-trial", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "my-trial.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    todo_lines = sorted(
        {i for i, line in enumerate(text.splitlines(), 1) if '"TODO' in line and not line.startswith("#")}
    )
    codes = _codes(path)
    assert {code for code, _ in codes} == {"placeholder"}
    assert sorted({line for _, line in codes}) == todo_lines


def test_filling_every_placeholder_makes_a_valid_record(tmp_path: Path) -> None:
    assert main(["new", "trial", "my-trial", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "my-trial.yaml"

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return f"{key}: {FILLED.get(key, 'Filled in by the test')}"

    text = re.sub(r'(\w+): "TODO[^"]*"', fill, path.read_text(encoding="utf-8"))
    text = re.sub(r'- "TODO[^"]*"', "- Filled in by the test", text)
    path.write_text(text, encoding="utf-8")
    assert _codes(path) == []


def test_refuses_bad_slug_and_existing_file(tmp_path: Path) -> None:
    assert main(["new", "trial", "Bad Slug", "--dir", str(tmp_path)]) == 2
    assert main(["new", "trial", "ok", "--dir", str(tmp_path)]) == 0
    assert main(["new", "trial", "ok", "--dir", str(tmp_path)]) == 2
