"""Open-data exports of validated records: normalized JSON, tidy CSV tables and FHIR R5 bundles.

Each format module is a set of pure functions from ``(trial, computed)`` to text, so that the command
line and the site (downloads next to each trial page) produce the same bytes. Exports are reproducible
byte for byte: no timestamps, sorted keys, fixed row order, and every computed number rounded to
``SIGNIFICANT_DIGITS`` so that last-bit differences between platforms or library versions in the
statistics never change a file. Numbers typed in a record have far fewer digits and pass unchanged.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("json", "csv", "fhir")
SIGNIFICANT_DIGITS = 12


def stable_float(value: float) -> float:
    """``value`` rounded to ``SIGNIFICANT_DIGITS`` significant digits (``0.1 + 0.2`` becomes ``0.3``)."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def stable(data: Any) -> Any:
    """``data`` (JSON-like: dicts, lists, scalars) with every float passed through :func:`stable_float`."""
    if isinstance(data, float):
        return stable_float(data)
    if isinstance(data, dict):
        return {key: stable(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [stable(value) for value in data]
    return data
