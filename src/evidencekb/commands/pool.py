"""``evidencekb pool``: a reviewer's front end to the pooling engine, on a tidy CSV or YAML study table.

``evidencekb pool trials.csv --measure or --model random --method reml --hksj`` prints the per-study
effects and weights, the pooled estimate, heterogeneity and the prediction interval; ``--json`` prints one
object with the same keys for every measure. Defaults: random effects with REML (metafor's default);
``--model common`` alone means Mantel-Haenszel for binary data and inverse variance otherwise; a
``--method`` alone implies its model. Bad input exits 2 with ``path:line:column`` diagnostics naming the
row and the column, never a traceback. The statistics libraries are imported inside :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from evidencekb.commands.effect import _common, _table
from evidencekb.commands.pool_input import (
    BINARY,
    CONTINUOUS,
    Row,
    TableError,
    error,
    number,
    read_table,
)
from evidencekb.diagnostics import format_text

if TYPE_CHECKING:
    from evidencekb.pooling import PooledResult, Study

MEASURE_CHOICES = ("rr", "or", "rd", "md", "smd")
METHOD_CHOICES = ("mh", "iv", "peto", "dl", "reml", "pm")
COMMON_CHOICES = ("mh", "iv", "peto")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pool",
        help="meta-analyse a table of studies (CSV or YAML)",
        description="Pool one comparison across studies: common or random effects, heterogeneity, prediction.",
    )
    parser.set_defaults(run=run)
    parser.add_argument("file", metavar="FILE", help="CSV or YAML table, one row per study")
    parser.add_argument("--measure", choices=MEASURE_CHOICES, help="effect measure (default rr or md)")
    parser.add_argument("--model", choices=("common", "random"), help="effect model (default random)")
    parser.add_argument("--method", choices=METHOD_CHOICES, help="pooling method or tau^2 estimator")
    parser.add_argument("--hksj", action="store_true", help="Hartung-Knapp-Sidik-Jonkman interval")
    parser.add_argument("--sensitivity", action="store_true", help="add leave-one-out and cumulative (by year) runs")
    _common(parser)


def run(args: argparse.Namespace) -> int:
    from evidencekb import pooling

    try:
        rows = read_table(args.file)
        studies = build_studies(args.file, rows)
    except TableError as problem:
        for diagnostic in problem.diagnostics:
            print(format_text(diagnostic), file=sys.stderr)
        return 2
    try:
        options = pooling.PoolOptions(_measure(args, studies), *_model_method(args, studies), args.hksj, args.level)
        result = pooling.pool(studies, options)
        sensitivity = _sensitivity(studies, options) if args.sensitivity else None
    except (ValueError, ArithmeticError) as problem:
        print(f"evidencekb pool: error: {problem}", file=sys.stderr)
        return 2
    if args.json:
        data = {"file": args.file, **result.to_dict(), "sensitivity": sensitivity}
        print(json.dumps(data, indent=2, allow_nan=False))
    else:
        print(result_text(result))
        if sensitivity:
            print(sensitivity_text(result, sensitivity))
    return 0


def _sensitivity(studies: list[Study], options: Any) -> dict[str, Any]:
    """Leave-one-out and cumulative runs as plain data; cumulative needs a year for every study used."""
    from evidencekb import pooling

    def step(item: Any) -> dict[str, Any]:
        r = item.result
        return {
            "study": item.study,
            "k": len(r.used),
            "estimate": r.estimate,
            "ci": r.ci,
            "natural_scale": r.natural(),
            "tau2": r.heterogeneity.tau2,
            "i2": r.heterogeneity.i2,
        }

    data: dict[str, Any] = {"leave_one_out": [step(s) for s in pooling.leave_one_out(studies, options)]}
    try:
        data["cumulative"], data["cumulative_note"] = [step(s) for s in pooling.cumulative(studies, options)], None
    except ValueError as problem:
        data["cumulative"], data["cumulative_note"] = [], str(problem)
    return data


def _measure(args: argparse.Namespace, studies: list[Study]) -> str:
    from evidencekb.pooling import BinaryStudy, ContinuousStudy

    if args.measure:
        return str(args.measure)
    if any(isinstance(s, BinaryStudy) for s in studies):
        return "rr"
    if any(isinstance(s, ContinuousStudy) for s in studies):
        return "md"
    raise ValueError("the table gives estimates only: say which measure they are with --measure")


def _model_method(args: argparse.Namespace, studies: list[Study]) -> tuple[str, str]:
    from evidencekb.pooling import BinaryStudy

    if args.method and not args.model:
        return ("common" if args.method in COMMON_CHOICES else "random"), args.method
    model = args.model or "random"
    if args.method:
        return model, args.method
    if model == "random":
        return model, "reml"
    return model, "mh" if any(isinstance(s, BinaryStudy) for s in studies) else "iv"


def build_studies(path: str, rows: list[Row]) -> list[Study]:
    """One engine study per row; every row's first problem becomes a diagnostic (raised together)."""
    studies, problems, names = [], [], set()
    for index, row in enumerate(rows, start=1):
        try:
            study = _study(path, index, row)
        except TableError as problem:
            problems.extend(problem.diagnostics)
            continue
        if study.name in names:
            cell = row["study"]
            problems.append(
                error(
                    path,
                    cell.line,
                    cell.column,
                    "pool-duplicate-study",
                    f"row {index}: study {study.name!r} appears more than once",
                )
            )
        names.add(study.name)
        studies.append(study)
    if problems:
        raise TableError(problems)
    return studies


