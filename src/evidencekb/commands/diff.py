"""``evidencekb diff BASE [HEAD]``: what a change does to the records, for reviewers and pull requests.

Text for the terminal, Markdown for a pull-request comment (headings, tables, and a GitHub alert for
numbers that changed while their citation did not); control characters from records or file names are
shown escaped, so they cannot move the cursor or rewrite the summary. Exit status 0 whenever the diff is
produced, changes or not; 1 when a side has invalid records (they are listed instead); 2 for a bad
revision or a folder that is not a git repository, in one line without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidencekb.diff import DiffReport, ProvenanceChange, SourceUnchanged, TrialDiff, ValueChange

SHORT = 80
NAMES = ("label", "term", "topic", "claim", "text", "hypothesis", "citation", "reason", "id", "endpoint")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diff",
        help="what changed in the records between two git revisions: values, effects, checks",
        description="Semantic diff of trial records between BASE and HEAD (default: the files on disk).",
    )
    parser.add_argument("base", metavar="BASE", help="git revision to compare from, e.g. main or origin/main")
    parser.add_argument("head", metavar="HEAD", nargs="?", help="git revision to compare to (default: working tree)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text", help="output format")
    parser.add_argument("--content", default="content", help="records folder, relative to the repository root")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from evidencekb.diagnostics import render
    from evidencekb.diff import RevisionError, compare, read_revision, read_worktree, repository_root
    from evidencekb.text_hygiene import printable

    try:
        root = repository_root()
        base = read_revision(root, args.base, args.content)
        head = read_revision(root, args.head, args.content) if args.head else read_worktree(root, args.content)
    except RevisionError as exc:
        print(printable(f"evidencekb diff: error: {exc}"), file=sys.stderr)
        return 2
    invalid = base.invalid + head.invalid
    if invalid:
        print(render(invalid, "text"))
        print(f"evidencekb diff: {len(invalid)} error(s) in the records; fix them to see the diff", file=sys.stderr)
        return 1
    report = compare(base, head)
    print(printable(markdown(report) if args.format == "markdown" else text(report)))
    return 0


def text(report: DiffReport) -> str:
    lines = [f"Records: {report.base} -> {report.head}"]
    lines += [f"Added: {tid} ({path})" for tid, path in report.added]
    lines += [f"Removed: {tid} ({path})" for tid, path in report.removed]
    if not (report.added or report.removed or report.changed):
        lines.append("No changes to trial records.")
    if report.pooled:
        lines += ["", "Pooled results of questions that moved:"]
        lines += [f"  {p.question} / {p.outcome}: {p.old or '(none)'} -> {p.new or '(none)'}" for p in report.pooled]
    for trial in report.changed:
        lines += ["", f"Changed: {trial.trial} ({trial.path})"]
        lines += [f"  {_callout(c)}" for c in trial.unchanged_sources]
        lines += [f"  {_provenance(p)}" for p in trial.provenance]
        if trial.effects:
            lines.append("  Effects:")
            lines += [f"    {e.label}: {e.measure} {e.old or '(none)'} -> {e.new or '(none)'}" for e in trial.effects]
        if trial.checks:
            lines.append("  Printed statistics against the recomputation:")
            lines += [
                f"    {c.location} ({c.statistic}): {c.old or '(none)'} -> {c.new or '(none)'}; {c.detail}"
                for c in trial.checks
            ]
        lines.append("  Changed values:")
        lines += [f"    {v.path}: {_before(v)} -> {_after(v)}" for v in trial.values]
    return "\n".join(lines)


def markdown(report: DiffReport) -> str:
    head = f"`{report.head}`" if report.head_is_revision else report.head
    lines = [f"## Record changes: `{report.base}` → {head}"]
    if not (report.added or report.removed or report.changed):
        lines += ["", "No changes to trial records."]
    if report.added or report.removed:
        lines.append("")
    lines += [f"- **Added:** `{tid}` (`{path}`)" for tid, path in report.added]
    lines += [f"- **Removed:** `{tid}` (`{path}`)" for tid, path in report.removed]
    if report.pooled:
        lines += ["", "### Pooled results of questions", "", "| Question | Outcome | Before | After |",
                  "|---|---|---|---|"]
        lines += [f"| `{p.question}` | `{p.outcome}` | {_cell(p.old or '—')} | {_cell(p.new or '—')} |"
                  for p in report.pooled]
    for trial in report.changed:
        lines += ["", f"### `{trial.trial}` (`{trial.path}`)", ""]
        lines += _markdown_trial(trial)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_trial(trial: TrialDiff) -> list[str]:
    lines: list[str] = []
    if trial.unchanged_sources:
        lines += ["> [!WARNING]", *[f"> - {_cell(_callout(c))}" for c in trial.unchanged_sources], ""]
    if trial.provenance:
        lines += ["#### Verification, sources and acknowledgements", ""]
        lines += [f"- {_cell(_provenance(p))}" for p in trial.provenance]
        lines.append("")
    if trial.effects:
        lines += ["#### Effects", "", "| Endpoint | Measure | Before | After |", "|---|---|---|---|"]
        lines += [
            f"| {_cell(e.label)} | {e.measure} | {_cell(e.old or '—')} | {_cell(e.new or '—')} |" for e in trial.effects
        ]
        lines.append("")
    if trial.checks:
        lines += ["#### Printed statistics against the recomputation", ""]
        lines += ["| Location | Statistic | Before | After | Detail |", "|---|---|---|---|---|"]
        lines += [
            f"| `{c.location}` | {_cell(c.statistic)} | {c.old or '—'} | {c.new or '—'} | {_cell(c.detail)} |"
            for c in trial.checks
        ]
        lines.append("")
    lines += ["#### Changed values", "", "| Path | Before | After |", "|---|---|---|"]
    lines += [f"| `{v.path}` | {_cell(_before(v))} | {_cell(_after(v))} |" for v in trial.values]
    return lines


def _callout(item: SourceUnchanged) -> str:
    where = f" ({item.locator})" if item.locator else ""
    change = item.change
    return (
        f"number changed, source unchanged: {change.path} {_show(change.old)} -> {_show(change.new)};"
        f" check the new value against {item.cited} source {item.source}{where}"
    )


_PROVENANCE = {
    "verified": "verification changed",
    "source": "citation changed, numbers unchanged",
    "acknowledgement": "acknowledgement changed",
}


def _provenance(item: ProvenanceChange) -> str:
    change = item.change
    return f"{_PROVENANCE[item.kind]}: {change.path} {_before(change)} -> {_after(change)}"


def _before(change: ValueChange) -> str:
    return "(absent)" if change.kind == "added" else _show(change.old)


def _after(change: ValueChange) -> str:
    return "(absent)" if change.kind == "removed" else _show(change.new)


def _show(value: Any) -> str:
    """A value in one short line: numbers as typed (79, not 79.0), long text and objects shortened."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    if isinstance(value, dict):  # an added or removed item: its name says which
        value = next((value[k] for k in NAMES if isinstance(value.get(k), str)), "{...}")
    shown = value if isinstance(value, str | int) else json.dumps(value, ensure_ascii=False)
    shown = str(shown).replace("\n", " ")
    return shown if len(shown) <= SHORT else shown[: SHORT - 3] + "..."


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks, no HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|").replace("\n", " ")
