"""The scale benchmark's bookkeeping: which kind of file each site path counts as, and the benchmarks
page keeping the "Scale" section (measured separately) when ``scripts/bench.py`` rewrites the page."""

from __future__ import annotations

import importlib
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
bench_scale = importlib.import_module("bench_scale")
bench_report = importlib.import_module("bench_report")


def test_each_generated_file_counts_as_its_kind() -> None:
    kinds = {path: bench_scale.kind_of(path) for path in (
        "trials/x/index.html", "trials/x/x.computed.json", "trials/x.yaml", "trials/trials.tar.gz",
        "trials/feed.xml", "pagefind/a.pf_meta", "sitemap.xml.gz", "feed.xml", "assets/a.js", "index.html")}
    assert kinds == {
        "trials/x/index.html": "trial pages", "trials/x/x.computed.json": "per-trial computed JSON",
        "trials/x.yaml": "per-trial record copies (YAML)", "trials/trials.tar.gz": "archive of all trials (tar.gz)",
        "trials/feed.xml": "feeds", "pagefind/a.pf_meta": "search index", "sitemap.xml.gz": "sitemap",
        "feed.xml": "feeds", "assets/a.js": "theme and assets",
        "index.html": "other pages (home, index pages, tags, methods, ...)"}


def test_a_rewritten_benchmarks_page_keeps_its_scale_section() -> None:
    previous = "# Benchmarks\n\n## Site\n\nold\n\n## Scale\n\nN = 10,000\n\n## Memory\n\nold\n"
    page = "# Benchmarks\n\n## Site\n\nnew\n\n## Memory\n\nnew\n"
    assert bench_report.with_scale_section(page, previous) == (
        "# Benchmarks\n\n## Site\n\nnew\n\n## Scale\n\nN = 10,000\n\n## Memory\n\nnew\n")
    assert bench_report.with_scale_section(page, page) == page
