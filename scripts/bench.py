"""Benchmarks of validation and of the site at N synthetic records; writes the benchmarks page.

``make bench`` runs ``scripts/bench.py --sizes 10,100,1000``; ``BENCH_SIZES=10,100 make bench`` is the
quick mode. For each N it generates records with ``scripts/synth.py`` and measures, as medians of repeated
runs (5 for N <= 100, 3 above; the compared commands interleaved so that machine noise hits them alike):

1. ``evidencekb validate --strict`` (a subprocess: start-up counts) against ``check-jsonschema`` on the
   same files with the committed JSON Schema, and against the floor: one Python process that reads the
   same files and parses them with ``yaml.load(..., Loader=yaml.CSafeLoader)``;
2. the full strict site build (``mkdocs build --strict`` with a temporary mkdocs.yml whose docs folder
   holds the repo's hand-written pages and the N records) against the floor: a bare ``mkdocs build`` of
   the same pages pre-rendered as plain Markdown (the plugin's output written to files, the plugin
   removed), kept out of the navigation as the trial pages are;
3. the time from editing one record (then a question) to the edit being served by ``mkdocs serve
   --dirty`` (as ``make serve`` runs it, on 127.0.0.1 at a free port), the time until the served Pagefind
   index finds the edit, and whether it then indexes the same pages as the full build, the edited page
   with its new text and without its old (``--serve-only``: one full build and these edits only);
4. peak memory of each command (its VmHWM while it runs), the size of the site (also gzip-compressed),
   of the search index (Pagefind's folder) and of the trial pages (the theme's frame and the content apart).

This script only measures: the raw numbers go to ``build/bench/results.json``, from which
``scripts/bench_report.py`` writes the page (table, SVG plot, machine, date, targets with pass/fail):
``content/benchmarks.md`` when N = 1,000 is measured, otherwise ``build/bench/benchmarks.md``. The
temporary configurations inherit the repository's ``mkdocs.yml`` (MkDocs' ``INHERIT``) rather than
editing its text, and the timed edit of a record appends to its bottom line at the position YAML gives.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

import bench_report
import synth
from bench_history import bench_history
from bench_report import SiteResult, ValidationResult
from pagefind_files import PagefindIndex

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "schema" / "trial.schema.json"
CONTENT = ROOT / "content"
SEED = 1
TRIALS_PER_QUESTION_ASKED = 10  # N / 10 synthetic questions (100 at N = 1,000), each pooling 10 trials
TIMEOUT = 1800  # seconds for any one command: a hung command fails the benchmark instead of stalling it
SERVE_TIMEOUT = 300
SLOW_EDIT = 10.0
SERVE_ARGS = ("serve", "--dirty", "--no-strict")  # as `make serve` runs it
HEAVY_IMPORTS = ("scipy", "statsmodels", "numpy", "mkdocs", "material", "markdown", "jinja2", "pymdownx")

FLOOR = """
import os, sys, yaml
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    if name.endswith((".yaml", ".yml")):
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""

# ---------------------------------------------------------------------------------------------- running


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    returncode: int


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, check: bool = True) -> Run:
    """Run a command to completion; wall time, CPU time (wait4) and peak memory of that process alone."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            status, usage = _wait(proc, TIMEOUT)
        except TimeoutError:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"timed out after {TIMEOUT} s: {' '.join(cmd[:4])} ...") from None
        wall = time.perf_counter() - start
        if check and status != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"exit {status}: {' '.join(cmd[:6])} ...\n{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_mb(proc, usage), status)


_PEAKS: dict[int, int] = {}


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, Any]:
    """Wait for ``proc``, noting its memory high-water mark (VmHWM) while it runs."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        _PEAKS[proc.pid] = max(_PEAKS.get(proc.pid, 0), _high_water_kb(proc.pid))
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.005)


def _high_water_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def peak_mb(proc: subprocess.Popen[bytes], usage: Any) -> float:
    """Peak resident memory of the command itself.

    ``ru_maxrss`` of a child counts the parent's memory copied at fork time, so the high-water mark read
    from /proc while the command ran is preferred (it is monotonic: the last reading is the peak, give or
    take the last few milliseconds).
    """
    polled = _PEAKS.pop(proc.pid, 0)
    return (polled or usage.ru_maxrss) / 1024


def mkdocs_env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}


# ---------------------------------------------------------------------------------------------- workspace


