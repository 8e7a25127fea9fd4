"""Finished HTML in generated pages, kept out of Python-Markdown's way.

A generated page (a trial, a question, an index page) is a few Markdown headings around blocks of
HTML that the renderers have already finished. Python-Markdown passes such blocks through unchanged,
but only after parsing every tag of them three times (its HTML block preprocessor, md_in_html and
MkDocs' anchor collector): about 0.1 s a trial page, two thirds of a build's time at N = 200
(measured with a timing hook around ``Page.render``). ``SetAside.page`` swaps each such block for an
HTML comment before the conversion, ``put_back`` restores the blocks in the converted page, and
``anchor_ids`` gives the ids MkDocs would have collected from them for its anchor validation.

A block is set aside only when Markdown would certainly pass it through as it is: every paragraph
of it starts with a block-level tag at the start of a line, its block-level elements are balanced,
and no heading line falls inside it. Anything else stays Markdown, converted as before.
"""

from __future__ import annotations

import html
import re

from markdown.core import BLOCK_LEVEL_ELEMENTS

MARK = "<!--evidencekb-html-{}-->"
MARKED = re.compile(r"<!--evidencekb-html-(\d+)-->")
HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
OPENING = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>")
ANCHOR_ATTRIBUTE = re.compile(r"""\s(id|name)\s*=\s*"([^"]*)\"""")
CONTAINERS = "|".join(t for t in BLOCK_LEVEL_ELEMENTS if t not in ("hr", "p"))  # p: closed by the renderers
CONTAINER_TAG = re.compile(rf"<(/?)({CONTAINERS})[\s>]", re.IGNORECASE)


class SetAside:
    """One page's blocks of finished HTML, from before its conversion to after it."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def mark(self, block: str) -> str:
        """The comment that stands for this block of finished HTML in the page's Markdown."""
        self.blocks.append(block)
        return MARK.format(len(self.blocks) - 1)

    def page(self, markdown: str) -> str:
        """The Markdown with each block of finished HTML between its headings replaced by a comment."""
        pieces: list[str] = []
        start = 0
        for boundary in [*(m.start() for m in HEADING.finditer(markdown)), len(markdown)]:
            segment = markdown[start:boundary]
            heading_end = segment.find("\n") + 1 if HEADING.match(segment) else 0
            heading, body = segment[:heading_end], segment[heading_end:]
            if _finished_html(body):
                pieces.append(heading + "\n" + self.mark(body.strip("\n")) + "\n\n")
            else:
                pieces.append(segment)
            start = boundary
        return "".join(pieces)

    def put_back(self, converted: str) -> str:
        """The converted page with every block set aside in its place again."""
        if not self.blocks:
            return converted
        def block(mark: re.Match[str]) -> str:
            number = int(mark.group(1))
            return self.blocks[number] if number < len(self.blocks) else mark.group(0)
        return MARKED.sub(block, converted)

    def anchor_ids(self) -> set[str]:
        """The ids MkDocs collects from raw HTML: every element's ``id`` and every link's ``name``."""
        ids: set[str] = set()
        for block in self.blocks:
            for tag in START_TAG.finditer(block):
                for attribute in ANCHOR_ATTRIBUTE.finditer(tag.group(2) or ""):
                    if attribute.group(1) == "id" or tag.group(1).lower() == "a":
                        ids.add(html.unescape(attribute.group(2)))
        return ids


def _finished_html(body: str) -> bool:
    """Whether Markdown would pass this text through unchanged as raw HTML blocks."""
    paragraphs = [p for p in PARAGRAPH_BREAK.split(body.strip("\n")) if p.strip()]
    if not paragraphs or "<!--" in body:
        return False
    for paragraph in paragraphs:
        opening = OPENING.match(paragraph)
        if not opening or opening.group(1).lower() not in BLOCK_LEVEL_ELEMENTS:
            return False
    depth: dict[str, int] = {}
    for closing, tag in CONTAINER_TAG.findall(body):
        depth[tag.lower()] = depth.get(tag.lower(), 0) + (-1 if closing else 1)
    return not any(depth.values())
