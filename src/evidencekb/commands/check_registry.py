"""``evidencekb check --registry``: the registry half of the check command.

Loads the ClinicalTrials.gov study once, picks the records registered under its NCT id when no path is
given, compares each record (``evidencekb.registry``) and prints the side-by-side report. Problems with
the registry itself (offline, unknown id, not a study) are one-line errors on standard error.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from evidencekb.diagnostics import Diagnostic
from evidencekb.importers.ctgov import SHAPE_ERRORS, RegistryError, Study, shape_error
from evidencekb.importers.fetch import load_study
from evidencekb.records import DEFAULT_CONTENT, CheckedRecord
from evidencekb.registry import Row, compare, shown


@dataclass
class RegistryCheck:
    spec: str
    study: Study
    compared: list[tuple[str, list[Row]]] = field(default_factory=list)

    @classmethod
    def load(cls, spec: str) -> RegistryCheck | None:
        try:
            return cls(spec, Study(load_study(spec)))
        except RegistryError as exc:
            _error(str(exc))
            return None

    def registered(self, records: list[CheckedRecord]) -> list[CheckedRecord]:
        """The records in the content folder registered under the study's NCT id."""
        found = [r for r in records if r.trial and self.study.nct_id in {g.id for g in r.trial.registrations}]
        if not found:
            _error(f"no record in {DEFAULT_CONTENT}/ is registered as {self.study.nct_id}")
        return found

    def compare(self, record: CheckedRecord, diagnostics: list[Diagnostic]) -> bool:
        """Adds the record's findings to ``diagnostics``; False when the registry payload cannot be read."""
        if record.trial is None or record.document is None:
            return True
        try:
            comparison = compare(record.document, record.trial, self.study)
        except SHAPE_ERRORS as exc:
            _error(str(shape_error(self.spec, exc)))
            return False
        diagnostics.extend(comparison.diagnostics)
        self.compared.append((record.path, comparison.rows))
        return True

    def text_report(self) -> str:
        """The record's numbers next to the registry's, one line each."""
        study = f"ClinicalTrials.gov {self.study.nct_id} (version {self.study.version or 'unknown'})"
        lines = []
        for path, rows in self.compared:
            lines.append(f"{path}: compared with {study}")
            for row in rows:
                where = "/".join(str(p) for p in row.loc)
                lines.append(f"  [{'ok' if row.same else 'DIFFERS':>8}] {row.what}: record {shown(row.record)},"
                             f" registry {shown(row.registry)}  ({where} | {row.locator})")
        return "\n".join(lines)


def _error(message: str) -> None:
    print(f"evidencekb check: {message}", file=sys.stderr)
