"""Ids are unique within their list, and every reference names something that exists."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from evidencekb.checks.base import Context, Finding, fields_of
from evidencekb.loader import Path
from evidencekb.models import Trial
from evidencekb.models.outcomes import GroupRef

_ID_LISTS = (
    "sources",
    "treatments",
    "arms",
    "populations",
    "endpoints",
    "adverse_events",
    "conflicts",
)


def unique_ids(trial: Trial, _: Context) -> Iterator[Finding]:
    lists = {name: getattr(trial, name) for name in _ID_LISTS}
    lists["design.periods"] = trial.design.periods
    for name, items in lists.items():
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            loc: Path = (*name.split("."), i, "id")
            if item.id in first:
                yield Finding(
                    loc, "duplicate-id", f"id '{item.id}' is used twice in {name} (first at item {first[item.id]})"
                )
            first.setdefault(item.id, i)
    group_ids: dict[str, str] = {}
    for name in ("arms", "populations"):
        for i, item in enumerate(getattr(trial, name)):
            other = group_ids.setdefault(item.id, name)
            if other != name:
                yield Finding((name, i, "id"), "duplicate-id", f"id '{item.id}' names both an arm and a population")


def sources_exist(trial: Trial, context: Context) -> Iterator[Finding]:
    known = frozenset(s.id for s in trial.sources)
    for loc, obj in context.models(trial):
        if loc[:1] == ("sources",):
            continue
        for field in fields_of(type(obj)).sources:
            value = getattr(obj, field)
            if isinstance(value, str) and value not in known:
                yield Finding((*loc, field), "unknown-source", _missing("source", value, known))


_TARGETS = ("period", "treatment", "endpoint", "population", "arm")
_LIST_TARGETS = ("treatments", "arms")


@functools.cache
def _reference_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Single-id and list-of-ids reference fields of a model class, in the order the rule checks them."""
    names = fields_of(cls).names
    return tuple(f for f in _TARGETS if f in names), tuple(f for f in _LIST_TARGETS if f in names)


def references_exist(trial: Trial, context: Context) -> Iterator[Finding]:
    periods = frozenset(p.id for p in trial.design.periods)
    treatments = frozenset(t.id for t in trial.treatments)
    arms = frozenset(a.id for a in trial.arms)
    populations = frozenset(p.id for p in trial.populations)
    endpoints = frozenset(e.id for e in trial.endpoints)
    targets = {
        "period": ("period", periods),
        "treatment": ("treatment", treatments),
        "endpoint": ("endpoint", endpoints),
        "population": ("population", populations),
        "arm": ("arm", arms),
    }
    lists = {"treatments": treatments, "arms": arms}
    for loc, obj in context.models(trial):
        if loc == () or loc[:1] == ("sources",):
            continue
        single, several = _reference_fields(type(obj))
        for field in single:
            value = getattr(obj, field, None)
            if isinstance(value, str):
                kind, known = targets[field]
                if value not in known:
                    yield Finding((*loc, field), "unknown-reference", _missing(kind, value, known))
        for field in several:
            known = lists[field]
            for i, value in enumerate(getattr(obj, field)):
                if isinstance(value, str) and value not in known:
                    yield Finding((*loc, field, i), "unknown-reference", _missing(field[:-1], value, known))
    everything = endpoints | {a.id for a in trial.adverse_events} | arms | populations | periods
    for i, conflict in enumerate(trial.conflicts):
        for j, ref in enumerate(conflict.refers_to):
            if ref not in everything:
                yield Finding(
                    ("conflicts", i, "refers_to", j), "unknown-reference", _missing("object", ref, everything)
                )


def groups_in_results_exist(trial: Trial, context: Context) -> Iterator[Finding]:
    """A result or adverse event names each group once."""
    for loc, obj in context.models(trial):
        names = fields_of(type(obj)).names
        if isinstance(obj, GroupRef) or not ("binary" in names or "groups" in names):
            continue
        groups = getattr(obj, "groups", None)
        if not isinstance(groups, list):
            continue
        seen: set[str] = set()
        field = "groups" if "groups" in names else _data_field(obj)
        for i, group in enumerate(groups):
            if group.group_id in seen:
                yield Finding((*loc, field, i), "duplicate-group", f"group '{group.group_id}' appears twice")
            seen.add(group.group_id)


def _data_field(obj: object) -> str:
    for name in ("binary", "continuous", "time_to_event"):
        if getattr(obj, name, None) is not None:
            return name
    return "groups"


def _missing(kind: str, value: str, known: frozenset[str]) -> str:
    return f"unknown {kind} '{value}' (known: {_listing(known)})"


@functools.lru_cache(maxsize=16)
def _listing(known: frozenset[str]) -> str:
    """Sorted once per set: a record with many dangling references must not sort the ids for each."""
    return ", ".join(sorted(known)[:12]) or "none defined"
