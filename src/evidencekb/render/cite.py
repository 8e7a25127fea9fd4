"""Source marks: every number on a trial page links to its entry in the page's numbered source list.

A mark is a superscript number whose ``title`` gives the source and its locator; numbers a reviewer
could not check against the source itself (``verified: false``) get a visible text label, never colour
only. Recomputed numbers get a "calc" mark that points to the methods note.
"""

from __future__ import annotations

from markupsafe import Markup

from evidencekb.models import Trial

UNVERIFIED = Markup(
    '<span class="ekb-unverified" title="Could not be checked against the source itself">unverified</span>'
)


class Citations:
    def __init__(self, trial: Trial) -> None:
        self.numbers = {source.id: index for index, source in enumerate(trial.sources, start=1)}
        self.sources = {source.id: source for source in trial.sources}

    def number(self, source: str) -> int | None:
        return self.numbers.get(source)

    def __call__(self, source: str | None, locator: str | None = None, verified: bool = True) -> Markup:
        """The mark for one number: ``<sup><a href="#source-id" title="...">n</a></sup>`` (+ unverified)."""
        if source is None:
            return Markup("")
        number = self.numbers.get(source)
        title = f"Source {number}: {source}" if number else f"Source {source}"
        if locator:
            title += f", {locator}"
        if not verified:
            title += " (not verified against the source itself)"
        label = str(number) if number else source
        mark = Markup('<sup class="ekb-cite"><a href="#source-{}" title="{}">{}</a></sup>').format(source, title, label)
        return mark + (Markup("&nbsp;") + UNVERIFIED if not verified else Markup(""))

    def of(self, cited: object) -> Markup:
        """The mark for a model object with ``source``, ``locator`` and ``verified`` fields."""
        return self(
            getattr(cited, "source", None),
            getattr(cited, "locator", None),
            bool(getattr(cited, "verified", True)),
        )


CALC = Markup(
    '<sup class="ekb-cite ekb-calc"><a href="#methods-note" title="Recomputed; see the methods note">calc</a></sup>'
)
