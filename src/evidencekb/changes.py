"""What a change to a record means to a reader: the few kinds of change worth a line in its history.

A commit may fix a typo, rewrap a paragraph and correct a count at once; a reader following the topic
needs the count. The semantic diff (``evidencekb.diff``) lists every changed value of two versions in
their normalized form, so formatting, comments and key order are never changes; here each changed value
is sorted into a reader-facing :class:`Change` (a number, a recomputed effect, a source, a discrepancy
between sources, the review, the status, the bottom line, a verified flag or citation) or counted as
cosmetic (other wording). Each kind of record has its describer: any kind gets its changed values, a
trial also its recomputed effects and the printed statistics whose consistency changed, a question its
rated certainty, pooled and not-pooled trials and conclusion per outcome.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evidencekb.diff import Loaded, Snapshot, ValueChange, compare, value_changes
from evidencekb.pipeline import CheckedRecord, computed
from evidencekb.questions.grade import certainty_level

MAX_SHOWN = 300
"""Characters of a before/after value shown; longer text (a rewritten bottom line) is cut with an ellipsis."""


@dataclass(frozen=True)
class Change:
    """One change a reader should know of; ``before``/``after`` are None where there is no such side."""

    kind: str
    """record | status | review | number | effect | check | source | conflict | provenance | text | content"""
    what: str
    before: str | None = None
    after: str | None = None


Describer = Callable[[CheckedRecord, CheckedRecord], tuple[list[Change], int]]


def describe(before: CheckedRecord, after: CheckedRecord) -> tuple[list[Change], int]:
    """The changes from ``before`` to ``after`` (valid versions of one record) and the count of cosmetic ones."""
    changes, cosmetic = DESCRIBERS.get(after.kind.name, _values)(before, after)
    return sorted(changes, key=lambda c: KIND_ORDER.index(c.kind)), cosmetic


KIND_ORDER = ("record", "status", "number", "effect", "check", "conflict", "source", "review", "text", "provenance",
              "content")
"""The order changes are listed in: what moves a result first, bookkeeping last."""


def _values(before: CheckedRecord, after: CheckedRecord) -> tuple[list[Change], int]:
    old, new = before.model.model_dump(mode="json"), after.model.model_dump(mode="json")
    values = value_changes(old, new)
    return classify(values, (new, old)) if values else ([], 1)


COMPUTED_FROM = frozenset({"adverse_events", "arms", "design", "endpoints", "id", "populations", "results",
                           "treatments"})
"""The parts of a trial its computed namespace (effects, audit) is made from: a change elsewhere (review,
sources, prose) cannot move an effect, so the costly computation of both versions is skipped."""


def _trial(before: CheckedRecord, after: CheckedRecord) -> tuple[list[Change], int]:
    old, new = before.model.model_dump(mode="json"), after.model.model_dump(mode="json")
    values = value_changes(old, new)
    if not values:
        return [], 1  # only formatting, comments or key order
    if not any(re.split(r"[.\[]", v.path, maxsplit=1)[0] in COMPUTED_FROM for v in values):
        return classify(values, (new, old))
    diff = compare(_single(before), _single(after)).changed[0]
    changes, cosmetic = classify(diff.values, (new, old))
    changes += [Change("effect", f"{e.label}: {e.measure}", e.old, e.new) for e in diff.effects]
    changes += [Change("check", f"Printed {c.statistic}: {readable(c.location, (new, old))}", c.old, c.new)
                for c in diff.checks]
    return changes, cosmetic


def _single(record: CheckedRecord) -> Snapshot:
    """One version as a snapshot of its own, under a fixed key (so a changed id is a change, not a new trial)."""
    return Snapshot(record.path, {"record": Loaded(record.path, record.model, computed(record))})


def _question(before: CheckedRecord, after: CheckedRecord) -> tuple[list[Change], int]:
    """A question's reader-facing changes: per outcome its certainty (level, each domain with its reason,
    and who rated it: a new rater is a new judgement, not wording), the trials added to or removed from its
    pooled studies or its not-pooled list, and the conclusion; other values as for any kind. A pooled result
    that moved needs each commit's trial versions too: ``evidencekb.history`` adds it
    (``evidencekb.questions.history``)."""
    old, new = before.model.model_dump(mode="json"), after.model.model_dump(mode="json")
    values = value_changes(old, new)
    if not values:
        return [], 1
    rest = [v for v in values if not _QUESTION_PART.match(v.path)]
    changes, cosmetic = classify(rest, (new, old))
    if old["conclusion"] != new["conclusion"]:
        changes.append(Change("text", "Conclusion", *_where_different(old["conclusion"], new["conclusion"])))
    before_outcomes = {o.id: o for o in before.model.outcomes}
    for outcome in after.model.outcomes:
        previous = before_outcomes.get(outcome.id)
        if previous is None:
            changes.append(Change("record", f"Outcome added: {outcome.label}"))
            continue
        changes += _outcome_changes(previous, outcome)
    changes += [Change("record", f"Outcome removed: {o.label}") for o in before.model.outcomes
                if o.id not in {n.id for n in after.model.outcomes}]
    return changes, cosmetic


_QUESTION_PART = re.compile(r"^(conclusion$|outcomes\[[^\]]+\]\.(certainty|studies|not_pooled)\b|outcomes\[[^\]]+\]$)")
"""The paths :func:`_question` describes itself; the rest of a question's changes are sorted by :func:`classify`."""


