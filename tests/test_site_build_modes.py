"""Build modes that must not change the site: dirty rebuilds, as ``make serve`` (``mkdocs serve --dirty``)
runs them, rebuild only what changed and end up as a full build would; a build with worker processes (one pass per
record, giving its summary and its page) writes the same files as one without."""

from __future__ import annotations

import importlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from _synth import synth
from conftest import ROOT
from evidencekb import sitebuild
from evidencekb.plugin import EvidencePlugin
from evidencekb.search_index import INDEX_FOLDER

sys.path.insert(0, str(ROOT / "scripts"))
pagefind_files = importlib.import_module("pagefind_files")


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "docs")
    synth.write(3, str(tmp_path / "docs" / "trials"), seed=11)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(re.sub(r"(?m)^docs_dir:.*$", "docs_dir: docs", config), encoding="utf-8")
    return tmp_path / "docs"


def _build(docs: Path, site: Path, *, dirty: bool, first: bool = True, config_file: str = "mkdocs.yml"
           ) -> EvidencePlugin:
    """One build as ``mkdocs serve`` does it: a fresh config each time, the plugins' instances kept."""
    config = load_config(str(docs.parent / config_file), site_dir=str(site), strict=False)
    if first:
        config.plugins.on_startup(command="serve", dirty=dirty)
    build(config, dirty=dirty)
    plugin = config.plugins["evidencekb"]
    assert isinstance(plugin, EvidencePlugin)
    return plugin


def _indexed(plugin: EvidencePlugin, site: Path) -> dict[str, str]:
    """Each page in the site's Pagefind index and its indexed text, once the background indexer of serve
    (dirty builds) is done."""
    if plugin.indexer:
        plugin.indexer.wait()
    return pagefind_files.PagefindIndex.in_folder(site / INDEX_FOLDER).pages()


def _mtimes(site: Path) -> dict[str, int]:
    """Modification times of the pages (404.html is a theme template that MkDocs writes on every build)."""
    pages = (p for p in site.rglob("*.html") if p.name != "404.html")
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in pages}


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert count == 1
    path.write_text(text, encoding="utf-8")


