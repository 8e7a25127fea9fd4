"""Renderers called directly, without MkDocs: escaping, links, formatting, and page structure."""

from __future__ import annotations

import subprocess
import sys
from functools import cache

import pytest
from markupsafe import Markup

from _html import parse
from conftest import ROOT
from evidencekb.audit import audit_trial
from evidencekb.models import Trial
from evidencekb.pipeline import check_record
from evidencekb.render import (
    INDEX_PAGES,
    PageLinks,
    TrialContext,
    parse_abbreviations,
    render_glossary,
    render_index_page,
    render_trial_page,
    tags,
    trial_row,
)
from evidencekb.render import format as fmt
from evidencekb.render.cite import letters
from evidencekb.render.env import Abbreviations, paragraphs
from evidencekb.render.forest import forest_data
from evidencekb.render.links import doi_url, pubmed_url, registry_url, safe_url

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(1)"> [x](javascript:alert(1)) --8<-- "/etc/passwd"'


@cache
def _record(name: str) -> tuple[Trial, dict]:  # type: ignore[type-arg]
    record = check_record(str(ROOT / f"content/trials/{name}.yaml"))
    assert record.trial is not None and record.document is not None
    return record.trial, dict(record.document.number_texts)


def context(name: str, trial: Trial | None = None) -> TrialContext:
    base, texts = _record(name)
    trial = trial or base
    return TrialContext(trial, audit_trial(trial, texts), texts,
                        PageLinks(record="../x.yaml", computed="x.computed.json", methods="../../methods/"),
                        {"TIS": "Total Improvement Score", "IVIG": "intravenous immune globulin"})


def test_render_package_does_not_import_mkdocs() -> None:
    code = ("import sys, evidencekb.render, evidencekb.render.page;"
            "sys.exit(any(m == 'mkdocs' or m.startswith('mkdocs.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_page_has_layered_sections_in_reading_order() -> None:
    md = render_trial_page(context("proderm"))
    order = [md.index(f"{{#{anchor}") for anchor in
             ("bottom-line", "summary-of-findings", "harms", "special-interest", "key-facts", "all-results",
              "forest-plot", "participant-flow", "endpoints", "continuous-results", "conflicts", "limitations",
              "mechanisms", "sources", "methods-note", "downloads")]
    assert order == sorted(order)
    assert md.startswith("---\ntitle: \"ProDERM\"\n")


def test_record_text_is_escaped_in_every_section() -> None:
    trial, _ = _record("proderm")
    poisoned = trial.model_copy(update={
        "short_name": PAYLOAD, "title": PAYLOAD, "bottom_line": PAYLOAD, "population": PAYLOAD,
        "conditions": [PAYLOAD],
        "sources": [s.model_copy(update={"citation": PAYLOAD, "note": PAYLOAD}) for s in trial.sources],
        "endpoints": [e.model_copy(update={"label": PAYLOAD, "definition": PAYLOAD}) for e in trial.endpoints],
        "adverse_events": [a.model_copy(update={"term": PAYLOAD}) for a in trial.adverse_events],
        "limitations": [li.model_copy(update={"text": PAYLOAD}) for li in trial.limitations],
        "risk_of_bias": [r.model_copy(update={
            "assessor": PAYLOAD, "analysis_population": PAYLOAD, "several_concerns_high": PAYLOAD,
            "answers": [a.model_copy(update={"support": PAYLOAD, "note": PAYLOAD}) for a in r.answers],
        }) for r in trial.risk_of_bias],
    })
    md = render_trial_page(context("proderm", poisoned))
    assert "<script>" not in md and "<img src=x" not in md and 'href="javascript' not in md
    assert "--8<--" not in md  # the snippets preprocessor cannot be triggered by record text
    assert md.count("&lt;script&gt;alert(1)&lt;/script&gt;") > 20
    front = md.split("---", 2)[1]
    assert "<" not in front  # title and tags are printed unescaped by the theme, so they are pre-escaped
    root = parse(md.split("---", 2)[2])
    assert all("onerror" not in n.attrs for n in root.iter())


def test_abbreviations_escape_then_wrap_whole_words() -> None:
    abbr = Abbreviations({"TIS": 'Total "Improvement" Score', "RD": "Risk difference"})
    out = abbr("TIS <b>& STIS RD-x RD.")
    assert out == Markup('<abbr title="Total &#34;Improvement&#34; Score">TIS</abbr> &lt;b&gt;&amp; STIS RD-x '
                         '<abbr title="Risk difference">RD</abbr>.')
    assert paragraphs("one\n\ntwo <i>", abbr) == Markup("<p>one</p><p>two &lt;i&gt;</p>")


def test_parse_abbreviations_and_glossary() -> None:
    glossary = parse_abbreviations("*[TIS]: Total Improvement Score\nnot a line\n*[RoB 2]: Risk of bias <2>\n")
    assert glossary == {"TIS": "Total Improvement Score", "RoB 2": "Risk of bias <2>"}
    html = render_glossary(glossary)
    assert "Risk of bias &lt;2&gt;" in html and "<dt" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "http://", "https://a b", "//evil.example",
                                 "https://x\"onmouseover=1", "ftp://x.org/a", "", None])
def test_unsafe_urls_are_not_links(url: str | None) -> None:
    assert safe_url(url) is None


