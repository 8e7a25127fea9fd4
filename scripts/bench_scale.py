"""Growth from N = 1,000 to N = 10,000 records: time, peak memory and site size of validate and the build.

``BENCH_LARGE=1 make bench`` runs ``scripts/bench_scale.py --sizes 1000,10000`` (about an hour on this
2-core machine); ``--sizes 100,1000`` is a quick try. For each N, interleaved (``--repeats`` runs each,
medians): ``evidencekb validate --strict`` and the full strict build of the N synthetic records with
``per_trial_files: false`` (the archive of all trials instead of per-trial copies), then the site's
bytes by kind of file, raw and gzip-compressed, and the build's resident memory at each stage (the
hooks of ``scripts/bench_stages.py``). Growth factors compare the largest N with the smallest. The raw
numbers go to ``build/bench/scale.json``; the section "Scale" of ``content/benchmarks.md`` is rewritten.

The byte budget it checks: the site at N = 10,000 under ``SITE_LIMIT_MB`` (600 MB), that is 61.4 KB a
trial for everything (its page, its share of the search index, of the index pages and of the archive).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import bench
from bench import BIN, ROOT, mkdocs_env, run
from evidencekb.sitebuild import RESULTS_AHEAD_PER_WORKER as RESULTS_AHEAD

RESULTS = ROOT / "build" / "bench" / "scale.json"
PAGE = ROOT / "content" / "benchmarks.md"
HEADING = "## Scale"
SITE_LIMIT_MB = 600
BUDGET_N = 10_000
RSS_LIMIT_MB = 500
TIME_GROWTH_LIMIT = 12.0


def scale_config(docs: Path, site: Path, out: Path) -> Path:
    """The repository's configuration with other folders, ``per_trial_files: false`` and the stage hooks."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with open(ROOT / "mkdocs.yml", "rb") as handle:
        repo = yaml_load(handle, loader=get_yaml_loader(config=MkDocsConfig()))
    plugins = [{"evidencekb": {**p["evidencekb"], "per_trial_files": False}}
               if isinstance(p, dict) and "evidencekb" in p else p for p in repo["plugins"]]
    config = {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(docs), "site_dir": str(site),
              "plugins": plugins, "hooks": [str(Path(__file__).with_name("bench_stages.py"))]}
    out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return out


def kind_of(relative: str) -> str:
    """Which kind of generated file a site path is, for the byte budget."""
    if relative.startswith("trials/"):
        rest = relative[len("trials/"):]
        if rest.endswith("/index.html"):
            return "trial pages"
        if rest.endswith(".computed.json"):
            return "per-trial computed JSON"
        if rest.endswith((".yaml", ".yml")):
            return "per-trial record copies (YAML)"
        if rest.endswith(".tar.gz"):
            return "archive of all trials (tar.gz)"
        if rest.endswith(".xml"):
            return "feeds"
    if relative.startswith("pagefind/"):
        return "search index"
    if relative.startswith("sitemap.xml"):
        return "sitemap"
    if relative.endswith(".xml"):
        return "feeds"
    if relative.startswith("assets/"):
        return "theme and assets"
    return "other pages (home, index pages, tags, methods, ...)"


def site_bytes(site: Path) -> dict[str, dict[str, int]]:
    """Bytes by kind of file: raw, gzip-compressed (level 6, as web servers send text) and file count;
    the trial pages also split into the article and the theme's frame around it."""
    kinds: dict[str, dict[str, int]] = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        kind = kind_of(path.relative_to(site).as_posix())
        entry = kinds.setdefault(kind, {"raw": 0, "gzip": 0, "files": 0})
        entry["raw"] += len(data)
        entry["gzip"] += len(data) if kind.startswith("archive") else len(zlib.compress(data, 6))
        entry["files"] += 1
    frame, article = bench.trial_page_parts(site / "trials")
    kinds["trial pages: article"] = {"raw": article, "gzip": 0, "files": 0}
    kinds["trial pages: theme frame"] = {"raw": frame, "gzip": 0, "files": 0}
    return kinds


