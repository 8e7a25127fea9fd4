"""What leaves the tools is inert: CSV cells are never formulas, terminal output never carries escapes,
and a folder that cannot be written is one line, not a traceback."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import pytest

from evidencekb.cli import main
from evidencekb.export.csv_export import csv_tables
from evidencekb.pipeline import check_record
from evidencekb.text_hygiene import printable

MINIMAL = (Path(__file__).resolve().parent / "corpus" / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def _tables(text: str) -> dict[str, list[dict[str, str]]]:
    record = check_record("minimal.yaml", text.encode(), compute=True)
    assert record.trial is not None and record.diagnostics == []
    computed = record.computed
    return {name: list(csv.DictReader(io.StringIO(table)))
            for name, table in csv_tables([(record.trial, computed)]).items()}


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    text = (MINIMAL.replace("term: Any adverse event", """term: '=HYPERLINK("http://evil.example","click")'""")
            .replace("label: Response at week 16", "label: '@SUM(1+1)'")
            .replace("label: Score at week 16", "label: \"+1\\tcell\"")
            .replace("mean: 10.0, sd: 4.2", "mean: -9.36, sd: 4.2"))
    tables = _tables(text)
    assert tables["adverse_events.csv"][0]["term"] == "'" + '=HYPERLINK("http://evil.example","click")'
    labels = [row["endpoint_label"] for row in tables["arms_results.csv"]]
    assert labels == ["'@SUM(1+1)", "'@SUM(1+1)", "'+1\tcell", "'+1\tcell"]
    # numbers are written from numeric values: a real negative number keeps its sign, unprefixed
    assert [row["mean"] for row in tables["arms_results.csv"]][2:] == ["12.5", "-9.36"]
    difference = next(r for r in tables["effects.csv"] if r["measure"] == "mean-difference")
    assert difference["estimate"] == "21.86"


def test_printable_escapes_what_would_steer_a_terminal() -> None:
    assert printable("a\x1b[2Jb\rc\u202ed\x9be\nf\tg") == r"a\x1b[2Jb\x0dc\u202ed\x9be" + "\nf\tg"
    assert printable("plain text, é and 中文") == "plain text, é and 中文"


def test_diff_shows_escape_sequences_from_records_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    record = tmp_path / "content" / "trials" / "minimal.yaml"
    record.parent.mkdir(parents=True)
    record.write_text(MINIMAL, encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)
    record.write_text(MINIMAL.replace("term: Any adverse event", 'term: "Any\\e[2J\\r adverse event"')
                      .replace("  reviewers: [test suite]\n", '  reviewers: [test suite]\n  "\\e]0;owned\\a": 1\n'),
                      encoding="utf-8")
    (record.parent / "notes.txt").symlink_to(tmp_path / ".git" / "config")
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "markdown"):
        assert main(["diff", "HEAD", "--format", fmt]) == 1
        out, err = capsys.readouterr()
        assert "\x1b" not in out + err and "\r" not in out + err and "\x07" not in out + err
        assert "unknown key '\\x1b]0;owned\\x07'" in out
        assert "forbidden-character" in out
        assert "content/trials/notes.txt:1:1: error[symlink]" in out


def test_new_in_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o555)
    # root may write into a folder without write permission, but not into sysfs
    folder = "/sys" if os.geteuid() == 0 else str(read_only)
    for where, reason in ((folder, "Permission denied"), (str(blocked / "trials"), "Not a directory")):
        assert main(["new", "trial", "example", "--dir", where]) == 1
        out, err = capsys.readouterr()
        assert err == f"evidencekb new: cannot write {os.path.join(where, 'example.yaml')}: {reason}\n"
