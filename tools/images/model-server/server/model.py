"""The churn model: its features, its training data and how it is trained.

Shared by the training step of the image build (server.train) and the server, so the features
the server computes are exactly the ones the model was fitted on.
"""
from typing import Iterable, List, Sequence, Tuple

import numpy as np

CONTRACTS = ("month-to-month", "one-year", "two-year")
FEATURES = ("tenure_months", "monthly_charges", "month_to_month", "one_year")


def features(tenure_months: float, monthly_charges: float, contract: str) -> List[float]:
    return [
        float(tenure_months),
        float(monthly_charges),
        1.0 if contract == "month-to-month" else 0.0,
        1.0 if contract == "one-year" else 0.0,
    ]


def generate_customers(rows: int = 600, seed: int = 42) -> Tuple[np.ndarray, np.ndarray]:
    """A synthetic but plausible churn table: short tenure, high charges and monthly contracts churn."""
    rng = np.random.RandomState(seed)
    tenure = rng.randint(0, 73, size=rows)
    charges = np.round(rng.uniform(18.0, 120.0, size=rows), 2)
    contract_idx = rng.choice(len(CONTRACTS), size=rows, p=[0.55, 0.25, 0.20])
    x = np.array([features(t, c, CONTRACTS[i]) for t, c, i in zip(tenure, charges, contract_idx)])
    logit = -0.8 - 0.06 * tenure + 0.025 * charges + 1.6 * (contract_idx == 0) - 0.4 * (contract_idx == 2)
    probability = 1.0 / (1.0 + np.exp(-logit))
    y = (rng.uniform(size=rows) < probability).astype(int)
    return x, y


def train(rows: int = 600, seed: int = 42):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = generate_customers(rows, seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(random_state=seed, max_iter=1000))
    model.fit(x, y)
    return model, float(model.score(x, y))


def churn_probabilities(model, rows: Iterable[Sequence[float]]) -> List[float]:
    return [float(p[1]) for p in model.predict_proba(np.array(list(rows), dtype=float))]
