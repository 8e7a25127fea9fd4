"""``evidencekb check``: the consistency report, printed statistics against their recomputation."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from evidencekb.commands.options import add_record_options, report
from evidencekb.freshness import REVIEW_PERIOD_MONTHS, overdue_problems, period, today

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.diagnostics import Diagnostic
    from evidencekb.models import Trial
    from evidencekb.pipeline import CheckedRecord


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "check", help="validate records and compare every printed statistic with its recomputation"
    )
    add_record_options(parser)
    parser.add_argument(
        "--report",
        choices=("text", "json", "none"),
        default="text",
        help="the consistency report printed before the diagnostics (default: text)",
    )
    parser.add_argument(
        "--registry",
        metavar="FILE.json|NCT_ID",
        help="also compare the records with this ClinicalTrials.gov entry (a saved API v2 response, or an NCT id"
        " to fetch); without PATH, the records in content/ registered under the study's NCT id",
    )
    parser.add_argument(
        "--review-period",
        metavar="MONTHS",
        type=period,
        default=REVIEW_PERIOD_MONTHS,
        help="warn about records not reviewed for longer than this (default: 24 months)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.pipeline import DEFAULT_CONTENT, check_paths

    registry = None
    if getattr(args, "registry", None):
        from evidencekb.commands.check_registry import RegistryCheck

        registry = RegistryCheck.load(args.registry)
        if registry is None:
            return 1
    records, diagnostics = check_paths(args.paths or [DEFAULT_CONTENT], consistency=True)
    if registry is not None and not args.paths:
        records = registry.registered(records)
        if not records:
            return 1
    reports = []
    for record in records:
        diagnostics.extend(record.diagnostics)
        diagnostics.extend(_overdue(record, args.review_period))
        if record.trial is None or record.computed is None:
            continue
        reports.append((record.path, record.trial, record.computed))
        if registry is not None and not registry.compare(record, diagnostics):
            return 1
    if args.report == "json":
        print(json.dumps({path: c.to_dict() for path, _, c in reports}, indent=2, sort_keys=True))
    elif args.report == "text" and args.format == "text":
        for path, trial, computed in reports:
            print(_text_report(path, trial, computed))
        if registry is not None:
            print(registry.text_report())
    return report(sorted(set(diagnostics)), args, len(records))


def _overdue(record: CheckedRecord, months: int) -> list[Diagnostic]:
    if record.model is None or record.document is None:
        return []
    return overdue_problems(record.model, record.document, today(), months)


def _text_report(path: str, trial: Trial, computed: ComputedTrial) -> str:
    lines = [f"{path}: {computed.trial}"]
    for check in computed.checks:
        mark = {"consistent": "ok", "inconsistent": "MISMATCH", "acknowledged": "known", "not-checkable": "n/a"}[
            check.status
        ]
        where = "/".join(str(p) for p in check.loc)
        lines.append(
            f"  [{mark:>8}] {check.endpoint or '-'} {check.statistic}: reported {check.reported};"
            f" {check.detail}  ({where})"
        )
    if trial.conflicts:
        lines.append("  discrepancies between sources (each version kept in the record):")
    for conflict in trial.conflicts:
        lines.append(f"  [{conflict.status:>8}] {conflict.topic}:")
        lines += [
            f"      - {v.source}{'' if v.verified else ' (unverified)'}: {' '.join(v.claim.split())}"
            for v in conflict.versions
        ]
    return "\n".join(lines)