def _outcome_changes(old: Any, new: Any) -> list[Change]:
    label = new.label
    changes: list[Change] = []
    old_level = certainty_level(old.certainty) if old.certainty else None
    new_level = certainty_level(new.certainty) if new.certainty else None
    if old_level != new_level:
        changes.append(Change("effect", f"{label}: certainty of the evidence", old_level, new_level))
    old_domains = {d.domain: d for d in old.certainty.domains} if old.certainty else {}
    new_domains = {d.domain: d for d in new.certainty.domains} if new.certainty else {}
    for domain in sorted(old_domains.keys() | new_domains.keys()):
        was, now = old_domains.get(domain), new_domains.get(domain)
        if was is None or now is None or (was.change, was.reason) != (now.change, now.reason):
            changes.append(Change("review", f"{label}: {domain}", _rating(was), _rating(now)))
    old_raters = old.certainty.raters if old.certainty else None
    new_raters = new.certainty.raters if new.certainty else None
    if old_raters != new_raters:
        changes.append(Change("review", f"{label}: certainty rated by", shown(old_raters), shown(new_raters)))
    old_studies = {f"{s.trial} ({s.endpoint or s.adverse_event})" for s in old.studies}
    new_studies = {f"{s.trial} ({s.endpoint or s.adverse_event})" for s in new.studies}
    changes += [Change("record", f"{label}: trial pooled", None, s) for s in sorted(new_studies - old_studies)]
    changes += [Change("record", f"{label}: trial no longer pooled", s, None)
                for s in sorted(old_studies - new_studies)]
    old_not = {(n.trial, n.endpoint or ""): _not_pooled(n) for n in old.not_pooled}
    new_not = {(n.trial, n.endpoint or ""): _not_pooled(n) for n in new.not_pooled}
    changes += [Change("review", f"{label}: not pooled: {key[0]}", old_not.get(key), new_not.get(key))
                for key in sorted(old_not.keys() | new_not.keys()) if old_not.get(key) != new_not.get(key)]
    return changes


def _rating(domain: Any) -> str | None:
    if domain is None:
        return None
    return shown(f"{domain.change:+d}: {domain.reason}" if domain.change else f"0: {domain.reason}")


def _not_pooled(entry: Any) -> str | None:
    return shown(f"{entry.reason}: {entry.explanation}")


DESCRIBERS: dict[str, Describer] = {"trial": _trial, "question": _question}
"""Describers by kind name; a kind without one gets the changed values alone."""

_SOURCE = re.compile(r"^sources\[([^\]]+)\]$")
_CONFLICT = re.compile(r"^conflicts\[([^\]]+)\]$")
_CITATION = re.compile(r"(?:^|\.)(?:source|locator|\w+_source|\w+_locator)$")
_IDENTIFIERS = ("doi", "pmid", "url")


def classify(values: list[ValueChange], data: tuple[Any, ...] = ()) -> tuple[list[Change], int]:
    """Reader-facing changes among ``values``, and how many of them were cosmetic (other wording).

    ``data``: the versions' normalized data, newest first, that name the changed values for readers.
    """
    changes: list[Change] = []
    cosmetic = 0
    for value in values:
        change = _reader_change(value, readable(value.path, data))
        if change is None:
            cosmetic += 1
        else:
            changes.append(change)
    return changes, cosmetic