def _study(path: str, index: int, row: Row) -> Study:
    from evidencekb.effects import BinaryCounts
    from evidencekb.pooling import BinaryStudy, ContinuousStudy, EstimateStudy

    first = min(row.values(), key=lambda c: (c.line, c.column))
    if "study" not in row:
        raise TableError([error(path, first.line, first.column, "pool-missing-column", f"row {index}: no study name")])
    name = row["study"]
    common: dict[str, Any] = {"name": name.text}
    if "year" in row:
        common["year"] = int(number(path, index, "year", row["year"], integer=True, minimum=0))
    for column, choices in (
        ("design", ("parallel", "crossover")),
        ("crossover_data", ("first-period", "within-patient")),
    ):
        if column in row:
            if row[column].text not in choices:
                raise _bad_cell(path, index, column, row, f"expected {' or '.join(choices)}, got {row[column].text!r}")
            common["crossover_basis" if column == "crossover_data" else column] = row[column].text
    try:
        if "estimate" in row:
            values = [_need(path, index, row, c, minimum=None if c == "estimate" else 0) for c in ("estimate", "se")]
            return EstimateStudy(**common, estimate=values[0], se=values[1])
        if any(c in row for c in BINARY):
            e1, n1, e2, n2 = (int(_need(path, index, row, c, integer=True, minimum=0)) for c in BINARY)
            for events, total, column in ((e1, n1, "events1"), (e2, n2, "events2")):
                if total < 1 or events > total:
                    raise _bad_cell(
                        path, index, column, row, f"need 0 <= events <= total and total >= 1, got {events}/{total}"
                    )
            return BinaryStudy(**common, counts=BinaryCounts(e1, n1, e2, n2))
        if any(c in row for c in CONTINUOUS):
            return ContinuousStudy(**common, group1=_group(path, index, row, 1), group2=_group(path, index, row, 2))
    except ValueError as problem:
        raise TableError([error(path, name.line, name.column, "pool-bad-value", f"row {index}: {problem}")]) from None
    raise TableError(
        [
            error(
                path,
                name.line,
                name.column,
                "pool-missing-column",
                f"row {index}: needs events1..total2, mean1..n2 with a spread, or estimate and se",
            )
        ]
    )


def _group(path: str, index: int, row: Row, arm: int) -> Any:
    from evidencekb.effects import GroupMean, group_from_ci, group_from_se

    mean = _need(path, index, row, f"mean{arm}")
    n = int(_need(path, index, row, f"n{arm}", integer=True, minimum=1))
    given = [c for c in (f"sd{arm}", f"se{arm}", f"ci{arm}_low", f"ci{arm}_high") if c in row]
    if given == [f"sd{arm}"]:
        return GroupMean(mean, _need(path, index, row, f"sd{arm}", minimum=0), n)
    if given == [f"se{arm}"]:
        return group_from_se(mean, _need(path, index, row, f"se{arm}", minimum=0), n)
    if given == [f"ci{arm}_low", f"ci{arm}_high"]:
        return group_from_ci(mean, _need(path, index, row, f"ci{arm}_low"), _need(path, index, row, f"ci{arm}_high"), n)
    raise _bad_cell(
        path,
        index,
        f"mean{arm}",
        row,
        f"give exactly one of sd{arm}, se{arm} or ci{arm}_low with ci{arm}_high for group {arm}",
    )


