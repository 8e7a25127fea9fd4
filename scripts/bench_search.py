"""Search bytes per page view and per query at N trial pages: ``bench_search.py --sizes 1000 --copies 1,10``.

Only the pages search sees are made: each record of ``scripts/synth.py`` goes through the site's pipeline
(``sitebuild.build_record``) and the site's Markdown extensions, without whole site builds. N = 10,000 is
the 1,000 pages each written 10 times under distinct URLs (``--copies``): every word then sits on 10 times
as many pages, as with 10,000 records of the same generator, at a tenth of the rendering time (rendering
is linear in N and is not what is measured). From those pages, side by side:

(a) mkdocs-material's index of the trial pages as the site writes it (numbers and boilerplate left out);
(b) that index restricted to what readers search: each page's own entry (title, tags: conditions,
    interventions, outcomes) and its bottom line, Summary of findings and harms sections;
(c) (b) split into shards by a word's first two letters: a query loads the shards of its words, each
    holding the entries with a word of that prefix;
(d) Pagefind (``evidencekb.search_index``): the pages are written as HTML, indexed, and opened in
    Chromium with the site's search script; every byte the browser fetched is counted when the search box
    is focused (before the first query) and for each query (in a fresh browser context each).

Material's index and its shards are downloaded whole before a query, so their "before the first query"
is their size. Sizes are raw and gzip-compressed (Pagefind's index files are gzip already: they count as
they are). Writes ``build/bench/search.json`` and the "Search" section of ``content/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import multiprocessing
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "bench" / "search.json"
PAGE = ROOT / "content" / "benchmarks.md"
SECTION = "## Search"
READER_SECTIONS = {"", "bottom-line", "summary-of-findings", "harms", "special-interest"}
QUERIES = ("dermatomyositis", "headache", "myasthenia gravis", "thromboembolic event")
CHROMIUM = "/usr/bin/chromium"
TARGET_BYTES = 1_000_000  # a page view loads at most 1 MB of search data before the first query
HARNESS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>search</title></head><body>
<script id="__config" type="application/json">{"base": "."}</script>
<form class="md-search__form" name="ekb-search"><input class="md-search__input" name="query" aria-label="Search"></form>
<div class="md-search-result__meta"></div><ol class="md-search-result__list"></ol>
<script src="search.js"></script></body></html>"""


@dataclass
class Sizes:
    raw: int
    gzip: int

    def add(self, body: bytes) -> None:
        self.raw += len(body)
        self.gzip += min(len(body), len(gzip.compress(body, 9, mtime=0)))


def sizes_of(text: str) -> Sizes:
    sizes = Sizes(0, 0)
    sizes.add(text.encode("utf-8"))
    return sizes


@functools.cache
def _markdown() -> Any:
    import markdown
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)


def rendered(path: Path) -> tuple[str, str, dict[str, Any], list[Any]]:
    """(url, HTML content, front matter, table-of-contents tokens) of the record's page."""
    from mkdocs.utils.meta import get_data

    from evidencekb.render.context import PageLinks
    from evidencekb.sitebuild import RecordJob, build_record, page_text

    links = PageLinks(record="record.yaml", computed="computed.json", methods="../../methods/",
                      glossary="../../glossary/", home="../../")
    body, meta = get_data(page_text(build_record(RecordJob(str(path), links, ()))))
    md = _markdown()
    html = md.reset().convert(body)
    return f"trials/{path.stem}/", html, meta, getattr(md, "toc_tokens", [])


def trial_pages(records: Path, workers: int) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(url, HTML content, front matter, table of contents) of each record's page, in order, as made."""
    from mkdocs.structure.toc import get_toc

    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for url, html, meta, tokens in pool.imap(rendered, sorted(records.glob("*.yaml")), chunksize=8):
            yield url, html, meta, get_toc(tokens)


def index_text(index: Any) -> str:
    """The theme's search index as the site wrote it before Pagefind: a page's tags on its first entry only
    (the theme copies them into every section's entry)."""
    seen: set[str] = set()
    for entry in index.entries:
        page = entry["location"].partition("#")[0]
        if page in seen:
            entry.pop("tags", None)
        seen.add(page)
    return str(index.generate_search_index(None))


def restricted(index: Any) -> None:
    """Keep only the entries of the sections readers search (``READER_SECTIONS``)."""
    index.entries = [e for e in index.entries if e["location"].partition("#")[2] in READER_SECTIONS]


