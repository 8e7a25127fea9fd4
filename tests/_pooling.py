"""Data and comparison helpers shared by the pooling reference tests (see test_pooling_references.py for
where the BCG counts come from)."""

from __future__ import annotations

from evidencekb.effects.binary import BinaryCounts
from evidencekb.pooling import BinaryStudy

# author, tpos, tneg, cpos, cneg, year (metafor dat.bcg)
BCG = [
    ("Aronson", 4, 119, 11, 128, 1948),
    ("Ferguson & Simes", 6, 300, 29, 274, 1949),
    ("Rosenthal et al 1960", 3, 228, 11, 209, 1960),
    ("Hart & Sutherland", 62, 13536, 248, 12619, 1977),
    ("Frimodt-Moller et al", 33, 5036, 47, 5761, 1973),
    ("Stein & Aronson", 180, 1361, 372, 1079, 1953),
    ("Vandiviere et al", 8, 2537, 10, 619, 1973),
    ("TPT Madras", 505, 87886, 499, 87892, 1980),
    ("Coetzee & Berjak", 29, 7470, 45, 7232, 1968),
    ("Rosenthal et al 1961", 17, 1699, 65, 1600, 1961),
    ("Comstock et al 1974", 186, 50448, 141, 27197, 1974),
    ("Comstock & Webster", 5, 2493, 3, 2338, 1969),
    ("Comstock et al 1976", 27, 16886, 29, 17825, 1976),
]


def tables(rows: list[tuple[str, int, int, int, int, int | None]]) -> list[BinaryStudy]:
    return [BinaryStudy(n, year=y, counts=BinaryCounts(a, a + b, c, c + d)) for n, a, b, c, d, y in rows]


def bcg() -> list[BinaryStudy]:
    return tables(BCG)


def close(actual: float | None, expected: float, decimals: int) -> None:
    assert actual is not None
    assert abs(actual - expected) <= 0.5 * 10**-decimals + 1e-12, (actual, expected)
