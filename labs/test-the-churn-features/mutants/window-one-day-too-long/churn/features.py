"""Churn features computed from a customer's activity log.

The training job and the scoring service both call these functions, so the model sees exactly
the definitions it was trained on. Each docstring is the contract your tests pin down.
"""
from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

WINDOW_DAYS = 28


def _utc(moment: datetime) -> datetime:
    """A naive UTC datetime: aware ones are converted, naive ones are taken to be UTC already."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def active_days(events: Iterable[Optional[datetime]], as_of: datetime, window_days: int = WINDOW_DAYS) -> int:
    """How many distinct calendar days (UTC) in the window ending at `as_of` have at least one event.

    The window is the `window_days` days before `as_of`: an event counts when
    `as_of - window_days < event <= as_of`. So an event exactly `window_days` before `as_of` is
    outside it, an event after `as_of` is ignored (it had not happened yet when the features were
    computed), several events on one day count once, and a missing timestamp (None) is skipped.
    """
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    end = _utc(as_of)
    start = end - timedelta(days=window_days)
    days = set()
    for event in events:
        if event is None:
            continue
        moment = _utc(event)
        if start <= moment <= end:
            days.add(moment.date())
    return len(days)


def tenure_bucket(tenure_months: Optional[int]) -> str:
    """The tenure bucket the model was trained on.

    "unknown" when the tenure is missing (None), "new" below 6 months, "settling" from 6 to 23
    months, "established" from 24 months. A negative tenure is a bug upstream: ValueError.
    """
    if tenure_months is None:
        return "unknown"
    if tenure_months < 0:
        raise ValueError(f"tenure_months must be 0 or more, got {tenure_months}")
    if tenure_months < 6:
        return "new"
    if tenure_months < 24:
        return "settling"
    return "established"
