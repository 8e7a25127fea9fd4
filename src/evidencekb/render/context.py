"""What every section renderer of a trial page needs: the record, its computed namespace, link targets.

Section modules receive one :class:`TrialContext` and look things up through it (groups, denominators,
printed number texts, conflicts), so each module stays small and none re-derives record structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from evidencekb.computed import ComputedTrial, ConsistencyCheck
from evidencekb.loader import Path
from evidencekb.models import Endpoint, Trial
from evidencekb.models.base import INLINE_CITATION
from evidencekb.models.outcomes import GroupRef
from evidencekb.render import format as fmt
from evidencekb.render.cite import Citations
from evidencekb.render.env import Abbreviations


@dataclass(frozen=True)
class PageLinks:
    """Relative hrefs from the trial page to other site files (computed by the MkDocs glue)."""

    record: str | None = None
    computed: str | None = None
    bulk: str | None = None  # the archive of every trial's record and computed JSON
    methods: str | None = None
    glossary: str | None = None
    home: str | None = None


STATUS_TEXT = {
    "consistent": ("\u2713", "matches"),
    "inconsistent": ("\u2717", "mismatch"),
    "acknowledged": ("!", "known mismatch"),
    "not-checkable": ("\u2013", "not checkable"),
}


def status_mark(check: ConsistencyCheck, label: str | None = None, detail: bool = True) -> Markup:
    """A consistency mark as symbol + words (never colour only), with the check's detail as a tooltip
    unless ``detail`` is false (where the detail is printed beside the mark anyway)."""
    symbol, words = STATUS_TEXT.get(check.status, ("?", check.status))
    prefix = f"{label} " if label else ""
    methods = f" ({', '.join(check.methods)})" if check.methods and check.status == "consistent" else ""
    title = f' title="{escape(check.detail)}"' if detail else ""
    return Markup(f'<span class="ekb-check ekb-check--{escape(check.status)}"{title}>'
                  f"{escape(f'{symbol} {prefix}{words}{methods}')}</span>")


def randomized_total(trial: Trial, cite: Citations | None = None) -> tuple[int, Markup]:
    """The total a source printed (flow stage 'randomized', arm null) or, failing that, the arms' sum."""
    for stage in trial.flow:
        if stage.stage == "randomized":
            for count in stage.counts:
                if count.arm is None:
                    return count.count, cite.of(stage) if cite else Markup("")
    return sum(a.randomized for a in trial.arms), Markup("")


@dataclass
class TrialContext:
    trial: Trial
    computed: ComputedTrial
    number_texts: Mapping[Path, str] = field(default_factory=dict)
    links: PageLinks = field(default_factory=PageLinks)
    glossary: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cite = Citations(self.trial)
        self.abbr = Abbreviations(self.glossary)
        self._endpoints = {e.id: e for e in self.trial.endpoints}
        self._arms = {a.id: a for a in self.trial.arms}
        self._populations = {p.id: p for p in self.trial.populations}
        self._treatments = {t.id: t for t in self.trial.treatments}
        self._periods = {p.id: p for p in self.trial.design.periods}

    def randomized_total(self) -> tuple[int, Markup]:
        """Participants randomized with its source mark: the record's total if it gives one, else the arms'."""
        return randomized_total(self.trial, self.cite)

    def endpoint(self, endpoint_id: str) -> Endpoint:
        return self._endpoints[endpoint_id]

    def period_label(self, period_id: str | None) -> str:
        if period_id is None:
            return "Whole study"
        period = self._periods.get(period_id)
        return period.label if period else period_id

    def same_treatment(self, endpoint: Endpoint) -> str | None:
        """Why the endpoint's time point is no between-treatment comparison, or None when it is one.

        It is none when every arm received the same treatment in the endpoint's period (e.g. an
        open-label extension in which all patients had IVIG): read from the arms' treatments per period,
        so it holds whether or not the computed namespace still offers a comparison for it.
        """
        periods = [p.id for p in self.trial.design.periods]
        if endpoint.period not in periods or len(self.trial.arms) < 2:
            return None
        index = periods.index(endpoint.period)
        received = {a.treatments[index] for a in self.trial.arms if len(a.treatments) > index}
        if len(received) != 1:
            return None
        treatment = self._treatments.get(next(iter(received)))
        return (f"every arm received {treatment.label if treatment else next(iter(received))} in the"
                f" {self.period_label(endpoint.period).lower()}, so this time point compares no treatments")

    def group_id_label(self, group_id: str) -> str:
        if group_id in self._arms:
            return self._arms[group_id].label
        if group_id in self._populations:
            return self._populations[group_id].label
        return group_id

    def group_label(self, group: GroupRef) -> str:
        return self.group_id_label(group.group_id)

    def denominator(self, group: GroupRef) -> tuple[int, object] | None:
        """Size of the arm (randomized) or population, with the object that cites it."""
        if group.arm and group.arm in self._arms:
            arm = self._arms[group.arm]
            return arm.randomized, arm
        if group.population and group.population in self._populations:
            population = self._populations[group.population]
            return population.size, population
        return None

    def side(self, group: GroupRef) -> str:
        """'intervention', 'comparator' or 'other': the column a group belongs in."""
        if group.arm and group.arm in self._arms:
            role = self._arms[group.arm].role
            return role if role in ("intervention", "comparator") else "other"
        if group.population and group.population in self._populations:
            treatment = self._treatments.get(self._populations[group.population].treatment or "")
            return treatment.role if treatment else "other"
        return "other"

    def side_label(self, side: str) -> str:
        """Header of a column: the labels of the groups the results put in it (populations such as
        "all IVIG courses" when the results count exposures), else the arms or treatments of that side."""
        groups = [g for result in self.trial.results for g in result.groups if self.side(g) == side]
        labels = list(dict.fromkeys(self.group_label(g) for g in groups))
        if not labels:
            labels = [a.label for a in self.trial.arms if a.role == side]
        if not labels:
            labels = [t.label for t in self.trial.treatments if t.role == side]
        return " / ".join(labels) or side.capitalize()

    def prose(self, text: str) -> Markup:
        """Reviewer-written text, escaped with its abbreviations explained, and each in-text citation
        (``[source-id, locator]`` naming a source of the record) shown as that source's mark."""
        out: list[Markup] = []
        last = 0
        for found in INLINE_CITATION.finditer(text):
            if found.group(1) in self.cite.sources:
                out += [self.abbr(text[last:found.start()].rstrip()), self.cite(found.group(1), found.group(2))]
                last = found.end()
        out.append(self.abbr(text[last:]))
        return Markup("").join(out)

    def printed(self, loc: Path, value: float | str | None) -> str:
        return fmt.printed(self.number_texts.get(tuple(loc)), value)

    def checks(self, prefix: Path) -> list[ConsistencyCheck]:
        return self.computed.checks_at(tuple(prefix))

    def conflicts_for(self, object_id: str) -> list[tuple[str, str]]:
        """(conflict id, topic) of every conflict that refers to ``object_id``."""
        return [(c.id, c.topic) for c in self.trial.conflicts if object_id in c.refers_to]

    def conflict_links(self, object_id: str) -> Markup:
        found = self.conflicts_for(object_id)
        if not found:
            return Markup("")
        links = Markup(", ").join(
            Markup('<a href="#conflict-{}">{}</a>').format(cid, topic) for cid, topic in found
        )
        return Markup('<span class="ekb-flag">\u2691 sources disagree: {}</span>').format(links)
