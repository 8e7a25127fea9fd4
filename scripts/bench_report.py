"""The benchmarks page from the raw numbers of ``scripts/bench.py``: targets, tables, plot.

``scripts/bench.py`` measures and saves its numbers to ``build/bench/results.json``; this module only
reads them and writes the page, so the page can be rewritten (after a change of its layout) without
measuring again: ``python scripts/bench_report.py [--out PAGE]``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_history import history_section, with_section

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
RESULTS = ROOT / "build" / "bench" / "results.json"
TARGET_N = 1000
SITE_LIMIT_MB = 40


# ------------------------------------------------------------------------------------------ the numbers


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


@dataclass
class ValidationResult:
    n: int
    record_kb: float
    validate: list[float] = field(default_factory=list)
    jsonschema: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    validate_cpu: list[float] = field(default_factory=list)
    floor_cpu: list[float] = field(default_factory=list)
    validate_mb: float = 0.0
    jsonschema_mb: float = 0.0
    floor_mb: float = 0.0


@dataclass
class SiteResult:
    n: int
    full: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    """The floor: ``mkdocs build`` of the pre-rendered pages, then Pagefind (``bench.floor_indexer_command``)."""
    bare_mkdocs: list[float] = field(default_factory=list)
    """The same ``mkdocs build`` alone: the floor before the site's search was Pagefind."""
    full_mb: float = 0.0
    bare_mb: float = 0.0
    site_bytes: int = 0
    bare_site_bytes: int = 0
    site_gzip_bytes: int = 0
    search_index_bytes: int = 0
    bare_search_index_bytes: int = 0
    trial_page_max: int = 0
    trial_page_median: float = 0.0
    trial_pages: int = 0
    search_pages: int = 0
    serve_edit: list[float] = field(default_factory=list)
    serve_question_edit: list[float] = field(default_factory=list)
    serve_search: list[float] = field(default_factory=list)  # until the served Pagefind index finds the edit
    serve_question_search: list[float] = field(default_factory=list)
    questions: int = 0
    full_no_questions: list[float] = field(default_factory=list)
    """The full build of the same site without its questions: the questions' share of the build."""
    serve_initial: float = math.nan
    serve_mb: float = 0.0
    serve_index_ok: bool | None = None
    serve_note: str = ""
    notes: list[str] = field(default_factory=list)
    breakdown: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- the page


