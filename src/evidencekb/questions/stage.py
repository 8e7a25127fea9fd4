"""The question's cross-record stage: link its trial endpoints, pool them, and check the GRADE rating.

Run once per set of checked records (``evidencekb.pipeline.cross_record_stage``). A question with a
finding that keeps a study out (an unknown trial, a crossover without valid data) is not computed: a
pooled result that silently left a trial out would mislead. The rating check compares each rated domain
with the build's signal (``grade``) and warns, at the rating, when they disagree and the rating does not
say why.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from evidencekb.checks import to_diagnostic
from evidencekb.checks.base import Finding
from evidencekb.diagnostics import Diagnostic, Severity, has_errors
from evidencekb.loader import Document
from evidencekb.models.question import Question
from evidencekb.questions.compute import ComputedQuestion, compute_question
from evidencekb.questions.grade import SIGNAL_DOMAINS
from evidencekb.questions.links import LinkedTrial, link_outcome


def question_stage(question: Question, document: Document, trials: Mapping[str, LinkedTrial], valid: bool
                   ) -> tuple[list[Diagnostic], ComputedQuestion | None]:
    """The link findings, and (when the question was ``valid`` and they add no error) the computed namespace."""
    linked = [link_outcome(question, i, trials) for i in range(len(question.outcomes))]
    diagnostics = [to_diagnostic(document, f) for _, findings in linked for f in findings]
    if not valid or has_errors(diagnostics):
        return diagnostics, None
    computed = compute_question(question, [used for used, _ in linked])
    diagnostics += [to_diagnostic(document, f) for f in rating_disagreements(question, computed)]
    return diagnostics, computed


def rating_disagreements(question: Question, computed: ComputedQuestion) -> Iterator[Finding]:
    for i, outcome in enumerate(question.outcomes):
        result = computed.outcomes[i]
        if outcome.certainty is None or result.pooled is None:
            continue
        rated = {d.domain: (j, d) for j, d in enumerate(outcome.certainty.domains)}
        for domain in SIGNAL_DOMAINS:
            signal = result.signal(domain)
            if signal is None or signal.serious is None:
                continue
            because = "; ".join(signal.reasons)
            if domain not in rated:
                if signal.serious:
                    yield Finding(("outcomes", i, "certainty", "domains"), "question-grade-signal",
                                  f"{domain} is not rated, but the numbers suggest rating down ({because})",
                                  Severity.WARNING)
                continue
            j, rating = rated[domain]
            if (rating.change < 0) != signal.serious and not rating.departs_from_signal:
                said = "rated down" if rating.change < 0 else "not rated down"
                signal_says = f"suggest rating down ({because})" if signal.serious else f"do not ({because})"
                yield Finding(("outcomes", i, "certainty", "domains", j, "change"), "question-grade-signal",
                              f"{domain} is {said}, but the numbers {signal_says}; give departs_from_signal"
                              " with the reason", Severity.WARNING)
