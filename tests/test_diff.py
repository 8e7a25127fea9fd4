"""``evidencekb diff``: changed numbers, moved effects and stale citations between git revisions."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from evidencekb.cli import main

REPO = Path(__file__).resolve().parent.parent
RECORDS = REPO / "content" / "trials"
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}
PRIMARY = "- {arm: ivig-first, events: 37, total: 47, percent: 79}"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit holds the ProDERM record; the tests run inside it."""
    (tmp_path / "content" / "trials").mkdir(parents=True)
    shutil.copy(RECORDS / "proderm.yaml", tmp_path / "content" / "trials")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "ProDERM")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "content" / "trials" / "proderm.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def rd_text(events: int) -> str:
    low, high = confint_proportions_2indep(events, 47, 21, 48, method="newcomb", compare="diff")
    return f"{events / 47 - 21 / 48:.3f} [{low:.3f}, {high:.3f}]"


def test_changed_count_shows_values_effects_and_unchanged_source(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo, PRIMARY, PRIMARY.replace("37", "35"))
    before = git(repo, "status", "--porcelain")
    code, out, _ = run(["diff", "HEAD"], capsys)
    assert code == 0
    assert "Changed: proderm (content/trials/proderm.yaml)" in out
    assert "results[0].binary[ivig-first].events: 37 -> 35" in out
    assert f"TIS >= 20, week 16: RD {rd_text(37)} -> {rd_text(35)}" in out
    assert (
        "number changed, source unchanged: results[0].binary[ivig-first].events 37 -> 35;"
        " check the new value against results[0] source nejm-abs-b (abstract)"
    ) in out
    assert "results[0].binary[ivig-first].percent (percentage): consistent -> inconsistent" in out
    assert git(repo, "status", "--porcelain") == before  # nothing written to the work tree


def test_markdown_is_ready_for_a_pull_request_comment(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, PRIMARY, PRIMARY.replace("37", "35"))
    code, out, _ = run(["diff", "HEAD", "--format", "markdown"], capsys)
    assert code == 0
    assert out.startswith("## Record changes: `HEAD` → working tree\n")
    assert "### `proderm` (`content/trials/proderm.yaml`)" in out
    assert "| Endpoint | Measure | Before | After |\n|---|---|---|---|" in out
    assert f"| TIS >= 20, week 16 | RD | {rd_text(37)} | {rd_text(35)} |" in out
    assert "| `results[0].binary[ivig-first].events` | 37 | 35 |" in out
    assert "> [!WARNING]\n> - number changed, source unchanged:" in out


def test_a_number_changed_with_its_source_is_not_called_out(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo, "    value: 36\n    source: oct-design\n", "    value: 37\n    source: oct-eu\n")
    edit(repo, "note: 69 of 95 (72.6%) completed the extension.", "note: 69 of 95 completed.")
    code, out, _ = run(["diff", "HEAD"], capsys)
    assert code == 0
    assert "design.sites.value: 36 -> 37" in out and "design.sites.source: oct-design -> oct-eu" in out
    assert "flow[4].note: 69 of 95 (72.6%) completed the extension. -> 69 of 95 completed." in out
    assert "source unchanged" not in out and "Effects:" not in out
    assert "citation changed" not in out  # the number changed with its citation: an ordinary change


def test_verification_citation_and_acknowledgement_changes_get_their_own_lines(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo, "  - endpoint: haq-w16\n    source: ctgov\n    verified: false\n",
         "  - endpoint: haq-w16\n    source: ctgov\n    verified: true\n")
    edit(repo, "    value: 10\n    source: oct-design\n", "    value: 10\n    source: oct-eu\n")
    edit(repo, '              reported: "8.6"\n', '              reported: "8.7"\n')
    code, out, _ = run(["diff", "HEAD"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "  verification changed: results[8].verified false -> true" in lines
    assert "  citation changed, numbers unchanged: design.countries.source oct-design -> oct-eu" in lines
    assert "  acknowledgement changed: results[7].reported[0].acknowledged.accepted[0].reported 8.6 -> 8.7" in lines
    code, out, _ = run(["diff", "HEAD", "--format", "markdown"], capsys)
    assert "#### Verification, sources and acknowledgements\n\n- " in out
    assert "\n- verification changed: results[8].verified false -> true\n" in out


def test_a_removed_acknowledgement_is_named_by_its_reason(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "content" / "trials" / "proderm.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("        acknowledged:\n")
    path.write_text(text[:start] + text[text.index("  - endpoint: haq-w16"):], encoding="utf-8")
    code, out, _ = run(["diff", "HEAD"], capsys)
    assert code == 0
    assert "  acknowledgement changed: results[7].reported[0].acknowledged The registry gives the difference" in out
    assert "results[7].reported[0].estimate (mean-difference estimate): acknowledged -> inconsistent" in out


def test_two_revisions_and_no_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, PRIMARY, PRIMARY.replace("37", "35"))
    git(repo, "commit", "-q", "-a", "-m", "35")
    code, out, _ = run(["diff", "HEAD~1", "HEAD"], capsys)
    assert code == 0 and "Records: HEAD~1 -> HEAD" in out and f"RD {rd_text(37)} -> {rd_text(35)}" in out
    code, out, _ = run(["diff", "HEAD"], capsys)
    assert (code, out) == (0, "Records: HEAD -> working tree\nNo changes to trial records.\n")


def test_added_and_removed_trials(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(RECORDS / "dalakas-1993.yaml", repo / "content" / "trials")
    (repo / "content" / "trials" / "proderm.yaml").unlink()
    code, out, _ = run(["diff", "HEAD"], capsys)
    assert code == 0
    assert "Added: dalakas-1993 (content/trials/dalakas-1993.yaml)" in out
    assert "Removed: proderm (HEAD:content/trials/proderm.yaml)" in out


def test_bad_revision_exits_2_in_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diff", "no-such-branch"], capsys)
    assert (code, out) == (2, "")
    assert err == "evidencekb diff: error: unknown revision 'no-such-branch' (not a commit in this repository)\n"


def test_outside_a_repository_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run(["diff", "HEAD"], capsys)
    assert code == 2 and err.startswith("evidencekb diff: error: not a git repository") and err.count("\n") == 1


def test_invalid_record_on_a_side_exits_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, PRIMARY, PRIMARY.replace("events: 37", "events: 48"))
    code, out, err = run(["diff", "HEAD"], capsys)
    assert code == 1
    assert "content/trials/proderm.yaml:" in out and "error[" in out
    assert "fix them to see the diff" in err
