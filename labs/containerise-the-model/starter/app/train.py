"""Trains the churn model on generated data and writes it where the server loads it.

Run at image build time (`RUN python -m app.train`): the image then carries a real model and
starts ready, with no network and no data folder needed.
"""
import os
import pickle
import random
from pathlib import Path

from sklearn.linear_model import LogisticRegression

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "/app/model/model.pkl"))


def generate(rows: int = 2000, seed: int = 7) -> tuple[list[list[float]], list[int]]:
    """Customers on short month-to-month contracts with high charges churn more often."""
    rng = random.Random(seed)
    features, labels = [], []
    for _ in range(rows):
        tenure = rng.randint(0, 72)
        charges = rng.uniform(20, 120)
        monthly = rng.random() < 0.5
        risk = 0.6 * monthly + 0.01 * (charges - 70) - 0.03 * (tenure - 24)
        features.append([tenure, charges, float(monthly)])
        labels.append(int(risk + rng.gauss(0, 0.5) > 0.3))
    return features, labels


def main() -> None:
    features, labels = generate()
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    MODEL_PATH.write_bytes(pickle.dumps(model))
    print(f"trained on {len(labels)} rows, accuracy {model.score(features, labels):.2f}, saved to {MODEL_PATH}")


if __name__ == "__main__":
    main()
