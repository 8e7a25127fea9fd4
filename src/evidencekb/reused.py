"""Values a rebuild takes over from the last build when what they are made from is unchanged.

A dirty rebuild under ``mkdocs serve`` lists every record again, and some of what it asks per record
(the links from its page) cost time in proportion to the number of records while hardly ever changing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Reused(Generic[Value]):
    """Each value made from its key (all it depends on), kept for the next build only.

    ``made`` counts the values made rather than reused, for the tests.
    """

    def __init__(self) -> None:
        self._last: dict[Hashable, Value] = {}
        self._now: dict[Hashable, Value] = {}
        self.made = 0

    def get(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The value of ``key``: the last build's if it had that key, else ``make()``."""
        if key in self._now:
            return self._now[key]
        if key in self._last:
            value = self._last[key]
        else:
            value, self.made = make(), self.made + 1
        self._now[key] = value
        return value

    def next_build(self) -> None:
        """A new build begins: keep what the last one asked for, forget the rest."""
        self._last, self._now = self._now, {}
