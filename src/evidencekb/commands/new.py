"""``evidencekb new trial SLUG``: write a commented skeleton record for a reviewer to fill in.

The skeleton is valid YAML that fails validation only at its ``TODO`` values, each reported with
what to fill in, so a reviewer can work down the list of messages.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib import resources

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("new", help="write a skeleton record to fill in")
    parser.add_argument("kind", choices=("trial",), help="kind of record")
    parser.add_argument("slug", help="id of the new record: lower-case letters, digits and hyphens")
    parser.add_argument("--dir", default=os.path.join("content", "trials"), help="where to write it")
    parser.set_defaults(run=run)


def skeleton(slug: str) -> str:
    template = resources.files("evidencekb").joinpath("templates/new-trial.yaml").read_text(encoding="utf-8")
    return template.replace("{{ slug }}", slug)


def run(args: argparse.Namespace) -> int:
    if not SLUG.fullmatch(args.slug) or len(args.slug) > 80:
        print(f"evidencekb new: invalid slug {args.slug!r}: use lower-case letters, digits and single hyphens",
              file=sys.stderr)
        return 2
    path = os.path.join(args.dir, f"{args.slug}.yaml")
    if os.path.exists(path):
        print(f"evidencekb new: {path} already exists", file=sys.stderr)
        return 2
    try:
        os.makedirs(args.dir, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(skeleton(args.slug))
    except OSError as exc:  # a read-only folder, a full disk, a file where the folder should be
        print(f"evidencekb new: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}; run 'evidencekb validate {path}' to see what to fill in", file=sys.stderr)
    return 0