@dataclass
class Target:
    name: str
    limit: str
    measured: str
    passed: bool | None


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def evaluate(
    vals: dict[int, ValidationResult], sites: dict[int, SiteResult], imports: dict[str, Any], repo: dict[str, Any]
) -> list[Target]:
    targets: list[Target] = []
    n = max(vals) if vals else max(sites)
    if vals:
        v = vals[n]
        r1 = ratio(median(v.validate), median(v.jsonschema))
        r2 = ratio(median(v.validate), median(v.floor))
        targets.append(Target("validate vs check-jsonschema", "<= 0.25x", f"{r1:.3f}x", r1 <= 0.25))
        targets.append(Target("validate vs C-parse floor", "<= 1.5x", f"{r2:.2f}x", r2 <= 1.5))
    heavy = imports.get("heavy")
    if heavy is not None:
        targets.append(Target("validate imports no statistics or MkDocs", "none", ", ".join(heavy) or "none",
                              not heavy))
    if sites:
        s = sites[max(sites)]
        full, bare = median(s.full), median(s.bare)
        targets.append(Target("full strict build vs bare build", "<= 1.2x", f"{ratio(full, bare):.2f}x",
                              ratio(full, bare) <= 1.2))
        ns = sorted(sites)
        if len(ns) >= 3:
            a, b, c = ns[-3:]
            cost_b = (median(sites[b].full) - median(sites[a].full)) / (b - a)
            cost_c = (median(sites[c].full) - median(sites[b].full)) / (c - b)
            size_b = (sites[b].site_bytes - sites[a].site_bytes) / (b - a)
            size_c = (sites[c].site_bytes - sites[b].site_bytes) / (c - b)
            targets.append(Target(f"build time per added trial, N={c} vs N={b}", "<= 1.2x",
                                  f"{ratio(cost_c, cost_b):.2f}x ({cost_b * 1000:.0f} -> {cost_c * 1000:.0f} ms)",
                                  ratio(cost_c, cost_b) <= 1.2))
            targets.append(Target(f"site size per added trial, N={c} vs N={b}", "<= 1.2x",
                                  f"{ratio(size_c, size_b):.2f}x ({size_b / 1024:.0f} -> {size_c / 1024:.0f} KB)",
                                  ratio(size_c, size_b) <= 1.2))
        else:
            targets.append(Target("build time and site size linear in N", "<= 1.2x", "needs 3 sizes", None))
        mb = s.site_bytes / 1e6
        targets.append(Target("whole site", f"< {SITE_LIMIT_MB} MB", f"{mb:.1f} MB", mb < SITE_LIMIT_MB))
        if s.serve_edit:
            edit = median(s.serve_edit)
            targets.append(Target("edit visible under mkdocs serve", "< 2 s", f"{edit:.1f} s", edit < 2))
        else:
            targets.append(Target("edit visible under mkdocs serve", "< 2 s", s.serve_note or "not measured", False))
        if s.serve_question_edit:
            edit = median(s.serve_question_edit)
            targets.append(Target("question edit visible under mkdocs serve", "< 2 s", f"{edit:.1f} s", edit < 2))
        for name, times in (("edit", s.serve_search), ("question edit", s.serve_question_search)):
            if times:  # no target: the index is rebuilt in the background, after the page shows
                found = f"{median(times):.1f} s"
                targets.append(Target(f"{name} found by search under mkdocs serve", "-", found, None))
        ok = s.serve_index_ok
        targets.append(Target("search index complete after the edit", "all pages",
                              {True: "all pages", False: s.serve_note or "incomplete", None: "not measured"}[ok], ok))
        idx = s.search_index_bytes / 1e6
        # no limit: a page view loads Pagefind's entry files and only the fragments a query needs
        # (section "Search", scripts/bench_search.py, holds the bytes per page view and per query)
        targets.append(Target("search index on disk, all fragments", "-", f"{idx:.1f} MB", None))
        page = s.trial_page_max / 1024
        targets.append(Target("largest trial page (HTML)", "< 150 KB", f"{page:.0f} KB", page < 150))
    if repo.get("pages"):
        name, size = max(repo["pages"].items(), key=lambda item: item[1])
        targets.append(Target("largest trial page of the repository's records", "< 150 KB",
                              f"{size / 1024:.0f} KB ({name})", size / 1024 < 150))
    return targets


def size_floor_note(s: SiteResult) -> str:
    """What the site would weigh with every trial page empty: the part no slimming of the content removes."""
    frame = s.breakdown.get("trial pages: theme frame (header, navigation, table of contents, footer)", 0)
    copies = s.breakdown.get("record copies (YAML)", 0)
    rest = s.site_bytes - frame - copies
    other = s.breakdown.get("everything else (theme, index pages, tags, sitemap)", 0)
    room = (SITE_LIMIT_MB * 1e6 - frame - copies - other) / 1024 / s.n
    return (
        f"With every trial page's content removed, the theme's frame around it ({frame / 1024 / s.n:.1f} KB a page)"
        f" and the downloadable record copies ({copies / 1024 / s.n:.1f} KB a trial) would still take"
        f" {(frame + copies) / 1e6:.1f} MB at N = {s.n:,}. A {SITE_LIMIT_MB} MB site would leave"
        f" {room:.1f} KB a trial for the page's content, the computed JSON and the search entries together,"
        f" which take {(rest - other) / 1024 / s.n:.1f} KB now. Compressed as web servers send it (gzip), the"
        f" whole site is {s.site_gzip_bytes / 1e6:.1f} MB. Meeting the limit on disk would take a page frame"
        " lighter than the theme's, the record copies and computed JSON offered as one compressed download"
        " for all trials instead of per trial, and shorter trial pages."
    )


COLORS = {"validate": "#3949ab", "check-jsonschema": "#e53935", "C-parse floor": "#757575",
          "full site build": "#00897b", "bare build (floor)": "#fb8c00"}


