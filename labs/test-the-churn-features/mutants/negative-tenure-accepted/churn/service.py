"""The churn scoring service: POST /score scores one customer from their activity log.

`create_app(threshold, score)` builds the app; `score(active_days, tenure_bucket)` returns the
churn probability and defaults to the trained model's formula, so tests can pass a stand-in
that returns a known probability. The module-level `app` is what uvicorn serves.
"""
import math
from datetime import datetime
from typing import Callable, List, Optional

from fastapi import FastAPI
from pydantic import BaseModel, Field

from churn.features import active_days, tenure_bucket

Score = Callable[[int, str], float]

# The fitted model: a logistic regression on the two features (weights from the training job).
INTERCEPT = 0.8
PER_ACTIVE_DAY = -0.22
BUCKET_WEIGHTS = {"unknown": 0.3, "new": 0.9, "settling": 0.2, "established": -0.7}


def model_probability(days: int, bucket: str) -> float:
    logit = INTERCEPT + PER_ACTIVE_DAY * days + BUCKET_WEIGHTS[bucket]
    return 1.0 / (1.0 + math.exp(-logit))


class ScoreRequest(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)
    tenure_months: Optional[int] = Field(default=None, le=1200)
    as_of: datetime
    events: List[Optional[datetime]] = []

    class Config:
        # A misspelled field must be an error, not silently ignored.
        extra = "forbid"


def create_app(threshold: float = 0.5, score: Score = model_probability) -> FastAPI:
    """The app. A customer is flagged (`churn: true`) when the probability is at least `threshold`."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    app = FastAPI(title="churn-scoring")

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.post("/score")
    def score_customer(request: ScoreRequest) -> dict:
        days = active_days(request.events, request.as_of)
        bucket = tenure_bucket(request.tenure_months)
        probability = score(days, bucket)
        return {
            "customer_id": request.customer_id,
            "active_days": days,
            "tenure_bucket": bucket,
            "churn_probability": round(probability, 4),
            "churn": probability >= threshold,
            "threshold": threshold,
        }

    return app


app = create_app()
