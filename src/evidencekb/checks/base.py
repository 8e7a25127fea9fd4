"""What a semantic rule is: a function from a trial to findings at data paths."""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

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
    phrase: str | None = None
    """Words inside the text value at ``loc`` that the finding is about (positions point at them)."""
    occurrence: int = 0


@dataclass(frozen=True)
class Context:
    """What rules may know besides the trial: the file it came from and how its numbers were written."""

    path: str
    number_texts: Mapping[Path, str] = field(default_factory=dict)
    _walked: list[Any] = field(default_factory=list, compare=False, repr=False)

    def decimals(self, loc: Path, value: float) -> int:
        """Decimal places the reviewer typed (``79`` -> 0, ``80.8`` -> 1): the rounding of the source."""
        return decimals_of(self.number_texts.get(tuple(loc)) or repr(value))

    def models(self, trial: BaseModel) -> list[tuple[Path, BaseModel]]:
        """``list(walk(trial))``, computed once per trial and shared by every rule that needs it."""
        cached = self._walked
        if cached and cached[0] is trial:
            return cached[1]  # type: ignore[no-any-return]
        nodes = list(walk(trial))
        cached[:] = [trial, nodes]
        return nodes


Rule = Callable[[Trial, Context], Iterable[Finding]]


def walk(obj: object, loc: Path = ()) -> Iterator[tuple[Path, BaseModel]]:
    """Every model object in the record with its data path, parents first."""
    out: list[tuple[Path, BaseModel]] = []
    _collect(obj, loc, out)
    return iter(out)


_CONTAINERS = (BaseModel, list)


def _collect(obj: object, loc: Path, out: list[tuple[Path, BaseModel]]) -> None:
    if isinstance(obj, BaseModel):
        out.append((loc, obj))
        for name in fields_of(type(obj)).nested:
            value = getattr(obj, name)
            if isinstance(value, _CONTAINERS):
                _collect(value, (*loc, name), out)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            if isinstance(item, _CONTAINERS):
                _collect(item, (*loc, i), out)


@dataclass(frozen=True)
class Fields:
    """What the rules ask of a model class, computed once per class instead of once per object."""

    names: frozenset[str]
    nested: tuple[str, ...]
    """Fields whose value may hold a model or a list (in field order): the only ones ``walk`` descends into."""
    sources: tuple[str, ...]
    """``source`` and ``*_source`` fields, in field order."""


_FIELDS: dict[type, Fields] = {}


def fields_of(cls: type[BaseModel]) -> Fields:
    info = _FIELDS.get(cls)
    if info is None:
        model_fields = cls.model_fields
        info = Fields(
            names=frozenset(model_fields),
            nested=tuple(name for name, f in model_fields.items() if _may_hold_models(f.annotation)),
            sources=tuple(name for name in model_fields if name == "source" or name.endswith("_source")),
        )
        _FIELDS[cls] = info
    return info


_SCALARS = (str, int, float, bool, type(None), datetime.date)


def _may_hold_models(annotation: Any) -> bool:
    """False only for annotations that certainly hold plain values (str, numbers, dates, literals)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is typing.Annotated:
        return _may_hold_models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_may_hold_models(a) for a in typing.get_args(annotation))
    return not (isinstance(annotation, type) and issubclass(annotation, _SCALARS))
