"""Diagnostics as data: every problem found in a record, with its position, code and severity.

Stages (loader, model validation, semantic checks, consistency checks) yield ``Diagnostic`` values;
reporters only format them. Codes are stable kebab-case strings that tests assert on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from evidencekb.text_hygiene import printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    def promoted(self, strict: bool) -> Diagnostic:
        """Under ``--strict`` every warning counts as an error."""
        if strict and self.severity is Severity.WARNING:
            return Diagnostic(self.path, self.line, self.column, Severity.ERROR, self.code, self.message)
        return self


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def format_text(d: Diagnostic) -> str:
    """One line; a control character from a record or a file name is shown escaped, never sent as such."""
    return printable(f"{d.path}:{d.line}:{d.column}: {d.severity.value}[{d.code}]: {d.message}")


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, shown as an annotation on the pull request."""
    kind = "error" if d.severity is Severity.ERROR else "warning"
    return printable(
        f"::{kind} file={_github_escape(d.path, True)},line={d.line},col={d.column},"
        f"title={_github_escape(d.code, True)}::{_github_escape(d.message)}"
    )


def format_json(diagnostics: list[Diagnostic]) -> str:
    rows = [{**asdict(d), "severity": d.severity.value} for d in diagnostics]
    return json.dumps({"diagnostics": rows}, indent=2, ensure_ascii=False)


def render(diagnostics: list[Diagnostic], fmt: str) -> str:
    """Format all diagnostics for output; ``fmt`` is ``text``, ``json`` or ``github``."""
    ordered = sorted(diagnostics)
    if fmt == "json":
        return format_json(ordered)
    formatter = format_github if fmt == "github" else format_text
    return "\n".join(formatter(d) for d in ordered)
