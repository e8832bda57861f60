"""Trains the churn model and saves it; run once by the image build (python3 -m server.train OUT)."""
import json
import sys
from pathlib import Path

import joblib

from server import VERSION
from server.model import FEATURES, train


def main(argv: list) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("/app/model/model.joblib")
    model, accuracy = train()
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    card = {"version": VERSION, "features": list(FEATURES), "training_rows": 600, "seed": 42,
            "training_accuracy": round(accuracy, 4)}
    out.with_name("model-card.json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"train: saved {out} (training accuracy {accuracy:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
