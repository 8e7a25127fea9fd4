"""The study table ``evidencekb pool`` reads: a tidy CSV or YAML file, one row per study, checked cell by cell.

Columns (CSV header or YAML keys): ``study`` and either ``events1, total1, events2, total2`` (binary),
``mean1, n1, mean2, n2`` with ``sd1``/``sd2``, ``se1``/``se2`` or ``ci1_low, ci1_high``/``ci2_low,
ci2_high`` (a 95% CI of the group mean; the SD is recovered as in the Cochrane Handbook 6.5.2.2), or
``estimate, se`` (an effect on the analysis scale, e.g. a within-patient crossover estimate). Optional:
``year``, ``design`` (parallel or crossover) and ``crossover_data`` (first-period or within-patient).
YAML is a mapping whose only key, ``studies``, holds a list of mappings (the safe loader refuses any
other root, as it does for records). Every problem becomes a
positioned diagnostic (``path:line:column``) naming the row and the column; nothing is evaluated.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from typing import Any

from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.loader import MAX_BYTES, load_bytes

BINARY = ("events1", "total1", "events2", "total2")
CONTINUOUS = ("mean1", "n1", "mean2", "n2")
SPREADS = ("sd1", "sd2", "se1", "se2", "ci1_low", "ci1_high", "ci2_low", "ci2_high")
ESTIMATE = ("estimate", "se")
OPTIONAL = ("year", "design", "crossover_data")
COLUMNS = ("study", *BINARY, *CONTINUOUS, *SPREADS, *ESTIMATE, *OPTIONAL)
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Cell:
    text: str
    line: int
    column: int


Row = dict[str, Cell]


class TableError(Exception):
    """Problems that make the table unusable, each already a diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "")
        self.diagnostics = diagnostics


def error(path: str, line: int, column: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, column, Severity.ERROR, code, message)


def read_table(path: str) -> list[Row]:
    """The rows of a CSV or YAML study table, every cell with its position; raises TableError."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TableError([error(path, 1, 1, "pool-file", f"cannot read file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise TableError([error(path, 1, 1, "pool-file", f"file is larger than {MAX_BYTES:,} bytes")])
    if path.lower().endswith((".yaml", ".yml")):
        rows = _yaml_rows(raw, path)
    elif path.lower().endswith(".csv"):
        rows = _csv_rows(raw, path)
    else:
        raise TableError([error(path, 1, 1, "pool-file", "expected a .csv, .yaml or .yml file")])
    if not rows:
        raise TableError([error(path, 1, 1, "pool-no-studies", "the table has no studies (k = 0)")])
    return rows


def _csv_rows(raw: bytes, path: str) -> list[Row]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError([error(path, 1, 1, "pool-file", f"not UTF-8 text (byte {exc.start})")]) from None
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        records = [(reader.line_num, fields) for fields in reader]
    except csv.Error as exc:
        raise TableError([error(path, reader.line_num or 1, 1, "pool-file", f"CSV syntax: {exc}")]) from None
    records = [(n, f) for n, f in records if any(x.strip() for x in f)]
    if not records:
        return []
    header_line, header = records[0]
    names = [h.strip() for h in header]
    _check_columns(
        path, names, [Cell(h, header_line, _field_column(lines[header_line - 1], i)) for i, h in enumerate(names)]
    )
    rows = []
    for line, fields in records[1:]:
        if len(fields) > len(names):
            raise TableError(
                [error(path, line, 1, "pool-bad-value", f"row has {len(fields)} cells; the header has {len(names)}")]
            )
        row = {
            name: Cell(value.strip(), line, _field_column(lines[line - 1], i))
            for i, (name, value) in enumerate(zip(names, fields, strict=False))
            if value.strip()
        }
        rows.append(row)
    return rows


def _field_column(line: str, index: int) -> int:
    """1-based character column where field ``index`` of a CSV line starts (quotes respected)."""
    field, quoted = 0, False
    for position, char in enumerate(line):
        if field == index:
            return position + 1
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            field += 1
    return len(line) + 1


def _yaml_rows(raw: bytes, path: str) -> list[Row]:
    document, problems = load_bytes(raw, path)
    if document is None or problems:
        raise TableError(problems or [error(path, 1, 1, "pool-file", "empty YAML file")])
    data, prefix = document.data.get("studies"), ("studies",)
    if set(document.data) != {"studies"} or not isinstance(data, list):
        line, column = document.position(prefix)
        raise TableError([error(path, line, column, "pool-file", "expected one key, 'studies', holding a list")])
    rows = []
    for index, item in enumerate(data):
        line, column = document.position((*prefix, index))
        if not isinstance(item, dict):
            raise TableError([error(path, line, column, "pool-bad-value", f"study {index + 1} is not a mapping")])
        names = [str(key) for key in item]
        cells = [Cell(name, *document.position((*prefix, index, name), key=True)) for name in names]
        _check_columns(path, names, cells, header=False)
        rows.append(
            {
                str(key): Cell(_text(value), *document.position((*prefix, index, key)))
                for key, value in item.items()
                if value is not None and _text(value) != ""
            }
        )
    return rows


def _text(value: Any) -> str:
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        return repr(value)  # refused later as not a number or not a known word
    return str(value).strip()


def _check_columns(path: str, names: list[str], cells: list[Cell], header: bool = True) -> None:
    problems = [
        error(path, c.line, c.column, "pool-unknown-column", f"unknown column {n!r}; known: {', '.join(COLUMNS)}")
        for n, c in zip(names, cells, strict=True)
        if n not in COLUMNS
    ]
    seen: set[str] = set()
    for n, c in zip(names, cells, strict=True):
        if n in seen:
            problems.append(error(path, c.line, c.column, "pool-unknown-column", f"column {n!r} appears twice"))
        seen.add(n)
    if header and "study" not in names:
        where = cells[0] if cells else Cell("", 1, 1)
        problems.append(
            error(path, where.line, where.column, "pool-missing-column", "the header has no 'study' column")
        )
    if problems:
        raise TableError(problems)


def number(path: str, row: int, name: str, cell: Cell, *, integer: bool = False, minimum: float | None = None) -> float:
    """The cell as a finite number (an integer when asked), or a TableError naming row and column."""
    where = f"row {row}, column {name}"
    if integer:
        if not _INTEGER.fullmatch(cell.text):
            raise _bad(path, cell, f"{where}: expected a whole number, got {cell.text!r}")
        value: float = int(cell.text)
    else:
        try:
            value = float(cell.text)
        except ValueError:
            raise _bad(path, cell, f"{where}: expected a number, got {cell.text!r}") from None
        if not math.isfinite(value):
            raise _bad(path, cell, f"{where}: expected a finite number, got {cell.text!r}")
    if minimum is not None and value < minimum:
        raise _bad(path, cell, f"{where}: must be >= {minimum:g}, got {cell.text}")
    return value


def _bad(path: str, cell: Cell, message: str) -> TableError:
    return TableError([error(path, cell.line, cell.column, "pool-bad-value", message)])
