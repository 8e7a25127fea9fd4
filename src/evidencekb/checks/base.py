"""What a semantic rule is: a function from a trial to findings at data paths."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from evidencekb.diagnostics import Severity
from evidencekb.loader import Path
from evidencekb.models import Trial
from evidencekb.rounding import decimals_of


@dataclass(frozen=True)
class Finding:
    loc: Path
    code: str
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Context:
    """What rules may know besides the trial: the file it came from and how its numbers were written."""

    path: str
    number_texts: Mapping[Path, str] = field(default_factory=dict)

    def decimals(self, loc: Path, value: float) -> int:
        """Decimal places the reviewer typed (``79`` -> 0, ``80.8`` -> 1): the rounding of the source."""
        return decimals_of(self.number_texts.get(tuple(loc)) or repr(value))


Rule = Callable[[Trial, Context], Iterable[Finding]]


def walk(obj: object, loc: Path = ()) -> Iterator[tuple[Path, BaseModel]]:
    """Every model object in the record with its data path, parents first."""
    if isinstance(obj, BaseModel):
        yield loc, obj
        for name in type(obj).model_fields:
            yield from walk(getattr(obj, name), (*loc, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from walk(item, (*loc, i))
