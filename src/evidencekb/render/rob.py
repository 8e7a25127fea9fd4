"""The risk-of-bias section: a RoB 2 traffic-light table per assessed result, the answers one click away.

Every judgement shown is computed from the record's answers (``evidencekb.rob2``); a reviewer's override
is shown beside the computed judgement, never instead of it. Each cell has a symbol and words, so colour
only reinforces what the text says.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from evidencekb import rob2
from evidencekb.models.rob import RobAnswer
from evidencekb.render.context import TrialContext
from evidencekb.render.env import render

SYMBOLS = {rob2.LOW: "+", rob2.SOME: "\u2212", rob2.HIGH: "\u00d7", None: "?"}
"""robvis's marks: + low, - some concerns, x high; ? where no judgement could be made."""


def render_risk_of_bias(ctx: TrialContext) -> Markup:
    assessments = [_assessment(ctx, judgement) for judgement in rob2.judge_all(ctx.trial)]
    return render("rob.html", assessments=assessments)


def _assessment(ctx: TrialContext, judgement: rob2.ResultJudgement) -> dict[str, Any]:
    record = ctx.trial.risk_of_bias[judgement.index]
    answers: dict[str, RobAnswer] = {a.question: a for a in record.answers}
    domains = []
    for domain, result in zip(rob2.domains_for(record.effect), judgement.domains, strict=True):
        reached = dict(result.reached)
        rows = [{"id": q.id, "text": q.text, "answer": answers.get(q.id), "reached": q.id in reached,
                 "words": rob2.ANSWER_WORDS.get(answers[q.id].answer, "") if q.id in answers else "Not answered",
                 "mark": ctx.cite.of(answers[q.id]) if q.id in answers else ""}
                for q in domain.questions.values()]
        steps = [f"{q} = {a}" for q, a in result.reached]
        path = " \u2192 ".join([*steps, rob2.JUDGEMENT_WORDS[result.computed]]) if result.computed else ""
        domains.append({"d": result, "cell": _cell(result.computed, result.override), "rows": rows, "path": path})
    endpoint = ctx.endpoint(record.endpoint) if record.endpoint in {e.id for e in ctx.trial.endpoints} else None
    return {
        "record": record,
        "j": judgement,
        "label": (endpoint.short_label or endpoint.label) if endpoint else record.endpoint,
        "domains": domains,
        "overall": _cell(judgement.computed_overall, judgement.overall_override),
    }


def _cell(computed: str | None, override: str | None) -> dict[str, Any]:
    shown = override or computed
    return {
        "key": shown or "none",
        "symbol": SYMBOLS[shown],
        "words": rob2.JUDGEMENT_WORDS.get(shown or "", "Not judged"),
        "computed": rob2.JUDGEMENT_WORDS.get(computed or "", "not judged") if override else None,
    }


__all__ = ["render_risk_of_bias"]
