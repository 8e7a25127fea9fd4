"""``evidencekb export``: open-data files of the published records, as JSON, tidy CSV or FHIR R5 bundles.

Files go to ``OUT/<format>/`` (``OUT/json/<trial>.json``, ``OUT/csv/*.csv``, ``OUT/fhir/<trial>.json``), so
the three formats can share one output folder. Every record is validated first: if any has an error,
the diagnostics are printed as ``validate`` prints them and nothing is written, so a half-updated export
never looks complete. Drafts are left out unless asked for, like on the site.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidencekb.computed import ComputedTrial
    from evidencekb.models import Trial

FORMATS = ("json", "csv", "fhir")  # evidencekb.export.FORMATS, repeated so that --help imports nothing
DEFAULT_OUT = os.path.join("build", "exports")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "export",
        help="write open-data exports of the records: JSON, tidy CSV tables or FHIR R5 bundles",
        description="Export validated records. Nothing is written when any record has an error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="record files or folders (default: content/)")
    parser.add_argument("--format", choices=FORMATS, required=True, help="what to write")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder; files go to OUT/FORMAT/ ({DEFAULT_OUT})")
    parser.add_argument("--include-drafts", action="store_true", help="also export records with status: draft")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.diagnostics import Severity, render
    from evidencekb.pipeline import DEFAULT_CONTENT, check_paths

    records, diagnostics = check_paths(args.paths or [DEFAULT_CONTENT], compute=True)
    diagnostics += [d for r in records for d in r.diagnostics]
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        print(render(errors, "text"), file=sys.stderr)
        print(f"{len(errors)} error(s) in {len(records)} record(s): nothing exported", file=sys.stderr)
        return 1
    pairs: list[tuple[Any, Any]] = []
    questions: list[tuple[Any, Any]] = []
    for record in records:
        assert record.model is not None and record.computed is not None  # no errors: every record computed
        if record.model.status == "draft" and not args.include_drafts:
            print(f"{record.path}: draft, not exported (use --include-drafts)", file=sys.stderr)
            continue
        (pairs if record.trial is not None else questions).append((record.model, record.computed))
    folder = os.path.join(args.out, args.format)
    files = export_files(args.format, pairs) | question_files(args.format, questions)
    try:
        os.makedirs(folder, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(folder, name), "wb") as handle:
                handle.write(text.encode("utf-8"))
    except OSError as exc:
        print(f"evidencekb export: error: cannot write to {folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(files)} file(s) to {folder}", file=sys.stderr)
    return 0


def question_files(fmt: str, pairs: list[tuple[Any, Any]]) -> dict[str, str]:
    """File name -> text of the questions' export (FHIR: a Summary of Findings bundle per question)."""
    from evidencekb.export.question_export import question_csv, question_json

    if fmt == "csv":
        return {"question_outcomes.csv": question_csv(pairs)} if pairs else {}
    if fmt == "json":
        return {f"question-{question.id}.json": question_json(question, computed) for question, computed in pairs}
    from evidencekb.export.question_fhir import question_bundle_json

    return {f"question-{question.id}.json": question_bundle_json(question, computed) for question, computed in pairs}


def export_files(fmt: str, pairs: list[tuple[Trial, ComputedTrial]]) -> dict[str, str]:
    """File name -> text of one format's export of the given (trial, computed) pairs."""
    if fmt == "csv":
        from evidencekb.export.csv_export import csv_tables

        return csv_tables(pairs)
    if fmt == "json":
        from evidencekb.export.json_export import trial_json as render
    else:
        from evidencekb.export.fhir_export import trial_bundle_json as render
    return {f"{trial.id}.json": render(trial, computed) for trial, computed in pairs}
