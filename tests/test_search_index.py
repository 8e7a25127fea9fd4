"""The site's Pagefind index: which pages it holds, how they are marked, and a failed run's message."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from conftest import ROOT, BuiltSites
from evidencekb.search_index import (
    ARTICLE,
    INDEX_FOLDER,
    SearchIndexError,
    marked_for_search,
    without_theme_index,
    write_index,
)

FORM = '<form class="md-search__form" name="search"></form>'
PAGE = '<html lang="en"><body>' + FORM + ARTICLE + "{}</article></body></html>"


def _page(text: str) -> str:
    return PAGE.format(text)


def test_a_boosted_page_is_weighted_by_its_boost() -> None:
    marked = marked_for_search(_page("<h1>ProDERM</h1>"), {"search": {"boost": 2}})
    assert 'data-pagefind-body data-pagefind-weight="2">' in marked


def test_a_question_page_leads_and_weights_stay_in_pagefinds_range() -> None:
    marked = marked_for_search(_page("<h1>IVIG</h1>"), {"search": {"boost": 60}}, leads=True)
    assert 'data-pagefind-weight="10" data-pagefind-filter="leads:yes">' in marked


def test_a_page_without_search_settings_gets_weight_one() -> None:
    assert 'data-pagefind-weight="1">' in marked_for_search(_page("<h1>Methods</h1>"), {})


def test_a_page_excluded_from_search_is_left_unmarked() -> None:
    page = _page("<h1>What's new</h1>")
    assert marked_for_search(page, {"search": {"exclude": True}}) == page


def test_the_theme_no_longer_finds_its_search_form() -> None:
    page = without_theme_index(_page(""))
    assert 'name="search"' not in page and 'name="ekb-search"' in page


def text_of(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def _entry(site: Path) -> dict[str, object]:
    return json.loads((site / INDEX_FOLDER / "pagefind-entry.json").read_text(encoding="utf-8"))


def test_only_marked_pages_are_indexed_and_the_index_is_replaced_whole(tmp_path: Path) -> None:
    for name, meta in (("trial", {"search": {"boost": 2}}), ("docs", {}), ("news", {"search": {"exclude": True}})):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(marked_for_search(_page(f"<h1>{name}</h1><p>text</p>"), meta))
    stale = tmp_path / INDEX_FOLDER / "fragment" / "stale.pf_fragment"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    write_index(tmp_path)
    assert _entry(tmp_path)["languages"]["en"]["page_count"] == 2  # type: ignore[index]
    assert not stale.exists()
    assert not list((tmp_path / INDEX_FOLDER).glob("pagefind-*ui.*"))  # Pagefind's own UIs are not shipped


def test_a_folder_without_pages_fails_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="no page to index"):
        write_index(tmp_path)


def test_the_built_site_indexes_every_page_the_theme_would(built_sites: BuiltSites) -> None:
    """Every page but those whose front matter excludes them from search; the questions and trials boosted."""
    marked, boosts = 0, {}
    for html in built_sites.real.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if found := re.search(r'data-pagefind-body data-pagefind-weight="([\d.]+)"', text):
            marked += 1
            boosts[html.parent.relative_to(built_sites.real).as_posix()] = found[1]
    assert _entry(built_sites.real)["languages"]["en"]["page_count"] == marked  # type: ignore[index]
    assert boosts["trials/proderm"] == "2" and boosts["questions/ivig-dermatomyositis"] == "6"
    assert boosts["methods"] == "1" and boosts["contributing"] == "0.25"
    assert text_of(built_sites.real, "questions/ivig-dermatomyositis").count('data-pagefind-filter="leads:yes"') == 1
    assert 'data-pagefind-filter' not in text_of(built_sites.real, "trials/proderm")
    assert "whats-new" not in boosts and "reference" not in boosts  # excluded in their front matter


def test_numbers_and_boilerplate_marked_ignored_are_not_indexed(built_sites: BuiltSites) -> None:
    """The citation marks, boilerplate titles and history of trial pages are marked for Pagefind to skip."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from pagefind_files import PagefindIndex

    pages = PagefindIndex.in_folder(built_sites.real / INDEX_FOLDER).pages()
    proderm = next(text for url, text in pages.items() if url.rstrip("/").endswith("trials/proderm"))
    page = text_of(built_sites.real, "trials/proderm")
    assert page.count("data-pagefind-ignore") >= 10
    assert "In plain language" in page and "In plain language" not in proderm
    assert "dermatomyositis" in proderm.lower()
