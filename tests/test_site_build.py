"""The built site (``mkdocs build --strict`` of the real content, once per session): what readers see.

Assertions parse the HTML (stdlib ``html.parser``) rather than grepping, and expected effects are
computed here independently with statsmodels, not taken from evidencekb.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from string import ascii_lowercase

import pytest

from _html import Node, parse
from conftest import ROOT, BuiltSites
from evidencekb.search_index import INDEX_FOLDER

sys.path.insert(0, str(ROOT / "scripts"))
PagefindIndex = importlib.import_module("pagefind_files").PagefindIndex

MINUS = "\u2212"


def page(site: Path, path: str) -> Node:
    return parse((site / path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def proderm(built_sites: BuiltSites) -> Node:
    return page(built_sites.real, "trials/proderm/index.html")


@pytest.fixture(scope="module")
def dalakas(built_sites: BuiltSites) -> Node:
    return page(built_sites.real, "trials/dalakas-1993/index.html")


def test_sof_primary_row_shows_counts_and_independently_computed_newcombe_interval(proderm: Node) -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(37, 47, 21, 48, method="newcomb")
    expected = f"{low * 100:.1f} to {high * 100:.1f}".replace("-", MINUS)
    row = proderm.find("tr", id="sof-tis20-w16")
    assert row is not None
    cells = {td.attrs.get("data-side") or td.attrs.get("data-measure"): td.text for td in row.find_all("td")}
    assert "37/47" in cells["intervention"] and "21/48" in cells["comparator"]
    assert expected in cells["risk-difference"], cells["risk-difference"]
    assert "Newcombe" in cells["risk-difference"]
    assert "NNTB" in cells["risk-difference"]
    # the printed values sit beside the recomputation, with a text consistency mark
    reported = row.find("td", **{"class": "ekb-reported-cell"})
    assert reported is not None and "17 to 53" in reported.text and "\u2713 CI matches (wald)" in reported.text


def test_unverified_numbers_are_marked_in_text(proderm: Node) -> None:
    row = proderm.find("tr", id="sof-tis40-w16")  # counts read from a registry mirror
    assert row is not None and "unverified" in row.text.lower()
    primary = proderm.find("tr", id="sof-tis20-w16")
    assert primary is not None and "unverified" not in primary.text.lower()


def test_every_source_mark_links_to_its_source_and_locator(proderm: Node) -> None:
    sources = proderm.find("ol", **{"class": "ekb-sources"})
    assert sources is not None
    entries = {n.attrs["id"]: n for n in sources.iter() if (n.attrs.get("id") or "").startswith("cite-")}
    marks = [a for sup in proderm.find_all("sup") for a in sup.find_all("a")
             if (a.attrs.get("href") or "").startswith("#cite-")]
    assert len(marks) > 100
    assert {a.attrs["href"][1:] for a in marks} <= set(entries)
    assert all(a.text == a.attrs["href"][len("#cite-"):] for a in marks)  # the label is the anchor
    # "3b" is source 3 at its locator b: the locator is listed inside source 3's entry
    located = {a.text for a in marks if not a.text.isdigit()}
    assert located
    for label in located:
        source = entries[f"cite-{label.rstrip(ascii_lowercase)}"]
        assert any(n is entries[f"cite-{label}"] for n in source.iter()), label
    assert any(entries[f"cite-{label}"].text.endswith("Table 1") for label in located)
    row = proderm.find("tr", id="sof-tis20-w16")
    assert row is not None
    cell = row.find("td", **{"data-side": "intervention"})
    assert cell is not None
    mark = cell.find("a")
    assert mark is not None and entries[mark.attrs["href"][1:]].text.endswith("abstract")  # type: ignore[index]


def test_flow_diagram_shows_randomized_and_extension_counts(proderm: Node) -> None:
    def count(stage: str, arm: str) -> str:
        box = proderm.find("div", **{"data-stage": stage, "data-arm": arm})
        assert box is not None, (stage, arm)
        strong = box.find("strong")
        assert strong is not None
        return strong.text

    assert (count("randomized", "ivig-first"), count("randomized", "placebo-first")) == ("47", "48")
    assert (count("entered-extension", "ivig-first"), count("entered-extension", "placebo-first")) == ("45", "46")
    assert count("randomized", "all") == "95"


def test_harms_use_52_as_first_period_ivig_denominator(proderm: Node) -> None:
    table = proderm.find("table", **{"data-table": "harms", "data-period": "first-period"})
    assert table is not None
    header = table.find("th", **{"data-group": "fp-safety-ivig"})
    assert header is not None and "N = 52" in header.text
    row = table.find("tr", id="ae-teae-any-fp")
    assert row is not None
    ivig = row.find("td", **{"data-group": "fp-safety-ivig"})
    assert ivig is not None and "42/52" in ivig.text and "42/47" not in ivig.text
    special = proderm.find("table", **{"data-table": "special-interest"})
    assert special is not None and "Thromboembolic" in special.text


def test_conflicts_shown_side_by_side_with_sources(proderm: Node) -> None:
    conflict = proderm.find("div", id="conflict-tee-count")
    assert conflict is not None
    versions = conflict.find_all("div", **{"class": "ekb-version"})
    assert len(versions) == 5
    assert all(v.find("a") is not None for v in versions)  # each version cites its source


def test_forest_plot_is_accessible_svg_described_in_text(proderm: Node) -> None:
    wide = proderm.find_all("svg", **{"class": "ekb-forest-svg ekb-forest--wide"})
    narrow = proderm.find_all("svg", **{"class": "ekb-forest-svg ekb-forest--narrow"})
    assert len(wide) == len(narrow) == 2  # risk difference and risk ratio, each for wide and narrow screens
    assert len({svg.attrs["aria-labelledby"] for svg in wide + narrow}) == 4
    for svg in wide + narrow:
        assert svg.attrs.get("role") == "img"
        assert svg.find("title") is not None and svg.find("desc") is not None
        assert "TIS >= 20, week 16" in svg.find("desc").text  # type: ignore[union-attr]
        assert "week 40" not in svg.find("desc").text  # type: ignore[union-attr]  # both arms had IVIG then
    figure = proderm.find("figure", id="forest-risk-difference")
    assert figure is not None and "Newcombe" in figure.text


def test_tables_have_captions_and_headers(built_sites: BuiltSites) -> None:
    for path in ("trials/proderm/index.html", "trials/dalakas-1993/index.html", "index.html"):
        for table in page(built_sites.real, path).find_all("table"):
            assert table.find("caption") is not None or table.find("th") is not None, path
            assert table.find("th") is not None, path


def test_dalakas_exposure_counts_get_no_parallel_group_effect(dalakas: Node) -> None:
    sof = dalakas.find("table", **{"data-table": "sof"})
    assert sof is not None
    for endpoint in ("major-improvement", "worsened"):
        row = sof.find("tr", **{"data-endpoint": endpoint})
        assert row is not None
        assert row.attrs.get("data-kind") == "none"
        assert row.find("td", **{"data-measure": "risk-difference"}) is None
        assert "treatment exposures" in row.text and " pp" not in row.text
    assert "9/12" in sof.text and "0/11" in sof.text
    assert dalakas.find("svg", **{"class": "ekb-forest-svg"}) is None


def test_trial_without_per_group_results_says_so_instead_of_an_empty_table(built_sites: BuiltSites) -> None:
    miyasaka = page(built_sites.real, "trials/miyasaka-2012/index.html")
    assert miyasaka.find("table", **{"data-table": "sof"}) is None
    assert miyasaka.find("table", **{"data-table": "continuous"}) is None
    assert "No endpoint of this trial has per-group results in the record" in miyasaka.text
    assert "No continuous endpoint has per-group results in the record" in miyasaka.text
    assert miyasaka.find("svg", **{"class": "ekb-forest-svg"}) is None
    # what the sources do give is shown: randomized arms, baseline and the disagreement about the design
    assert "12 GB-0998 first" in miyasaka.text and "14 Placebo first" in miyasaka.text
    assert "11/12, 91.7%" in miyasaka.text and "Parallel or crossover design" in miyasaka.text


def test_home_lists_trials_with_primary_effect_and_links(built_sites: BuiltSites) -> None:
    home = page(built_sites.real, "index.html")
    table = home.find("table", **{"data-table": "trials"})
    assert table is not None
    links = {a.attrs["href"] for a in table.find_all("a")}
    assert {"trials/proderm/", "trials/dalakas-1993/", "trials/miyasaka-2012/"} <= links
    row = table.find("tr", **{"data-trial": "proderm"})
    assert row is not None and "RD 35.0 pp" in row.text and "dermatomyositis" in row.text and "95" in row.text


def test_trial_pages_not_in_navigation_but_in_tag_indexes(built_sites: BuiltSites) -> None:
    home = page(built_sites.real, "index.html")
    nav = home.find("nav", **{"class": "md-nav md-nav--primary"})
    assert nav is not None and "trials/proderm" not in str([a.attrs for a in nav.find_all("a")])
    for index, expected in (("conditions", "dermatomyositis"), ("interventions", "intravenous immune globulin"),
                            ("outcomes", "CDASI")):
        listing = page(built_sites.real, f"{index}/index.html")
        hrefs = [a.attrs.get("href", "") for a in listing.find_all("a")]
        assert any("trials/proderm/" in h for h in hrefs), index
        assert expected in listing.text


def test_downloads_yaml_and_deterministic_computed_json(built_sites: BuiltSites, proderm: Node) -> None:
    from evidencekb.pipeline import check_record

    hrefs = [a.attrs["href"] for a in proderm.find_all("a") if "download" in a.attrs]
    assert hrefs == ["../proderm.yaml", "proderm.computed.json"]
    site = built_sites.real / "trials/proderm"
    assert (site / hrefs[0]).resolve().read_bytes() == (ROOT / "content/trials/proderm.yaml").read_bytes()
    written = (site / hrefs[1]).read_text(encoding="utf-8")
    record = check_record(str(ROOT / "content/trials/proderm.yaml"), compute=True)
    assert record.computed is not None
    expected = record.computed.to_dict()
    assert json.loads(written) == json.loads(json.dumps(expected))
    # canonical form, so that equal records give byte-equal files: sorted keys, no padding, UTF-8
    assert written == json.dumps(json.loads(written), sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


SEARCH = {
    "thromboembolism": "special-interest",
    "TIS": "summary-of-findings",
    "CDASI": "continuous-results",
    "headache": "harms",
    "NCT02728752": "key-facts",
    "Octagam": "key-facts",
    "IVIG": "key-facts",
}


@pytest.mark.parametrize("term", sorted(SEARCH))
def test_search_finds_the_trial_and_deep_links_to_the_right_section(built_sites: BuiltSites, term: str) -> None:
    """The term is in the text Pagefind indexed under the section its deep link opens."""
    sections = PagefindIndex.in_folder(built_sites.real / INDEX_FOLDER).sections()["/trials/proderm/"]
    word = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
    hits = {section for section, text in sections.items() if word.search(text)}
    assert SEARCH[term] in hits, sorted(hits)


def test_the_site_has_the_theme_search_box_and_no_theme_index(built_sites: BuiltSites) -> None:
    home = parse((built_sites.real / "index.html").read_text(encoding="utf-8"))
    assert home.find("form", class_="md-search__form") is not None
    assert home.select(lambda n: n.tag == "label" and n.attrs.get("for") == "__search")
    assert not (built_sites.real / "search").exists()


def test_record_text_is_escaped_everywhere(built_sites: BuiltSites) -> None:
    pages = list(built_sites.xss.rglob("*.html"))
    trial = (built_sites.xss / "trials/proderm/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in trial
    assert "&lt;img src=x onerror=alert(1)&gt;" in trial
    for path in pages:
        root = parse(path.read_text(encoding="utf-8"))
        for node in root.iter():
            assert not (node.tag == "script" and "alert(1)" in node.text), path
            assert not (node.tag == "img" and node.attrs.get("src") == "x"), path
            assert "onerror" not in node.attrs, path
            for attr in ("href", "src", "action", "formaction", "xlink:href"):
                value = (node.attrs.get(attr) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:text/html", "vbscript:")), (path, attr, value)


def test_no_third_party_resources(built_sites: BuiltSites) -> None:
    external = re.compile(r"^(https?:)?//", re.IGNORECASE)
    for path in built_sites.real.rglob("*.html"):
        for node in parse(path.read_text(encoding="utf-8")).iter():
            if node.tag in ("script", "img", "iframe", "source", "audio", "video", "embed", "track", "input"):
                assert not external.match(node.attrs.get("src") or ""), (path, node.tag, node.attrs)
            if node.tag == "link":
                assert not external.match(node.attrs.get("href") or ""), (path, node.attrs)
            if node.tag == "a" and external.match(node.attrs.get("href") or ""):
                assert node.attrs["href"].startswith("https://") or node.attrs["href"].startswith("http://")
    for css in built_sites.real.rglob("*.css"):
        assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def test_print_stylesheet_and_plugin_css_are_linked(proderm: Node) -> None:
    hrefs = [link.attrs.get("href", "") for link in proderm.find_all("link") if link.attrs.get("rel") == "stylesheet"]
    assert any(h.endswith("stylesheets/print.css") for h in hrefs)
    assert any(h.endswith("assets/evidencekb/evidencekb.css") for h in hrefs)


def test_abbreviations_have_tooltips(proderm: Node, built_sites: BuiltSites) -> None:
    abbrs = {a.text: a.attrs.get("title", "") for a in proderm.find_all("abbr")}
    assert abbrs.get("TIS", "").startswith("Total Improvement Score")
    assert "IVIG" in abbrs
    methods = page(built_sites.real, "methods/index.html")
    assert any(a.text == "RD" for a in methods.find_all("abbr"))  # Markdown pages via snippets + abbr


def _copy_site(target: Path) -> Path:
    import shutil

    shutil.copytree(ROOT / "content", target / "content")
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def _build(folder: Path) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder / "site")],
                          cwd=folder, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return done.returncode, done.stdout + done.stderr


def test_invalid_record_fails_the_build_with_validate_messages(tmp_path: Path) -> None:
    from evidencekb.diagnostics import render
    from evidencekb.pipeline import check_paths

    folder = _copy_site(tmp_path)
    record = folder / "content/trials/dalakas-1993.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("randomized: 8", "randomized: eight"),
                      encoding="utf-8")
    code, output = _build(folder)
    assert code != 0
    import os

    cwd = os.getcwd()
    try:
        os.chdir(folder)
        records, problems = check_paths(["content/trials"])
    finally:
        os.chdir(cwd)
    expected = render(problems + [d for r in records for d in r.diagnostics], "text")
    assert expected and expected in output
    assert "content/trials/dalakas-1993.yaml:" in expected


def test_draft_records_are_not_published(tmp_path: Path) -> None:
    folder = _copy_site(tmp_path)
    record = folder / "content/trials/dalakas-1993.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("status: published", "status: draft"),
                      encoding="utf-8")
    (folder / "content/trials/proderm.yaml").unlink()
    for question in (folder / "content/questions").glob("*.yaml"):  # they pool ProDERM
        question.unlink()
    code, output = _build(folder)
    assert code == 0, output
    site = folder / "site"
    assert not (site / "trials/dalakas-1993").exists() and not (site / "trials/dalakas-1993.yaml").exists()
    assert "Dalakas" not in (site / "index.html").read_text(encoding="utf-8")
    search = PagefindIndex.in_folder(site / INDEX_FOLDER)
    assert not search.urls_with("dalakas")
    assert not [url for url, text in search.pages().items() if "Dalakas" in text]


def test_abbreviations_take_focus_and_the_search_dialog_has_a_name(proderm: Node) -> None:
    abbrs = proderm.find_all("abbr")
    assert abbrs and all(a.attrs.get("tabindex") == "0" and a.attrs.get("title") for a in abbrs)
    assert proderm.find("div", role="dialog", **{"aria-label": "Search"}) is not None


@pytest.mark.parametrize(("anchor", "builds"), [("cite-1", True), ("no-such-anchor", False)])
def test_links_into_a_trial_page_are_checked_against_its_finished_html(tmp_path: Path, anchor: str,
                                                                       builds: bool) -> None:
    """The ids of a generated page's blocks, set aside from Markdown, still count for anchor validation."""
    folder = _copy_site(tmp_path)
    with open(folder / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("validation:\n  anchors: warn\n")
    methods = folder / "content/methods.md"
    link = f"\n[ProDERM's first source](trials/proderm.md#{anchor})\n"
    methods.write_text(methods.read_text(encoding="utf-8") + link, encoding="utf-8")
    code, output = _build(folder)
    assert (code == 0) is builds, output
    assert (f"'#{anchor}'" in output) is not builds