def shard_sizes(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Bytes of each two-letter shard: the entries holding a word of that prefix, as JSON."""
    shards: dict[str, int] = defaultdict(int)
    for entry in entries:
        size = len(json.dumps(entry, separators=(",", ":")).encode("utf-8"))
        words = re.findall(r"[a-z0-9]+", (entry["title"] + " " + entry["text"]).lower())
        for prefix in {w[:2] for w in words}:
            shards[prefix] += size
    return shards


def write_html_page(page: SimpleNamespace, folder: Path) -> None:
    from evidencekb.search_index import ARTICLE, marked_for_search

    target = folder / page.url / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{page.title}</title></head>'
            f"<body>{ARTICLE}{page.content}</article></body></html>")
    target.write_text(marked_for_search(html, page.meta), encoding="utf-8")


def pagefind_site(folder: Path) -> None:
    from evidencekb.search_index import write_index

    write_index(folder)
    (folder / "index.html").write_text(HARNESS, encoding="utf-8")
    shutil.copy(ROOT / "src" / "evidencekb" / "assets" / "search.js", folder / "search.js")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


def fetched_sizes(folder: Path, urls: list[str]) -> Sizes:
    """Bytes of the index files fetched: the files served (read from disk: the server sends them as they are)."""
    sizes = Sizes(0, 0)
    for url in urls:
        sizes.add((folder / urlsplit(url).path.lstrip("/")).read_bytes())
    return sizes


def _settled(page: Any, urls: list[str], done: Any) -> None:
    """Wait until ``done(urls)`` holds and no request has finished for half a second."""
    for _ in range(120):
        seen = len(urls)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        if done(urls) and len(urls) == seen:
            return
    raise RuntimeError("the search page kept fetching")


def pagefind_bytes(folder: Path) -> dict[str, Any]:
    """Bytes Chromium fetches from ``pagefind/`` on focusing the search box, and then for each query."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    result: dict[str, Any] = {"queries": {}}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for query in (None, *QUERIES):
                page = browser.new_context().new_page()
                urls: list[str] = []
                page.on("requestfinished", lambda r, u=urls: u.append(r.url) if "/pagefind/" in r.url else None)
                page.goto(url)
                page.focus(".md-search__input")  # Pagefind's init: its script, entry, metadata and WebAssembly
                _settled(page, urls, lambda u: any(x.endswith(".pf_meta") for x in u)
                         and any(x.endswith(".pagefind") for x in u))
                before = len(urls)
                if query is None:
                    result["before_first_query"] = fetched_sizes(folder, urls).__dict__
                else:
                    page.fill(".md-search__input", query)  # one query (typing runs one per keystroke)
                    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent"
                                           ".includes('matching')", timeout=60_000)
                    shown = page.locator(".md-search-result__item").count()
                    _settled(page, urls, lambda u, n=shown: sum(x.endswith(".pf_fragment") for x in u) >= n)
                    result["queries"][query] = {**fetched_sizes(folder, urls[before:]).__dict__,
                                                "results_shown": shown}
                page.context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return result


def material_search_config() -> dict[str, Any]:
    """The theme's search plugin as the site configured it before its search became Pagefind."""
    from material.plugins.search.plugin import SearchPlugin

    plugin = SearchPlugin()
    plugin.load_config({"lang": ["en"], "pipeline": [],  # no stop words or stemmer: they drop "TIS"
                        "separator": r'[\s\-,:!=\[\]()"/]+|(?!\b)(?=[A-Z][a-z])|\.(?!\d)|&[lg]t;'})
    return dict(plugin.config)


def measure(n: int, copies: list[int], work: Path, workers: int) -> list[dict[str, Any]]:
    """The figures of N records, and of each page written ``c`` times (as ``<id>-<k>``) for ``c`` in copies."""
    from material.plugins.search.plugin import SearchIndex

    records = work / f"records-{n}"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth.py"), "--n", str(n), "--out", str(records)],
                   check=True, stdout=subprocess.DEVNULL)
    search_config = material_search_config()
    indexes = {c: SearchIndex(**search_config) for c in copies}
    for url, html, meta, toc in trial_pages(records, workers):  # one page at a time: N = 10,000 fits in memory
        for c, index in indexes.items():
            for k in range(c):
                copy = url if c == 1 else f"{url[:-1]}-{k}/"
                page = SimpleNamespace(url=copy, content=html, meta=meta, toc=toc, title=meta.get("title", url))
                index.add_entry_from_context(page)
                write_html_page(page, work / f"pagefind-{n}x{c}")
    return [figures(n * c, indexes[c], work / f"pagefind-{n}x{c}", c) for c in copies]