def _reader_change(value: ValueChange, label: str) -> Change | None:
    path, old, new = value.path, value.old, value.new
    key = path.rpartition(".")[2]
    if path == "status":
        return Change("status", "Status", shown(old), shown(new))
    if path == "review.last_reviewed":
        return Change("review", "Last reviewed", shown(old), shown(new))
    if path == "bottom_line":
        return Change("text", "Bottom line", *_where_different(old, new))
    if source := _SOURCE.match(path):
        what = "Source added" if value.kind == "added" else "Source removed"
        return Change("source", f"{what}: {source.group(1)}", shown(old), shown(new))
    if conflict := _CONFLICT.match(path):
        what = "Discrepancy recorded" if value.kind == "added" else "Discrepancy removed"
        return Change("conflict", f"{what}: {conflict.group(1)}", shown(old), shown(new))
    if path.startswith("conflicts[") and key == "status":
        return Change("conflict", f"Discrepancy {path.split('[', 1)[1].split(']', 1)[0]}", shown(old), shown(new))
    if key == "verified" or ".acknowledged" in path or _CITATION.search(path):
        return Change("provenance", label, shown(old), shown(new))
    if path.startswith("sources[") and key in _IDENTIFIERS:
        return Change("source", label, shown(old), shown(new))
    if _is_number(old) or _is_number(new):
        return Change("number", label, shown(old), shown(new))
    if isinstance(old, str) or isinstance(new, str):
        return None  # wording
    return Change("content", label, shown(old), shown(new))


_STEP = re.compile(r"([^.\[\]]+)((?:\[[^\]]+\])*)")
_NAMES = ("short_label", "label", "term", "topic")


def readable(path: str, data: tuple[Any, ...]) -> str:
    """A changed value's place named as readers know it: ``results[0].binary[ivig-first].events`` becomes
    ``TIS >= 20, week 16 > IVIG first > events``, the list items named by their label (an arm, endpoint,
    adverse event, discrepancy) where the data has one; the path itself when it names nothing."""
    for version in data:
        names = _names(path, version)
        if names:
            return " \u203a ".join(names)
    return path


def _names(path: str, data: Any) -> list[str] | None:
    arms = {a.get("id"): a.get("label") for a in data.get("arms", []) if isinstance(a, dict)}
    endpoints = {e.get("id"): e.get("short_label") or e.get("label") for e in data.get("endpoints", [])
                 if isinstance(e, dict)}
    names: list[str] = []
    node = data
    for field, keys in _STEP.findall(path):
        if not isinstance(node, dict) or field not in node:
            return None
        node = node[field]
        for key in re.findall(r"\[([^\]]+)\]", keys):
            node = _item(node, key)
            if node is None:
                return None
            name = next((node[k] for k in _NAMES if isinstance(node.get(k), str)), None)
            name = name or endpoints.get(node.get("endpoint")) or arms.get(node.get("arm")) or (
                f"{field.replace('_', ' ')} {int(key) + 1}" if key.isdigit() else key)
            names.append(str(name))
        if not keys:
            names.append(field.replace("_", " "))
    return names


def _item(items: Any, key: str) -> Any:
    """The list item ``key`` names, as ``evidencekb.diff`` keys them (id, arm or population, else index)."""
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict) and key in (item.get("id"), item.get("arm"), item.get("population")):
            return item
    return items[int(key)] if key.isdigit() and int(key) < len(items) and isinstance(items[int(key)], dict) else None


def shown(value: Any) -> str | None:
    """A value as a reader sees it: numbers as written, an object by its label, long text cut."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        name = next((value[k] for k in ("label", "topic", "citation", "id") if isinstance(value.get(k), str)), None)
        text = name or "(details)"
    elif isinstance(value, list):
        text = ", ".join(str(shown(v)) for v in value)
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "\u2026"


def _where_different(old: Any, new: Any) -> tuple[str | None, str | None]:
    """Two versions of a text from a few words before their first difference, so a long text's edit shows."""
    if not isinstance(old, str) or not isinstance(new, str):
        return shown(old), shown(new)
    same = len(os.path.commonprefix([old, new]))
    start = old.rfind(" ", 0, max(0, same - 40)) + 1
    lead = "\u2026" if start else ""
    return shown(lead + old[start:]), shown(lead + new[start:])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
