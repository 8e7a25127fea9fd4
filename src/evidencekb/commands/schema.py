"""``evidencekb schema``: write the JSON Schema of records, or check that the committed one is fresh."""

from __future__ import annotations

import argparse
import os
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from evidencekb.schema import SCHEMA_PATH

    parser = subparsers.add_parser("schema", help="write the JSON Schema of records from the models")
    parser.add_argument("--out", default=SCHEMA_PATH, help=f"where to write it (default: {SCHEMA_PATH})")
    parser.add_argument("--check", action="store_true", help="fail when the file differs from the models")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.schema import trial_schema_text

    text = trial_schema_text()
    if args.check:
        try:
            with open(args.out, encoding="utf-8") as handle:
                current = handle.read()
        except OSError:
            current = None
        if current != text:
            print(f"{args.out}:1:1: error[schema-stale]: the schema differs from the models;"
                  " run 'evidencekb schema' and commit the result", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
