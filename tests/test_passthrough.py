"""Finished HTML set aside from Markdown comes back as Markdown would have passed it through."""

from __future__ import annotations

from functools import cache

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.structure.pages import _HTMLHandler

from conftest import ROOT
from evidencekb.passthrough import SetAside
from evidencekb.render import render_trial_page
from test_render import context


@cache
def site_markdown() -> tuple[list[str], dict[str, dict[str, object]]]:
    """The Markdown extensions and their settings of the site's mkdocs.yml (snippets' glossary included)."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    return config.markdown_extensions, config.mdx_configs


def convert(text: str) -> str:
    extensions, settings = site_markdown()
    return markdown.Markdown(extensions=extensions, extension_configs=settings).convert(text)


def through_aside(text: str) -> tuple[str, SetAside]:
    aside = SetAside()
    return aside.put_back(convert(aside.page(text))), aside


def test_a_trial_page_converts_to_the_same_html_with_its_blocks_set_aside() -> None:
    page = render_trial_page(context("proderm")).split("---", 2)[2]  # MkDocs strips the front matter
    converted, aside = through_aside(page)
    assert len(aside.blocks) > 10 and sum(map(len, aside.blocks)) > 0.95 * len(page)
    assert converted == convert(page)


def test_the_anchor_ids_are_those_mkdocs_collects_from_raw_html() -> None:
    page = render_trial_page(context("proderm")).split("---", 2)[2]
    _, aside = through_aside(page)
    handler = _HTMLHandler()
    handler.feed("\n".join(aside.blocks))
    handler.close()
    assert aside.anchor_ids() == handler.present_anchor_ids
    assert {"ae-death-all", "cite-1"} <= aside.anchor_ids()


@pytest.mark.parametrize("text", [
    "Some *Markdown* text.\n\n<div>\n<p>x</p>\n</div>\n",  # a paragraph of Markdown under the heading
    "<span>inline</span> starts a paragraph Markdown wraps\n",
    "<div class=\"open\">\n\n## A heading inside it {#inside}\n\n</div>\n",  # neither half balanced
    "<div>\n<!-- a comment -->\n</div>\n",
])
def test_text_markdown_would_change_stays_markdown(text: str) -> None:
    converted, aside = through_aside("## Heading {#h}\n\n" + text)
    assert aside.blocks == []
    assert converted == convert("## Heading {#h}\n\n" + text)


def test_a_marker_in_the_page_that_no_block_stands_for_is_left_alone() -> None:
    aside = SetAside()
    mark = aside.mark("<table><tr><td>1</td></tr></table>")
    assert aside.put_back(f"{mark}\n<!--evidencekb-html-7-->") == \
        "<table><tr><td>1</td></tr></table>\n<!--evidencekb-html-7-->"