def test_link_builders() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert doi_url("10.1056/NEJMoa2117912") == "https://doi.org/10.1056/NEJMoa2117912"
    assert doi_url("10.1002/(SICI)1097<x") is not None and "<" not in doi_url("10.1002/(SICI)1097<x")  # type: ignore[operator]
    assert doi_url("javascript:alert(1)") is None
    assert pubmed_url("36198179") == "https://pubmed.ncbi.nlm.nih.gov/36198179/"
    assert pubmed_url("1 OR 1") is None
    assert registry_url("clinicaltrials.gov", "NCT02728752") == "https://clinicaltrials.gov/study/NCT02728752"
    assert registry_url("clinicaltrials.gov", "NCT0272\"8752") is None
    assert registry_url("eu-ctr", "2016-002902-37") is not None
    assert registry_url("other", "X-1") is None


def test_number_formatting() -> None:
    assert fmt.num(-0.0001, 2) == "0.00"
    assert fmt.num(-1.5, 1) == "\u22121.5"
    assert fmt.interval(None, 3.0, 1) == "not estimable to 3.0"
    assert fmt.percent_points(0.3497340425) == "35.0"
    assert fmt.more_fewer(-12.4) == "12 fewer" and fmt.more_fewer(349.7) == "350 more"
    assert fmt.printed("16.70", 16.7) == "16.70" and fmt.printed(None, 35.0) == "35"


def test_sof_uses_computed_effects_and_marks_reported_checks() -> None:
    ctx = context("proderm")
    root = parse(render_trial_page(ctx).split("---", 2)[2])
    row = root.find("tr", id="sof-tis20-w16")
    assert row is not None
    rd = ctx.computed.for_result(0).binary.risk_difference  # type: ignore[union-attr]
    assert f"{rd.ci_low * 100:.1f} to {rd.ci_high * 100:.1f}" in row.text  # type: ignore[operator]
    assert "\u2713 estimate matches" in row.text and "\u2713 p matches" in row.text
    mmt = root.find("tr", id="sof-mmt8-w16")
    assert mmt is not None and "! estimate known mismatch" in mmt.text


def test_source_marks_letter_each_locator_once_and_the_source_list_names_it() -> None:
    ctx = context("proderm")
    assert [letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["a", "b", "z", "aa", "ab", "zz", "aaa"]
    first, again, other = ctx.cite("art-2023", "Table 1"), ctx.cite("art-2023", "Table 1"), ctx.cite("art-2023", "p. 3")
    number = ctx.cite.number("art-2023")
    assert first == again == Markup(f'<sup data-pagefind-ignore><a href="#cite-{number}a">{number}a</a></sup>')
    assert f"{number}b" in other and f'href="#cite-{number}"' in ctx.cite("art-2023")
    assert "unverified" in ctx.cite("art-2023", "Table 1", verified=False)
    root = parse(render_trial_page(context("proderm")).split("---", 2)[2])
    ids = {n.attrs.get("id") for n in root.iter()}
    marks = [a.attrs["href"] for a in root.find_all("a") if (a.attrs.get("href") or "").startswith("#cite-")]
    assert marks and {m[1:] for m in marks} <= ids


def test_numbers_and_boilerplate_stay_out_of_the_search_index() -> None:
    md = render_trial_page(context("proderm"))
    for anchor in ("forest-plot", "participant-flow", "sources", "methods-note", "downloads"):
        assert f'{{#{anchor} data-pagefind-ignore="index"}}' in md
    for anchor in ("bottom-line", "key-facts", "summary-of-findings", "harms", "special-interest", "conflicts"):
        assert f"{{#{anchor}}}" in md
    root = parse(md.split("---", 2)[2])
    sof = root.find("table", **{"data-table": "sof"})
    assert sof is not None
    assert all("data-pagefind-ignore" in td.attrs for td in sof.find_all("td"))
    assert all("data-pagefind-ignore" not in th.attrs for th in sof.find_all("th", scope="row"))  # endpoint names


def test_dalakas_rows_explain_why_no_effect() -> None:
    root = parse(render_trial_page(context("dalakas-1993")).split("---", 2)[2])
    row = root.find("tr", id="sof-major-improvement")
    assert row is not None and row.find("td", **{"data-measure": "risk-difference"}) is None
    assert "crossover" in row.text and "9/12" in row.text


def test_forest_svg_coordinates_follow_the_computed_intervals() -> None:
    ctx = context("proderm")
    data = forest_data(ctx, "risk-difference")
    assert data is not None
    rows = data["rows"]
    first = rows[0]  # type: ignore[index]
    assert first.x_low < first.x < first.x_high  # type: ignore[attr-defined]
    assert data["axis"].null_x < first.x_low  # type: ignore[attr-defined]  # whole interval right of 0
    assert forest_data(context("dalakas-1993"), "risk-difference") is None


def test_tags_and_index_pages_are_escaped() -> None:
    trial, _ = _record("proderm")
    names = tags(trial.model_copy(update={"conditions": ["a <b> --> \"c\""]}))
    assert names[0] == "Condition: a &lt;b&gt; --&gt; &#34;c&#34;"
    row = trial_row(trial, lambda index: None)
    page = render_index_page(INDEX_PAGES[0], [(names, row)])
    assert '<h2 id="a-b-c">a &lt;b&gt; --&gt; &#34;c&#34;</h2>' in page
    assert "<b>" not in page and '<table data-table="trials">' in page and "ProDERM" in page
