"""HTTP API of the model server.

GET /healthz answers as soon as the process serves (liveness); GET /ready answers 503 until the
model is loaded, which happens in a background thread so the port opens at once (readiness);
POST /predict scores one customer. Run: uvicorn server.main:app --host 0.0.0.0 --port 8080
"""
import logging
import threading
import time
from typing import Callable, Literal, Optional

import joblib
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server import VERSION
from server.model import churn_probabilities, features
from server.settings import Settings, configure_logging, settings_from_env

log = logging.getLogger("model-server")


class PredictionRequest(BaseModel):
    tenure_months: int = Field(ge=0, le=1200, description="Months the customer has been with us")
    monthly_charges: float = Field(ge=0, le=100000, description="Monthly bill")
    contract: Literal["month-to-month", "one-year", "two-year"]

    class Config:
        extra = "forbid"


class PredictionResponse(BaseModel):
    model_name: str
    model_version: str
    churn_probability: float
    churn: bool
    threshold: float


class ModelState:
    """The loaded model, or why it is not there yet. Written by the loader thread only."""

    def __init__(self) -> None:
        self.model = None
        self.error: Optional[str] = None
        self.ready = threading.Event()


def load_in_background(settings: Settings, state: ModelState, load: Callable) -> threading.Thread:
    def run() -> None:
        started = time.monotonic()
        if settings.model_load_delay_seconds:
            log.info("waiting %.1fs before loading the model (MODEL_LOAD_DELAY_SECONDS)", settings.model_load_delay_seconds)
            time.sleep(settings.model_load_delay_seconds)
        try:
            state.model = load(settings.model_path)
        except Exception as error:  # the reason goes to /ready, /healthz and the log
            state.error = f"{type(error).__name__}: {error}"
            log.error("could not load the model from %s: %s", settings.model_path, state.error)
            return
        state.ready.set()
        log.info("model %s %s loaded from %s in %.2fs", settings.model_name, VERSION, settings.model_path,
                 time.monotonic() - started)

    thread = threading.Thread(target=run, name="model-loader", daemon=True)
    thread.start()
    return thread


def create_app(settings: Settings, load: Callable = joblib.load) -> FastAPI:
    app = FastAPI(title="model-server", version=VERSION)
    state = ModelState()
    app.state.model_state = state

    @app.on_event("startup")
    def start_loading() -> None:
        app.state.loader = load_in_background(settings, state, load)

    @app.get("/healthz")
    def healthz():
        if state.error:
            # A model that failed to load will not come back by waiting: let liveness restart the pod.
            return JSONResponse(status_code=503, content={"status": "failed", "detail": state.error})
        return {"status": "ok"}

    @app.get("/ready")
    def ready():
        if not state.ready.is_set():
            detail = state.error or "model is loading"
            return JSONResponse(status_code=503, content={"status": "not ready", "detail": detail})
        return {"status": "ready", "model_name": settings.model_name, "model_version": VERSION}

    @app.post("/predict", response_model=PredictionResponse)
    def predict(request: PredictionRequest):
        if not state.ready.is_set():
            return JSONResponse(status_code=503, content={"detail": state.error or "model is loading"})
        row = features(request.tenure_months, request.monthly_charges, request.contract)
        probability = churn_probabilities(state.model, [row])[0]
        return PredictionResponse(
            model_name=settings.model_name,
            model_version=VERSION,
            churn_probability=round(probability, 6),
            churn=probability >= settings.prediction_threshold,
            threshold=settings.prediction_threshold,
        )

    return app


def _app_from_env() -> FastAPI:
    settings = settings_from_env()
    configure_logging(settings)
    log.info("starting %s %s (threshold %s)", settings.model_name, VERSION, settings.prediction_threshold)
    return create_app(settings)


def __getattr__(name: str):
    # `uvicorn server.main:app` builds the app from the environment on first access, so importing
    # this module in tests reads no environment.
    if name == "app":
        application = _app_from_env()
        globals()["app"] = application
        return application
    raise AttributeError(name)
