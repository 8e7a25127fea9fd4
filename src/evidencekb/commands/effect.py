"""``evidencekb effect``: an effect-size calculator for reviewers, on numbers typed at the prompt.

``effect binary 37/47 21/48`` prints RD, RR, OR, NNT, GRADE absolute effects and p-values; ``effect
continuous`` prints the mean difference and Hedges' g. The CLI core imports this module for every command,
so SciPy and statsmodels (via ``evidencekb.effects``) are imported only inside :func:`run`. Usage errors
are one line on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from evidencekb.effects import (
        AbsolutePer1000,
        BinaryAnalysis,
        ContinuousAnalysis,
        Estimate,
        GroupMean,
        PValue,
    )

# Same names as evidencekb.effects.RD_METHODS etc. (a test keeps them equal); repeated here so that
# building the parser does not import the statistics libraries.
RD_CHOICES = ("wald", "newcomb", "agresti-caffo", "score")
RR_CHOICES = ("log", "score")
OR_CHOICES = ("logit", "score")
VARIANCE_CHOICES = ("welch", "pooled")
_ARM = re.compile(r"^\s*([-+]?\d+)\s*/\s*([-+]?\d+)\s*$")


class _OneLineParser(argparse.ArgumentParser):
    """Parser for ``effect binary|continuous``: usage errors are a single line, and '-1/10' is read as a
    value rather than an unknown option, so that it is rejected for what it is (a negative count)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _arm(text: str) -> tuple[int, int]:
    found = _ARM.match(text)
    if not found:
        raise argparse.ArgumentTypeError(f"expected EVENTS/TOTAL such as 37/47, got {text!r}")
    events, total = int(found.group(1)), int(found.group(2))
    if total < 1 or not 0 <= events <= total:
        raise argparse.ArgumentTypeError(f"{text!r}: need 0 <= events <= total and total >= 1")
    return events, total


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def _level(text: str) -> float:
    value = _finite(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"a confidence level is a fraction strictly between 0 and 1, got {text!r}"
        )
    return value


def _size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"a group size must be >= 1, got {text!r}")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", type=_level, default=0.95, help="confidence level (default 0.95)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def _group_arguments(parser: argparse.ArgumentParser, arm: int, name: str) -> None:
    parser.add_argument(f"--mean{arm}", type=_finite, required=True, help=f"mean of the {name}")
    parser.add_argument(f"--n{arm}", type=_size, required=True, help=f"participants analysed, {name}")
    spread = parser.add_mutually_exclusive_group(required=True)
    spread.add_argument(f"--sd{arm}", type=_non_negative, help="standard deviation")
    spread.add_argument(f"--se{arm}", type=_non_negative, help="standard error of the mean")
    spread.add_argument(
        f"--ci{arm}", type=_finite, nargs=2, metavar=("LOW", "HIGH"), help="confidence interval of the mean"
    )


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "effect",
        help="compute effect sizes from typed-in numbers",
        description="Effect sizes from typed-in numbers: binary (events/total) or continuous (means).",
    )
    parser.set_defaults(run=run)
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND", parser_class=_OneLineParser)
    binary = kinds.add_parser("binary", help="events/total per arm: RD, RR, OR, NNT, per 1000, p-values")
    binary.add_argument("intervention", type=_arm, metavar="E1/N1", help="events/total, intervention")
    binary.add_argument("comparator", type=_arm, metavar="E2/N2", help="events/total, comparator")
    binary.add_argument("--rd-method", choices=RD_CHOICES, default="newcomb", help="risk difference CI")
    binary.add_argument("--rr-method", choices=RR_CHOICES, default="log", help="risk ratio CI")
    binary.add_argument("--or-method", choices=OR_CHOICES, default="logit", help="odds ratio CI")
    binary.add_argument(
        "--event",
        choices=("good", "bad"),
        default="good",
        help="whether the event is good (e.g. response) or bad (e.g. adverse event): NNTB vs NNTH",
    )
    _common(binary)
    continuous = kinds.add_parser("continuous", help="mean and SD, SE or CI per group: MD and Hedges' g")
    _group_arguments(continuous, 1, "intervention")
    _group_arguments(continuous, 2, "comparator")
    continuous.add_argument(
        "--ci-level",
        type=_level,
        default=0.95,
        help="level of the group CIs given with --ci1/--ci2 (default 0.95)",
    )
    continuous.add_argument("--variance", choices=VARIANCE_CHOICES, default="welch", help="MD standard error")
    _common(continuous)


