"""``evidencekb check``: the consistency report, printed statistics against their recomputation."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from evidencekb.commands.validate import add_common_options, report

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.importers.ctgov import Study
    from evidencekb.models import Trial
    from evidencekb.registry import Row


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

    study = None
    if getattr(args, "registry", None):
        from evidencekb.importers.ctgov import SHAPE_ERRORS, RegistryError, Study, shape_error
        from evidencekb.importers.fetch import load_study

        try:
            study = Study(load_study(args.registry))
        except RegistryError as exc:
            print(f"evidencekb check: {exc}", file=sys.stderr)
            return 1
    records, diagnostics = check_paths(args.paths or [DEFAULT_CONTENT])
    if study is not None and not args.paths:
        records = [r for r in records if r.trial and study.nct_id in {g.id for g in r.trial.registrations}]
        if not records:
            print(f"evidencekb check: no record in {DEFAULT_CONTENT}/ is registered as {study.nct_id}", file=sys.stderr)
            return 1
    reports = []
    registry_rows = []
    for record in records:
        diagnostics.extend(record.diagnostics)
        if record.trial is None or record.document is None:
            continue
        computed = compute_trial(record.trial, record.document.number_texts)
        diagnostics.extend(audit_diagnostics(record.document, computed))
        reports.append((record.path, record.trial, computed))
        if study is not None:
            from evidencekb.registry import compare

            try:
                comparison = compare(record.document, record.trial, study)
            except SHAPE_ERRORS as exc:
                print(f"evidencekb check: {shape_error(args.registry, exc)}", file=sys.stderr)
                return 1
            diagnostics.extend(comparison.diagnostics)
            registry_rows.append((record.path, study, comparison.rows))
    if args.report == "json":
        print(json.dumps({path: c.to_dict() for path, _, c in reports}, indent=2, sort_keys=True))
    elif args.report == "text" and args.format == "text":
        for path, trial, computed in reports:
            print(_text_report(path, trial, computed))
        for path, registry, rows in registry_rows:
            print(_registry_report(path, registry, rows))
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


def _registry_report(path: str, study: Study, rows: list[Row]) -> str:
    """The record's numbers next to the registry's, one line each."""
    from evidencekb.registry import shown

    lines = [f"{path}: compared with ClinicalTrials.gov {study.nct_id} (version {study.version or 'unknown'})"]
    for row in rows:
        where = "/".join(str(p) for p in row.loc)
        lines.append(f"  [{'ok' if row.same else 'DIFFERS':>8}] {row.what}: record {shown(row.record)}, registry"
                     f" {shown(row.registry)}  ({where} | {row.locator})")
    return "\n".join(lines)
