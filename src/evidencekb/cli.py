"""Command-line entry point.

Each sub-command lives in ``evidencekb.commands.<name>`` with ``add_parser`` and ``run``; modules
import their heavy dependencies (statistics, MkDocs) inside ``run`` so that ``validate`` starts fast.
Exit codes: 0 success, 1 invalid records or failed checks, 2 usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("validate", "check", "schema", "new", "effect", "export", "diff", "import", "pool")
MODULES = {"import": "importer"}
"""Sub-commands whose module name differs from the command (``import`` is a Python keyword)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidencekb",
        description="Validate clinical-trial evidence records and compute their effect sizes.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"evidencekb.commands.{MODULES.get(name, name)}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
