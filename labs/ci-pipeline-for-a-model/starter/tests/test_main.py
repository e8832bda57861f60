import pytest
from fastapi.testclient import TestClient

from app.main import Customer, app, churn_probability

client = TestClient(app)


def test_healthz():
    assert client.get("/healthz").json() == {"status": "ok"}


def test_probability_is_between_0_and_1():
    for tenure in (0, 12, 72):
        customer = Customer(tenure_months=tenure, monthly_charges=80, contract="one-year")
        assert 0.0 < churn_probability(customer) < 1.0


def test_longer_contracts_churn_less():
    def p(contract):
        return churn_probability(Customer(tenure_months=12, monthly_charges=70, contract=contract))

    assert p("month-to-month") > p("one-year") > p("two-year")


def test_predict_returns_probability_and_version():
    body = {"tenure_months": 3, "monthly_charges": 99.5, "contract": "month-to-month"}
    response = client.post("/predict", json=body)
    assert response.status_code == 200
    assert response.json()["model_version"] == "1.4.2"
    assert response.json()["churn_probability"] == pytest.approx(0.8395, abs=1e-3)


@pytest.mark.parametrize(
    "body",
    [
        {"tenure_months": -1, "monthly_charges": 10, "contract": "one-year"},
        {"tenure_months": 1, "monthly_charges": 10, "contract": "weekly"},
        {"tenure_months": 1, "monthly_charges": 10, "contract": "one-year", "extra": 1},
    ],
)
def test_invalid_input_is_422(body):
    assert client.post("/predict", json=body).status_code == 422
