"""Writing record text line by line: quoted values, placeholders, and numbers with their registry locator.

Drafts are written as text rather than dumped from data so that each number keeps the registry's own
digits (``0.250`` stays ``0.250``: the consistency checks read the decimals a source printed) and carries
its locator as a comment on its line.
"""

from __future__ import annotations

import json

from evidencekb.importers.ctgov import Located

SOURCE = "ctgov"
"""Id of the registry entry in a draft's ``sources``."""
_SHORT = 500


def todo(hint: str) -> str:
    return quote(f"TODO: {hint}")


def quote(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def cite(located: Located) -> str:
    return f"{located.text}  # ctgov: {located.locator}"


class Lines:
    """The lines of a record, each at an indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + text)

    def cited(self, indent: int, key: str, located: Located | None, hint: str) -> None:
        self(indent, f"{key}: {cite(located)}" if located else f"{key}: {todo(hint)}")

    def source(self, indent: int, locator: str) -> None:
        self(indent, f"source: {SOURCE}")
        self(indent, f"locator: {locator}")


def short(text: str, hint: str) -> str:
    return quote(text) if 0 < len(text) <= _SHORT else todo(f"{hint} (the registry's text is empty or too long)")
