import pytest
from fastapi.testclient import TestClient

from churn.service import create_app

VALID = {"customer_id": "C-1001", "tenure_months": 8, "as_of": "2024-06-29T12:00:00", "events": ["2024-06-28T09:00:00", "2024-06-20T18:30:00"]}


def client_returning(probability: float, threshold: float = 0.5) -> TestClient:
    """A client for an app whose model always answers `probability`."""
    return TestClient(create_app(threshold=threshold, score=lambda days, bucket: probability))


def test_scores_a_customer_with_its_features():
    seen = []

    def score(days, bucket):
        seen.append((days, bucket))
        return 0.25

    resp = TestClient(create_app(score=score)).post("/score", json=VALID)
    assert resp.status_code == 200
    assert resp.json() == {
        "customer_id": "C-1001",
        "active_days": 2,
        "tenure_bucket": "settling",
        "churn_probability": 0.25,
        "churn": False,
        "threshold": 0.5,
    }
    assert seen == [(2, "settling")]


def test_probability_at_the_threshold_is_churn():
    body = client_returning(0.5).post("/score", json=VALID).json()
    assert body["churn"] is True


def test_probability_just_below_the_threshold_is_not_churn():
    body = client_returning(0.4999).post("/score", json=VALID).json()
    assert body["churn"] is False


def test_threshold_is_reported():
    body = client_returning(0.9, threshold=0.7).post("/score", json=VALID).json()
    assert body["threshold"] == 0.7
    assert body["churn_probability"] == 0.9


def test_missing_tenure_and_null_events_are_scored():
    request = {**VALID, "tenure_months": None, "events": [None, "2024-06-28T09:00:00"]}
    resp = client_returning(0.3).post("/score", json=request)
    assert resp.status_code == 200
    assert resp.json()["tenure_bucket"] == "unknown"
    assert resp.json()["active_days"] == 1


def test_the_real_model_answers_a_probability():
    body = TestClient(create_app()).post("/score", json=VALID).json()
    assert 0.0 < body["churn_probability"] < 1.0


@pytest.mark.parametrize(
    "change",
    [
        {"tenure_months": -1},
        {"customer_id": ""},
        {"as_of": "yesterday"},
        {"events": ["not a date"]},
        {"tenure_month": 8},
    ],
    ids=["negative-tenure", "empty-id", "bad-as-of", "bad-event", "misspelled-field"],
)
def test_bad_input_is_422(change):
    resp = client_returning(0.3).post("/score", json={**VALID, **change})
    assert resp.status_code == 422


def test_missing_as_of_is_422():
    request = {k: v for k, v in VALID.items() if k != "as_of"}
    assert client_returning(0.3).post("/score", json=request).status_code == 422


@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5])
def test_threshold_outside_zero_to_one_is_refused(threshold):
    with pytest.raises(ValueError):
        create_app(threshold=threshold)
