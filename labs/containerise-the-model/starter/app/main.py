"""A small model server: loads the model once, then answers predictions."""
import os
import pickle
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "/app/model/model.pkl"))
MODEL_NAME = "churn-classifier"
MODEL_VERSION = "1.4.2"
# The same settings as the platform's model server, so the deploy lab can run this image too.
THRESHOLD = float(os.environ.get("PREDICTION_THRESHOLD", "0.5"))
_model = None


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Loads the model once, before the server accepts requests."""
    global _model
    if MODEL_PATH.exists():
        _model = pickle.loads(MODEL_PATH.read_bytes())
    yield


app = FastAPI(title=MODEL_NAME)
# FastAPI 0.93 and later take this as FastAPI(lifespan=lifespan). The 0.92 pinned here (the
# version the lab's offline base image holds) would ignore that argument without a word, so the
# handler goes on the router, which is where Starlette looks for it.
app.router.lifespan_context = lifespan


class PredictionRequest(BaseModel):
    tenure_months: int = Field(ge=0)
    monthly_charges: float = Field(ge=0)
    contract: str


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.get("/ready")
def ready() -> dict:
    if _model is None:
        raise HTTPException(status_code=503, detail="model not loaded")
    return {"status": "ready", "model_name": MODEL_NAME, "model_version": MODEL_VERSION}


@app.post("/predict")
def predict(request: PredictionRequest) -> dict:
    if _model is None:
        raise HTTPException(status_code=503, detail="model not loaded")
    features = [[request.tenure_months, request.monthly_charges, request.contract == "month-to-month"]]
    probability = float(_model.predict_proba(features)[0][1])
    return {
        "model_name": MODEL_NAME,
        "model_version": MODEL_VERSION,
        "churn_probability": probability,
        "churn": probability >= THRESHOLD,
        "threshold": THRESHOLD,
    }
