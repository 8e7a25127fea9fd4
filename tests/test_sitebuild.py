"""Per-record site outputs (evidencekb.sitebuild): the same pages serially or on worker processes, and a
cache that redoes exactly the records whose files changed."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from _synth import synth
from evidencekb import sitebuild
from evidencekb.render import PageLinks
from evidencekb.sitebuild import RecordCache, RecordJob, build_records

ROOT = Path(__file__).resolve().parents[1]
LINKS = PageLinks(record="../x.yaml", computed="x.computed.json", methods="../../methods/")
GLOSSARY = (("IVIG", "intravenous immune globulin"),)


def _jobs(folder: Path) -> list[RecordJob]:
    return [RecordJob(str(p), LINKS, GLOSSARY) for p in sorted(folder.glob("*.yaml"))]


def test_worker_processes_give_the_same_pages_as_one_process(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    synth.write(2 * sitebuild.MIN_RECORDS_PER_WORKER, str(tmp_path), seed=3)
    shutil.copy(ROOT / "content/trials/proderm.yaml", tmp_path)
    jobs = _jobs(tmp_path)
    pools: list[int] = []

    class CountingPool(sitebuild.ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: object) -> None:
            pools.append(workers)
            super().__init__(workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sitebuild, "ProcessPoolExecutor", CountingPool)
    serial = build_records(jobs, workers=1)
    assert pools == []
    assert threading.active_count() == 1, "the pool is used only from a single-threaded process"
    parallel = build_records(jobs, workers=2)
    assert pools == [2]
    assert parallel == serial
    assert [p.summary.trial_id for p in serial] == [Path(j.path).stem for j in jobs]
    assert all(p.summary.published and p.summary.row and p.rendered and p.rendered.page for p in serial)


def test_pages_of_a_record_with_errors_are_not_built(tmp_path: Path) -> None:
    record = tmp_path / "proderm.yaml"
    text = (ROOT / "content/trials/proderm.yaml").read_text(encoding="utf-8")
    record.write_text(text.replace("status: published", "status: publishd", 1), encoding="utf-8")
    [pages] = build_records(_jobs(tmp_path), workers=1)
    assert [d.code for d in pages.summary.diagnostics if d.severity.name == "ERROR"] == ["invalid-value"]
    assert (pages.summary.published, pages.summary.row, pages.rendered) == (False, None, None)


def test_cache_rebuilds_exactly_the_records_whose_files_changed(tmp_path: Path) -> None:
    for name in ("proderm.yaml", "dalakas-1993.yaml"):
        shutil.copy(ROOT / "content/trials" / name, tmp_path)
    synth.write(1, str(tmp_path), seed=5)
    cache = RecordCache()
    first = cache.build(_jobs(tmp_path), workers=1)
    again = cache.build(_jobs(tmp_path), workers=1)
    assert all(a is b for a, b in zip(first, again, strict=True)), "unchanged files are not rebuilt"

    edited = tmp_path / "dalakas-1993.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    after_edit = cache.build(_jobs(tmp_path), workers=1)
    assert [a is b for a, b in zip(first, after_edit, strict=True)] == [False, True, True]
    assert after_edit[0] == first[0], "a comment changes no page"

    other_links = [RecordJob(j.path, PageLinks(), j.glossary) for j in _jobs(tmp_path)]
    relinked = cache.build(other_links, workers=1)
    assert not any(a is b for a, b in zip(after_edit, relinked, strict=True)), "new links, new pages"

    (tmp_path / "proderm.yaml").unlink()
    remaining = cache.build(other_links[:1] + other_links[2:], workers=1)
    assert [r.summary.path for r in remaining] == [other_links[0].path, other_links[2].path]
