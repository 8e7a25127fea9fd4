"""A question's pooled results through the history: each commit where one moved, and the trial that moved it.

A question's pooled result changes when the question changes or when a trial it reads does (a corrected
count), and the second kind of change shows in no diff of the question's own file. So, as the history is
read commit by commit, each question's pooled results are computed from that commit's versions of the
question and of the trials it reads, through the pipeline's cross-record stage, and compared with the
previous ones by ``evidencekb.questions.diff`` (the comparison ``evidencekb diff`` prints). A question is
computed again only when its version or the version of a trial it reads is new: each version is named by its
blob id, and the same blob is the same checked record.
"""

from __future__ import annotations

import dataclasses

from evidencekb.changes import Change
from evidencekb.kinds import TRIAL
from evidencekb.pipeline import CheckedRecord, cross_record_stage
from evidencekb.questions.compute import ComputedQuestion
from evidencekb.questions.diff import pooled_changes

Version = tuple[str, CheckedRecord]
"""A valid version of a record: its blob id and the checked record."""
_Inputs = tuple[str, tuple[tuple[str, str | None], ...]]
"""What a question's pooled results are computed from: its blob, and each trial it reads with its blob."""


class PooledHistory:
    """The current version of every record as the commits are read, and each question's pooled results."""

    def __init__(self) -> None:
        self._questions: dict[str, Version] = {}
        self._trials: dict[str, tuple[str, Version]] = {}
        """The valid trials by id, with their file; a trial id used by two files is the later file's."""
        self._trial_ids: dict[str, str] = {}
        self._pooled: dict[str, tuple[_Inputs, ComputedQuestion | None]] = {}

    def track(self, path: str, version: Version | None) -> None:
        """The record at ``path`` is now ``version`` (None: removed, or never valid)."""
        if (old_id := self._trial_ids.pop(path, None)) is not None and self._trials[old_id][0] == path:
            del self._trials[old_id]
        self._questions.pop(path, None)
        if version is None:
            self._pooled.pop(path, None)
        elif version[1].kind is TRIAL:
            self._trial_ids[path] = version[1].model.id
            self._trials[version[1].model.id] = (path, version)
        elif version[1].kind.reads is not None:
            self._questions[path] = version

    def moved(self) -> dict[str, list[Change]]:
        """Each question's pooled results that moved since the last call, by the question's file."""
        moves: dict[str, list[Change]] = {}
        for path, (blob, question) in self._questions.items():
            assert question.kind.reads is not None
            reads = sorted(question.kind.reads(question.model))
            trials = {tid: self._trials[tid][1] for tid in reads if tid in self._trials}
            inputs = (blob, tuple((tid, trials[tid][0] if tid in trials else None) for tid in reads))
            previous = self._pooled.get(path)
            if previous is not None and previous[0] == inputs:
                continue
            now = _pooled(question, [record for _, record in trials.values()])
            self._pooled[path] = (inputs, now)
            if previous is not None and previous[1] is not None and now is not None:
                changed = [tid for tid, trial_blob in inputs[1] if dict(previous[0][1]).get(tid) != trial_blob]
                moves[path] = _changes(question, previous[1], now, changed)
        return {path: changes for path, changes in moves.items() if changes}


def _pooled(question: CheckedRecord, trials: list[CheckedRecord]) -> ComputedQuestion | None:
    """The question's computed namespace from these trial versions; the checked version itself is left as it
    was, since the same version is computed again with other trial versions."""
    record = dataclasses.replace(question, diagnostics=list(question.diagnostics), computed=None)
    cross_record_stage([record], trials)
    return record.computed if isinstance(record.computed, ComputedQuestion) else None


def _changes(question: CheckedRecord, before: ComputedQuestion, after: ComputedQuestion,
             trials: list[str]) -> list[Change]:
    labels = {o.id: o.label for o in question.model.outcomes}
    by = f", moved by a change to {', '.join(trials)}" if trials else ""
    return [Change("effect", f"{labels.get(move.outcome, move.outcome)}: pooled result{by}", move.old, move.new)
            for move in pooled_changes({"": before}, {"": after})]
