"""ClinicalTrials.gov fixtures and drafts made from them, shared by the import and registry-check tests."""

from __future__ import annotations

import re
from pathlib import Path

from evidencekb.importers.ctgov import Study
from evidencekb.importers.ctgov_draft import draft
from evidencekb.importers.fetch import load_study

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ctgov"
SHARED = REPO.parent / "shared" / "fixtures" / "ctgov" / "NCT02210780.json"
DUPILUMAB = SHARED if SHARED.is_file() else FIXTURES / "NCT02210780.json"
"""The shared fixture next to the checkout, or its copy in tests/fixtures (see its README for the origin)."""
CERTOLIZUMAB = FIXTURES / "NCT02552212.json"
CERTOLIZUMAB_LATER = FIXTURES / "NCT02278341.json"

_FILL = {
    "short_name": '"Test"',
    "population": '"Adults."',
    "bottom_line": '"To be written."',
    "last_reviewed": "2026-12-01",
    "better": "higher",
    "type": "continuous",
    "measure": "change-from-baseline",
    "period": "double-blind-period-week-0-52",
    "stage": "received",
}
_ONE_TREATMENT = re.compile(r"one treatment id per period \((\d+)\); the registry names ([\w-]+)$")


def draft_text(fixture: Path, slug: str) -> str:
    return draft(Study(load_study(str(fixture))), slug)


def _fill(field: str, hint: str) -> str:
    """The value a reviewer would type: for an arm's treatments, the one treatment the registry names for
    that arm, in every period (test data only: the registry does not say what each period gave)."""
    if field == "treatments" and (one := _ONE_TREATMENT.match(hint)):
        return "[" + ", ".join([one.group(2)] * int(one.group(1))) + "]"
    return _FILL[field]


def filled(text: str) -> str:
    """A draft with every placeholder replaced by a valid value, as a reviewer would complete it."""
    text = re.sub(r'^(\s*(?:- )?)(\w+): "TODO: ([^"]*)"',
                  lambda m: f"{m.group(1)}{m.group(2)}: {_fill(*m.group(2, 3))}", text, flags=re.MULTILINE)
    return re.sub(r'^(\s*)- "TODO[^"]*"', r'\1- "reviewer"', text, flags=re.MULTILINE)