def svg_plot(series: dict[str, dict[int, float]]) -> str:
    """A log-log plot of seconds against N, as inline SVG."""
    points = [(n, t) for values in series.values() for n, t in values.items() if t > 0]
    if not points:
        return ""
    width, height, left, right, top, bottom = 640, 360, 60, 190, 20, 40
    xs = [math.log10(n) for n, _ in points]
    ys = [math.log10(t) for _, t in points]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(n: float) -> float:
        return left + (math.log10(n) - x0) / (x1 - x0) * (width - left - right)

    def py(t: float) -> float:
        return height - bottom - (math.log10(t) - y0) / (y1 - y0) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
           'style="max-width:640px" role="img" aria-label="Benchmark times against the number of records">',
           '<style>text{font:12px sans-serif;fill:currentColor}.grid{stroke:#9e9e9e;stroke-opacity:.35}</style>']
    for e in range(x0, x1 + 1):
        x = px(10**e)
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}"/>')
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{10**e:,}</text>')
    for e in range(y0, y1 + 1):
        y = py(10**e)
        label = f"{10**e:g} s"
        out.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" text-anchor="middle">'
               "records (N)</text>")
    for i, (name, values) in enumerate(series.items()):
        color = COLORS.get(name, "#000")
        pts = [(px(n), py(t)) for n, t in sorted(values.items()) if t > 0]
        if not pts:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in pts)
        ly = top + 10 + i * 20
        out.append(f'<line x1="{width - right + 14}" y1="{ly}" x2="{width - right + 34}" y2="{ly}" '
                   f'stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 40}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out)


def fmt(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds:.2f}"


def render_page(
    info: dict[str, str],
    vals: dict[int, ValidationResult],
    sites: dict[int, SiteResult],
    imports: dict[str, Any],
    targets: list[Target],
    jsonschema_note: str,
    context: dict[str, Any],
    repo: dict[str, Any],
) -> str:
    target_n = max([*vals, *sites])
    lines = [
        "# Benchmarks",
        "",
        "How long validation and the site build take, and how large the site gets, for N synthetic trial",
        "records (N = " + ", ".join(f"{n:,}" for n in sorted({*vals, *sites})) + "). Generated by `make bench`"
        " (`scripts/bench.py`); the records come from `scripts/synth.py` (seed "
        f"{context['seed']}): valid records shaped like the ProDERM record, with random numbers, 2 to 4 arms and"
        " binary, continuous and time-to-event endpoints. They are synthetic and are not evidence.",
        "",
        f"Measured on {context['date']} at commit {info['commit']}: {info['cpu']}, {info['cores']} cores,"
        f" {info['memory']} memory; Python {info['python']}, mkdocs {info['mkdocs']}, mkdocs-material"
        f" {info['mkdocs-material']}, PyYAML {info['PyYAML']} (libyaml {info['libyaml']}), pydantic"
        f" {info['pydantic']}, check-jsonschema {info['check-jsonschema']}.",
        "",
        '!!! note "Noise"',
        "    Other work ran on this machine during the measurements (load average "
        f"{context['load_start']} at the start, {context['load_end']} at the end), so absolute times vary from"
        f" run to run. Every time is a median of repeated runs ({context['repeats']}) with the compared"
        " commands interleaved; compare the **ratios**, which the noise affects least.",
        "",
    ]
    if context.get("note"):
        lines += ['!!! note "How this run was made"', f"    {context['note']}", ""]
    if target_n != TARGET_N:
        lines += [f'!!! warning "Quick run"\n    The targets are for N = {TARGET_N:,}; this run stopped at'
                  f" N = {target_n:,}, so they are evaluated there for orientation only.", ""]
    lines += ["## Targets", "", f"At N = {target_n:,}.", "", "| target | limit | measured | result |",
              "|---|---|---|---|"]
    for t in targets:
        verdict = {True: "pass", False: "**fail**", None: "n/a"}[t.passed]
        lines.append(f"| {t.name} | {t.limit} | {t.measured} | {verdict} |")
    series: dict[str, dict[int, float]] = {}
    if vals:
        lines += [
            "",
            "## Validation",
            "",
            "Wall-clock seconds of whole processes (start-up included), medians. *validate*: `evidencekb"
            " validate --strict` on the N records; *check-jsonschema*: `check-jsonschema --schemafile"
            " schema/trial.schema.json` on the same files (schema only, no semantic checks); *floor*: one Python"
            " process that reads the files and parses them with `yaml.load(..., Loader=yaml.CSafeLoader)`, the"
            " least any validator that parses YAML in Python must do.",
            "",
            "| N | KB per record | validate (s) | check-jsonschema (s) | floor (s) | validate / check-jsonschema"
            " | validate / floor | same, CPU time |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n, v in sorted(vals.items()):
            mv, mj, mf = median(v.validate), median(v.jsonschema), median(v.floor)
            cpu = ratio(median(v.validate_cpu), median(v.floor_cpu))
            lines.append(
                f"| {n:,} | {v.record_kb:.1f} | {fmt(mv)} | {fmt(mj)} | {fmt(mf)} | {ratio(mv, mj):.3f} |"
                f" {ratio(mv, mf):.2f} | {cpu:.2f} |"
            )
        series["validate"] = {n: median(v.validate) for n, v in vals.items()}
        series["check-jsonschema"] = {n: median(v.jsonschema) for n, v in vals.items()}
        series["C-parse floor"] = {n: median(v.floor) for n, v in vals.items()}
        lines += ["", f"check-jsonschema ran with {jsonschema_note}."]
        lines += ["", f"Start-up: `python -X importtime -m evidencekb validate` imports {imports['modules']} modules"
                  f" in {imports['import_ms']:.0f} ms; statistics or MkDocs among them: "
                  f"{', '.join(imports['heavy']) or 'none'}."]
    if sites:
        lines += [
            "",
            "## Site",
            "",
            "*full*: `mkdocs build --strict` with the repo's mkdocs.yml, its hand-written pages and the N records"
            " (the plugin validates, computes and renders every trial). *bare*: `mkdocs build` of the same pages,"
            " pre-rendered by the plugin into plain Markdown files beforehand, with the plugin removed and the"
            " trial pages kept out of the navigation as in the full build, then Pagefind over the built site"
            " (the site's search, run as Pagefind's documentation tells a static site to), timed together: the"
            " floor for building these pages. *MkDocs alone*: the same bare build without Pagefind, the floor"
            " as it was defined before the site's search became Pagefind. The bare build has Markdown convert"
            " the generated pages' finished HTML as it converts any Markdown file; the full build hands Markdown"
            " only their headings and sets the finished HTML aside (`evidencekb.passthrough`), which is why it"
            " can take less time than the bare build."
            " *edit*: seconds from saving an edit of one record to the served page showing it under"
            " `mkdocs serve --dirty --no-strict` (as `make serve` runs it; 127.0.0.1, a free port); the served"
            " Pagefind index, rebuilt after the page shows, must then find the edit and hold the full build's"
            " pages, the edited page with its new text and without its old. The site holds N / 10 synthetic"
            " questions (`scripts/synth.py`), each pooling one binary result of 10 synthetic trials; *without"
            " questions*: the same full build with the"
            " questions left out, so the difference over the number of questions is the build cost per question."
            " *question edit*: the same as *edit* for a question's conclusion.",
            "",
            "| N | questions | full build (s) | without questions (s) | per question (s) | bare build (s)"
            " | full / bare | bare, MkDocs alone (s) | full / MkDocs alone | serve: first page (s)"
            " | serve: edit visible (s) | serve: question edit visible (s) | search index after the edit |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for n, s in sorted(sites.items()):
            full, bare = median(s.full), median(s.bare)
            without = median(s.full_no_questions) if s.full_no_questions else math.nan
            per_question = fmt((full - without) / s.questions) if s.questions and s.full_no_questions else "-"
            edit = fmt(median(s.serve_edit)) if s.serve_edit else "-"
            question_edit = fmt(median(s.serve_question_edit)) if s.serve_question_edit else "-"
            index_ok = {True: "complete", False: "**incomplete**", None: "-"}[s.serve_index_ok]
            mkdocs_alone = median(s.bare_mkdocs)
            lines.append(f"| {n:,} | {s.questions} | {fmt(full)} | {fmt(without)} | {per_question} | {fmt(bare)} |"
                         f" {ratio(full, bare):.2f} | {fmt(mkdocs_alone)} | {ratio(full, mkdocs_alone):.2f} |"
                         f" {fmt(s.serve_initial)} | {edit} | {question_edit} | {index_ok} |")
        lines += [
            "",
            "| N | site (MB) | site, gzip (MB) | bare site (MB) | search index (MB) | trial page median (KB)"
            " | trial page max (KB) |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n, s in sorted(sites.items()):
            lines.append(
                f"| {n:,} | {s.site_bytes / 1e6:.1f} | {s.site_gzip_bytes / 1e6:.1f} | {s.bare_site_bytes / 1e6:.1f} |"
                f" {s.search_index_bytes / 1e6:.2f} | {s.trial_page_median / 1024:.0f} |"
                f" {s.trial_page_max / 1024:.0f} |"
            )
        series["full site build"] = {n: median(s.full) for n, s in sites.items()}
        series["bare build (floor)"] = {n: median(s.bare) for n, s in sites.items()}
        notes = sorted({note for s in sites.values() for note in [*s.notes, s.serve_note] if note})
        if notes:
            lines += ["", "Notes: " + "; ".join(notes) + "."]
    if sites:
        biggest = sites[max(sites)]
        if biggest.breakdown:
            lines += ["", f"Where the bytes of the site go at N = {biggest.n:,}:", "",
                      "| part | MB | KB per trial |", "|---|---:|---:|"]
            for part, size in biggest.breakdown.items():
                lines.append(f"| {part} | {size / 1e6:.1f} | {size / 1024 / biggest.n:.1f} |")
            lines += ["", size_floor_note(biggest)]
    if repo.get("pages"):
        shown = ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in repo["pages"].items())
        lines += ["", f"The repository's own records (`make site`): trial pages {shown}; whole site"
                  f" {repo['site_bytes'] / 1e6:.1f} MB, built in {repo['seconds']:.1f} s (one run)."]
    elif repo.get("error"):
        lines += ["", f"The repository's own records: {repo['error']}."]
    if vals or sites:
        lines += [
            "",
            "## Memory",
            "",
            "Peak resident memory of each command, MB (the largest of its runs).",
            "",
            "| N | validate | check-jsonschema | floor (C parse) | full build | bare build | mkdocs serve |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in sorted({*vals, *sites}):
            v, st = vals.get(n), sites.get(n)
            cells = [f"{v.validate_mb:.0f}", f"{v.jsonschema_mb:.0f}", f"{v.floor_mb:.0f}"] if v else ["-"] * 3
            cells += [f"{st.full_mb:.0f}", f"{st.bare_mb:.0f}", f"{st.serve_mb:.0f}" if st.serve_mb else "-"] if st \
                else ["-"] * 3
            lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    plot = svg_plot(series)
    if plot:
        lines += ["", "## Plot", "", "Median seconds against N (log-log).", "", '<div class="bench-plot">', plot,
                  "</div>"]
    lines += ["", f"Raw numbers: `build/bench/results.json` after `make bench`. Whole run: {context['elapsed']}.", ""]
    return "\n".join(lines)


def default_page(sizes: set[int]) -> Path:
    """The benchmarks page of the site when N = 1,000 was measured, else a page under build/."""
    return CONTENT / "benchmarks.md" if TARGET_N in sizes else ROOT / "build" / "bench" / "benchmarks.md"


def save(results: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def write_page(out: Path | None = None) -> tuple[Path, list[Target]]:
    """The page from ``results.json``: where it was written, and the targets with their verdicts."""
    saved = json.loads(RESULTS.read_text(encoding="utf-8"))
    vals = {int(n): ValidationResult(**v) for n, v in saved["validation"].items()}
    sites = {int(n): SiteResult(**v) for n, v in saved["site"].items()}
    targets = evaluate(vals, sites, saved["imports"], saved.get("repository_site", {}))
    page = render_page(saved["machine"], vals, sites, saved["imports"], targets, saved.get("jsonschema_note", ""),
                       saved["context"], saved.get("repository_site", {}))
    if saved.get("history"):
        page = with_section(page, history_section(saved["history"]))
    out = out or default_page({*vals, *sites})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(with_scale_section(page, out.read_text(encoding="utf-8") if out.exists() else ""),
                   encoding="utf-8")
    return out, targets


SCALE = re.compile(r"^## Scale\n.*?(?=^## |\Z)", re.S | re.M)


def with_scale_section(page: str, previous: str) -> str:
    """The page with the "Scale" section of the page it replaces, which ``scripts/bench_scale.py``
    measures and writes on its own (N = 10,000 takes about an hour), put back before "Memory"."""
    kept = SCALE.search(previous)
    if not kept or SCALE.search(page):
        return page
    if "\n## Memory\n" in page:
        return page.replace("\n## Memory\n", "\n" + kept.group(0).rstrip("\n") + "\n\n## Memory\n", 1)
    return page.rstrip("\n") + "\n\n" + kept.group(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="page to write (default: content/benchmarks.md when N=1000 was measured)")
    args = parser.parse_args(argv)
    out, _ = write_page(Path(args.out) if args.out else None)
    print(f"benchmarks written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
