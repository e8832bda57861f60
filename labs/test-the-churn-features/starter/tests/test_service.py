"""Tests for churn/service.py, in-process with FastAPI's TestClient. Run them with: python -m pytest -q"""
from fastapi.testclient import TestClient

from churn.service import create_app

VALID = {"customer_id": "C-1001", "tenure_months": 8, "as_of": "2024-06-29T12:00:00", "events": ["2024-06-28T09:00:00"]}


def test_scores_a_customer():
    client = TestClient(create_app())
    resp = client.post("/score", json=VALID)
    assert resp.status_code == 200


# TODO: the response's fields, what happens at the threshold (use a stand-in `score`), and
# bad input: each must answer 422.
