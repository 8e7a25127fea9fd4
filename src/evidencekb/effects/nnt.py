"""Number needed to treat from a risk difference, with Altman's (BMJ 1998) confidence interval.

The NNT is 1/|RD|, labelled NNTB (benefit) or NNTH (harm) from the direction of the difference and
whether the endpoint's event is good (a response) or bad (an adverse event). Its interval inverts the RD
limits; when the RD interval includes 0 the NNT interval passes through infinity and is written as Altman
does, e.g. "NNTB 4 to infinity to NNTH 20". An RD of exactly 0 gives an infinite NNT, not an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Event = Literal["good", "bad"]


@dataclass(frozen=True)
class NNT:
    """NNT with its interval.

    ``estimate`` is positive, ``math.inf`` when the RD is 0 (then ``kind`` is None). ``ci_low`` and
    ``ci_high`` are signed on Altman's scale (positive NNTB, negative NNTH, None for infinity or when no
    interval is available; ``ci_text`` tells which): ``ci_low`` comes from the RD limit most favourable
    to the intervention, ``ci_high`` from the least favourable one.
    """

    estimate: float
    kind: Literal["NNTB", "NNTH"] | None
    ci_text: str
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": None if math.isinf(self.estimate) else self.estimate,
            "kind": self.kind,
            "ci_text": self.ci_text,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }

    @property
    def text(self) -> str:
        """The estimate as shown to readers, e.g. 'NNTB 2.86' or 'infinity'."""
        return f"{self.kind} {format_nnt(self.estimate)}" if self.kind else "infinity"


def format_nnt(value: float) -> str:
    """An NNT magnitude to at most two decimals, without trailing zeros ('2.86', '5', 'infinity')."""
    if math.isinf(value):
        return "infinity"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _signed(benefit: float) -> float | None:
    return None if benefit == 0 else 1 / benefit


def _altman_text(favourable: float, unfavourable: float) -> str:
    """Walk the NNT scale from the most to the least favourable benefit-oriented RD limit."""
    if unfavourable > 0:
        return f"NNTB {format_nnt(1 / favourable)} to {format_nnt(1 / unfavourable)}"
    if favourable < 0:
        return f"NNTH {format_nnt(-1 / unfavourable)} to {format_nnt(-1 / favourable)}"
    parts = [f"NNTB {format_nnt(1 / favourable)}"] if favourable > 0 else []
    parts.append("infinity")
    if unfavourable < 0:
        harm = f"NNTH {format_nnt(-1 / unfavourable)}"
        parts = [*parts, harm] if favourable > 0 else [harm, *parts]
    return " to ".join(parts)


def number_needed_to_treat(
    rd: float, ci_low: float | None, ci_high: float | None, event: Event = "good"
) -> NNT:
    """NNT from a risk difference (arm 1 minus arm 2, as a fraction) and its interval, if any.

    ``event`` says whether the endpoint's event is good (more events is better, e.g. response) or bad.
    """
    if event not in ("good", "bad"):
        raise ValueError(f"event must be 'good' or 'bad', got {event!r}")
    sign = 1.0 if event == "good" else -1.0
    benefit = sign * rd
    estimate = math.inf if benefit == 0 else 1 / abs(benefit)
    kind: Literal["NNTB", "NNTH"] | None = None if benefit == 0 else ("NNTB" if benefit > 0 else "NNTH")
    if ci_low is None or ci_high is None:
        return NNT(estimate, kind, "not available: the risk difference has no interval", None, None)
    favourable, unfavourable = max(sign * ci_low, sign * ci_high), min(sign * ci_low, sign * ci_high)
    return NNT(
        estimate, kind, _altman_text(favourable, unfavourable), _signed(favourable), _signed(unfavourable)
    )
