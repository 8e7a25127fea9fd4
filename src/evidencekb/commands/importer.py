"""``evidencekb import ctgov NCT_ID|FILE.json``: write a draft record from a ClinicalTrials.gov study.

The draft is checked with the validation pipeline before it is written; its only findings should be
the placeholders left for the reviewer, so anything else is reported as a failure of the import.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("import", help="write a draft record from a registry entry")
    parser.add_argument("registry", choices=("ctgov",), help="registry to read (ctgov: ClinicalTrials.gov API v2)")
    parser.add_argument("study", metavar="NCT_ID|FILE.json", help="NCT id to fetch, or a saved API v2 response")
    parser.add_argument("--out", help="file to write (default: content/trials/<nct id>.yaml; '-' for standard output)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.importers.ctgov import SHAPE_ERRORS, RegistryError, Study, shape_error
    from evidencekb.importers.ctgov_draft import draft
    from evidencekb.importers.fetch import load_study
    from evidencekb.records import check_bytes

    try:
        study = Study(load_study(args.study))
    except RegistryError as exc:
        return _fail(str(exc), 1)
    out = args.out or os.path.join("content", "trials", f"{study.nct_id.lower()}.yaml")
    slug = study.nct_id.lower() if out == "-" else os.path.splitext(os.path.basename(out))[0]
    if not SLUG.fullmatch(slug) or len(slug) > 80:
        return _fail(f"the file name {out!r} does not make a record id: use lower-case letters, digits and hyphens", 2)
    if out != "-" and os.path.exists(out):
        return _fail(f"{out} already exists", 2)
    try:
        text = draft(study, slug)
    except SHAPE_ERRORS as exc:
        return _fail(str(shape_error(args.study, exc)), 1)
    checked = check_bytes(text.encode("utf-8"), out)
    unexpected = [d for d in checked.diagnostics if d.code != "placeholder"]
    for problem in unexpected:
        print(f"evidencekb import: the draft has an unexpected problem: {problem.message}", file=sys.stderr)
    if out == "-":
        sys.stdout.write(text)
    else:
        try:
            os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
            with open(out, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            return _fail(f"cannot write {out}: {exc.strerror or exc}", 1)
    placeholders = len(checked.diagnostics) - len(unexpected)
    print(f"wrote {out} from {study.nct_id} (version {study.version or 'unknown'}): {placeholders} placeholder(s)"
          f" to fill in; run 'evidencekb validate {out}' to list them", file=sys.stderr)
    return 1 if unexpected else 0


def _fail(message: str, code: int) -> int:
    print(f"evidencekb import: {message}", file=sys.stderr)
    return code