def figures(pages: int, index: Any, site: Path, copies: int) -> dict[str, Any]:
    full = index_text(index)
    restricted(index)
    reader = index_text(index)
    shards = shard_sizes(index.entries)
    started = time.perf_counter()
    pagefind_site(site)
    indexing = time.perf_counter() - started
    index_bytes = sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file())
    return {
        "n": pages,
        "copies": copies,
        "material_full": sizes_of(full).__dict__,
        "material_restricted": sizes_of(reader).__dict__,
        "split_largest_shard": max(shards.values()),
        "split_query": {q: sum(shards.get(w[:2], 0) for w in set(q.split())) for q in QUERIES},
        "pagefind": {**pagefind_bytes(site), "index_on_disk": index_bytes, "indexing_seconds": indexing},
    }


def kb(value: float) -> str:
    return f"{value / 1000:,.1f} KB" if value < 1_000_000 else f"{value / 1_000_000:,.1f} MB"


def section(results: list[dict[str, Any]]) -> str:
    columns = [f"N = {r['n']:,}" + (f" ({r['n'] // r['copies']:,} x {r['copies']})" if r["copies"] > 1 else "")
               for r in results]
    head = "| | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(results) + "\n"

    def row(label: str, values: list[str]) -> str:
        return f"| {label} | " + " | ".join(values) + " |\n"

    rows = [
        row("(a) mkdocs-material index as the site writes it: loaded before the first query (gzip)",
            [f"{kb(r['material_full']['raw'])} ({kb(r['material_full']['gzip'])})" for r in results]),
        row("(b) (a) restricted to what readers search (gzip)",
            [f"{kb(r['material_restricted']['raw'])} ({kb(r['material_restricted']['gzip'])})" for r in results]),
        row("(c) (b) split by two-letter prefix: largest shard, raw",
            [kb(r["split_largest_shard"]) for r in results]),
        *[row(f"(c) shards loaded for \"{q}\", raw", [kb(r["split_query"][q]) for r in results]) for q in QUERIES],
        row("(d) Pagefind: loaded before the first query (gzip)",
            [f"{kb(r['pagefind']['before_first_query']['raw'])} ({kb(r['pagefind']['before_first_query']['gzip'])})"
             for r in results]),
        *[row(f"(d) Pagefind: loaded for \"{q}\" (gzip; results shown)",
              [f"{kb(r['pagefind']['queries'][q]['raw'])} ({kb(r['pagefind']['queries'][q]['gzip'])}; "
               f"{r['pagefind']['queries'][q]['results_shown']})" for r in results]) for q in QUERIES],
        row("(d) Pagefind index on disk", [kb(r["pagefind"]["index_on_disk"]) for r in results]),
        row("(d) Pagefind indexing time (s, one run)",
            [f"{r['pagefind'].get('indexing_seconds', float('nan')):.1f}" for r in results]),
    ]
    largest = max(results, key=lambda r: r["n"])
    before = largest["pagefind"]["before_first_query"]["raw"]
    verdict = "pass" if before <= TARGET_BYTES else "FAIL"
    return (f"{SECTION}\n\nMeasured by `scripts/bench_search.py` on the trial pages of N synthetic records; "
            "\"1,000 x 10\" is each of 1,000 pages written 10 times under distinct URLs "
            "(Chromium counts every byte it fetched; a query in a fresh context each, with the site's search "
            "script, which also loads the filter of page boosts and the fragments of the 10 results it shows). "
            "The site uses (d).\n\n" + head + "".join(rows)
            + f"\nTarget: a page view loads <= 1 MB of search data before the first query at "
            f"N = {largest['n']:,}: {kb(before)}, {verdict}.\n")


def write_section(text: str) -> None:
    page = PAGE.read_text(encoding="utf-8")
    start = page.find(SECTION + "\n")
    if start < 0:
        page = page.rstrip("\n") + "\n\n" + text
    else:
        end = page.find("\n## ", start + len(SECTION))
        page = page[:start] + text + (page[end:] if end >= 0 else "")
    PAGE.write_text(page, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated N records (default: 1000)")
    parser.add_argument("--copies", default="1,10",
                        help="comma-separated: each page is also measured written this many times (default: 1,10)")
    parser.add_argument("--workers", type=int, default=2, help="processes rendering the pages (default: 2)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the figures of other sizes in build/bench/search.json (a size run on its own)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-search-") as work:
        copies = [int(c) for c in args.copies.split(",")]
        results = [r for n in sizes for r in measure(n, copies, Path(work), args.workers)]
    if args.keep and OUT.exists():
        results += [r for r in json.loads(OUT.read_text(encoding="utf-8")) if r["n"] not in sizes]
        results.sort(key=lambda r: r["n"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_section(section(results))
    print(section(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