def test_an_edit_rebuilds_its_page_alone_and_keeps_the_search_index_whole(docs: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(docs, site, dirty=True)
    before = _mtimes(site)
    record = docs / "trials/synthetic-00002.yaml"
    _edit(record, r"^(bottom_line: .*)$", r"\1 Edited by a reviewer.")
    plugin = _build(docs, site, dirty=True, first=False)

    changed = {page for page, mtime in _mtimes(site).items() if mtime != before[page]}
    assert changed == {"trials/synthetic-00002/index.html"}
    assert "Edited by a reviewer." in (site / "trials/synthetic-00002/index.html").read_text(encoding="utf-8")
    assert plugin.indexer  # the search index of serve, built after the rebuild: as the full build's
    served = _indexed(plugin, site)
    assert "Edited by a reviewer." in served["/trials/synthetic-00002/"]
    full = tmp_path / "full"
    assert served == _indexed(_build(docs, full, dirty=False), full)


QUESTION_PAGE = "questions/ivig-dermatomyositis/index.html"


def _article(site: Path, page: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    return html[html.index("<article"):html.index("</article>")]


def test_a_question_page_is_made_again_when_a_trial_it_pools_changes_and_only_then(docs: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    plugin = _build(docs, site, dirty=True)
    assert plugin.question_site.stages == 1
    assert plugin.backing
    made, before, article = len(plugin.backing.made), _mtimes(site), _article(site, QUESTION_PAGE)
    _edit(docs / "trials/synthetic-00002.yaml", r"^(bottom_line: .*)$", r"\1 Edited by a reviewer.")
    _build(docs, site, dirty=True, first=False)
    assert plugin.question_site.stages == 1  # the question reads no synthetic trial: neither checked nor rendered
    # made again: the edited trial's page and JSON alone (their record is new); no other page, feed or index
    assert plugin.backing.made[made:] == ["trials/synthetic-00002.md",
                                          "trials/synthetic-00002/synthetic-00002.computed.json"]
    assert _mtimes(site)[QUESTION_PAGE] == before[QUESTION_PAGE]

    # ProDERM's TIS >= 20 responders at week 16, pooled by the question: one responder fewer on IVIG
    _edit(docs / "trials/proderm.yaml", r"\{arm: ivig-first, events: 37, total: 47, percent: 79\}",
          "{arm: ivig-first, events: 36, total: 47, percent: 77}")
    _build(docs, site, dirty=True, first=False)
    assert plugin.question_site.stages == 2
    assert _article(site, QUESTION_PAGE) != article
    served = _indexed(plugin, site)  # before the full build, whose start stops serve's indexer
    full = tmp_path / "full"
    full_plugin = _build(docs, full, dirty=False)
    assert _article(site, QUESTION_PAGE) == _article(full, QUESTION_PAGE)
    assert served == _indexed(full_plugin, full)


def _rename(docs: Path) -> None:
    _edit(docs / "trials/synthetic-00001.yaml", r"^short_name: .*$", "short_name: RENAMED-TRIAL")


def _remove(docs: Path) -> None:
    (docs / "trials/synthetic-00003.yaml").unlink()


def _make_draft(docs: Path) -> None:
    _edit(docs / "trials/synthetic-00003.yaml", r"^status: published$", "status: draft")


@pytest.mark.parametrize("change", [_rename, _remove, _make_draft],
                         ids=["renamed trial", "removed record", "record made a draft"])
def test_changes_shown_on_other_pages_rebuild_those_pages_too(docs: Path, tmp_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """A new title changes the trial table and the tag listings; a removal, every listing and the index."""
    site = tmp_path / "site"
    plugin = _build(docs, site, dirty=True)
    change(docs)
    _build(docs, site, dirty=True, first=False)

    served = _indexed(plugin, site)  # before the full build, whose start stops serve's indexer
    full = tmp_path / "full"
    assert served == _indexed(_build(docs, full, dirty=False), full)
    for page in ("index.html", "conditions/index.html", "interventions/index.html"):
        assert (site / page).read_bytes() == (full / page).read_bytes()


def test_worker_processes_change_no_file(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synth.write(2 * sitebuild.MIN_RECORDS_PER_WORKER, str(docs / "trials"), seed=13)
    config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    for workers in (1, 2):
        with_workers = config.replace("      glossary: includes/abbreviations.md\n",
                                      f"      glossary: includes/abbreviations.md\n      workers: {workers}\n")
        assert with_workers != config
        (tmp_path / f"mkdocs-{workers}.yml").write_text(with_workers, encoding="utf-8")
    pools: list[int] = []
    worker_pool = sitebuild.worker_pool

    def counting_pool(workers: int) -> sitebuild.ProcessPoolExecutor:
        pools.append(workers)
        return worker_pool(workers)

    monkeypatch.setattr(sitebuild, "worker_pool", counting_pool)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    _build(docs, tmp_path / "one", dirty=False, config_file="mkdocs-1.yml")
    assert pools == []
    _build(docs, tmp_path / "two", dirty=False, config_file="mkdocs-2.yml")
    assert pools == [2]

    def tree(site: Path) -> dict[str, bytes]:
        return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}

    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def _serve_arguments() -> list[str]:
    """The arguments ``make serve`` gives mkdocs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"(?m)^serve:.*\n\t\$\(BIN\)/mkdocs (serve.*)$", makefile)
    assert match, "the serve target runs mkdocs serve"
    return match[1].split()


def _fetch_bytes(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return bytes(response.read())
    except OSError:
        return None


def _fetch(url: str) -> str:
    return (_fetch_bytes(url) or b"").decode("utf-8")


def _served_pages(base: str) -> dict[str, str]:
    """Each page in the served Pagefind index and its text; none while the index is being replaced."""
    try:
        return pagefind_files.PagefindIndex(lambda p: _fetch_bytes(base + INDEX_FOLDER + "/" + p)).pages()
    except ValueError:
        return {}


def test_make_serve_shows_an_edit_and_indexes_it(docs: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "mkdocs", *_serve_arguments(), "-f", str(tmp_path / "mkdocs.yml"),
               "-a", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        def wait_for(condition, seconds: float = 90) -> bool:  # type: ignore[no-untyped-def]
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and server.poll() is None:
                if condition():
                    return True
                time.sleep(0.1)
            return False

        page = base + "trials/synthetic-00002/"
        assert wait_for(lambda: "synthetic" in _fetch(page).lower()), "the trial page is served"
        time.sleep(1)  # the watcher starts right after the first build
        _edit(docs / "trials/synthetic-00002.yaml", r"^(bottom_line: .*)$", r"\1 Served edit.")
        assert wait_for(lambda: "Served edit." in _fetch(page)), "the edit is served"
        assert wait_for(lambda: "Served edit." in _served_pages(base).get("/trials/synthetic-00002/", "")), \
            "the served search index finds the edit"
        assert set(_served_pages(base)) >= {"/", "/trials/proderm/", "/trials/synthetic-00001/"}
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors, errors
