"""The batch scorer (python -m server.batch_score): scores one shard of a customer table and exits.

Settings come from the environment, named like the batch lab's ConfigMap keys: INPUT_URI and
OUTPUT_URI (file:// URLs or paths; a folder of CSV files with columns tenure_months,
monthly_charges, contract and optionally customer_id), SHARD_COUNT, BATCH_SIZE, and the shard
number in JOB_COMPLETION_INDEX (set by an Indexed Job). Exit codes, as the lab states:
0 the shard is written, 1 an error worth a retry (storage missing or unreachable),
2 the input does not match the schema (a retry will not help).
"""
import csv
import logging
import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping
from urllib.parse import urlparse

import joblib

from server import VERSION
from server.model import CONTRACTS, churn_probabilities, features

log = logging.getLogger("batch-score")
COLUMNS = ("tenure_months", "monthly_charges", "contract")
RETRY, SCHEMA = 1, 2


class ScoringError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def local_path(uri: str, name: str) -> Path:
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return Path(parsed.path if parsed.scheme else uri)
    raise ScoringError(RETRY, f"{name}={uri}: no {parsed.scheme}:// store is reachable from here; use a file:// URI or a path")


def int_setting(env: Mapping[str, str], name: str, default=None) -> int:
    raw = env.get(name, "" if default is None else str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ScoringError(SCHEMA, f"{name} must be a whole number, got {raw!r}") from None


def read_rows(path: Path) -> List[Dict[str, str]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScoringError(SCHEMA, f"{path.name}: missing column(s) {', '.join(missing)}")
        return list(reader)


def score_shard(env: Mapping[str, str], model) -> Path:
    shards = int_setting(env, "SHARD_COUNT", 1)
    shard = int_setting(env, "JOB_COMPLETION_INDEX", 0)
    batch = int_setting(env, "BATCH_SIZE", 5000)
    if shards < 1 or not 0 <= shard < shards or batch < 1:
        raise ScoringError(SCHEMA, f"shard {shard} of SHARD_COUNT={shards} (BATCH_SIZE={batch}) is not a valid shard")
    source = local_path(env.get("INPUT_URI", ""), "INPUT_URI")
    target = local_path(env.get("OUTPUT_URI", ""), "OUTPUT_URI")
    if not source.is_dir():
        raise ScoringError(RETRY, f"INPUT_URI: {source} is not a readable folder")
    files = sorted(source.glob("*.csv"))
    rows = [r for f in files for r in read_rows(f)]
    mine = rows[shard::shards]
    scored = []
    for start in range(0, len(mine), batch):
        chunk = mine[start:start + batch]
        try:
            x = [features(float(r["tenure_months"]), float(r["monthly_charges"]), r["contract"]) for r in chunk]
        except ValueError as error:
            raise ScoringError(SCHEMA, f"a row does not match the schema: {error}") from None
        bad = [r["contract"] for r in chunk if r["contract"] not in CONTRACTS]
        if bad:
            raise ScoringError(SCHEMA, f"unknown contract {bad[0]!r}; expected one of {', '.join(CONTRACTS)}")
        scored.extend(zip(chunk, churn_probabilities(model, x)))
    target.mkdir(parents=True, exist_ok=True)
    out = target / f"scores-{shard:05d}-of-{shards:05d}.csv"
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["customer_id", "churn_probability", "model_version"])
        for row, p in scored:
            writer.writerow([row.get("customer_id", ""), f"{p:.6f}", env.get("MODEL_VERSION", VERSION)])
    tmp.replace(out)
    log.info("shard %d/%d: scored %d rows from %d files into %s", shard, shards, len(scored), len(files), out)
    return out


def main(env: Mapping[str, str] = os.environ) -> int:
    logging.basicConfig(level=env.get("LOG_LEVEL", "info").upper(), format="%(levelname)s %(name)s %(message)s")
    try:
        model = joblib.load(env.get("MODEL_PATH", "/app/model/model.joblib"))
        score_shard(env, model)
    except ScoringError as error:
        log.error("%s", error)
        return error.code
    except OSError as error:
        log.error("storage error (worth a retry): %s", error)
        return RETRY
    return 0


if __name__ == "__main__":
    sys.exit(main())
