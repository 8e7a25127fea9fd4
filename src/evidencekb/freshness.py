"""Review freshness: when a record was last checked against its sources, and whether that is too long ago.

The date is the record's own ``review.last_reviewed``, written by the reviewer who checked it, not the
date of the last commit: a typo fix is not a review, and a review that changed nothing leaves no commit
of its own but the date. A record not reviewed for longer than the review period (24 months unless
configured) is flagged on its page and by ``evidencekb check`` (a warning, ``review-overdue``).

"Today" is ``SOURCE_DATE_EPOCH`` when it is set (the site build sets it to the last commit's time), so
two builds of one commit flag the same records and stay byte-identical.
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import os
from dataclasses import dataclass
from typing import Any

from evidencekb.diagnostics import Diagnostic, Severity
from evidencekb.loader import Document

REVIEW_PERIOD_MONTHS = 24


@dataclass(frozen=True)
class Freshness:
    """When a record was last reviewed, when its next review is due, and whether that date has passed."""

    last_reviewed: datetime.date
    due: datetime.date
    as_of: datetime.date
    months: int

    @property
    def overdue(self) -> bool:
        return self.as_of > self.due


def today() -> datetime.date:
    """``SOURCE_DATE_EPOCH`` as a UTC date when set (reproducible builds), else today's date."""
    stamp = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if stamp.isdigit():
        return datetime.datetime.fromtimestamp(int(stamp), datetime.UTC).date()
    return datetime.date.today()


def add_months(date: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day when it is shorter (31 Aug + 6 months: 28/29 Feb)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def freshness_of(model: Any, as_of: datetime.date, months: int = REVIEW_PERIOD_MONTHS) -> Freshness | None:
    """The freshness of any record with a ``review.last_reviewed`` date (trials, and other kinds that have one)."""
    last = getattr(getattr(model, "review", None), "last_reviewed", None)
    return freshness_since(last, as_of, months) if isinstance(last, datetime.date) else None


def freshness_since(last_reviewed: datetime.date, as_of: datetime.date,
                    months: int = REVIEW_PERIOD_MONTHS) -> Freshness:
    return Freshness(last_reviewed, add_months(last_reviewed, months), as_of, months)


def period(text: str) -> int:
    """A review period in months from the command line: a whole number of at least one."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of months (at least 1), got '{text}'")
    return int(text)


def overdue_problems(model: Any, document: Document, as_of: datetime.date,
                     months: int = REVIEW_PERIOD_MONTHS) -> list[Diagnostic]:
    """A ``review-overdue`` warning at the review date of a record whose review period has passed."""
    fresh = freshness_of(model, as_of, months)
    if fresh is None or not fresh.overdue:
        return []
    line, column = document.position(("review", "last_reviewed"))
    return [Diagnostic(document.path, line, column, Severity.WARNING, "review-overdue",
                       f"last reviewed {fresh.last_reviewed}, more than {months} months before {as_of}"
                       f" (review due {fresh.due}); check the record against its sources and update the date")]
