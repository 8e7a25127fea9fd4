"""Options and output shared by the commands that check records (``validate``, ``check``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from evidencekb.diagnostics import Diagnostic, has_errors, render

FORMATS = ("text", "json", "github")


def add_record_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="record files or folders (default: content/)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (github: annotations)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing when all records are valid")


def report(diagnostics: Sequence[Diagnostic], args: argparse.Namespace, checked: int) -> int:
    """Print the diagnostics in the chosen format (and a count, for text); 1 when any is an error."""
    diagnostics = [d.promoted(args.strict) for d in diagnostics]
    failed = has_errors(diagnostics)
    output = render(diagnostics, args.format)
    if output:
        print(output)
    if args.format == "text" and not args.quiet:
        errors = sum(d.severity.value == "error" for d in diagnostics)
        warnings = len(diagnostics) - errors
        print(f"{checked} record(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if failed else 0
