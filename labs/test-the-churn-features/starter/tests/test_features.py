"""Tests for churn/features.py. Run them with: python -m pytest -q"""
from datetime import datetime, timedelta

from churn.features import active_days, tenure_bucket

AS_OF = datetime(2024, 6, 29, 12, 0)


def test_counts_events_in_the_window():
    events = [AS_OF - timedelta(days=1), AS_OF - timedelta(days=3)]
    assert active_days(events, AS_OF) == 2


# TODO: the window's edges (28 days back, just inside, after as_of), several events on one day,
# missing timestamps, and every tenure bucket at its boundaries.
