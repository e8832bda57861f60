"""Churn prediction service: a logistic model over three features, served with FastAPI."""

import math
from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

MODEL_VERSION = "1.4.2"

# Coefficients of the trained model (exported from the training pipeline).
INTERCEPT = -1.2
COEF_TENURE = -0.045
COEF_CHARGES = 0.021
COEF_CONTRACT = {"month-to-month": 0.9, "one-year": -0.3, "two-year": -1.1}

app = FastAPI(title="churn-service", version=MODEL_VERSION)


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenure_months: int = Field(ge=0)
    monthly_charges: float = Field(ge=0)
    contract: Literal["month-to-month", "one-year", "two-year"]


class Prediction(BaseModel):
    churn_probability: float
    model_version: str


def churn_probability(customer: Customer) -> float:
    z = (
        INTERCEPT
        + COEF_TENURE * customer.tenure_months
        + COEF_CHARGES * customer.monthly_charges
        + COEF_CONTRACT[customer.contract]
    )
    return 1.0 / (1.0 + math.exp(-z))


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/predict")
def predict(customer: Customer) -> Prediction:
    return Prediction(churn_probability=churn_probability(customer), model_version=MODEL_VERSION)