def run(args: argparse.Namespace) -> int:
    from evidencekb import effects

    try:
        if args.kind == "binary":
            analysis: BinaryAnalysis | ContinuousAnalysis = effects.analyse_binary(
                effects.BinaryCounts(*args.intervention, *args.comparator),
                args.level,
                args.rd_method,
                args.rr_method,
                args.or_method,
                args.event,
            )
        else:
            analysis = effects.analyse_continuous(_group(args, 1), _group(args, 2), args.variance, args.level)
    except ValueError as error:
        print(f"evidencekb effect {args.kind}: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(analysis.to_dict(), indent=2, allow_nan=False))
    elif isinstance(analysis, effects.BinaryAnalysis):
        print(_binary_text(analysis))
    else:
        print(_continuous_text(analysis))
    return 0


def _group(args: argparse.Namespace, arm: int) -> GroupMean:
    from evidencekb import effects

    mean, n = getattr(args, f"mean{arm}"), getattr(args, f"n{arm}")
    if getattr(args, f"sd{arm}") is not None:
        return effects.GroupMean(mean, getattr(args, f"sd{arm}"), n)
    if getattr(args, f"se{arm}") is not None:
        return effects.group_from_se(mean, getattr(args, f"se{arm}"), n)
    low, high = getattr(args, f"ci{arm}")
    return effects.group_from_ci(mean, low, high, n, args.ci_level)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def _span(low: float | None, high: float | None, fmt: Callable[[float], str]) -> str | None:
    return None if low is None or high is None else f"{fmt(low)} to {fmt(high)}"


def _ratio(value: float) -> str:
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:#.3g}"


def _row(name: str, result: Estimate, fmt: Callable[[float], str], method: str) -> tuple[str, ...]:
    if result.estimate is None:
        return name, "not estimable", "", method
    return name, fmt(result.estimate), _span(result.ci_low, result.ci_high, fmt) or "n/a", method


def _notes(items: list[tuple[str, str | None]]) -> list[str]:
    lines = [f"  {name}: {note}" for name, note in items if note]
    return ["Notes:", *lines] if lines else []


def _p_text(p: PValue) -> str:
    return f"{p.test} {'not computable' if p.value is None else f'{p.value:.2g}'}"


def _more(per_1000: float) -> str:
    return f"{abs(per_1000):.0f} {'more' if per_1000 >= 0 else 'fewer'}"


def _per_1000_text(a: AbsolutePer1000) -> str:
    if a.intervention is None or a.difference is None:
        return f"comparator {a.comparator:.0f}; intervention not estimable"
    ci = _span(a.intervention_ci_low, a.intervention_ci_high, lambda x: f"{x:.0f}")
    diff_ci = _span(a.difference_ci_low, a.difference_ci_high, _more)
    return (
        f"comparator {a.comparator:.0f}, intervention {a.intervention:.0f}{f' ({ci})' if ci else ''};"
        f" difference {_more(a.difference)}{f' ({diff_ci})' if diff_ci else ''}"
    )


def _binary_text(analysis: BinaryAnalysis) -> str:
    from evidencekb.effects import METHOD_LABELS

    c, rd, rr, odds, nnt = (
        analysis.counts,
        analysis.risk_difference,
        analysis.risk_ratio,
        analysis.odds_ratio,
        analysis.nnt,
    )
    nnt_method = "Altman, from the risk difference"
    if not math.isinf(nnt.estimate):
        nnt_method += f"; {math.ceil(nnt.estimate - 1e-9)} when rounded up"
    table = _table(
        [
            ("Measure", "Estimate", f"{rd.level * 100:g}% CI", "Method"),
            _row("Risk difference", rd, lambda x: f"{x:.4f}", METHOD_LABELS["risk-difference", rd.method]),
            _row("Risk ratio", rr, _ratio, METHOD_LABELS["risk-ratio", rr.method]),
            _row("Odds ratio", odds, _ratio, METHOD_LABELS["odds-ratio", odds.method]),
            ("NNT", nnt.text, nnt.ci_text, nnt_method),
        ]
    )
    return "\n".join(
        [
            f"Intervention {c.events1}/{c.total1} (risk {c.risk1:.4f})",
            f"Comparator   {c.events2}/{c.total2} (risk {c.risk2:.4f})",
            "",
            table,
            "",
            f"Per 1000 (GRADE, from the risk ratio): {_per_1000_text(analysis.absolute_per_1000)}",
            f"p-values: {_p_text(analysis.fisher_exact)}; {_p_text(analysis.chi_square)}",
            *_notes(
                [
                    ("risk difference", rd.note),
                    ("risk ratio", rr.note),
                    ("odds ratio", odds.note),
                    ("per 1000", analysis.absolute_per_1000.note),
                    ("chi-square", analysis.chi_square.note),
                ]
            ),
        ]
    )


def _fixed(values: list[float | None]) -> Callable[[float], str]:
    """Formatter giving the largest of ``values`` four significant digits, the others the same decimals."""
    largest = max((abs(v) for v in values if v is not None and v != 0), default=1.0)
    decimals = max(0, 3 - math.floor(math.log10(largest)))
    return lambda x: f"{x:.{decimals}f}"


def _continuous_text(analysis: ContinuousAnalysis) -> str:
    from evidencekb.effects import VARIANCE_LABELS

    md, smd = analysis.mean_difference, analysis.standardized_mean_difference
    groups = [
        f"{name}: mean {g.mean:g}, SD {g.sd:.4g}, n {g.n} ({g.sd_source})"
        for name, g in (("Intervention", analysis.intervention), ("Comparator", analysis.comparator))
    ]
    table = _table(
        [
            ("Measure", "Estimate", f"{md.level * 100:g}% CI", "Method"),
            _row(
                "Mean difference",
                md,
                _fixed([md.estimate, md.ci_low, md.ci_high]),
                VARIANCE_LABELS[md.method],
            ),
            _row("Standardized mean difference", smd, lambda x: f"{x:.2f}", "Hedges' g"),
        ]
    )
    return "\n".join(
        [
            *groups,
            "",
            table,
            "",
            f"p-value: {_p_text(analysis.t_test)}",
            *_notes(
                [
                    ("mean difference", md.note),
                    ("standardized mean difference", smd.note),
                    ("p-value", analysis.t_test.note),
                ]
            ),
        ]
    )
