"""What the questions add to the site: their pages, the home page's list and the links from trial pages.

Questions are checked through the pipeline with the trial records they read (each once, however many
questions read it), after the trial pages are built; plain strings out, so the MkDocs glue only adds them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.diagnostics import Diagnostic, has_errors
from evidencekb.kinds import QUESTION
from evidencekb.pipeline import check_paths
from evidencekb.render import PageLinks
from evidencekb.render.env import render


@dataclass(frozen=True)
class QuestionPage:
    id: str
    uri: str
    """``questions/<id>.md``, relative to the docs folder."""
    page: str
    short_name: str
    title: str
    trials: tuple[str, ...]
    last_reviewed: str


def question_pages(docs_dir: str, links: Callable[[str], PageLinks]) -> tuple[list[QuestionPage], list[Diagnostic]]:
    """The published questions' pages (``links(uri)`` gives each page's links) and every question's diagnostics."""
    folder = os.path.join(docs_dir, QUESTION.folder)
    if not os.path.isdir(folder):
        return [], []
    records, problems = check_paths([os.path.relpath(folder)])
    diagnostics = problems + [d for r in records for d in r.diagnostics]
    pages = []
    for record in records:
        question, computed = record.model, record.computed
        if has_errors(record.diagnostics) or computed is None or record.document is None \
                or question.status != "published":
            continue
        uri = f"{QUESTION.folder}/{question.id}.md"
        page = record.kind.render(question, computed, record.document, links(uri), {})
        pages.append(QuestionPage(question.id, uri, page, question.short_name, question.title, computed.trials,
                                   question.review.last_reviewed.isoformat()))
    return pages, diagnostics


def render_question_list(pages: list[QuestionPage], href: Callable[[QuestionPage], str]) -> Markup:
    """The home page's "What the evidence says": each question, linked to its page."""
    return render("question_list.html", pages=pages, href=href)


def informs_block(pages: list[QuestionPage], trial_id: str, href: Callable[[QuestionPage], str]) -> Markup:
    """The line under a trial page's title naming the questions whose pooled results use the trial."""
    using = [p for p in pages if trial_id in p.trials]
    if not using:
        return Markup("")
    return render("question_informs.html", pages=using, href=href)
