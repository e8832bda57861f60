"""Tests of the batch scorer's contract: shards, output and the exit codes the batch lab names."""
import csv

import joblib
import pytest

from server.batch_score import main
from server.model import train

MODEL, _ = train(rows=200, seed=7)


@pytest.fixture()
def workdir(tmp_path):
    joblib.dump(MODEL, tmp_path / "model.joblib")
    (tmp_path / "in").mkdir()
    with (tmp_path / "in" / "part-0.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "tenure_months", "monthly_charges", "contract"])
        for i in range(10):
            w.writerow([f"c{i}", i * 7, 20 + i * 9, ["month-to-month", "one-year", "two-year"][i % 3]])
    return tmp_path


def env(workdir, **extra):
    base = {"MODEL_PATH": str(workdir / "model.joblib"), "INPUT_URI": f"file://{workdir}/in",
            "OUTPUT_URI": str(workdir / "out"), "SHARD_COUNT": "4", "BATCH_SIZE": "2", "MODEL_VERSION": "1.4.2"}
    return {**base, **extra}


def test_each_shard_scores_its_own_rows_and_together_they_cover_the_table(workdir):
    seen = []
    for shard in range(4):
        assert main(env(workdir, JOB_COMPLETION_INDEX=str(shard))) == 0
        out = workdir / "out" / f"scores-{shard:05d}-of-00004.csv"
        rows = list(csv.DictReader(out.open()))
        assert all(0.0 <= float(r["churn_probability"]) <= 1.0 and r["model_version"] == "1.4.2" for r in rows)
        seen += [r["customer_id"] for r in rows]
    assert sorted(seen) == sorted(f"c{i}" for i in range(10))


def test_missing_storage_is_worth_a_retry(workdir):
    assert main(env(workdir, INPUT_URI=str(workdir / "nowhere"), JOB_COMPLETION_INDEX="0")) == 1
    assert main(env(workdir, INPUT_URI="s3://bucket/features/", JOB_COMPLETION_INDEX="0")) == 1


def test_a_schema_mismatch_is_exit_2(workdir):
    (workdir / "in" / "part-1.csv").write_text("customer_id,tenure\nx,3\n")
    assert main(env(workdir, JOB_COMPLETION_INDEX="0")) == 2


def test_an_unknown_contract_is_exit_2(workdir):
    (workdir / "in" / "part-1.csv").write_text("tenure_months,monthly_charges,contract\n3,10,weekly\n" * 4)
    assert main(env(workdir, JOB_COMPLETION_INDEX="1", BATCH_SIZE="100")) == 2


def test_a_shard_outside_the_count_is_exit_2(workdir):
    assert main(env(workdir, JOB_COMPLETION_INDEX="4")) == 2
