"""Shared building blocks of the record model: strict base class, identifiers, citations.

Strictness is the point: counts are integers (never strings, booleans or floats), unknown keys are
refused, closed vocabularies are literals. Dates are the one exception: YAML gives them as text
(the loader never guesses types) and the model parses ISO dates.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION = 1

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=80),
]
"""Lower-case letters, digits and single hyphens: safe in file names, URLs and HTML ids."""

RegistryId = Annotated[str, StringConstraints(pattern=r"^[!-~]+$", max_length=100)]
"""Printable ASCII without spaces: a look-alike letter from another alphabet cannot pass for an id."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# Patterns avoid escaped quotes: JSON Schema consumers use ECMAScript regexes, where '\"' is invalid.
HttpUrl = Annotated[str, StringConstraints(pattern=r"""^https?://[^\s<>"']+$""", max_length=2000)]
Doi = Annotated[str, StringConstraints(pattern=r"""^10\.\d{4,9}/[^\s<>"']+$""", max_length=300)]
Pmid = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,8}$")]
Count = Annotated[int, Field(ge=0, le=100_000_000)]
PositiveCount = Annotated[int, Field(ge=1, le=100_000_000)]
Percent = Annotated[float, Field(ge=0, le=100)]
Date = Annotated[datetime.date, Field(strict=False)]
PBound = Annotated[str, StringConstraints(pattern=r"^(<|<=|>|>=)\s*(0(\.\d+)?|1(\.0+)?|\.\d+)$")]
PValue = Annotated[float, Field(ge=0, le=1)] | PBound


class Model(BaseModel):
    """Base of every record object: frozen, strict, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        allow_inf_nan=False,
        str_strip_whitespace=False,
    )


def describe(text: str, **kwargs: Any) -> Any:
    """A required field with a description (descriptions feed the JSON Schema and editor tooltips)."""
    return Field(..., description=text, **kwargs)


def optional(text: str, default: Any = None, **kwargs: Any) -> Any:
    """An optional field with a description (``default_factory`` in kwargs wins over ``default``)."""
    if "default_factory" in kwargs:
        return Field(description=text, **kwargs)
    return Field(default=default, description=text, **kwargs)


INLINE_CITATION = re.compile(r"\[([a-z0-9]+(?:-[a-z0-9]+)*)(?:, ([^\[\]\n]{1,80}))?\]")
"""A citation inside reviewer-written text: ``[source-id]`` or ``[source-id, locator]``; pages show a source mark."""


class Cited(Model):
    """Provenance of the numbers in one object: the source they were read from and where in it."""

    source: Slug = describe("Id of the entry in `sources` that reports the numbers of this object.")
    locator: ShortText | None = optional(
        "Where in the source: table, figure, page, section or 'abstract' (e.g. 'Table 1', 'Fig. 2', 'p. 1270')."
    )
    verified: bool = optional(
        "false when the number could not be checked against the source itself (e.g. read from a mirror);"
        " the site marks it as unverified.",
        default=True,
    )
    note: Text | None = optional("Free-text remark about the value or its source.")


class CitedCount(Cited):
    value: Count = describe("The count.")


class CitedNumber(Cited):
    value: float = describe("The number, in the unit stated next to it.")


class CitedDate(Cited):
    value: Date = describe("The date (YYYY-MM-DD).")
    precision: Literal["day", "month", "year"] = optional(
        "How precisely the source gives the date; 'month' means only the month is known.", default="day"
    )


class Interval(Model):
    """A confidence interval as printed by a source (bounds may be 'not estimable': null)."""

    low: float | None = describe("Lower bound; null when the source says it is not estimable.")
    high: float | None = describe("Upper bound; null when the source says it is not estimable.")
    level: Annotated[float, Field(gt=0, lt=1)] = optional("Confidence level as a fraction.", default=0.95)
