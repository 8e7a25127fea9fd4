"""Numbers in reviewer-written summaries must be numbers the record holds with a source.

The bottom line, the population and the design notes restate numbers ("37 of 47 patients (79%)",
"8 events in 6 of 95 patients", "mean difference 9.50, 95% CI 4.33 to 14.67") that readers take as
facts, yet they sit in free text that no other rule reads: a typo there would reach the page unchecked.
Each such number must match a structured value of the record (a count of a result, an adverse event, a
flow stage, a baseline value, an arm or a population; a printed or computed percentage; a reported
estimate with its interval) at the precision the text prints, and a percentage right after a count
("37 of 47 patients (79%)") must be that count's percentage. Otherwise it must be cited in the same sentence,
``[source-id]`` or ``[source-id, locator]`` naming one of the record's sources (pages show a source mark).
Numbers inside names the record defines (keywords, interventions, treatment labels: "Octagam 10%") are
part of the name, not claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from evidencekb.checks.base import Context, Finding
from evidencekb.diagnostics import Severity
from evidencekb.loader import Path
from evidencekb.models import Trial
from evidencekb.models.base import INLINE_CITATION
from evidencekb.rounding import decimals_of, matches_printed

_NUMBER = r"-?\d+(?:\.\d+)?"
_COUNT = re.compile(r"(?<![\d.])(\d+) (?:of|out of) (\d+)(?![\d.])|(?<![\d./])(\d+)/(\d+)(?![\d./])")
_EVENTS_IN = re.compile(r"(?<![\d.])(\d+) events? in (\d+)(?![\d.])")
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?) ?%(?! ?(?:CI|confidence))")
_INTERVAL = re.compile(rf"({_NUMBER})[^\d;]{{0,40}}?\d+% CI:? ({_NUMBER}) to ({_NUMBER})")
_ATTACHED = re.compile(r"[^\d.;]{0,20}\(")
"""What may stand between a count and the percentage that restates it: '37 of 47 patients (79%)'."""
_SENTENCE_END = re.compile(r"[.;:](?:\s|$)")


@dataclass(frozen=True)
class _Numbers:
    """The record's structured numbers, in the shapes prose restates them."""

    pairs: frozenset[tuple[int, int]]
    events_in: frozenset[tuple[int, int]]
    percents: tuple[float, ...]
    intervals: tuple[tuple[float, float, float], ...]


def prose_fields(trial: Trial) -> Iterator[tuple[Path, str]]:
    """The reviewer-written summaries that carry no source of their own."""
    yield ("bottom_line",), trial.bottom_line
    yield ("population",), trial.population
    if trial.design.description:
        yield ("design", "description"), trial.design.description


def numbers_in_prose(trial: Trial, _: Context) -> Iterator[Finding]:
    numbers = _structured_numbers(trial)
    sources = {s.id for s in trial.sources}
    names = _names_with_numbers(trial)
    for loc, text in prose_fields(trial):
        for phrase, start, end, matched in _claims(_without(text, names), numbers):
            if matched or _cited(text, end, sources):
                continue
            occurrence = text[:start].count(phrase)
            yield Finding(
                loc,
                "prose-number-unmatched",
                f"'{phrase}' matches no number of the record (results, adverse events, flow, baseline, arms,"
                " populations, reported statistics); correct it, or cite its source in the same sentence as"
                " [source-id] or [source-id, locator]",
                Severity.WARNING,
                phrase,
                occurrence,
            )


def _names_with_numbers(trial: Trial) -> list[str]:
    """Names the record defines that contain a number ('Octagam 10%'): a product, not a result."""
    names = [*trial.keywords, *trial.interventions, *(t.label for t in trial.treatments)]
    return sorted({n for n in names if any(c.isdigit() for c in n)}, key=len, reverse=True)


def _without(text: str, names: list[str]) -> str:
    """``text`` with every occurrence of ``names`` blanked out, so that positions stay the same."""
    for name in names:
        text = text.replace(name, " " * len(name))
    return text


def _cited(text: str, end: int, sources: set[str]) -> bool:
    """Whether the rest of the sentence after a phrase cites one of the record's sources."""
    citations = [c for c in INLINE_CITATION.finditer(text) if c.start() >= end]
    inside = [range(c.start(), c.end()) for c in citations]
    stops = (s.start() for s in _SENTENCE_END.finditer(text, end) if not any(s.start() in r for r in inside))
    stop = next(stops, len(text))
    return any(c.group(1) in sources for c in citations if c.start() < stop)


def _claims(text: str, numbers: _Numbers) -> Iterator[tuple[str, int, int, bool]]:
    """(phrase, start, end, matches a structured number) for every number-bearing phrase of ``text``."""
    counts = []
    for found in _COUNT.finditer(text):
        n, m = (int(g) for g in (found.group(1, 2) if found.group(1) else found.group(3, 4)))
        counts.append((found.end(), n, m))
        yield found.group(0), found.start(), found.end(), (n, m) in numbers.pairs
    for found in _EVENTS_IN.finditer(text):
        pair = (int(found.group(1)), int(found.group(2)))
        yield found.group(0), found.start(), found.end(), pair in numbers.events_in
    for found in _PERCENT.finditer(text):
        printed = float(found.group(1))
        places = decimals_of(found.group(1))
        of_count = [100 * n / m for end, n, m in counts if _ATTACHED.fullmatch(text, end, found.start())]
        matched = any(matches_printed(value, printed, places) for value in of_count or numbers.percents)
        yield found.group(0), found.start(), found.end(), matched
    for found in _INTERVAL.finditer(text):
        typed = [(float(g), decimals_of(g)) for g in found.group(1, 2, 3)]
        matched = any(
            all(matches_printed(value, shown, places) for value, (shown, places) in zip(values, typed, strict=True))
            for values in numbers.intervals
        )
        yield found.group(0), found.start(), found.end(), matched


def _structured_numbers(trial: Trial) -> _Numbers:
    sizes = {arm.id: arm.randomized for arm in trial.arms}
    sizes.update({p.id: p.size for p in trial.populations})
    randomized = sum(arm.randomized for arm in trial.arms)
    pairs = {(arm.randomized, randomized) for arm in trial.arms}
    pairs |= {(p.size, randomized) for p in trial.populations}
    events_in = set()
    percents = []
    for result in trial.results:
        for group in result.binary or []:
            pairs.add((group.events, group.total))
            if group.percent is not None:
                percents.append(group.percent)
    for event in trial.adverse_events:
        for ae in event.groups:
            size = sizes.get(ae.group_id)
            if ae.patients is not None and size is not None:
                pairs.add((ae.patients, size))
            if ae.events is not None and ae.patients is not None:
                events_in.add((ae.events, ae.patients))
            if ae.percent is not None:
                percents.append(ae.percent)
    for stage in trial.flow:
        for count in stage.counts:
            pairs.add((count.count, sizes.get(count.arm or "", randomized)))
    for characteristic in trial.baseline:
        for value in characteristic.values:
            if value.count is not None and value.n is not None:
                pairs.add((value.count, value.n))
            if value.percent is not None:
                percents.append(value.percent)
    percents += [100 * n / m for n, m in pairs if m]
    intervals = [
        (stat.estimate, stat.ci.low, stat.ci.high)
        for result in trial.results
        for stat in result.reported
        if stat.estimate is not None and stat.ci is not None and stat.ci.low is not None and stat.ci.high is not None
    ]
    return _Numbers(frozenset(pairs), frozenset(events_in), tuple(percents), tuple(intervals))
