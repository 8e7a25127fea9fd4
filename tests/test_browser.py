"""The built site in a real browser (Playwright driving Debian's Chromium, no browser download).

Search works end to end and deep-links into the trial page, pages log no console errors, record text
with script payloads never runs, and screenshots of a trial page in light and dark mode are saved for
review under ``build/screenshots/``.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import ROOT, BuiltSites

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@functools.cache
def _needs_browser() -> None:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; the browser tests must run in CI")
        pytest.skip(message)


def _serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def urls(built_sites: BuiltSites) -> Iterator[dict[str, str]]:
    _needs_browser()
    servers = {name: _serve(path) for name, path in (("real", built_sites.real), ("xss", built_sites.xss))}
    yield {name: url for name, (_, url) in servers.items()}
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(urls: dict[str, str]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _page(browser: object, scheme: str = "light") -> tuple[object, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    return page, errors


def _search(page: object, query: str) -> None:
    """Type into material's search once its worker has loaded the index (typing earlier can be lost)."""
    page.locator(".md-search__input").first.click()  # type: ignore[attr-defined]
    meta = page.locator(".md-search-result__meta")  # type: ignore[attr-defined]
    meta.filter(has_not_text="Initializing").wait_for(state="attached", timeout=10_000)
    page.keyboard.type(query)  # type: ignore[attr-defined]  # key events, as a reader types


def test_search_finds_thromboembolism_and_opens_the_harms_section(browser: object, urls: dict[str, str]) -> None:
    page, errors = _page(browser)
    page.goto(urls["real"])  # type: ignore[attr-defined]
    _search(page, "thromboembolism")
    # search.highlight adds ?h=... before the fragment
    result = page.locator('.md-search-result a[href*="trials/proderm/"][href$="#special-interest"]').first  # type: ignore[attr-defined]
    result.wait_for(state="visible", timeout=10_000)
    result.click()
    page.wait_for_url(re.compile(r".*/trials/proderm/(\?h=[^#]*)?#special-interest$"))  # type: ignore[attr-defined]
    heading = page.locator("#special-interest")  # type: ignore[attr-defined]
    assert heading.is_visible()
    top = heading.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 400  # scrolled to the section, which sits inside Harms
    assert page.locator("table[data-table=special-interest]").is_visible()  # type: ignore[attr-defined]
    assert errors == []


def test_pages_log_no_console_errors_and_screenshots(browser: object, urls: dict[str, str]) -> None:
    out = ROOT / "build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page, errors = _page(browser, scheme)
        page.goto(urls["real"] + "trials/proderm/")  # type: ignore[attr-defined]
        expected = "slate" if scheme == "dark" else "default"
        assert page.locator("body").get_attribute("data-md-color-scheme") == expected  # type: ignore[attr-defined]
        page.screenshot(path=str(out / f"proderm-{scheme}.png"))  # type: ignore[attr-defined]
        for path in ("", "trials/dalakas-1993/", "methods/", "glossary/", "conditions/"):
            page.goto(urls["real"] + path)  # type: ignore[attr-defined]
        assert errors == [], scheme
    assert (out / "proderm-light.png").stat().st_size > 10_000


CONTRAST_JS = """
(selectors) => {
  const parse = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) return c; }
    return [255, 255, 255, 1]; };
  const out = [];
  for (const sel of selectors) for (const el of document.querySelectorAll(sel)) {
    if (!el.offsetParent) continue;
    const bg = background(el); const fg = parse(getComputedStyle(el).color);
    const mix = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [lum(mix), lum(bg)].sort((x, y) => y - x);
    out.push([sel, (a + 0.05) / (b + 0.05)]);
  }
  return out;
}
"""
TEXT_SELECTORS = [".md-typeset p", ".md-typeset td", ".md-typeset th", ".ekb-check", ".ekb-unverified", ".ekb-muted",
                  ".ekb-note", ".ekb-badge", "sup > a[href^=\"#cite-\"]", ".ekb-flow-stage"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser: object, urls: dict[str, str], scheme: str) -> None:
    page, _ = _page(browser, scheme)
    page.goto(urls["real"] + "trials/proderm/")  # type: ignore[attr-defined]
    ratios = page.evaluate(CONTRAST_JS, TEXT_SELECTORS)  # type: ignore[attr-defined]
    assert {sel for sel, _ in ratios} >= {".ekb-check", ".ekb-unverified", ".md-typeset td"}
    low = sorted({(sel, round(r, 2)) for sel, r in ratios if r < 4.5})
    assert not low, low


def test_print_stylesheet_shows_the_article_only(browser: object, urls: dict[str, str]) -> None:
    page, _ = _page(browser)
    page.goto(urls["real"] + "trials/proderm/")  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    display = "e => getComputedStyle(e).display"
    assert page.locator(".md-header").evaluate(display) == "none"  # type: ignore[attr-defined]
    assert page.locator(".md-sidebar--secondary").evaluate(display) == "none"  # type: ignore[attr-defined]
    blocks = page.locator("#forest-plot ~ div .tabbed-block")  # type: ignore[attr-defined]
    assert blocks.count() == 2 and all(b.evaluate(display) == "block" for b in blocks.all())


def test_script_payloads_in_records_never_run(browser: object, urls: dict[str, str]) -> None:
    page, errors = _page(browser)
    for path in ("trials/proderm/", "", "conditions/", "outcomes/"):
        page.goto(urls["xss"] + path)  # type: ignore[attr-defined]
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
    _search(page, "alert")  # results render record text too
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert not [e for e in errors if e.startswith("dialog")]
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0  # type: ignore[attr-defined]
