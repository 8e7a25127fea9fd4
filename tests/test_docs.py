"""The documentation covers the tool: every command, every option and every diagnostic code.

As in sqlite-utils' ``test_docs.py``: the parser and the catalogue are walked, and a test fails as soon as
a command, an option or a code is added without its documentation.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from evidencekb.catalogue import CATALOGUE, diagnostics_markdown
from evidencekb.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = (ROOT / "content" / "commands.md").read_text(encoding="utf-8")
HAND_WRITTEN = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "content").glob("*.md")))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _options() -> list[tuple[str, str]]:
    """(command, option) for every long option of every command and sub-command."""
    found = []
    for name, parser in _subcommands(build_parser()).items():
        for sub, subparser in [(name, parser), *((f"{name} {s}", p) for s, p in _subcommands(parser).items())]:
            found += [(sub, o) for a in subparser._actions for o in a.option_strings
                      if o.startswith("--") and o != "--help"]
    return found


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_in_the_readme_table_and_has_a_section(command: str) -> None:
    assert re.search(rf"^\| `evidencekb {command}\b", README, re.MULTILINE), f"README table lacks {command}"
    assert f"\n## {command}\n" in REFERENCE, f"content/commands.md has no section for {command}"


@pytest.mark.parametrize(("command", "option"), _options())
def test_option_is_documented(command: str, option: str) -> None:
    section = REFERENCE.split(f"\n## {command.split()[0]}\n", 1)[1].split("\n## ", 1)[0]
    assert f"`{option}" in section, f"{command} {option} is not described in content/commands.md"


def test_readme_table_has_no_stray_lines() -> None:
    table = README.split("| command | what it does |", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    assert all(line.startswith("|") for line in table), table


def test_every_code_is_explained_on_the_diagnostics_page() -> None:
    page = diagnostics_markdown()
    for code in CATALOGUE.values():
        assert code.explanation.strip() and code.message.strip(), code.code
        assert f"| `{code.code}` | {code.severity.value} |" in page


def test_every_code_named_in_the_documentation_exists() -> None:
    named = set(re.findall(r"(?:error|warning)\[([a-z0-9-]+)\]", HAND_WRITTEN))
    assert named and sorted(named - set(CATALOGUE)) == []


CODE = r"\"([a-z]+(?:-[a-z0-9]+)+)\""
WORD = r"\"([a-z]+(?:-[a-z0-9]+)*)\""  # also a one-word code, where the position makes it one
RAISING = [
    rf"Finding\(\s*(?:\([^)]*\)|[^,()]+),\s*{CODE}",  # a rule's finding: (location, code, message)
    rf"Severity\.(?:ERROR|WARNING),\s*{WORD}",  # a diagnostic made in place
    rf"(?:_Refused\(|_file_error\(path,)\s*{WORD}",  # the loader's refusals
    rf"\bcode\b[^\n]*?{CODE}",  # the audit's codes (code = ..., status, code = ...)
    rf"\"inconsistent\",\s*[^\n]*\n\s*{CODE}",  # the audit's interval check: the code after its detail
    rf"error\[{CODE[2:-2]}\]",  # a command's own message
    rf"(?:_refused\(path,|RefusedEntry\()\s*{WORD}",  # the content folder's refusals
    rf"error\([^()]*,\s*{CODE}",  # the pool command's table errors: error(path, line, column, code, ...)
]


def test_every_code_raised_in_the_source_is_catalogued() -> None:
    """The code literals where diagnostics are raised, plus pydantic's mapped error types, are exactly the
    catalogue: a new code is not raised before it is documented, and no documented code is dead."""
    from evidencekb import validation
    from evidencekb.kinds import KINDS

    source = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "src" / "evidencekb").rglob("*.py")))
    raised = {code for pattern in RAISING for code in re.findall(pattern, source)}
    raised |= set(validation._CODES.values()) | {"wrong-type"} | {f"duplicate-{kind.name}" for kind in KINDS}
    assert sorted(raised - set(CATALOGUE)) == [], "raised but not catalogued"
    assert sorted(set(CATALOGUE) - raised) == [], "catalogued but never raised"