def _need(path: str, index: int, row: Row, column: str, **kwargs: Any) -> float:
    if column not in row:
        name = row["study"]
        raise TableError(
            [error(path, name.line, name.column, "pool-missing-column", f"row {index}: no value for {column}")]
        )
    return number(path, index, column, row[column], **kwargs)


def _bad_cell(path: str, index: int, column: str, row: Row, message: str) -> TableError:
    cell = row.get(column) or row["study"]
    return TableError(
        [error(path, cell.line, cell.column, "pool-bad-value", f"row {index}, column {column}: {message}")]
    )


def _number(value: float) -> str:
    return f"{value:.4f}" if abs(value) >= 0.001 or value == 0 else f"{value:.3g}"


def result_text(result: PooledResult) -> str:
    """The per-study table, pooled estimate, heterogeneity, prediction interval and what was done."""
    back = math.exp if result.scale == "log" else (lambda x: x)
    level = f"{result.level * 100:g}% CI"

    def span(pair: tuple[float, float] | None) -> str:
        return "" if pair is None else f"{_number(back(pair[0]))} to {_number(back(pair[1]))}"

    rows: list[tuple[str, ...]] = [("Study", result.measure.upper(), level, "Weight %", "Note")]
    for s in result.studies:
        if s.estimate is None:
            rows.append((s.name, "excluded", "", "", s.excluded or ""))
        else:
            weight = "" if s.weight_percent is None else f"{s.weight_percent:.1f}"
            rows.append((s.name, _number(back(s.estimate)), span(s.ci), weight, s.continuity or ""))
    het = result.heterogeneity
    lines = [
        f"{result.measure_name.capitalize()}; {result.model} effect, {result.method_name}"
        + (", Hartung-Knapp-Sidik-Jonkman interval" if result.hksj else ""),
        "",
        _table(rows),
        "",
    ]
    if result.estimate is None:
        lines.append(f"Pooled: not estimable ({result.note})")
    else:
        p = "" if result.p is None else f", p = {result.p:.2g}"
        interval = f" ({span(result.ci)}; {result.distribution}{p})" if result.ci else f" ({result.note})"
        lines.append(f"Pooled {result.measure.upper()} {_number(back(result.estimate))}{interval}")
    if het.q is not None:
        tau2 = "" if het.tau2 is None else f"; tau^2 {_number(het.tau2)} ({span_plain(het.tau2_ci)}, Q-profile)"
        lines.append(f"Heterogeneity: Q = {het.q:.2f} on {het.df} df, p = {het.q_p:.2g}{tau2}")
        lines.append(
            f"  I^2 {100 * (het.i2 or 0):.1f}% ({span_percent(het.i2_ci)}); H^2 {het.h2:.2f} ({span_plain(het.h2_ci)})"
        )
    else:
        lines.append(f"Heterogeneity: {het.note}")
    if result.prediction:
        lines.append(f"Prediction interval: {span(result.prediction)}; {result.prediction_note}")
    else:
        lines.append(f"Prediction interval: none ({result.prediction_note})")
    lines.append(f"Continuity: {result.continuity}")
    lines.append(f"Studies used: {len(result.used)}; excluded: {len(result.excluded)}")
    return "\n".join(lines)


def sensitivity_text(result: PooledResult, sensitivity: dict[str, Any]) -> str:
    """The leave-one-out and cumulative tables, on the measure's own scale."""
    name = result.measure.upper()
    level = f"{result.level * 100:g}% CI"

    def rows(kind: str, first: str) -> str:
        table: list[tuple[str, ...]] = [(first, "k", name, level)]
        for step in sensitivity[kind]:
            natural = step["natural_scale"]
            ci = natural["ci"]
            estimate = "not estimable" if natural["estimate"] is None else _number(natural["estimate"])
            table.append(
                (step["study"], str(step["k"]), estimate, "" if ci is None else f"{_number(ci[0])} to {_number(ci[1])}")
            )
        return _table(table)

    cumulative = rows("cumulative", "Added") if sensitivity["cumulative"] else sensitivity["cumulative_note"]
    return "\n".join(["", "Leave one out:", rows("leave_one_out", "Omitted"), "", "Cumulative, by year:", cumulative])


def span_plain(pair: tuple[float, float] | None) -> str:
    return "n/a" if pair is None else f"{_number(pair[0])} to {_number(pair[1])}"


def span_percent(pair: tuple[float, float] | None) -> str:
    return "n/a" if pair is None else f"{100 * pair[0]:.1f}% to {100 * pair[1]:.1f}%"
