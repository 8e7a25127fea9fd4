"""What the questions add to the site: their pages, the home page's list and the links from trial pages.

A question is checked alone (its own rules) when the site's files are listed, which tells the site which
published questions there are and which trials each reads; its cross-record stage (linking, pooling,
the GRADE signals) runs on the trial records the site build checked already, each once, and its page is
rendered then. :class:`QuestionSite` keeps both across the rebuilds of ``mkdocs serve``: a question is
checked again only when its file changed, and goes through the cross-record stage again only when it or a
trial it reads changed. Plain strings out, so the MkDocs glue only adds them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from evidencekb.diagnostics import Diagnostic
from evidencekb.kinds import QUESTION
from evidencekb.models.question import Question
from evidencekb.pipeline import (
    CheckedRecord,
    check_record,
    cross_record_problems,
    cross_stage_of,
    discover,
    record_id,
)
from evidencekb.questions.links import LinkedTrial
from evidencekb.render import PageLinks
from evidencekb.render.env import render


@dataclass(frozen=True)
class QuestionPage:
    """A published question, as the other pages of the site show it."""

    id: str
    uri: str
    """``questions/<id>.md``, relative to the docs folder."""
    path: str
    """The question's record file."""
    short_name: str
    title: str
    trials: tuple[str, ...]
    """The trials it pools (every trial its outcomes name: a question whose trial cannot be pooled is an
    error, which stops the build)."""
    last_reviewed: str


@dataclass(frozen=True)
class _Built:
    """A question after the cross-record stage: what it was made from, its diagnostics and its page."""

    inputs: tuple[object, ...]
    diagnostics: tuple[Diagnostic, ...]
    page: str


class QuestionSite:
    """The site's questions: checked alone at :meth:`read`, through the cross-record stage at :meth:`build`.

    ``stages`` counts the questions put through the cross-record stage (and rendered), for the tests.
    """

    def __init__(self) -> None:
        self._alone: dict[str, tuple[object, CheckedRecord]] = {}  # path -> (file version, checked alone)
        self._built: dict[str, _Built] = {}
        self._problems: list[Diagnostic] = []
        self.pages: list[QuestionPage] = []
        self.stages = 0

    def read(self, docs_dir: str) -> list[QuestionPage]:
        """Check every question of the docs folder alone (again only if its file changed); the published ones."""
        folder = os.path.join(docs_dir, QUESTION.folder)
        files, self._problems = discover([os.path.relpath(folder)]) if os.path.isdir(folder) else ([], [])
        alone = {}
        for path in files:
            version = _version(path)
            cached = self._alone.get(path)
            alone[path] = cached if cached and cached[0] == version else (version, check_record(path))
        self._alone = alone
        self._problems += cross_record_problems(record_id(record) for _, record in alone.values())
        self.pages = [_page_of(path, record) for path, (_, record) in alone.items()
                      if record.valid and record.model.status == "published"]
        return self.pages

    def reads(self) -> set[str]:
        """The ids of the trials that the questions read."""
        return {t for _, r in self._alone.values() if r.model is not None for t in _reads(r.model)}

    def build(self, trials: Mapping[str, LinkedTrial | None], links: Callable[[str], PageLinks]
              ) -> list[Diagnostic]:
        """Every question's diagnostics after the cross-record stage, given what it reads of each trial by id
        (None: no valid record) and the links of each page by its URI; a question goes through the stage only when
        its file, the trials it reads or its links changed since the last build."""
        built = {}
        for path, (version, alone) in self._alone.items():
            read = _reads(alone.model) if alone.model is not None else ()
            page_links = links(page_uri(alone.model.id)) if alone.model is not None else None
            inputs = (version, page_links, *(trials.get(t) for t in read))
            last = self._built.get(path)
            built[path] = last if last and _same(last.inputs, inputs) else self._stage(alone, page_links, inputs)
        self._built = built
        return self._problems + [d for b in built.values() for d in b.diagnostics]

    def page(self, question: QuestionPage) -> str:
        """The question's page, once built ("" for a question that could not be computed)."""
        return self._built[question.path].page

    def _stage(self, alone: CheckedRecord, links: PageLinks | None, inputs: tuple[object, ...]) -> _Built:
        self.stages += 1
        record = dataclasses.replace(alone, diagnostics=list(alone.diagnostics))  # the stage adds to them
        cross_stage_of(QUESTION, [record], {t.id: t for t in inputs[2:] if isinstance(t, LinkedTrial)})
        question, computed = record.model, record.computed
        page = ""
        if record.valid and computed is not None and record.document is not None and links is not None \
                and question.status == "published":
            page = record.kind.render(question, computed, record.document, links, {})
        return _Built(inputs, tuple(record.diagnostics), page)


def page_uri(question_id: str) -> str:
    """Where a question's page is, relative to the docs folder."""
    return f"{QUESTION.folder}/{question_id}.md"


def _page_of(path: str, record: CheckedRecord) -> QuestionPage:
    question = record.model
    return QuestionPage(question.id, page_uri(question.id), path, question.short_name, question.title,
                        _reads(question), question.review.last_reviewed.isoformat())


def _reads(question: Question) -> tuple[str, ...]:
    assert QUESTION.reads is not None  # questions read trials
    return tuple(QUESTION.reads(question))


def _version(path: str) -> object:
    """The file's identity and version as the file system sees it (an unreadable file's equals nothing)."""
    try:
        stat = os.stat(path)
    except OSError:
        return object()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _same(before: tuple[object, ...], now: tuple[object, ...]) -> bool:
    """Equal file versions and links, and the very same trial records (a changed record is a new object)."""
    if len(before) != len(now) or before[:2] != now[:2]:
        return False
    return all(a is b for a, b in zip(before[2:], now[2:], strict=True))


def render_question_list(pages: list[QuestionPage], href: Callable[[QuestionPage], str]) -> Markup:
    """The home page's "What the evidence says": each question, linked to its page."""
    return render("question_list.html", pages=pages, href=href)


def questions_by_trial(pages: list[QuestionPage]) -> dict[str, list[QuestionPage]]:
    """The questions whose pooled results use each trial, by trial id (looked up once per trial page)."""
    using: dict[str, list[QuestionPage]] = {}
    for page in pages:
        for trial_id in page.trials:
            using.setdefault(trial_id, []).append(page)
    return using


def informs_block(using: list[QuestionPage], href: Callable[[QuestionPage], str]) -> Markup:
    """The line under a trial page's title naming the questions (``using``) whose pooled results use it."""
    if not using:
        return Markup("")
    return render("question_informs.html", pages=using, href=href)
