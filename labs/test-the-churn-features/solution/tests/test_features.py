from datetime import datetime, timedelta, timezone

import pytest

from churn.features import active_days, tenure_bucket

AS_OF = datetime(2024, 6, 29, 12, 0)


def days_before(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


def test_counts_distinct_days_in_the_window():
    events = [days_before(1), days_before(3), days_before(10)]
    assert active_days(events, AS_OF) == 3


def test_several_events_on_one_day_count_once():
    morning = datetime(2024, 6, 20, 8, 0)
    assert active_days([morning, morning + timedelta(hours=3), morning + timedelta(hours=9)], AS_OF) == 1


def test_event_exactly_one_window_back_is_outside():
    assert active_days([days_before(28)], AS_OF) == 0


def test_event_just_inside_the_window_counts():
    assert active_days([days_before(28) + timedelta(seconds=1)], AS_OF) == 1


def test_event_at_as_of_counts():
    assert active_days([AS_OF], AS_OF) == 1


def test_events_after_as_of_are_ignored():
    assert active_days([AS_OF + timedelta(seconds=1), AS_OF + timedelta(days=2)], AS_OF) == 0


def test_missing_timestamps_are_skipped():
    assert active_days([None, days_before(2), None], AS_OF) == 1


def test_no_events_is_zero():
    assert active_days([], AS_OF) == 0


def test_aware_timestamps_are_compared_in_utc():
    # 23:30 at UTC-2 is 01:30 UTC the next day: one day, inside the window.
    late = datetime(2024, 6, 27, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    assert active_days([late, datetime(2024, 6, 28, 1, 0)], AS_OF) == 1


def test_window_must_be_positive():
    with pytest.raises(ValueError):
        active_days([], AS_OF, window_days=0)


@pytest.mark.parametrize(
    "months, bucket",
    [(0, "new"), (5, "new"), (6, "settling"), (23, "settling"), (24, "established"), (120, "established")],
)
def test_tenure_buckets_at_their_boundaries(months, bucket):
    assert tenure_bucket(months) == bucket


def test_missing_tenure_is_unknown():
    assert tenure_bucket(None) == "unknown"


def test_negative_tenure_is_an_error():
    with pytest.raises(ValueError):
        tenure_bucket(-1)
