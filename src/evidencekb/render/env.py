"""The Jinja2 environment for page fragments: autoescaping on, templates shipped as package data.

Autoescape is on for every template, so record text can only ever reach the page as text; the few
pieces of markup built in Python (citations, abbreviations) are ``markupsafe.Markup`` made from escaped
parts. ``StrictUndefined`` turns a typo in a template into an error instead of an empty cell.

Numbers, marks and boilerplate repeated on every trial page carry ``data-pagefind-ignore`` (with
``="index"``, its default, in the headings' Markdown attribute lists, which need a value): the site's
search (Pagefind) leaves such elements and their children out of the index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from evidencekb.render import format as fmt
from evidencekb.render.links import safe_url

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("evidencekb", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates are package data: no need to stat them on every render
    )
    env.filters.update(
        num=fmt.num,
        interval=fmt.interval,
        pp=fmt.percent_points,
        pct=fmt.percent,
        per1000=fmt.per_1000,
        morefewer=fmt.more_fewer,
        href=safe_url,
        paras=paragraphs,
    )
    return env


def render(template: str, **context: object) -> Markup:
    """Render a fragment; blank lines are squeezed so Markdown keeps the result as one raw HTML block."""
    html = environment().get_template(template).render(**context)
    return Markup(_BLANK_LINES.sub("\n", html).strip())


def paragraphs(text: str, mark: Callable[[str], Markup] = escape) -> Markup:
    """Escaped text split into ``<p>`` at blank lines (YAML literal blocks may contain several).

    ``mark`` escapes each paragraph (e.g. an :class:`Abbreviations` instance, which also adds tooltips).
    """
    parts = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(mark(" ".join(p.split()))) for p in parts)


class Abbreviations:
    """Wraps known abbreviations in record text with ``<abbr title>`` after escaping it.

    Markdown's abbr extension cannot reach inside raw HTML blocks, so the same glossary that
    ``pymdownx.snippets`` appends to every page is applied here to record text (material shows
    ``abbr[title]`` as tooltips). Matching is case-sensitive on whole words. A term is explained at
    its first use in each section (:meth:`new_section`), as an editor would, rather than at every
    one of the dozens of uses on a page: a reader deep-linked into any section still meets it.
    """

    def __init__(self, glossary: Mapping[str, str]) -> None:
        self.glossary = dict(glossary)
        self.explained: set[str] = set()
        terms = sorted(self.glossary, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w-])") if terms else None
        )

    def __call__(self, text: object) -> Markup:
        if text is None:
            return Markup("")
        if isinstance(text, Markup) or self.pattern is None:
            return escape(text)
        raw = str(text)
        out: list[Markup] = []
        last = 0
        for match in self.pattern.finditer(raw):
            out.append(escape(raw[last:match.start()]))
            term = match.group(1)
            if term in self.explained:
                out.append(escape(term))
            else:
                self.explained.add(term)
                out.append(Markup('<abbr title="{}">{}</abbr>').format(self.glossary[term], term))
            last = match.end()
        out.append(escape(raw[last:]))
        return Markup("").join(out)

    def new_section(self) -> None:
        """Explain every term again at its next use."""
        self.explained.clear()


def parse_abbreviations(text: str) -> dict[str, str]:
    """``*[TERM]: definition`` lines (the abbr extension's syntax) as a dict, in file order."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"^\*\[([^\]]+)\]:\s*(.+?)\s*$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found
