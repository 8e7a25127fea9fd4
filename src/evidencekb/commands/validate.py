"""``evidencekb validate``: schema and semantic checks of records, for editors and pull requests."""

from __future__ import annotations

import argparse

from evidencekb.commands.options import add_record_options, report


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("validate", help="check records against the schema and semantic rules")
    add_record_options(parser)
    parser.add_argument("--consistency", action="store_true",
                        help="also compare printed statistics with their recomputation (as 'check')")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.pipeline import DEFAULT_CONTENT, check_paths, no_cycle_collection

    # Only the diagnostics are needed: drop the loaded records before the cyclic collector resumes, so
    # that it never makes a full pass over all of them (about 15% of validating 1,000 records).
    with no_cycle_collection():
        records, problems = check_paths(args.paths or [DEFAULT_CONTENT], consistency=args.consistency)
        diagnostics = problems + [d for r in records for d in r.diagnostics]
        checked = len(records)
        del records
    return report(diagnostics, args, checked)
