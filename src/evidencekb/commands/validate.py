"""``evidencekb validate``: schema and semantic checks of records, for editors and pull requests."""

from __future__ import annotations

import argparse

from evidencekb.commands.options import add_record_options, report
from evidencekb.diagnostics import Diagnostic


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("validate", help="check records against the schema and semantic rules")
    add_record_options(parser)
    parser.add_argument("--consistency", action="store_true",
                        help="also compare printed statistics with their recomputation (as 'check')")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.pipeline import DEFAULT_CONTENT, checked_records, no_cycle_collection

    # Only the diagnostics are needed: each record is dropped once checked, so memory stays flat in the
    # number of records and the cyclic collector (paused, as it would rescan every record kept) has
    # nothing to accumulate.
    problems: list[Diagnostic] = []
    found: list[Diagnostic] = []
    checked = 0
    with no_cycle_collection():
        for record in checked_records(args.paths or [DEFAULT_CONTENT], problems, consistency=args.consistency):
            found.extend(record.diagnostics)
            checked += 1
    return report(problems + found, args, checked)
