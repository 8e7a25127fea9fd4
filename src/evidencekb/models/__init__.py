"""Pydantic models of an evidence record (no I/O: loading and checking live elsewhere)."""

from evidencekb.models.base import SCHEMA_VERSION, Cited, Interval
from evidencekb.models.outcomes import (
    BinaryGroup,
    ContinuousGroup,
    Endpoint,
    ReportedStatistic,
    Result,
    TimeToEventGroup,
)
from evidencekb.models.safety import AdverseEvent, AdverseEventGroup
from evidencekb.models.study import Arm, Population, Source, Treatment
from evidencekb.models.trial import Conflict, Trial

__all__ = [
    "SCHEMA_VERSION",
    "AdverseEvent",
    "AdverseEventGroup",
    "Arm",
    "BinaryGroup",
    "Cited",
    "Conflict",
    "ContinuousGroup",
    "Endpoint",
    "Interval",
    "Population",
    "ReportedStatistic",
    "Result",
    "Source",
    "TimeToEventGroup",
    "Treatment",
    "Trial",
]