def measure(n: int, records: Path, work: Path, repeats: int) -> dict[str, Any]:
    docs, site = work / "docs", work / "site"
    bench.copy_pages(docs)
    shutil.copytree(records, docs / "trials", dirs_exist_ok=True)
    config = scale_config(docs, site, work / "mkdocs.yml")
    stages_file = work / "stages.json"
    result: dict[str, Any] = {"n": n, "validate": [], "validate_mb": 0.0, "build": [], "build_mb": 0.0,
                              "load": []}
    for i in range(repeats):
        measured = run([str(BIN / "evidencekb"), "validate", "--strict", str(records)])
        result["validate"].append(measured.wall)
        result["validate_mb"] = max(result["validate_mb"], measured.rss_mb)
        shutil.rmtree(site, ignore_errors=True)
        env = {**mkdocs_env(), "EVIDENCEKB_STAGES": str(stages_file)}
        measured = run([str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-f", str(config)], env=env)
        result["build"].append(measured.wall)
        result["build_mb"] = max(result["build_mb"], measured.rss_mb)
        result["load"].append(bench._load())
        print(f"  N={n} run {i + 1}/{repeats}: validate {result['validate'][-1]:.1f} s"
              f" ({result['validate_mb']:.0f} MB), build {result['build'][-1]:.1f} s ({result['build_mb']:.0f} MB),"
              f" load {result['load'][-1]}", file=sys.stderr)
    result["stages"] = json.loads(stages_file.read_text(encoding="utf-8"))
    result["bytes"] = site_bytes(site)
    result["site_raw"] = sum(v["raw"] for k, v in result["bytes"].items() if not k.startswith("trial pages:"))
    result["site_gzip"] = sum(v["gzip"] for k, v in result["bytes"].items() if not k.startswith("trial pages:"))
    result["site_files"] = sum(v["files"] for v in result["bytes"].values())
    return result


def growth(results: dict[int, dict[str, Any]], key: str) -> float:
    small, large = results[min(results)], results[max(results)]
    def value(r: dict[str, Any]) -> float:
        return statistics.median(r[key]) if isinstance(r[key], list) else float(r[key])
    return value(large) / value(small)


def section(saved: dict[str, Any]) -> str:
    """The "Scale" section of the benchmarks page."""
    results = {int(n): r for n, r in saved["results"].items()}
    sizes, mb = sorted(results), 1024 * 1024
    lines = [HEADING, "",
             f"Measured on {saved['date']} at commit {saved['commit']} by `BENCH_LARGE=1 make bench`"
             f" (`scripts/bench_scale.py`), {saved['repeats']} run(s) per N, validate and the build interleaved;"
             f" load average {saved['load_start']} at the start, {saved['load_end']} at the end (other work shared"
             " the 2 cores, so compare ratios). The build publishes the archive of all trials instead of"
             " per-trial copies (`per_trial_files: false`).", "",
             "| N | validate (s) | validate max RSS (MB) | full build (s) | build max RSS (MB) | site (MB) |"
             " site, gzip (MB) | files | load at the end of the runs |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n in sizes:
        r = results[n]
        lines.append(f"| {n:,} | {statistics.median(r['validate']):.1f} | {r['validate_mb']:.0f} |"
                     f" {statistics.median(r['build']):.1f} | {r['build_mb']:.0f} | {r['site_raw'] / mb:.1f} |"
                     f" {r['site_gzip'] / mb:.1f} | {r['site_files']:,} | {'; '.join(r['load'])} |")
    lines += [""] + [f"- {note}" for note in saved.get("notes", [])]
    if len(sizes) > 1:
        lines += _growth_table(results)
    return "\n".join(lines + _bytes_table(results) + _stage_table(results))


def _growth_table(results: dict[int, dict[str, Any]]) -> list[str]:
    small, large = min(results), max(results)
    lines = ["", f"Growth from N = {small:,} to N = {large:,} ({large / small:.0f}x the records):", "",
             "| measure | growth | target |", "|---|---:|---|"]
    targets = [("validate time", "validate", f"<= {TIME_GROWTH_LIMIT:.0f}x"),
               ("validate max RSS", "validate_mb", f"< {RSS_LIMIT_MB} MB at N = {large:,}"),
               ("full build time", "build", f"<= {TIME_GROWTH_LIMIT:.0f}x"),
               ("build max RSS", "build_mb", f"< {RSS_LIMIT_MB} MB at N = {large:,}"),
               ("site size", "site_raw", f"< {SITE_LIMIT_MB} MB at N = {large:,}"),
               ("site size, gzip", "site_gzip", "")]
    for name, key, target in targets:
        lines.append(f"| {name} | {growth(results, key):.2f}x | {target} |")
    return lines


def _bytes_table(results: dict[int, dict[str, Any]]) -> list[str]:
    sizes, large, mb = sorted(results), max(results), 1024 * 1024
    lines = ["", "Where the bytes go, per trial (KB; raw, and gzip-compressed as web servers send it):", "",
             "| kind of file | " + " | ".join(f"N = {n:,} raw | N = {n:,} gzip" for n in sizes) + " |",
             "|---|" + "---:|---:|" * len(sizes)]
    kinds = sorted({k for r in results.values() for k in r["bytes"]},
                   key=lambda k: -results[large]["bytes"].get(k, {"raw": 0})["raw"])
    for kind in kinds:
        cells = []
        for n in sizes:
            entry = results[n]["bytes"].get(kind, {"raw": 0, "gzip": 0})
            cells += [f"{entry['raw'] / n / 1024:.1f}", f"{entry['gzip'] / n / 1024:.1f}" if entry["gzip"] else ""]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    cells = [f"{results[n][k] / n / 1024:.1f}" for n in sizes for k in ("site_raw", "site_gzip")]
    lines.append("| **whole site** | " + " | ".join(cells) + " |")
    per_trial = results[large]["site_raw"] / large
    budget = SITE_LIMIT_MB * mb / BUDGET_N
    lines += ["", f"Budget: {SITE_LIMIT_MB} MB at N = {BUDGET_N:,} leaves {budget / 1024:.1f} KB a trial for"
              f" everything. Measured at N = {large:,}: {per_trial / 1024:.1f} KB a trial"
              + ("" if large == BUDGET_N else f", which at N = {BUDGET_N:,} would be about"
                 f" {per_trial * BUDGET_N / mb:.0f} MB (projected, not measured)")
              + f": {'within' if per_trial <= budget else 'over'} the budget."]
    return lines


def _stage_table(results: dict[int, dict[str, Any]]) -> list[str]:
    sizes, large = sorted(results), max(results)
    lines = ["", "What the build holds per record, by stage. By design: once the records are listed, each"
             " record's job (its path and the links of its page) and MkDocs' file entries for its page; while"
             " MkDocs converts the pages, each record's summary (its diagnostics, tags and trial-table row),"
             " MkDocs' page object (title, table of contents, anchors) and an offset into the file of"
             " converted pages (`evidencekb.pagestore`; the HTML itself waits on disk), while at most"
             f" {RESULTS_AHEAD} finished results per worker wait in memory and each record's page text and"
             " computed JSON are released once MkDocs has the page and the archive has the JSON. Measured: the"
             " resident memory (VmRSS, MB) at the end of each stage and its high-water mark so far (VmHWM), and"
             f" at N = {large:,} what each stage added per record (the difference from the stage before, over N).",
             "", "| stage | " + " | ".join(f"N = {n:,}: RSS / peak (MB)" for n in sizes) + " | KB per record added |",
             "|---|" + "---:|" * (len(sizes) + 1)]
    before = None
    for stage, at_large in results[large]["stages"].items():
        values = [results[n]["stages"][stage] for n in sizes]
        added = "" if before is None else f"{(at_large['VmRSS'] - before) * 1024 / large:.1f}"
        lines.append(f"| {stage} | " + " | ".join(f"{v['VmRSS']:.0f} / {v['VmHWM']:.0f}" for v in values)
                     + f" | {added} |")
        before = at_large["VmRSS"]
    lines.append("")
    return lines


def write_section(text: str, page: Path = PAGE) -> None:
    """Replace the page's "Scale" section (up to the next section), or add it before "Memory"."""
    old = page.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text + "\n", old, count=1)
    elif "\n## Memory\n" in old:
        new = old.replace("\n## Memory\n", "\n" + text + "\n## Memory\n", 1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    page.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--records", help="a folder of synthetic records to take the first N from")
    parser.add_argument("--page-only", action="store_true", help="rewrite the section from build/bench/scale.json")
    args = parser.parse_args(argv)
    if not args.page_only:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s})
        work = Path(tempfile.mkdtemp(prefix="evidencekb-scale-"))
        try:
            if args.records:
                folders = {n: _first(Path(args.records), n, work) for n in sizes}
            else:
                folders = bench.prepare_records(work, sizes, bench.SEED)
            load_start = bench._load()
            results = {n: measure(n, folders[n], work / f"n{n}" / "site-work", args.repeats) for n in sizes}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT, check=False).stdout.strip()
        saved = {"date": bench.datetime.datetime.now(bench.datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 "commit": commit, "repeats": args.repeats, "load_start": load_start, "load_end": bench._load(),
                 "results": results}
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    write_section(section(json.loads(RESULTS.read_text(encoding="utf-8"))))
    print(f"section {HEADING!r} of {PAGE.relative_to(ROOT)} written", file=sys.stderr)
    return 0


def _first(source: Path, n: int, work: Path) -> Path:
    """The first ``n`` records of ``source`` in a folder of their own (hard links)."""
    folder = work / f"n{n}" / "trials"
    folder.mkdir(parents=True)
    for path in sorted(source.glob("*.yaml"))[:n]:
        try:
            (folder / path.name).hardlink_to(path)
        except OSError:
            shutil.copyfile(path, folder / path.name)
    return folder


if __name__ == "__main__":
    sys.exit(main())