def prepare_records(work: Path, sizes: list[int], seed: int) -> dict[int, Path]:
    """The first N of max(sizes) synthetic records, one folder per N (hard links: the same bytes)."""
    everything = work / "records"
    print(f"generating {max(sizes)} synthetic records ...", file=sys.stderr)
    script = Path(__file__).resolve().parent / "synth.py"
    run([sys.executable, str(script), "--n", str(max(sizes)), "--out", str(everything), "--seed", str(seed)])
    paths = sorted(str(p) for p in everything.glob("*.yaml"))
    folders = {}
    for n in sizes:
        folder = work / f"n{n}" / "trials"
        folder.mkdir(parents=True)
        for path in paths[:n]:
            target = folder / os.path.basename(path)
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
        synth.write_questions(n // TRIALS_PER_QUESTION_ASKED, str(folder), str(folder.parent / "questions"))
        folders[n] = folder
    return folders


def site_config(docs: Path, site: Path, out: Path) -> Path:
    """A config that inherits the repo's mkdocs.yml (MkDocs' ``INHERIT``), with other docs and site folders."""
    return _write_config(out, {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(docs), "site_dir": str(site)})


def _write_config(out: Path, config: dict[str, Any]) -> Path:
    out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")  # JSON is YAML
    return out


def copy_pages(target: Path) -> None:
    """The repo's hand-written pages and their assets, without the records: neither the trials nor the
    questions, which read the repo's trials (the synthetic questions read the synthetic trials)."""
    record_folders = {(CONTENT / folder).resolve() for folder in ("trials", "questions")}

    def ignore(folder: str, names: list[str]) -> list[str]:
        if Path(folder).resolve() in record_folders:
            return [n for n in names if n.endswith((".yaml", ".yml"))]
        return []

    shutil.copytree(CONTENT, target, ignore=ignore, dirs_exist_ok=True)


def bare_config(site_config_file: Path, extra_css: list[str], out: Path, site: Path) -> Path:
    """``site_config_file`` without the evidencekb plugin (and with the CSS and the header with its search
    box that the plugin adds: the theme override as ``custom_dir``)."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    from evidencekb.plugin import THEME

    with open(ROOT / "mkdocs.yml", "rb") as handle:  # MkDocs' own reading of its tags (!relative, !ENV)
        repo = yaml_load(handle, loader=get_yaml_loader(config=MkDocsConfig()))
    plugins = [p for p in repo["plugins"] if "evidencekb" not in (p if isinstance(p, dict) else {p: None})]
    return _write_config(out, {"INHERIT": str(site_config_file), "plugins": plugins, "theme": {"custom_dir": THEME},
                               "extra_css": [*extra_css, *repo.get("extra_css", [])], "site_dir": str(site)})


KNOWN_HOOKS = {"on_config", "on_files", "on_pre_page", "on_env", "on_page_markdown"}
# Hooks that change no page's text as readers see it: plugin state (startup, shutdown), the list of built
# pages, the indentation of generated pages, the search dialog's label, the abbreviations' tabindex, the
# shared icons and the site's Pagefind index (post page, post build; the floor runs Pagefind itself), the
# workers of a failed build (build error), converted pages kept on disk until written (page content, page
# context) and Pagefind's marks on the theme's article (post page). Without those marks the floor's Pagefind
# indexes every page's whole body, more text than the full build's.
CONTENT_NEUTRAL_HOOKS = {"on_startup", "on_shutdown", "on_post_page", "on_post_build", "on_build_error",
                         "on_page_content", "on_page_context"}


def prerender(config_file: str, out_dir: str) -> None:
    """Write the plugin's generated files, and its edits of hand-written pages, as plain files.

    Runs the plugin's ``on_config``, ``on_files``, ``on_pre_page``, ``on_env`` and ``on_page_markdown`` as a
    build would; the result is the docs folder of the floor build. Prints a JSON line: the CSS the plugin adds, and any
    hook of the plugin this pre-rendering does not reproduce.
    """
    from mkdocs.config import load_config
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import get_files
    from mkdocs.structure.pages import Page

    config = load_config(config_file=config_file)
    before = list(config.extra_css)
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = get_files(config)
    files = config.plugins.on_files(files, config=config)
    plugin = config.plugins["evidencekb"]
    for file in files.documentation_pages():  # as MkDocs reads each page: the generated ones get their text
        plugin.on_pre_page(Page(None, file, config), config=config, files=files)
    plugin.on_env(config.theme.get_env(), config=config, files=files)  # the other generated files; drafts out
    hooks = {
        name
        for name in dir(type(plugin))
        if name.startswith("on_") and getattr(type(plugin), name) is not getattr(BasePlugin, name, None)
    }
    out = Path(out_dir)
    for file in files:
        target = out / file.src_uri
        if file.inclusion.is_excluded():
            continue
        if file.generated_by:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.content_bytes)
        elif file.src_uri.endswith(".md"):
            page = file.page or Page(None, file, config)
            markdown = file.content_string
            edited = plugin.on_page_markdown(markdown, page=page, config=config, files=files)
            if edited != markdown:
                target.write_text(edited, encoding="utf-8")
    added = [css for css in config.extra_css if css not in before]
    print(json.dumps({"extra_css": added, "unreproduced_hooks": sorted(hooks - KNOWN_HOOKS - CONTENT_NEUTRAL_HOOKS)}))


# ---------------------------------------------------------------------------------------------- measuring


def jsonschema_command(files: list[str]) -> tuple[list[str], str]:
    """check-jsonschema on the files; falls back to Python regexes if the schema's are not ECMAScript."""
    base = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA)]
    probe = subprocess.run([*base, files[0]], capture_output=True, text=True, check=False)
    if probe.returncode == 0:
        return [*base, *files], "default (ECMAScript) regexes"
    variant = [*base[:1], "--regex-variant", "python", *base[1:]]
    probe = subprocess.run([*variant, files[0]], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise RuntimeError(f"check-jsonschema fails on a valid record:\n{probe.stdout}{probe.stderr}")
    return [*variant, *files], (
        "`--regex-variant python`: with its default (ECMAScript, unicode mode) regexes check-jsonschema refuses"
        " the schema itself, because the DOI and URL patterns escape quotes inside character classes, which"
        " unicode-mode ECMAScript does not allow"
    )


def bench_validation(n: int, folder: Path, repeats: int) -> tuple[ValidationResult, str]:
    files = sorted(str(p) for p in folder.iterdir())
    kb = sum(os.path.getsize(f) for f in files) / len(files) / 1024
    result = ValidationResult(n, kb)
    jsonschema, note = jsonschema_command(files)
    commands = {
        "validate": [str(BIN / "evidencekb"), "validate", "--strict", str(folder)],
        "jsonschema": jsonschema,
        "floor": [sys.executable, "-c", FLOOR, str(folder)],
    }
    for i in range(repeats):
        for name, cmd in commands.items():
            measured = run(cmd)
            getattr(result, name).append(measured.wall)
            setattr(result, f"{name}_mb", max(getattr(result, f"{name}_mb"), measured.rss_mb))
            if name in ("validate", "floor"):
                getattr(result, f"{name}_cpu").append(measured.cpu)
        print(f"  N={n} validation run {i + 1}/{repeats}: validate {result.validate[-1]:.2f} s, "
              f"check-jsonschema {result.jsonschema[-1]:.2f} s, floor {result.floor[-1]:.2f} s", file=sys.stderr)
    return result, note


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def tree_gzip_bytes(folder: Path) -> int:
    """Bytes of every file gzip-compressed (level 6), as web servers and CDNs send text files."""
    return sum(len(zlib.compress(p.read_bytes(), 6)) for p in folder.rglob("*") if p.is_file())


def trial_page_parts(trials: Path) -> tuple[int, int]:
    """Bytes of the trial pages outside their <article> (the theme's frame) and inside it (the content)."""
    frame = content = 0
    for page in trials.glob("*/index.html"):
        html = page.read_bytes()
        start, end = html.find(b"<article"), html.find(b"</article>")
        inside = end + len(b"</article>") - start if 0 <= start < end else 0
        content += inside
        frame += len(html) - inside
    return frame, content


def bench_site(n: int, records: Path, work: Path, repeats: int, edits: int, serve_only: bool = False) -> SiteResult:
    """The site of the N records in ``records`` and the questions beside them (``records/../questions``)."""
    result = SiteResult(n)
    docs, site = work / "docs", work / "site"
    copy_pages(docs)
    shutil.copytree(records, docs / "trials", dirs_exist_ok=True)
    if serve_only:
        shutil.copytree(records.parent / "questions", docs / "questions", dirs_exist_ok=True)
        config = site_config(docs, site, work / "mkdocs.yml")
        result.full.append(run([str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-f", str(config)],
                               env=mkdocs_env()).wall)
        bench_serve(result, config, docs, site, edits)
        return result
    shutil.copytree(docs, work / "docs-no-questions")
    no_questions_config = site_config(work / "docs-no-questions", work / "site-no-questions",
                                      work / "mkdocs-no-questions.yml")
    shutil.copytree(records.parent / "questions", docs / "questions", dirs_exist_ok=True)
    result.questions = len(list((docs / "questions").glob("*.yaml")))
    config = site_config(docs, site, work / "mkdocs.yml")

    bare_docs, bare_site = work / "bare-docs", work / "bare-site"
    shutil.copytree(docs, bare_docs)
    bare_cfg_src = site_config(bare_docs, bare_site, work / "mkdocs-prerender.yml")
    out = subprocess.run([sys.executable, __file__, "--prerender", str(bare_cfg_src), str(bare_docs)],
                         capture_output=True, text=True, env=mkdocs_env(), check=False, timeout=TIMEOUT)
    if out.returncode != 0:
        raise RuntimeError(f"pre-rendering failed:\n{out.stderr[-3000:]}")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    if info["unreproduced_hooks"]:
        result.notes.append("the floor does not reproduce the plugin's " + ", ".join(info["unreproduced_hooks"]))
    bare_cfg = bare_config(bare_cfg_src, info["extra_css"], work / "mkdocs-bare.yml", bare_site)

    mkdocs = str(BIN / "mkdocs")
    for i in range(repeats):
        for name, cmd, folder in (
            ("full", [mkdocs, "build", "--strict", "--quiet", "-f", str(config)], site),
            ("full_no_questions", [mkdocs, "build", "--strict", "--quiet", "-f", str(no_questions_config)],
             work / "site-no-questions"),
            ("bare_mkdocs", [mkdocs, "build", "--quiet", "-f", str(bare_cfg)], bare_site),
        ):
            shutil.rmtree(folder, ignore_errors=True)
            measured = run(cmd, env=mkdocs_env())
            getattr(result, name).append(measured.wall)
            memory = {"full": "full_mb", "bare_mkdocs": "bare_mb"}.get(name)
            if memory:
                setattr(result, memory, max(getattr(result, memory), measured.rss_mb))
        result.bare.append(result.bare_mkdocs[-1] + run(floor_indexer_command(bare_site)).wall)
        print(f"  N={n} site run {i + 1}/{repeats}: full build {result.full[-1]:.2f} s, without the questions "
              f"{result.full_no_questions[-1]:.2f} s, bare build with Pagefind {result.bare[-1]:.2f} s "
              f"(MkDocs alone {result.bare_mkdocs[-1]:.2f} s)", file=sys.stderr)

    result.site_bytes, result.bare_site_bytes = tree_bytes(site), tree_bytes(bare_site)
    from evidencekb.search_index import INDEX_FOLDER

    result.search_index_bytes = tree_bytes(site / INDEX_FOLDER)
    result.bare_search_index_bytes = tree_bytes(bare_site / INDEX_FOLDER)
    result.search_pages = len(PagefindIndex.in_folder(site / INDEX_FOLDER).pages())
    trials = site / "trials"
    frame, content = trial_page_parts(trials)
    result.site_gzip_bytes = tree_gzip_bytes(site)
    result.breakdown = {
        "trial pages: content (the article)": content,
        "trial pages: theme frame (header, navigation, table of contents, footer)": frame,
        "per-trial JSON": sum(p.stat().st_size for p in trials.glob("*/*.json")),
        "record copies (YAML)": sum(p.stat().st_size for p in trials.glob("*.y*ml")),
        "search index": result.search_index_bytes,
    }
    result.breakdown["everything else (theme, index pages, tags, sitemap)"] = result.site_bytes - sum(
        result.breakdown.values())
    pages = [p.stat().st_size for p in trials.glob("*/index.html")]
    result.trial_pages = len(pages)
    if pages:
        result.trial_page_max, result.trial_page_median = max(pages), statistics.median(pages)
    if edits:
        bench_serve(result, config, docs, site, edits)
    return result


def floor_indexer_command(bare_site: Path) -> list[str]:
    """Pagefind over the bare site, as its documentation tells a static site to run it after the build.

    The floor of the site build is a plain MkDocs site whose search is Pagefind, as the full build's is:
    ``mkdocs build`` then ``pagefind --site``, timed together (``SiteResult.bare``); MkDocs alone stays
    beside it (``SiteResult.bare_mkdocs``), the floor's definition before the site's search became
    Pagefind. The command is the full build's (``search_index.indexer_command``). The floor's pages lack
    the marks the plugin's ``on_post_page`` adds to the theme's article (``search_index.marked_for_search``:
    Markdown cannot put attributes on the theme's tags), so Pagefind indexes each bare page's whole body,
    navigation included: more text than the full build indexes, which, if anything, slows the floor.
    """
    from evidencekb.search_index import INDEX_FOLDER, indexer_command

    return indexer_command(bare_site, bare_site / INDEX_FOLDER)


def with_bottom_line_marker(text: str, marker: str, key: str = "bottom_line") -> str:
    """The record's text with ``marker`` appended to its (plain, unquoted) bottom line (or other top-level
    text ``key``), all else as typed."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    value = next((v for k, v in root.value if k.value == key), None) if root is not None else None
    if not isinstance(value, yaml.ScalarNode) or value.style is not None:
        raise RuntimeError(f"the record has no plain {key} to edit")
    end = value.end_mark.index
    return f"{text[:end]} {marker}{text[end:]}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    data = fetch_bytes(url)
    return None if data is None else data.decode("utf-8", "replace")


def fetch_bytes(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def bench_serve(result: SiteResult, config: Path, docs: Path, full_site: Path, edits: int) -> None:
    """Edit one record under ``mkdocs serve``, then a question's conclusion; time until the served page shows
    each edit and until the served Pagefind index finds it, and compare that index with the full build's."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    full_pages = set(PagefindIndex.in_folder(full_site / "pagefind").pages())
    record = sorted((docs / "trials").glob("*.yaml"))[0]
    page = f"trials/{record.stem}/"
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen([str(BIN / "mkdocs"), *SERVE_ARGS, "-f", str(config), "-a", f"127.0.0.1:{port}"],
                                env=mkdocs_env(), stdout=subprocess.DEVNULL, stderr=log)
        try:
            if not _poll(lambda: fetch(base + page) is not None, proc, SERVE_TIMEOUT):
                result.serve_note = "the server did not serve the trial page"
                return
            result.serve_initial = time.perf_counter() - start
            if not time_edits(result, proc, base, record, "bottom_line", page, full_pages, edits, question=False):
                return
            if not _poll(lambda: "Edited for the benchmark" not in (fetch(base + page) or ""), proc, SERVE_TIMEOUT):
                result.serve_note = f"the restored record did not appear within {SERVE_TIMEOUT} s"
                return
            questions = sorted((docs / "questions").glob("*.yaml"))
            if questions:
                time_edits(result, proc, base, questions[0], "conclusion", f"questions/{questions[0].stem}/",
                           full_pages, edits, question=True)
        finally:
            proc.terminate()
            try:
                _, usage = _wait(proc, 30)
            except TimeoutError:
                proc.kill()
                _, usage = _wait(proc, 30)
            result.serve_mb = peak_mb(proc, usage)


def time_edits(result: SiteResult, proc: subprocess.Popen[bytes], base: str, record: Path, key: str, page: str,
               full_pages: set[str], edits: int, *, question: bool) -> bool:
    """Append a marker to the record's ``key`` ``edits`` times (each edit replacing the last); time until
    ``page`` shows it and until search finds its word on that page. False if one never does."""
    original = record.read_text(encoding="utf-8")
    shown, found = ((result.serve_question_edit, result.serve_question_search) if question
                    else (result.serve_edit, result.serve_search))
    what, previous = "question edit" if question else "edit", None
    try:
        attempt = 0
        while attempt < edits:
            word = f"zqedit{os.getpid()}n{attempt + 1}"  # ends in digits: Pagefind's stemmer keeps it whole
            marker = f"Edited for the benchmark {word}."
            time.sleep(1.0)  # let the watcher settle after the previous build
            record.write_text(with_bottom_line_marker(original, marker, key), encoding="utf-8")
            edited_at = time.perf_counter()
            if not _poll(lambda m=marker: m in (fetch(base + page) or ""), proc, SERVE_TIMEOUT):
                result.serve_note = f"the {what} did not appear within {SERVE_TIMEOUT} s"
                return False
            shown.append(time.perf_counter() - edited_at)
            if not _poll(lambda w=word: "/" + page in served_urls_with(base, w), proc, SERVE_TIMEOUT):
                result.serve_note = f"search did not find the {what} within {SERVE_TIMEOUT} s"
                return False
            found.append(time.perf_counter() - edited_at)
            served = PagefindIndex(lambda p: fetch_bytes(base + "pagefind/" + p))
            problem = index_difference(full_pages, served.pages(), "/" + page, marker, previous)
            ok = not problem
            result.serve_index_ok = ok if result.serve_index_ok is None else result.serve_index_ok and ok
            if problem:
                result.serve_note = f"search index after the {what}: {problem}"
            print(f"  N={result.n} serve {what} {attempt + 1}/{edits}: visible after {shown[-1]:.2f} s,"
                  f" found by search after {found[-1]:.2f} s, search index {'ok' if ok else 'WRONG'}", file=sys.stderr)
            if shown[-1] > SLOW_EDIT and attempt + 1 < edits:
                result.notes.append(f"N={result.n}: one {what} timed under serve (it took over {SLOW_EDIT} s)")
                edits = attempt + 1  # far over the target already: spare the time of more full rebuilds
            previous, attempt = marker, attempt + 1
    finally:
        record.write_text(original, encoding="utf-8")
    return True


def served_urls_with(base: str, word: str) -> set[str]:
    """The pages in which the served index finds ``word``; none while the index is absent or being replaced."""
    try:
        return PagefindIndex(lambda p: fetch_bytes(base + "pagefind/" + p)).urls_with(word)
    except (ValueError, OSError, EOFError, KeyError, IndexError):
        return set()


def index_difference(full_pages: set[str], served: dict[str, str], edited: str, marker: str,
                     previous: str | None) -> str:
    """How the served Pagefind index (each page's URL and indexed text) differs from what it should be: the
    full build's pages, the edited page with the edit and without the edit before it; "" if it does not."""
    if set(served) != full_pages:
        return f"{len(full_pages - set(served))} pages missing, {len(set(served) - full_pages)} pages extra"
    if marker not in served[edited]:
        return "the edit is not indexed"
    if previous and previous in served[edited]:
        return "the edited page's old text is still indexed"
    return ""


def _poll(condition: Any, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve exited with {proc.returncode}")
        _PEAKS[proc.pid] = max(_PEAKS.get(proc.pid, 0), _high_water_kb(proc.pid))
        if condition():
            return True
        time.sleep(0.05)
    return False


def bench_repo_site(work: Path) -> dict[str, Any]:
    """One strict build of the repository's own site: the trial pages of the real records."""
    site = work / "repo-site"
    cmd = [str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)]
    measured = run(cmd, cwd=ROOT, env=mkdocs_env(), check=False)
    if measured.returncode != 0:
        return {"error": f"the repository's site did not build (exit {measured.returncode})"}
    pages = {p.parent.name: p.stat().st_size for p in sorted((site / "trials").glob("*/index.html"))}
    return {"seconds": measured.wall, "site_bytes": tree_bytes(site), "pages": pages}


def import_check(folder: Path) -> dict[str, Any]:
    """Modules ``evidencekb validate`` imports (``python -X importtime``): no statistics, no MkDocs."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "evidencekb", "validate", "--quiet", str(folder)],
                         capture_output=True, text=True, check=False, cwd=ROOT)
    modules, total = [], 0
    for line in out.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            total += int(match[1])
            modules.append(match[2])
    heavy = sorted({m for m in modules if m.split(".")[0] in HEAVY_IMPORTS})
    return {"modules": len(modules), "import_ms": total / 1000, "heavy": heavy}


# ---------------------------------------------------------------------------------------------- reporting


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kb = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
            memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = {}
    for package in ("mkdocs", "mkdocs-material", "PyYAML", "pydantic", "check-jsonschema"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    import yaml

    libyaml = "no"
    if getattr(yaml, "__with_libyaml__", False):
        from yaml import _yaml  # type: ignore[attr-defined]

        libyaml = _yaml.get_version_string()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                            check=False).stdout.strip()
    changes = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                             text=True, cwd=ROOT, check=False).stdout.strip()
    if commit and changes:
        commit += " with uncommitted changes"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        **versions,
        "libyaml": libyaml,
        "os": platform.platform(),
        "commit": commit or "unknown",
    }


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated N (default: 10,100,1000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", help="page to write (default: content/benchmarks.md when N=1000 is measured)")
    parser.add_argument("--repeats", type=int, help="runs per measurement (default: 5 for N <= 100, 3 above)")
    parser.add_argument("--edits", type=int, help="edits timed under mkdocs serve (default: 3 for N <= 100, 2 above)")
    parser.add_argument("--skip-site", action="store_true", help="measure validation only")
    parser.add_argument("--serve-only", action="store_true",
                        help="one full build and the edits under mkdocs serve; prints them, writes no page")
    parser.add_argument("--skip-validation", action="store_true", help="measure the site only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    parser.add_argument("--note", default="", help="a sentence for the page on how this run departs from make bench")
    parser.add_argument("--prerender", nargs=2, metavar=("CONFIG", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prerender:
        prerender(*args.prerender)
        return 0
    try:
        sizes = sorted({int(s) for s in args.sizes.replace(" ", "").split(",") if s})
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs positive integers")
    started, load_start = time.perf_counter(), _load()
    work = Path(tempfile.mkdtemp(prefix="evidencekb-bench-"))
    vals: dict[int, ValidationResult] = {}
    sites: dict[int, SiteResult] = {}
    imports: dict[str, Any] = {}
    repo: dict[str, Any] = {}
    history: dict[str, Any] = {}
    note = ""
    try:
        folders = prepare_records(work, sizes, args.seed)
        if not args.skip_validation:
            imports = import_check(folders[sizes[0]])
            for n in sizes:
                repeats = args.repeats or (5 if n <= 100 else 3)
                print(f"validation, N={n} ({repeats} runs)", file=sys.stderr)
                vals[n], note = bench_validation(n, folders[n], repeats)
        if not args.skip_site:
            repo = bench_repo_site(work)
            for n in sizes:
                repeats = args.repeats or (5 if n <= 100 else 3)
                edits = args.edits if args.edits is not None else (3 if n <= 100 else 2)
                print(f"site, N={n} ({repeats} runs, {edits} edits under serve)", file=sys.stderr)
                sites[n] = bench_site(n, folders[n], work / f"n{n}" / "site-work", repeats, edits, args.serve_only)
                if args.serve_only:
                    print(json.dumps(serve_figures(sites[n]), indent=1))
            if args.serve_only:
                return 0
            history = bench_history(folders[max(sizes)], work)  # the git history's share of a build
            print(f"history: {history['records']} records, {history['commits']} commits,"
                  f" {history['seconds']:.1f} s", file=sys.stderr)
    finally:
        if args.keep:
            print(f"workspace kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    context = {
        "seed": args.seed,
        "note": args.note,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": load_start,
        "load_end": _load(),
        "elapsed": f"{elapsed / 60:.1f} min",
        "repeats": ", ".join(f"{len(v.validate)} at N = {n:,}" for n, v in sorted(vals.items()))
        or ", ".join(f"{len(s.full)} at N = {n:,}" for n, s in sorted(sites.items())),
    }
    bench_report.save({"machine": machine(), "context": context, "imports": imports, "jsonschema_note": note,
                       "validation": {n: asdict(v) for n, v in vals.items()},
                       "site": {n: asdict(s) for n, s in sites.items()}, "repository_site": repo,
                       "history": history})
    out, targets = bench_report.write_page(Path(args.out) if args.out else None)
    print(f"\nbenchmarks written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}", file=sys.stderr)
    for t in targets:
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[t.passed]
        print(f"  {verdict:4s}  {t.name}: {t.measured} (limit {t.limit})", file=sys.stderr)
    return 0


def serve_figures(site: SiteResult) -> dict[str, Any]:
    """The serve measurement of one size: each edit's seconds until shown and until found, their medians."""
    times = {"edit shown": site.serve_edit, "edit found by search": site.serve_search,
             "question edit shown": site.serve_question_edit,
             "question edit found by search": site.serve_question_search}
    figures: dict[str, Any] = {"n": site.n, "full build (s)": site.full, "first page served (s)": site.serve_initial}
    for name, values in times.items():
        figures[name] = {"each (s)": [round(v, 2) for v in values],
                         "median (s)": round(statistics.median(values), 2) if values else None}
    figures.update(index_ok=site.serve_index_ok, note=site.serve_note, load=_load())
    return figures


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
