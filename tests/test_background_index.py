"""The search index under serve: built after the rebuild, the newest rebuild's index wins, a failure warns."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from evidencekb import search_index
from evidencekb.background_index import BackgroundIndexer, replace_index
from evidencekb.plugin import EvidencePlugin
from evidencekb.search_index import INDEX_FOLDER, SearchIndexError

Started = Callable[[subprocess.Popen[str]], None]
LOG = logging.getLogger("test.background_index")


def _write(output: Path, text: str) -> None:
    output.mkdir()
    (output / "pagefind-entry.json").write_text(text, encoding="utf-8")


def _served(site: Path) -> str:
    return (site / INDEX_FOLDER / "pagefind-entry.json").read_text(encoding="utf-8")


def test_the_finished_index_replaces_the_served_one_and_leaves_no_scratch(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _write(site / INDEX_FOLDER, "old")
    indexer = BackgroundIndexer(LOG, lambda site_dir, output, started: _write(output, "new"))
    indexer.start(site)
    indexer.wait()
    assert _served(site) == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # the scratch folder is gone


def test_a_superseded_run_never_overwrites_the_newer_index(tmp_path: Path) -> None:
    """The first run is still indexing when a newer rebuild starts; it finishes later and is discarded."""
    site = tmp_path / "site"
    site.mkdir()
    first_running, first_may_finish = threading.Event(), threading.Event()
    texts = iter(["first", "second"])

    def indexer(site_dir: Path, output: Path, started: Started) -> None:
        text = next(texts)
        if text == "first":
            first_running.set()
            first_may_finish.wait(10)
        _write(output, text)

    background = BackgroundIndexer(LOG, indexer)
    background.start(site)
    assert first_running.wait(10)
    background.start(site)  # the newer rebuild: its run waits for the first to exit
    first_may_finish.set()
    background.wait()
    assert _served(site) == "second"


def test_a_newer_rebuild_stops_the_running_indexer(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    processes: list[subprocess.Popen[str]] = []

    def indexer(site_dir: Path, output: Path, started: Started) -> None:
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], text=True)
        processes.append(process)
        started(process)
        if process.wait() != 0:
            raise SearchIndexError("the search indexer failed: killed")
        _write(output, "late")

    background = BackgroundIndexer(LOG, indexer)
    background.start(site)
    while not processes:
        threading.Event().wait(0.01)
    background.stop()
    background.wait()
    assert processes[0].returncode != 0 and not (site / INDEX_FOLDER).exists()


def test_a_failed_run_under_serve_is_a_warning_naming_its_cause(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    def failing(site_dir: Path, output: Path, started: Started) -> None:
        raise SearchIndexError("the search indexer failed: Error: no space left on device")

    site = tmp_path / "site"
    site.mkdir()
    background = BackgroundIndexer(LOG, failing)
    with caplog.at_level(logging.WARNING):
        background.start(site)
        background.wait()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "search index was not updated" in caplog.text and "no space left on device" in caplog.text


def test_replacing_an_index_where_there_was_none(tmp_path: Path) -> None:
    _write(tmp_path / "new", "first")
    replace_index(tmp_path / "new", tmp_path / INDEX_FOLDER)
    assert _served(tmp_path) == "first" and not (tmp_path / "new").exists()


def _failing_indexer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind replaced by a command that fails as it would, with its reason on stderr."""
    monkeypatch.setattr(search_index, "indexer_command",
                        lambda site, output: [sys.executable, "-c", "import sys; sys.exit('Error: disk full')"])


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_failing_indexer_fails_a_build_and_warns_under_serve(command: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    _failing_indexer(monkeypatch)
    (tmp_path / "index.html").write_text("<html><body><p>page</p></body></html>", encoding="utf-8")
    config = SimpleNamespace(site_dir=str(tmp_path), plugins={})
    site = EvidencePlugin()
    site.on_startup(command=command, dirty=command == "serve")
    try:
        if command == "build":
            with pytest.raises(PluginError, match="the search indexer failed: Error: disk full"):
                site.on_post_build(config=config)  # type: ignore[arg-type]
        else:
            with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.evidencekb"):
                site.on_post_build(config=config)  # type: ignore[arg-type]  # returns before the indexer ends
                assert site.indexer is not None
                site.indexer.wait()
            assert "the search index was not updated: the search indexer failed: Error: disk full" in caplog.text
    finally:
        site.on_shutdown()
