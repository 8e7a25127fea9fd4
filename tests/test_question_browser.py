"""The question page in Chromium: the Summary of Findings on the first screen at 1366 and 390 px, an A4
print without clipping, search that finds the question first, and the links between questions and trials.

Screenshots and the A4 PDF are saved under ``build/screenshots/`` for review, as for the trial pages.
"""

from __future__ import annotations

import re

import pytest

from test_browser import A4_CONTENT, SHOTS, _page, _search, _sized, browser, sof_box_on_first_screen, urls  # noqa: F401

pytestmark = pytest.mark.browser

QUESTION = "questions/ivig-dermatomyositis/"


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_question_summary_of_findings_on_the_first_screen_and_never_clipped(
        browser: object, urls: dict[str, str], width: int, height: int) -> None:  # noqa: F811
    box = sof_box_on_first_screen(browser, urls["real"] + QUESTION, "question", width, height)
    assert box["harms"] == 3 and box["rows"] == 7, box  # benefits and harms in one table
    assert "350 more per 1000 (115 to 562 more)" in box["text"] and "RR 1.80 (1.26 to 2.56)" in box["text"]
    assert "Low" in box["text"] and "Very low" in box["text"]


def test_question_a4_print_fits_the_page(browser: object, urls: dict[str, str]) -> None:  # noqa: F811
    page = _sized(browser, *A4_CONTENT)
    page.goto(urls["real"] + QUESTION)  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    layout = page.evaluate("""() => ({
      overflowing: [...document.querySelectorAll('.md-content table, .md-content svg')].filter(t => {
        const box = (t.closest('.md-typeset__scrollwrap') || t.parentElement).getBoundingClientRect();
        return t.getBoundingClientRect().right > box.right + 1 || t.getBoundingClientRect().right > innerWidth + 1; })
        .map(t => t.dataset?.table || t.tagName),
      sof: document.querySelector('table[data-table=findings]').getBoundingClientRect().top + scrollY})""")  # type: ignore[attr-defined]
    pdf = page.pdf(path=str(SHOTS / "question-a4.pdf"), prefer_css_page_size=True)  # type: ignore[attr-defined]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert layout["overflowing"] == [], layout
    assert layout["sof"] < A4_CONTENT[1], layout  # the table starts on page 1
    assert 0 < pages <= 12, pages


def test_search_finds_the_question_first_for_the_condition(browser: object, urls: dict[str, str]) -> None:  # noqa: F811
    page, _ = _page(browser)
    page.goto(urls["real"])  # type: ignore[attr-defined]
    _search(page, "dermatomyositis")
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    first = page.locator(".md-search-result__item > a").first.get_attribute("href") or ""  # type: ignore[attr-defined]
    assert QUESTION in first, first


def test_home_leads_with_the_question_and_trial_pages_link_to_it(browser: object, urls: dict[str, str]) -> None:  # noqa: F811
    page, errors = _page(browser)
    page.goto(urls["real"])  # type: ignore[attr-defined]
    order = page.evaluate("""() => [document.getElementById('questions'), document.getElementById('trials')]
      .map(h => h.getBoundingClientRect().top)""")  # type: ignore[attr-defined]
    assert order[0] < order[1]
    page.locator(f".ekb-question-list a[href='{QUESTION}']").click()  # type: ignore[attr-defined]
    page.locator("#question-title").wait_for()  # type: ignore[attr-defined]
    page.locator("a[href='../../trials/proderm/']").first.click()  # type: ignore[attr-defined]
    page.locator(".ekb-informs a").click()  # type: ignore[attr-defined]
    assert page.url.endswith(QUESTION)  # type: ignore[attr-defined]
    assert errors == []
