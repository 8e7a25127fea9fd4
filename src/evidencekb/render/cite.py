"""Source marks: every number on a trial page links to its entry in the page's numbered source list.

A mark is a superscript label: the source's number, plus a letter when the number has a locator
(``3b``: source 3, at its locator b). The letter's entry in the source list gives the locator
("b: Table 2"), so a mark stays short however often it repeats, and the locator is visible on paper,
on touch screens and to screen readers, not only in a hover tooltip. Numbers a reviewer could not
check against the source itself (``verified: false``) get a visible text label, never colour only.
Recomputed numbers get a "calc" mark that points to the methods note.

Letters are handed out in the order the page first cites each locator, so the source list must be
rendered after every section that cites (see ``page.render_trial_page``).
"""

from __future__ import annotations

from string import ascii_lowercase

from markupsafe import Markup, escape

from evidencekb.models import Trial

# Marks carry no words worth finding, so they are kept out of the search index (see ``env``).
UNVERIFIED = Markup('&nbsp;<span class="ekb-unverified" data-pagefind-ignore>unverified</span>')
CALC = Markup('<sup data-pagefind-ignore><a href="#methods-note">calc</a></sup>')


def letters(index: int) -> str:
    """a, b, ..., z, aa, ab, ...: the label of a source's ``index``-th locator (from 0)."""
    word = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        word = ascii_lowercase[rest] + word
    return word


class Citations:
    def __init__(self, trial: Trial) -> None:
        self.numbers = {source.id: index for index, source in enumerate(trial.sources, start=1)}
        self.sources = {source.id: source for source in trial.sources}
        self.locators: dict[str, dict[str, str]] = {}
        """Per source id: each locator cited so far and its label (``3b``), in order of first use."""
        self._marks: dict[tuple[str, str | None, bool], Markup] = {}

    def number(self, source: str) -> int | None:
        return self.numbers.get(source)

    def __call__(self, source: str | None, locator: str | None = None, verified: bool = True) -> Markup:
        """The mark for one number: ``<sup><a href="#cite-3b">3b</a></sup>`` (+ unverified).

        The label is also the anchor: ``#cite-3`` is source 3's entry, ``#cite-3b`` its locator b.
        """
        if source is None:
            return Markup("")
        key = (source, locator or None, verified)
        mark = self._marks.get(key)
        if mark is None:
            mark = self._marks[key] = self._mark(*key)
        return mark

    def _mark(self, source: str, locator: str | None, verified: bool) -> Markup:
        number = self.numbers.get(source)
        if number is None:  # an unknown source id (validation reports it): shown as it is
            label = source
        elif locator is None:
            label = str(number)
        else:
            cited = self.locators.setdefault(source, {})
            if locator not in cited:
                cited[locator] = f"{number}{letters(len(cited))}"
            label = cited[locator]
        mark = Markup(f'<sup data-pagefind-ignore><a href="#cite-{escape(label)}">{escape(label)}</a></sup>')
        return mark if verified else mark + UNVERIFIED

    def of(self, cited: object) -> Markup:
        """The mark for a model object with ``source``, ``locator`` and ``verified`` fields (and the mark
        of its ``second_source``, when another source gives the same numbers)."""
        mark = self(
            getattr(cited, "source", None),
            getattr(cited, "locator", None),
            bool(getattr(cited, "verified", True)),
        )
        return mark + self(getattr(cited, "second_source", None), getattr(cited, "second_locator", None))
