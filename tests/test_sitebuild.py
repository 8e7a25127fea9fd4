"""Per-record site outputs (evidencekb.sitebuild): the same pages serially or on worker processes, and a
cache that redoes exactly the records whose files changed."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import threading
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from _synth import synth
from evidencekb import sitebuild
from evidencekb.pipeline import check_record
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


def test_one_pass_per_record_gives_its_summary_and_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "content/trials/proderm.yaml", tmp_path)
    loaded: list[str] = []
    check_record = sitebuild.check_record

    def counting(path: str, *args: object, **kwargs: bool) -> object:
        loaded.append(path)
        return check_record(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sitebuild, "check_record", counting)
    [pages] = build_records(_jobs(tmp_path), workers=1)
    assert loaded == [str(tmp_path / "proderm.yaml")]
    assert pages.summary.row is not None and pages.summary.row.short_name == "ProDERM"
    assert pages.rendered is not None and "ProDERM" in pages.rendered.page
    assert '"trial":"proderm"' in pages.rendered.computed_json


def test_duplicate_ids_are_found_once_across_the_summaries(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(ROOT / "content/trials/proderm.yaml", tmp_path / folder)
    jobs = [RecordJob(str(tmp_path / f / "proderm.yaml"), LINKS, GLOSSARY) for f in ("a", "b")]
    summaries = [p.summary for p in build_records(jobs, workers=1)]
    problems = sitebuild.site_problems(summaries, [])
    assert [(d.path, d.code) for d in problems] == [(jobs[1].path, "duplicate-trial")]
    assert (problems[0].line, problems[0].column) == summaries[1].id.position  # type: ignore[union-attr]


def _listing(rows: tuple[str, ...] = ("row",), titles: tuple[str, ...] = ("T",),
             glossary: tuple[tuple[str, str], ...] = ()) -> sitebuild.SiteListing:
    return sitebuild.SiteListing(rows, tuple((t, t, ()) for t in titles), glossary)  # type: ignore[arg-type]


def test_pages_made_stale_by_an_edit() -> None:
    pages, markers = ["index.md", "trials/a.md", "methods.md"], {"index.md"}
    assert sitebuild.pages_made_stale(None, _listing(), pages, markers) == []  # the first build builds all
    assert sitebuild.pages_made_stale(_listing(), _listing(), pages, markers) == []
    assert sitebuild.pages_made_stale(_listing(), _listing(rows=("other",)), pages, markers) == ["index.md"]
    assert sitebuild.pages_made_stale(_listing(), _listing(titles=("U",)), pages, markers) == pages
    assert sitebuild.pages_made_stale(_listing(), _listing(glossary=(("RD", "risk difference"),)), pages,
                                      markers) == pages


def test_backing_files_are_rewritten_only_when_their_content_changes(tmp_path: Path) -> None:
    written: dict[str, bytes] = {}
    path = sitebuild.write_backing_file(str(tmp_path), "trials/a.md", "one", written)
    assert Path(path).read_text(encoding="utf-8") == "one"
    stamp = Path(path).stat().st_mtime_ns
    Path(path).touch()
    touched = Path(path).stat().st_mtime_ns
    assert sitebuild.write_backing_file(str(tmp_path), "trials/a.md", "one", written) == path
    assert Path(path).stat().st_mtime_ns == touched >= stamp
    sitebuild.write_backing_file(str(tmp_path), "trials/a.md", "two", written)
    assert Path(path).read_text(encoding="utf-8") == "two"
    Path(path).unlink()  # a removed file is written again though its content is known
    sitebuild.write_backing_file(str(tmp_path), "trials/a.md", "two", written)
    assert Path(path).read_text(encoding="utf-8") == "two"


def test_glossary_is_read_from_the_abbreviations_file(tmp_path: Path) -> None:
    (tmp_path / "abbr.md").write_text("*[RD]: risk difference\n", encoding="utf-8")
    assert sitebuild.read_glossary(str(tmp_path / "abbr.md")) == {"RD": "risk difference"}
    assert sitebuild.read_glossary(str(tmp_path / "missing.md")) == {}


def test_published_records_give_their_files_and_drafts_none(tmp_path: Path) -> None:
    shutil.copy(ROOT / "content/trials/proderm.yaml", tmp_path)
    draft = (ROOT / "content/trials/dalakas-1993.yaml").read_text(encoding="utf-8")
    (tmp_path / "dalakas-1993.yaml").write_text(draft.replace("status: published", "status: draft", 1),
                                                encoding="utf-8")
    results = build_records(_jobs(tmp_path), workers=1)
    proderm = sitebuild.RecordFiles.of(str(tmp_path / "proderm.yaml"), "trials")
    assert (proderm.page_uri, proderm.json_uri) == ("trials/proderm.md", "trials/proderm/proderm.computed.json")
    assert sitebuild.unpublished(results) == [str(tmp_path / "dalakas-1993.yaml")]
    assert (sitebuild.page_text(results[0]), sitebuild.json_text(results[0])) == ("", "")
    assert sitebuild.page_text(results[1]) == results[1].rendered.page  # type: ignore[union-attr]
    [(tags, row)] = sitebuild.tagged_rows(results, {proderm.path: "trials/proderm/"})
    assert tags == tuple(results[1].summary.tags) and tags
    assert (row.short_name, row.href) == ("ProDERM", "trials/proderm/")
    published = [row]
    listing = sitebuild.SiteListing.of(published, results, {"RD": "risk difference"})
    assert listing.listings == (("proderm", "ProDERM", results[1].summary.tags),)
    assert listing.glossary == (("RD", "risk difference"),)


def test_pending_records_are_built_when_first_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("proderm.yaml", "dalakas-1993.yaml"):
        shutil.copy(ROOT / "content/trials" / name, tmp_path)
    built: list[str] = []
    build_record = sitebuild.build_record
    monkeypatch.setattr(sitebuild, "build_record", lambda job: built.append(job.path) or build_record(job))
    jobs = _jobs(tmp_path)
    pending = sitebuild.PendingRecords(jobs, {}, workers=1)
    assert built == []
    assert pending.result(jobs[1].path).summary.trial_id == "proderm"
    assert built == [jobs[1].path]
    assert [r.summary.trial_id for r in pending.results()] == ["dalakas-1993", "proderm"]
    assert built == [jobs[1].path, jobs[0].path], "each record once"


def test_a_trial_a_question_reads_comes_back_with_what_questions_read_of_it() -> None:
    """The question stage takes the trials from the site build's own pass: their ids, endpoints and raw
    per-arm data, not the whole trial (which would be several times larger)."""
    job = RecordJob(str(ROOT / "content/trials/proderm.yaml"), LINKS, GLOSSARY, read_by_question=True)
    returned = pickle.loads(pickle.dumps(sitebuild.build_record(job)))  # as a worker process returns it
    read = returned.for_questions
    assert read.id == "proderm" and read.design == "parallel"
    tis = next(r for r in read.results if r.endpoint == "tis20-w16")
    counts = tis.data.counts  # the primary endpoint: IVIG 37/47 vs placebo 21/48 (NEJM 2022 abstract; NCT02728752)
    assert (counts.events1, counts.total1, counts.events2, counts.total2) == (37, 47, 21, 48)
    whole = check_record(job.path, compute=True)
    assert len(pickle.dumps(read)) * 5 < len(pickle.dumps((whole.trial, whole.computed)))
    assert sitebuild.build_record(dataclasses.replace(job, read_by_question=False)).for_questions is None


def test_compiled_templates_serve_a_new_environment_until_the_template_changes(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("Hello {{ name }}", encoding="utf-8")
    cache = sitebuild.CompiledTemplates()

    def environment() -> Environment:
        return Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache, autoescape=True)

    assert environment().get_template("page.html").render(name="a") == "Hello a"
    rebuilt = environment()
    compiled: list[str] = []
    rebuilt.compile = lambda *args, **kwargs: compiled.append("again")  # type: ignore[method-assign]
    assert rebuilt.get_template("page.html").render(name="<b>") == "Hello &lt;b&gt;"
    assert compiled == []
    (tmp_path / "page.html").write_text("Bye {{ name }}", encoding="utf-8")
    assert environment().get_template("page.html").render(name="c") == "Bye c"
