"""``evidencekb check``: the consistency report, printed statistics against their recomputation."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from evidencekb.commands.validate import add_common_options, report

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.models import Trial


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "check", help="validate records and compare every printed statistic with its recomputation"
    )
    add_common_options(parser)
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.audit import audit_diagnostics
    from evidencekb.computed import compute_trial
    from evidencekb.records import DEFAULT_CONTENT, check_paths

    registry = None
    if getattr(args, "registry", None):
        from evidencekb.commands.check_registry import RegistryCheck

        registry = RegistryCheck.load(args.registry)
        if registry is None:
            return 1
    records, diagnostics = check_paths(args.paths or [DEFAULT_CONTENT])
    if registry is not None and not args.paths:
        records = registry.registered(records)
        if not records:
            return 1
    reports = []
    for record in records:
        diagnostics.extend(record.diagnostics)
        if record.trial is None or record.document is None:
            continue
        computed = compute_trial(record.trial, record.document.number_texts)
        diagnostics.extend(audit_diagnostics(record.document, computed))
        reports.append((record.path, record.trial, computed))
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
        versions = "; ".join(f"{v.source}: {v.claim}" for v in conflict.versions)
        lines.append(f"  [{conflict.status:>8}] {conflict.topic}: {versions}")
    return "\n".join(lines)
