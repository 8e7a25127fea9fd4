"""Publication of the site is atomic and locked: a build killed at any moment leaves the previous or the
new complete site, never none and never a mix; staging folders of dead builds are removed; builds at
once take turns; an operating-system error is one line.

Builds run ``scripts/build_site.py``'s ``build`` in forked processes of a process that has already
imported MkDocs and the plugin, on a tiny content folder, so a build takes a fraction of a second and
a kill at a random moment lands in validation, in MkDocs or in publication alike.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import random
import re
import signal
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

import evidencekb.plugin  # noqa: F401  (imported once here, so the forked builds start at once)
from evidencekb.publish import SiteFolder

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "corpus" / "valid" / "minimal.yaml"
KILLS = 20


def _build_site_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD_SITE = _build_site_module()


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One build in this process first: what MkDocs and the plugin load on first use, forks inherit."""
    folder = tmp_path_factory.mktemp("warm")
    _write_project(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        assert BUILD_SITE.build(str(folder / "mkdocs.yml"), str(folder / "build" / "site")) == 0


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: None) -> Path:
    """A content folder of one published record and a home page, with a MkDocs configuration."""
    _write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return tmp_path


def _write_project(tmp_path: Path) -> None:
    trials = tmp_path / "content" / "trials"
    trials.mkdir(parents=True)
    record = MINIMAL.read_text(encoding="utf-8").replace("status: draft", "status: published")
    (trials / "minimal.yaml").write_text(record, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: tiny\ndocs_dir: content\ntheme: {name: mkdocs}\nplugins:\n  - evidencekb: {records: trials}\n",
        encoding="utf-8")
    _home(tmp_path, 0)


def _home(project: Path, number: int) -> None:
    (project / "content" / "index.md").write_text(f"# Home\n\nbuild-{number}-marker\n", encoding="utf-8")


def _start(site: Path) -> int:
    """A build of the project in a child process (its output discarded); returns the child's pid."""
    pid = os.fork()
    if pid == 0:  # the child: build, and leave without running anything of the test process
        code = 1
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            code = BUILD_SITE.build("mkdocs.yml", str(site))
        finally:
            os._exit(code)
    return pid


def _exit_code(pid: int) -> int | None:
    """The child's exit status, or None when it was killed."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None


def _files(site: Path) -> Counter[str]:
    """The site's files; the search index's files are named by a hash of what they hold, which changes
    with the home page of each build, so only their number and kind are compared."""
    return Counter(re.sub(r"_[0-9a-f]+\.pf_", "_#.pf_", str(p.relative_to(site)))
                   for p in site.rglob("*") if p.is_file())


def _marker(site: Path) -> int:
    text = (site / "index.html").read_text(encoding="utf-8")
    return int(text.split("build-", 1)[1].split("-marker", 1)[0])


def _leftovers(site: Path) -> list[str]:
    folder = SiteFolder(str(site))
    return sorted(p.name for p in site.parent.iterdir()
                  if p.name.startswith(folder.prefix) and str(p) != folder.published())


def test_a_build_killed_at_random_moments_leaves_a_complete_site(project: Path) -> None:
    site = project / "build" / "site"
    start = time.perf_counter()
    assert _exit_code(_start(site)) == 0
    seconds = time.perf_counter() - start
    complete = _files(site)
    assert {"index.html", "trials/minimal/index.html", "trials/minimal/minimal.computed.json"} <= set(complete)
    assert any(name.startswith("pagefind/") for name in complete)

    rng = random.Random(13)
    published, outcomes = 0, Counter[str]()
    for number in range(1, KILLS + 1):
        _home(project, number)
        pid = _start(site)
        time.sleep(rng.uniform(0, 1.2 * seconds))
        os.kill(pid, signal.SIGKILL)
        _exit_code(pid)
        assert _files(site) == complete, f"kill {number}: an incomplete site"
        found = _marker(site)
        assert found in (published, number), f"kill {number}: site of build {found}"
        outcomes[_moment(site, found == number)] += 1
        published = found
        assert len(_leftovers(site)) <= 3, "staging folders pile up"

    _home(project, KILLS + 1)
    assert _exit_code(_start(site)) == 0
    assert _marker(site) == KILLS + 1 and _files(site) == complete
    assert _leftovers(site) == []
    assert sorted(p.name for p in site.parent.iterdir()) == sorted(
        [".site.lock", "site", os.path.basename(os.readlink(site))])
    assert sum(outcomes.values()) == KILLS
    print(f"\nkilled builds: {KILLS}, {dict(outcomes)}; a build took {seconds:.2f} s")


def _moment(site: Path, new_site: bool) -> str:
    """When the kill came, as the folders show it."""
    if new_site:
        return "after publication"
    staging = [site.parent / name for name in _leftovers(site) if "link-" not in name]
    if not staging:
        return "before staging"
    written = any(p.is_file() for folder in staging for p in folder.rglob("*"))
    return "while MkDocs wrote the site" if written else "during validation (nothing written yet)"


def test_two_builds_at_once_both_end_cleanly(project: Path) -> None:
    site = project / "build" / "site"
    first, second = _start(site), _start(site)
    assert (_exit_code(first), _exit_code(second)) == (0, 0)
    assert {"index.html", "trials/minimal/index.html"} <= set(_files(site))
    assert _leftovers(site) == []


def test_staging_of_a_dead_build_is_removed_by_the_next(project: Path) -> None:
    """A build that died between staging and publication: its complete staging folder is never published."""
    site = project / "build" / "site"
    assert BUILD_SITE.build("mkdocs.yml", str(site)) == 0
    folder = SiteFolder(str(site))
    dead = Path(folder.new_staging())
    (dead / "index.html").write_text("built but never published", encoding="utf-8")
    os.symlink(dead.name, site.parent / f"{folder.prefix}link-99999")  # and its link, made but not renamed
    assert _marker(site) == 0
    _home(project, 1)
    assert BUILD_SITE.build("mkdocs.yml", str(site)) == 0
    assert _marker(site) == 1 and not dead.exists() and _leftovers(site) == []


def test_a_site_folder_of_the_former_layout_is_replaced_by_the_link(project: Path) -> None:
    site = project / "build" / "site"
    site.mkdir(parents=True)
    (site / "old.html").write_text("old", encoding="utf-8")
    assert BUILD_SITE.build("mkdocs.yml", str(site)) == 0
    assert site.is_symlink() and not (site / "old.html").exists() and _leftovers(site) == []


def test_an_os_error_is_one_line_and_keeps_the_previous_site(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    site = project / "build" / "site"
    assert BUILD_SITE.build("mkdocs.yml", str(site)) == 0
    capsys.readouterr()

    def disk_full(config_file: str, site_dir: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.path.join(site_dir, "index.html"))

    monkeypatch.setattr(BUILD_SITE, "run_mkdocs", disk_full)
    _home(project, 1)
    assert BUILD_SITE.build("mkdocs.yml", str(site)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("site build failed: No space left on device (")
    assert err.endswith(f"index.html); the previous site is kept in {site}\n")
    assert _marker(site) == 0 and _leftovers(site) == []
