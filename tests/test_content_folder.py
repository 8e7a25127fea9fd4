"""The content folder holds only files and folders, and a folder of records only records.

Each refusal is asserted with its code and position (1:1: the entry itself, not a line in it), for
``validate`` and for the site build, where a symlink or a stray page would otherwise be published.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidencekb.cli import main
from evidencekb.content_rules import refused_entries
from evidencekb.loader import load_file
from evidencekb.pipeline import check_paths

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "corpus" / "valid" / "minimal.yaml"
BUILD_SITE = [sys.executable, str(ROOT / "scripts" / "build_site.py")]
TINY_CONFIG = "site_name: tiny\ndocs_dir: content\ntheme: {name: mkdocs}\nplugins:\n  - evidencekb: {records: trials}\n"


def _records_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "trials"
    folder.mkdir(parents=True)
    shutil.copy(MINIMAL, folder / "minimal.yaml")
    return folder


def _refusals(paths: list[str]) -> list[tuple[str, int, int, str]]:
    records, problems = check_paths(paths)
    return sorted((d.path, d.line, d.column, d.code) for d in problems + [d for r in records for d in r.diagnostics])


def test_symlinks_fifos_and_stray_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _records_folder(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-4711\n", encoding="utf-8")
    (folder / "notes.txt").symlink_to(secret)
    (folder / "copy.yaml").symlink_to(folder / "minimal.yaml")
    (folder / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(folder / "pipe.yaml")
    (folder / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (folder / "evil.md").write_text("<script>alert(1)</script>", encoding="utf-8")
    (folder / ".minimal.yaml.swp").write_bytes(b"\x00swap")  # a dot-file is never published: left alone
    (tmp_path / "content" / "index.md").write_text("# Home\n", encoding="utf-8")  # no records: pages allowed
    (tmp_path / "content" / "env").symlink_to("/proc/self/environ")

    t = "content/trials"
    assert _refusals(["content"]) == [
        ("content/env", 1, 1, "symlink"),
        (f"{t}/copy.yaml", 1, 1, "symlink"),
        (f"{t}/evil.html", 1, 1, "not-a-record"),
        (f"{t}/evil.md", 1, 1, "not-a-record"),
        (f"{t}/linked-folder", 1, 1, "symlink"),
        (f"{t}/notes.txt", 1, 1, "symlink"),
        (f"{t}/pipe.yaml", 1, 1, "not-regular-file"),
    ]
    assert main(["validate", "--strict", "content"]) == 1
    # a file named on the command line is examined the same way (pre-commit passes file names)
    assert _refusals([f"{t}/pipe.yaml", f"{t}/copy.yaml"]) == [
        (f"{t}/copy.yaml", 1, 1, "symlink"), (f"{t}/pipe.yaml", 1, 1, "not-regular-file")]


def test_the_loader_never_follows_a_symlink_or_blocks_on_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it for reading would wait for a writer forever
    (tmp_path / "link.yaml").symlink_to(MINIMAL)
    for name, code in (("pipe.yaml", "not-regular-file"), ("link.yaml", "symlink")):
        document, problems = load_file(str(tmp_path / name))
        assert document is None
        assert [(d.code, d.line, d.column) for d in problems] == [(code, 1, 1)]


def test_the_records_folder_of_the_site_holds_only_records(tmp_path: Path) -> None:
    """The build's rule is stricter than validate's: its records folder is named, records or not."""
    folder = tmp_path / "content" / "trials"
    folder.mkdir(parents=True)
    (folder / "readme.txt").write_text("no records yet\n", encoding="utf-8")
    (tmp_path / "content" / "index.md").write_text("# Home\n", encoding="utf-8")
    problems = refused_entries(str(tmp_path / "content"), str(folder))
    assert [(d.path, d.line, d.column, d.code) for d in problems] == [
        (str(folder / "readme.txt"), 1, 1, "not-a-record")]


def test_the_site_build_refuses_a_symlink_and_a_stray_html_file(tmp_path: Path) -> None:
    folder = _records_folder(tmp_path)
    (tmp_path / "content" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(TINY_CONFIG, encoding="utf-8")
    secret = tmp_path / "git-config"
    secret.write_text("[http] extraheader = AUTHORIZATION: CANARY-4711\n", encoding="utf-8")
    (folder / "notes.txt").symlink_to(secret)
    (folder / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (tmp_path / "content" / "questions").mkdir()  # the questions' folder is a folder of records too
    (tmp_path / "content" / "questions" / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([*BUILD_SITE, "--site-dir", "build/site"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "content/trials/notes.txt:1:1: error[symlink]" in output
    assert "content/trials/evil.html:1:1: error[not-a-record]" in output
    assert "content/questions/evil.html:1:1: error[not-a-record]" in output
    assert "site build failed" in done.stderr and "no site was written" in done.stderr
    assert "Traceback" not in output and "CANARY" not in output
    assert not (tmp_path / "build" / "site").exists()
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [".site.lock"]  # no staging folder left
