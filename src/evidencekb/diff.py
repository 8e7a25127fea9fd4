"""Semantic diff of the records between two git revisions, or a revision and the files on disk.

A line diff of YAML shows that ``37`` became ``35``; reviewers need to know what that does: which
endpoint's numbers changed, how each recomputed effect moved, which printed statistic no longer matches,
and whether the number changed without its citation changing (a typo, or a value read from a different
table than the one cited). Records are read with ``git cat-file`` and go through the same pipeline as
``evidencekb validate`` (``evidencekb.pipeline``), so nothing in the work tree is written, and compared in
their normalized form (``Trial.model_dump``): formatting, comments and key order never show up as changes.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evidencekb.computed import ComputedTrial
from evidencekb.content_rules import RECORD_SUFFIXES
from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.effects import Estimate
from evidencekb.loader import Path
from evidencekb.models import Trial
from evidencekb.pipeline import (
    CheckedRecord,
    check_record,
    cross_record_problems,
    cross_record_stage,
    discover,
    record_id,
)
from evidencekb.questions.compute import ComputedQuestion
from evidencekb.questions.diff import PooledChange, pooled_changes

WORKING_TREE = "working tree"
_ABSENT: Any = object()  # a list item (or key) that exists on one side only


class RevisionError(Exception):
    """A revision or repository that git cannot read; the message is one line for the user."""


@dataclass(frozen=True)
class Loaded:
    """A valid record: where it was read, the trial and its computed namespace (with the audit)."""

    path: str
    trial: Trial
    computed: ComputedTrial


@dataclass
class Snapshot:
    """The valid records of one side by trial id, and the problems of the files that are not valid."""

    label: str
    trials: dict[str, Loaded] = field(default_factory=dict)
    questions: dict[str, ComputedQuestion] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def invalid(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


@dataclass(frozen=True)
class ValueChange:
    """A value at a dotted path; ``kind`` says whether it was added or removed (the other side is None)."""

    path: str
    old: Any
    new: Any
    kind: str = "changed"  # changed | added | removed


@dataclass(frozen=True)
class SourceUnchanged:
    """A number that changed while the source and locator of the object citing it did not."""

    change: ValueChange
    cited: str
    source: str
    locator: str | None


@dataclass(frozen=True)
class ProvenanceChange:
    """A change to how far a number can be trusted, which a value diff would bury among the rest.

    ``kind``: 'verified' (a verified flag), 'source' (the source or locator of numbers that did not
    change: the same number now rests on another citation), 'acknowledgement' (what a reviewer accepted
    as a known mismatch).
    """

    kind: str
    change: ValueChange


@dataclass(frozen=True)
class EffectChange:
    label: str
    measure: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class CheckChange:
    location: str
    statistic: str
    old: str | None
    new: str | None
    detail: str


@dataclass
class TrialDiff:
    trial: str
    path: str
    values: list[ValueChange] = field(default_factory=list)
    unchanged_sources: list[SourceUnchanged] = field(default_factory=list)
    provenance: list[ProvenanceChange] = field(default_factory=list)
    effects: list[EffectChange] = field(default_factory=list)
    checks: list[CheckChange] = field(default_factory=list)


@dataclass
class DiffReport:
    base: str
    head: str
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[TrialDiff] = field(default_factory=list)
    pooled: list[PooledChange] = field(default_factory=list)
    """Pooled results of questions that moved (a changed trial moves every question that reads it)."""

    @property
    def head_is_revision(self) -> bool:
        return self.head != WORKING_TREE


# ------------------------------------------------------------------------------------------ reading


def repository_root(start: str = ".") -> str:
    return _git(start, "rev-parse", "--show-toplevel").decode().strip()


def read_revision(root: str, revision: str, content: str) -> Snapshot:
    """The records under ``content`` (relative to ``root``) at a git revision."""
    try:
        found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"unknown revision '{revision}' (not a commit in this repository)") from None
    commit = found.decode().strip()
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", content)
    paths = sorted(p for p in listing.decode().split("\0") if p.endswith(RECORD_SUFFIXES))
    return _snapshot(revision, [check_record(f"{revision}:{path}", _git(root, "cat-file", "blob", f"{commit}:{path}"),
                                             compute=True) for path in paths])


def read_worktree(root: str, content: str) -> Snapshot:
    """The records under ``content`` as they are on disk, committed or not."""
    folder = os.path.join(root, content)
    records = []
    files, refused = discover([folder] if os.path.isdir(folder) else [])  # symlinks, FIFOs, stray files
    for path in files:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise RevisionError(f"cannot read {path}: {exc.strerror}") from None
        records.append(check_record(os.path.relpath(path, root), raw, compute=True))
    snapshot = _snapshot(WORKING_TREE, records)
    snapshot.diagnostics.extend(dataclasses.replace(d, path=os.path.relpath(d.path, root)) for d in refused)
    return snapshot


def _git(cwd: str, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or [f"git {args[0]} failed"]
        message = next((line for line in lines if line.startswith("fatal: ")), lines[-1])
        raise RevisionError(message.removeprefix("fatal: "))
    return done.stdout


def _snapshot(label: str, records: list[CheckedRecord]) -> Snapshot:
    """The valid records of one side by trial id; a trial id used twice keeps its first file."""
    cross_record_stage(records)
    snapshot = Snapshot(label, diagnostics=[d for r in records for d in r.diagnostics])
    duplicates = cross_record_problems(record_id(r) for r in records if r.valid)
    snapshot.diagnostics.extend(duplicates)
    refused = {d.path for d in duplicates}
    for record in records:
        if record.valid and record.path not in refused and isinstance(record.computed, ComputedQuestion):
            snapshot.questions[record.model.id] = record.computed
        elif record.valid and record.path not in refused:
            assert record.trial is not None and record.computed is not None  # valid records are computed
            snapshot.trials[record.trial.id] = Loaded(record.path, record.trial, record.computed)
    return snapshot


# ---------------------------------------------------------------------------------------- comparing


def compare(base: Snapshot, head: Snapshot) -> DiffReport:
    report = DiffReport(base.label, head.label)
    report.added = [(tid, head.trials[tid].path) for tid in sorted(head.trials.keys() - base.trials.keys())]
    report.removed = [(tid, base.trials[tid].path) for tid in sorted(base.trials.keys() - head.trials.keys())]
    for tid in sorted(base.trials.keys() & head.trials.keys()):
        before, after = base.trials[tid], head.trials[tid]
        old, new = before.trial, after.trial
        old_data, new_data = old.model_dump(mode="json"), new.model_dump(mode="json")
        if old_data == new_data:
            continue
        result = TrialDiff(tid, after.path)
        _walk(old_data, new_data, "", None, result)
        result.provenance = provenance_changes(result.values)
        old_computed, new_computed = before.computed, after.computed
        result.effects = list(_effect_changes(old, old_computed, new, new_computed))
        result.checks = list(_check_changes(old_computed, new_computed, old_data, new_data))
        report.changed.append(result)
    report.pooled = list(pooled_changes(base.questions, head.questions))
    return report


def value_changes(old_data: Any, new_data: Any) -> list[ValueChange]:
    """The changed values between two versions of any record, as normalized data (``model_dump(mode="json")``)."""
    found = TrialDiff("", "")
    _walk(old_data, new_data, "", None, found)
    return found.values


@dataclass(frozen=True)
class _Citing:
    """The nearest object with a source around a value: its path and (source, locator) on each side."""

    path: str
    old: tuple[Any, Any]
    new: tuple[Any, Any]


def _walk(old: Any, new: Any, path: str, citing: _Citing | None, out: TrialDiff) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        if "source" in old and "source" in new:
            citing = _Citing(path, _cited(old, "source", "locator"), _cited(new, "source", "locator"))
        for key in [*old, *(k for k in new if k not in old)]:
            inner = citing
            if old.get(f"{key}_source") or new.get(f"{key}_source"):  # e.g. percent_source for percent
                own = (f"{key}_source", f"{key}_locator")
                inner = _Citing(path, _cited(old, *own), _cited(new, *own))
            child = f"{path}.{key}" if path else key
            _walk(old.get(key, _ABSENT), new.get(key, _ABSENT), child, inner, out)
    elif (old_items := _keyed(old)) is not None and (new_items := _keyed(new)) is not None:
        for key in [*old_items, *(k for k in new_items if k not in old_items)]:
            _walk(old_items.get(key, _ABSENT), new_items.get(key, _ABSENT), f"{path}[{key}]", citing, out)
    elif old is _ABSENT or new is _ABSENT:
        kind = "added" if old is _ABSENT else "removed"
        out.values.append(ValueChange(path, None if old is _ABSENT else old, None if new is _ABSENT else new, kind))
    elif old != new:
        change = ValueChange(path, old, new)
        out.values.append(change)
        numbers = (_is_number(old) or _is_number(new)) and all(_is_number(v) or v is None for v in (old, new))
        if numbers and citing and citing.old == citing.new and citing.new[0]:
            out.unchanged_sources.append(SourceUnchanged(change, citing.path, *citing.new))


_CITATION_KEY = re.compile(r"^(?:source|locator|\w+_source|\w+_locator)$")


def provenance_changes(values: list[ValueChange]) -> list[ProvenanceChange]:
    """The changes of ``values`` to verified flags, acknowledgements, and citations of unchanged numbers."""
    number_paths = [v.path for v in values if any(_is_number(x) for x in (v.old, v.new))]
    found = []
    for value in values:
        owner, _, key = value.path.rpartition(".")
        if ".acknowledged" in value.path:
            found.append(ProvenanceChange("acknowledgement", value))
        elif key == "verified":
            found.append(ProvenanceChange("verified", value))
        elif _CITATION_KEY.match(key) and not any(p.startswith((f"{owner}.", f"{owner}[")) for p in number_paths):
            found.append(ProvenanceChange("source", value))
    return found


def _cited(data: dict[str, Any], source: str, locator: str) -> tuple[Any, Any]:
    return data.get(source), data.get(locator)


def _keyed(items: Any) -> dict[Any, Any] | None:
    """List items by id (or by arm/population for groups) when every item has a distinct one, else by index.

    Matching by id keeps an inserted or reordered endpoint from showing up as changes to all that follow.
    Lists of plain values (keywords, treatments per period) are compared as one value.
    """
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return None
    keys = [item.get("id") or item.get("arm") or item.get("population") for item in items]
    if all(isinstance(k, str) for k in keys) and len(set(keys)) == len(keys):
        return dict(zip(keys, items, strict=True))
    return dict(enumerate(items))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _effect_changes(
    old: Trial, old_computed: ComputedTrial, new: Trial, new_computed: ComputedTrial
) -> Iterator[EffectChange]:
    before, after = _effects(old, old_computed), _effects(new, new_computed)
    for key in [*before, *(k for k in after if k not in before)]:
        label = (after.get(key) or before[key])[0]
        old_measures = before[key][1] if key in before else {}
        new_measures = after[key][1] if key in after else {}
        for measure in [*old_measures, *(m for m in new_measures if m not in old_measures)]:
            was, now = old_measures.get(measure), new_measures.get(measure)
            if was != now:
                yield EffectChange(label, measure, was, now)


def _effects(trial: Trial, computed: ComputedTrial) -> dict[tuple[str, int], tuple[str, dict[str, str]]]:
    """(endpoint, n-th result of it) -> (label, measure -> 'estimate [low, high]'), for every comparison."""
    endpoints = {e.id: e for e in trial.endpoints}
    per_endpoint = Counter(r.endpoint for r in trial.results)
    seen: Counter[str] = Counter()
    effects = {}
    for comparison in computed.comparisons:
        endpoint = endpoints[comparison.endpoint]
        label = endpoint.short_label or endpoint.label
        if per_endpoint[endpoint.id] > 1:
            label += f" (result {seen[endpoint.id] + 1} of {per_endpoint[endpoint.id]}, {comparison.source})"
        measures: dict[str, Estimate] = {}
        if comparison.binary is not None:
            b = comparison.binary
            measures = {"RD": b.risk_difference, "RR": b.risk_ratio, "OR": b.odds_ratio}
        elif comparison.continuous is not None:
            measures = {"MD": comparison.continuous.mean_difference}
        shown = {name: format_estimate(estimate) for name, estimate in measures.items()}
        if comparison.not_computed:
            shown = {"effect": f"not computed: {comparison.not_computed}"}
        effects[(endpoint.id, seen[endpoint.id])] = (label, shown)
        seen[endpoint.id] += 1
    return effects


def format_estimate(estimate: Estimate) -> str:
    """'0.350 [0.155, 0.510]': three decimals, the interval in brackets."""
    if estimate.estimate is None:
        return "not estimable"
    if estimate.ci_low is None or estimate.ci_high is None:
        return f"{estimate.estimate:.3f} [no interval]"
    return f"{estimate.estimate:.3f} [{estimate.ci_low:.3f}, {estimate.ci_high:.3f}]"


def _check_changes(
    old: ComputedTrial, new: ComputedTrial, old_data: dict[str, Any], new_data: dict[str, Any]
) -> Iterator[CheckChange]:
    before = {(c.loc, c.statistic): c for c in old.checks}
    after = {(c.loc, c.statistic): c for c in new.checks}
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key), after.get(key)
        if was is None or now is None or was.status != now.status:
            location = _dotted(new_data if now else old_data, key[0])
            detail = (now or was).detail  # type: ignore[union-attr]
            yield CheckChange(location, key[1], was.status if was else None, now.status if now else None, detail)


def _dotted(data: Any, loc: Path) -> str:
    """A data path written like the value changes: list items by id or group where they have one."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            keys = list(_keyed(data) or range(len(data)))
            text += f"[{keys[part]}]"
            data = data[part]
        else:
            text += f".{part}" if text else part
            data = data[part]
    return text
