"""Tests of the model server: the HTTP contract the labs and their checks rely on."""
import threading
import time

import pytest
from fastapi.testclient import TestClient

from server import VERSION
from server.main import create_app
from server.model import generate_customers, train
from server.settings import Settings, SettingsError, settings_from_env

MODEL, _ = train(rows=200, seed=7)
GOOD = {"tenure_months": 2, "monthly_charges": 99.5, "contract": "month-to-month"}
LOYAL = {"tenure_months": 70, "monthly_charges": 20.0, "contract": "two-year"}


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def client_with(load, **settings):
    return TestClient(create_app(Settings(**settings), load=load))


def test_healthz_answers_while_the_model_is_still_loading():
    gate = threading.Event()

    def slow_load(_path):
        gate.wait(5)
        return MODEL

    with client_with(slow_load) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["detail"] == "model is loading"
        assert client.post("/predict", json=GOOD).status_code == 503
        gate.set()
        assert wait_until(lambda: client.get("/ready").status_code == 200)
        assert client.get("/ready").json()["model_version"] == VERSION


def test_load_delay_setting_holds_readiness_back():
    with client_with(lambda _p: MODEL, model_load_delay_seconds=0.5) as client:
        assert client.get("/ready").status_code == 503
        assert wait_until(lambda: client.get("/ready").status_code == 200)


def test_predict_scores_a_customer_with_the_configured_threshold():
    with client_with(lambda _p: MODEL, model_name="churn-test", prediction_threshold=0.5) as client:
        assert wait_until(lambda: client.get("/ready").status_code == 200)
        risky = client.post("/predict", json=GOOD)
        assert risky.status_code == 200
        body = risky.json()
        assert body["model_name"] == "churn-test"
        assert body["model_version"] == VERSION
        assert 0.0 <= body["churn_probability"] <= 1.0
        assert body["churn"] is (body["churn_probability"] >= 0.5)
        loyal = client.post("/predict", json=LOYAL).json()
        # The generated data makes short, expensive monthly contracts churn far more often.
        assert body["churn_probability"] > loyal["churn_probability"] + 0.3


def test_threshold_decides_the_label():
    with client_with(lambda _p: MODEL, prediction_threshold=1.0) as client:
        assert wait_until(lambda: client.get("/ready").status_code == 200)
        assert client.post("/predict", json=GOOD).json()["churn"] is False
    with client_with(lambda _p: MODEL, prediction_threshold=0.0) as client:
        assert wait_until(lambda: client.get("/ready").status_code == 200)
        assert client.post("/predict", json=LOYAL).json()["churn"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"tenure_months": -1, "monthly_charges": 10, "contract": "one-year"},
        {"tenure_months": 3, "monthly_charges": "a lot", "contract": "one-year"},
        {"tenure_months": 3, "monthly_charges": 10, "contract": "weekly"},
        {**GOOD, "unexpected": 1},
    ],
)
def test_bad_input_is_422(payload):
    with client_with(lambda _p: MODEL) as client:
        assert wait_until(lambda: client.get("/ready").status_code == 200)
        assert client.post("/predict", json=payload).status_code == 422


def test_a_model_that_cannot_load_fails_liveness_and_readiness():
    def broken(_path):
        raise FileNotFoundError("/app/model/model.joblib")

    with client_with(broken) as client:
        assert wait_until(lambda: client.get("/healthz").status_code == 503)
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert "FileNotFoundError" in ready.json()["detail"]


def test_settings_come_from_the_environment():
    s = settings_from_env({"MODEL_NAME": "churn", "PREDICTION_THRESHOLD": "0.7", "LOG_LEVEL": "DEBUG"})
    assert (s.model_name, s.prediction_threshold, s.log_level) == ("churn", 0.7, "debug")
    assert settings_from_env({}) == Settings()


@pytest.mark.parametrize(
    "env, word",
    [
        ({"PREDICTION_THRESHOLD": "high"}, "PREDICTION_THRESHOLD"),
        ({"PREDICTION_THRESHOLD": "50"}, "PREDICTION_THRESHOLD"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"MODEL_LOAD_DELAY_SECONDS": "-1"}, "MODEL_LOAD_DELAY_SECONDS"),
    ],
)
def test_bad_settings_name_the_variable(env, word):
    with pytest.raises(SettingsError, match=word):
        settings_from_env(env)


def test_training_data_is_deterministic():
    x1, y1 = generate_customers(100, seed=3)
    x2, y2 = generate_customers(100, seed=3)
    assert (x1 == x2).all() and (y1 == y2).all()
    assert 0.1 < y1.mean() < 0.9
