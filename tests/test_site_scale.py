"""What keeps a large site's build flat in memory and its output small: converted pages wait on disk,
records' texts are released once the site has them, few worker results wait ahead of MkDocs, one
archive of all trials can replace the per-trial copies, and generated pages lose the theme's indentation."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

import test_site_build_modes
from conftest import ROOT
from evidencekb import sitebuild
from evidencekb.bulk import BulkArchive, compressed_members
from evidencekb.pagestore import PageStore
from test_site_build_modes import _build

docs = test_site_build_modes.docs  # the repository's content with three synthetic records


def test_a_page_store_gives_each_text_back_once() -> None:
    store = PageStore()
    store.put("a.md", "<p>é</p>")
    store.put("b.md", "<p>b</p>" * 1000)
    assert store.take("b.md") == "<p>b</p>" * 1000
    assert store.take("a.md") == "<p>é</p>"
    assert store.take("a.md") is None
    store.close()


def _archive(path: Path, records: list[dict[str, str]]) -> bytes:
    archive = BulkArchive(str(path))
    for members in records:
        archive.add(compressed_members(list(members.items())))
    archive.close()
    archive.close()  # idempotent
    return path.read_bytes()


def test_the_archive_holds_the_texts_and_is_byte_identical_when_rebuilt(tmp_path: Path) -> None:
    records = [{"trials/a.yaml": "id: a\n", "trials/a.computed.json": '{"trial":"a"}\n'},
               {"trials/b.yaml": "id: b # é\n" * 100, "trials/b.computed.json": "{}\n"}]
    members = {name: text for record in records for name, text in record.items()}
    first = _archive(tmp_path / "one.tar.gz", records)
    assert first == _archive(tmp_path / "two.tar.gz", records)
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        assert tar.getnames() == list(members)
        assert {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers()} == members  # type: ignore[union-attr]
        assert {(m.mtime, m.uid, m.mode) for m in tar.getmembers()} == {(0, 0, 0o644)}
    listed = subprocess.run(["tar", "-tzvf", str(tmp_path / "one.tar.gz")], capture_output=True, text=True, check=True)
    assert [line.split()[-1] for line in listed.stdout.splitlines()] == list(members)  # GNU tar reads it too
    assert listed.stderr == ""


def test_indentation_goes_but_preformatted_text_stays() -> None:
    html = ('<div>\n    <p>a\n\n      b</p>\n  <pre><code>x\n    indented\n</code></pre>\n  <textarea>\n  t</textarea>'
            '\n</div>')
    assert sitebuild.without_indentation(html) == (
        '<div>\n<p>a\nb</p>\n<pre><code>x\n    indented\n</code></pre>\n<textarea>\n  t</textarea>\n</div>')


def test_workers_keep_only_a_few_results_ahead_and_give_every_record_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = []
    for i in range(5):  # the same record in five folders: each published (its id is its file's name)
        path = tmp_path / str(i) / "dalakas-1993.yaml"
        path.parent.mkdir()
        shutil.copyfile(ROOT / "content/trials/dalakas-1993.yaml", path)
        paths.append(str(path))
    monkeypatch.setattr(sitebuild, "MIN_RECORDS_PER_WORKER", 1)
    monkeypatch.setattr(sitebuild, "RESULTS_AHEAD_PER_WORKER", 1)
    jobs = [sitebuild.RecordJob(p, sitebuild.PageLinks(), ()) for p in paths]
    pending = sitebuild.PendingRecords(jobs, {}, 2)
    try:
        assert len(pending._futures) == 2 and len(pending._waiting) == 3
        last = pending.result(paths[3])  # out of order: the jobs before it are handed out first
        assert len(pending._waiting) <= 1
        assert last.summary.path == paths[3]
        pending.release(paths[3])
        assert paths[3] not in pending.collected()
        assert pending.result(paths[3]).rendered == sitebuild.RenderedRecord("", "")
        assert [r.summary.path for r in pending.results()] == paths
    finally:
        pending.close()
    serial = sitebuild.build_records(jobs[:1], 1)[0]
    assert pending.collected()[paths[0]] == serial


def test_an_archive_only_site_has_no_per_trial_copies_and_holds_their_bytes(
        docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    archive_only = config.replace("      glossary: includes/abbreviations.md\n",
                                  "      glossary: includes/abbreviations.md\n      per_trial_files: false\n")
    assert archive_only != config
    (tmp_path / "mkdocs-archive.yml").write_text(archive_only, encoding="utf-8")
    _build(docs, tmp_path / "each", dirty=False)
    _build(docs, tmp_path / "archive", dirty=False, config_file="mkdocs-archive.yml")
    each, archive = tmp_path / "each" / "trials", tmp_path / "archive" / "trials"
    copies = sorted(p.relative_to(each).as_posix() for p in [*each.glob("*.yaml"), *each.glob("*/*.computed.json")])
    assert len(copies) == 2 * len(list(each.glob("*/index.html"))) > 0
    assert list(archive.glob("*.yaml")) == list(archive.glob("*/*.computed.json")) == []
    assert (each / "trials.tar.gz").read_bytes() == (archive / "trials.tar.gz").read_bytes()
    with tarfile.open(archive / "trials.tar.gz", mode="r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    assert {name.removeprefix("trials/") for name in members} == {c.rsplit("/", 1)[-1] for c in copies}
    for copy in copies:
        assert members["trials/" + copy.rsplit("/", 1)[-1]] == (each / copy).read_bytes()
    json.loads(members[next(n for n in members if n.endswith(".json"))])
    assert "trials.tar.gz" not in (each / "proderm" / "index.html").read_text(encoding="utf-8")
    page = (archive / "proderm" / "index.html").read_text(encoding="utf-8")
    assert 'href="../trials.tar.gz" download' in page and "proderm.computed.json" in page
    assert 'href="proderm.computed.json"' not in page and 'href="../proderm.yaml"' not in page


def test_a_full_build_keeps_no_page_text_once_written(docs: Path, tmp_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=False)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    plugin = config.plugins["evidencekb"]
    assert plugin.converted._where == {}
    # every published record's texts released once its files were made (drafts have none)
    assert [path for path, r in plugin.records.collected().items() if r.rendered] == []
    assert all(r.rendered in (None, sitebuild.RenderedRecord("", "")) for r in plugin.records.results())
    config.plugins.on_shutdown()
