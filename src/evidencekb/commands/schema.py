"""``evidencekb schema``: write the JSON Schemas of records and of the JSON export, or check they are fresh.

The question schema (``question.schema.json``) and the export schema (``export.schema.json``) are written next
to the trial record schema, wherever ``--out`` puts it.
"""

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
    from evidencekb.export.json_export import EXPORT_SCHEMA_PATH, export_schema_text
    from evidencekb.schema import QUESTION_SCHEMA_NAME, question_schema_text, trial_schema_text

    export_path = os.path.join(os.path.dirname(args.out), os.path.basename(EXPORT_SCHEMA_PATH))
    question_path = os.path.join(os.path.dirname(args.out), QUESTION_SCHEMA_NAME)
    schemas = [(args.out, trial_schema_text()), (question_path, question_schema_text()),
               (export_path, export_schema_text())]
    if args.check:
        return max(_check(path, text) for path, text in schemas)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    for path, text in schemas:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _check(path: str, text: str) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
    except OSError:
        current = None
    if current != text:
        print(f"{path}:1:1: error[schema-stale]: the schema differs from the models;"
              " run 'evidencekb schema' and commit the result", file=sys.stderr)
        return 1
    return 0
