"""Settings from the environment, named like the deploy lab's ConfigMap keys.

A bad value stops the server at start with a message naming the variable, so a wrong ConfigMap
shows up as a crashing pod whose last log line says what to fix.
"""
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    model_name: str = "churn-classifier"
    prediction_threshold: float = 0.5
    log_level: str = "info"
    model_path: Path = Path("/app/model/model.joblib")
    # Only for tests and demonstrations of readiness: wait this long before loading the model.
    model_load_delay_seconds: float = 0.0


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def settings_from_env(env: Mapping[str, str] = os.environ) -> Settings:
    threshold = _float(env, "PREDICTION_THRESHOLD", 0.5)
    if not 0.0 <= threshold <= 1.0:
        raise SettingsError(f"PREDICTION_THRESHOLD must be a probability between 0 and 1, got {threshold}")
    log_level = env.get("LOG_LEVEL", "info").strip().lower() or "info"
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    delay = _float(env, "MODEL_LOAD_DELAY_SECONDS", 0.0)
    if delay < 0:
        raise SettingsError(f"MODEL_LOAD_DELAY_SECONDS must not be negative, got {delay}")
    return Settings(
        model_name=env.get("MODEL_NAME", "").strip() or "churn-classifier",
        prediction_threshold=threshold,
        log_level=log_level,
        model_path=Path(env.get("MODEL_PATH", "/app/model/model.joblib")),
        model_load_delay_seconds=delay,
    )


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
