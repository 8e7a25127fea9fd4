"""``evidencekb validate`` and ``evidencekb schema`` as reviewers and CI run them: exit codes and formats."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidencekb.cli import main
from evidencekb.pipeline import check_paths

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
INVALID = Path(__file__).resolve().parent / "corpus" / "invalid"
VALID = Path(__file__).resolve().parent / "corpus" / "valid"
TEXT_LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning)\[(?P<code>[a-z0-9-]+)\]: .+$"
)
GITHUB_LINE = re.compile(
    r"^::(?P<kind>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<column>\d+),"
    r"title=(?P<code>[a-z0-9-]+)::(?P<message>.+)$"
)
SUMMARY = re.compile(r"^(\d+) record\(s\) checked: (\d+) error\(s\), (\d+) warning\(s\)$", re.MULTILINE)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def summary(err: str) -> tuple[str, str, str]:
    """Records checked, errors, warnings from the summary line on stderr."""
    match = SUMMARY.search(err)
    assert match, err
    return match[1], match[2], match[3]


def content_records() -> list[Path]:
    return sorted(p for p in CONTENT.rglob("*") if p.suffix in (".yaml", ".yml"))


# ---------------------------------------------------------------------------------------- exit codes

def test_valid_content_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", str(CONTENT)], capsys)
    assert (code, out) == (0, "")
    assert summary(err) == (str(len(content_records())), "0", "0")


def test_invalid_record_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    path = INVALID / "ci-order.yaml"
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 1
    assert [TEXT_LINE.match(line).group("code") for line in out.splitlines()] == ["ci-order"]
    assert summary(err) == ("1", "1", "0")


def test_valid_and_invalid_together_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", str(VALID / "minimal.yaml"), str(INVALID / "ci-order.yaml")], capsys)
    assert code == 1
    assert "minimal.yaml" not in out and "ci-order.yaml" in out


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--format", "xml", "content"],
        ["validate", "--no-such-option"],
        ["no-such-command"],
        [],
    ],
    ids=["unknown-format", "unknown-option", "unknown-command", "no-command"],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_missing_path_is_a_diagnostic(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = run(["validate", str(missing), str(VALID / "minimal.yaml")], capsys)
    assert code == 1
    assert out.splitlines() == [f"{missing}:1:1: error[file-not-found]: no such file or folder"]
    assert summary(err) == ("1", "1", "0")  # the valid file was checked


def test_quiet_prints_nothing_for_valid_records(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--quiet", str(VALID / "minimal.yaml")], capsys) == (0, "", "")


# ------------------------------------------------------------------------------------------- formats

def test_text_format_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path = INVALID / "several-errors.yaml"
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 1
    rows = [TEXT_LINE.match(line) for line in out.splitlines()]
    assert all(rows), out
    assert [(r["path"], int(r["line"]), r["code"]) for r in rows] == [
        (str(path), 13, "unknown-key"), (str(path), 25, "invalid-format"), (str(path), 73, "out-of-range"),
    ]


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    path = INVALID / "percent-mismatch.yaml"
    code, out, err = run(["validate", "--format", "json", str(path)], capsys)
    assert (code, err) == (0, "")  # a warning only; no summary line in JSON mode
    assert json.loads(out) == {
        "diagnostics": [
            {"path": str(path), "line": 69, "column": 57, "severity": "warning", "code": "percent-mismatch",
             "message": "65% does not match 30/50 = 60.0%"},
        ]
    }


def test_json_format_for_many_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", "--consistency", "--format", "json", str(INVALID)], capsys)
    assert code == 1
    rows = json.loads(out)["diagnostics"]
    assert {Path(r["path"]).name for r in rows} == {p.name for p in INVALID.glob("*.yaml")}
    for row in rows:
        assert isinstance(row["line"], int) and row["line"] >= 1
        assert isinstance(row["column"], int) and row["column"] >= 1
        assert row["severity"] in ("error", "warning") and re.fullmatch(r"[a-z0-9-]+", row["code"])


def test_json_format_when_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", "--format", "json", "--strict", str(CONTENT)], capsys)
    assert (code, out, err) == (0, '{\n  "diagnostics": []\n}\n', "")


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", "--consistency", "--format", "github", str(INVALID)], capsys)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) >= len(list(INVALID.glob("*.yaml")))
    for line in lines:
        assert GITHUB_LINE.match(line), line
    warning = f"::warning file={INVALID}/percent-mismatch.yaml,line=69,col=57,title=percent-mismatch::"
    assert f"{warning}65%25 does not match 30/50 = 60.0%25\n" in out  # '%' is escaped in workflow commands
    assert f"::error file={INVALID}/ci-order.yaml,line=72,col=86,title=ci-order::" in out


def test_github_format_escapes_file_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "a,b:c"
    folder.mkdir()
    shutil.copy(INVALID / "ci-order.yaml", folder / "ci-order.yaml")
    code, out, _ = run(["validate", "--format", "github", str(folder)], capsys)
    assert code == 1
    escaped = str(folder / "ci-order.yaml").replace(":", "%3A").replace(",", "%2C")
    assert out.startswith(f"::error file={escaped},line=72,col=86,title=ci-order::")
    assert GITHUB_LINE.match(out.strip())


# -------------------------------------------------------------------------------------------- strict

def test_strict_turns_warnings_into_errors(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(INVALID / "percent-mismatch.yaml")
    code, out, _ = run(["validate", path], capsys)
    assert code == 0 and "warning[percent-mismatch]" in out
    code, out, err = run(["validate", "--strict", path], capsys)
    assert code == 1 and "error[percent-mismatch]" in out and "warning[" not in out
    assert summary(err) == ("1", "1", "0")


# ------------------------------------------------------------------------------------- default path

def test_default_path_is_content(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run(["validate", "--strict"], capsys)
    assert (code, out) == (0, "")
    assert summary(err) == (str(len(content_records())), "0", "0")


def test_default_path_is_content_of_the_working_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "content" / "trials").mkdir(parents=True)
    shutil.copy(INVALID / "ci-order.yaml", tmp_path / "content" / "trials" / "ci-order.yaml")
    shutil.copy(INVALID / "date-order.yaml", tmp_path / "elsewhere.yaml")  # outside content/: not checked
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["validate"], capsys)
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()] == [str(Path("content/trials/ci-order.yaml"))]


def test_no_content_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["validate"], capsys)
    assert (code, out.strip()) == (1, "content:1:1: error[file-not-found]: no such file or folder")


# ------------------------------------------------------------------------------------ real processes

def test_python_dash_m(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "evidencekb", "validate", "--strict", "content"],
                        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert (ok.returncode, ok.stdout) == (0, ""), ok.stderr
    assert SUMMARY.search(ok.stderr)
    bad = subprocess.run([sys.executable, "-m", "evidencekb", "validate", str(INVALID / "ci-order.yaml")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "error[ci-order]" in bad.stdout and "Traceback" not in bad.stderr
    usage = subprocess.run([sys.executable, "-m", "evidencekb", "validate", "--format", "xml"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


# -------------------------------------------------------------------------------------- real content

def test_content_is_valid_under_strict() -> None:
    records, problems = check_paths([str(CONTENT)])
    assert len(records) == len(content_records()) >= 2
    assert problems == [] and [d for r in records for d in r.diagnostics] == []
    assert all(r.model is not None for r in records)


# --------------------------------------------------------------------------------------------- schema

def test_committed_schema_is_fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert main(["schema", "--check"]) == 0


def test_schema_check_fails_when_the_file_differs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "schema" / "trial.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    committed = (REPO / "schema" / "trial.schema.json").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed
    assert main(["schema", "--check", "--out", str(out)]) == 0
    capsys.readouterr()

    schema = json.loads(out.read_text(encoding="utf-8"))
    schema["properties"]["id"]["description"] = "edited by hand"
    out.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["schema", "--check", "--out", str(out)]) == 1
    assert f"{out}:1:1: error[schema-stale]" in capsys.readouterr().err

    assert main(["schema", "--out", str(out)]) == 0  # rewritten: fresh again
    assert main(["schema", "--check", "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")  # a final newline counts
    assert main(["schema", "--check", "--out", str(out)]) == 1
    out.unlink()
    assert main(["schema", "--check", "--out", str(out)]) == 1
