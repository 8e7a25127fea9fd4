"""What a change to the records does to the questions: every pooled result that moves, before and after.

A pull request that edits one count of one trial should say "this moves the pooled RR of response from
A to B"; the trial diff cannot, since the pooled result lives in the questions that read the trial.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from evidencekb.pooling import PooledResult
from evidencekb.questions.compute import ComputedQuestion


@dataclass(frozen=True)
class PooledChange:
    question: str
    outcome: str
    old: str | None
    new: str | None


def format_pooled(pooled: PooledResult | None) -> str | None:
    """'RR 1.799 [1.264, 2.562]' on the measure's natural scale; None when nothing was pooled."""
    if pooled is None:
        return None
    shown = pooled.natural()
    if shown["estimate"] is None:
        return f"{pooled.measure.upper()} not estimable"
    ci = shown["ci"]
    interval = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "[no interval]"
    trials = f"{len(pooled.used)} trial{'' if len(pooled.used) == 1 else 's'}"
    return f"{pooled.measure.upper()} {shown['estimate']:.3f} {interval} ({trials})"


def pooled_changes(before: Mapping[str, ComputedQuestion], after: Mapping[str, ComputedQuestion]
                   ) -> Iterator[PooledChange]:
    """Each outcome of a question on both sides whose pooled result (estimate, interval or trials) differs."""
    for qid in sorted(before.keys() & after.keys()):
        old = {o.outcome: o for o in before[qid].outcomes}
        for outcome in after[qid].outcomes:
            was = old.get(outcome.outcome)
            if was is None:
                continue
            old_text, new_text = format_pooled(was.pooled), format_pooled(outcome.pooled)
            if old_text != new_text:
                yield PooledChange(qid, outcome.outcome, old_text, new_text)
