import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { explainSqlError, gradeQuery, pgliteEngine, runQuery, sqlKinds, type SqlEngine } from "./sql";
import { contextWith } from "./test-helpers";

const lab = path.join(process.cwd(), "labs/churn-features-in-sql");
const read = (file: string) => fs.readFileSync(path.join(lab, file), "utf8");
const labFiles = {
  "db/schema.sql": read("starter/db/schema.sql"),
  "db/seed.sql": read("starter/db/seed.sql"),
  "sql/features.sql": read("solution/sql/features.sql"),
  "sql/latest_predictions.sql": read("solution/sql/latest_predictions.sql"),
  "sql/rolling_spend.sql": read("solution/sql/rolling_spend.sql"),
};
const kind = sqlKinds["sql.query"];
// The lab's queries as the kind's params (the lab's checks.ts says the same).
const seed = ["db/schema.sql", "db/seed.sql"];
const PARAMS = {
  features: kind.params.parse({
    file: "sql/features.sql", seed, reference: labFiles["sql/features.sql"], key: ["customer_id"],
    cases: [{ name: "with the cutoff 2024-07-01", params: ["2024-07-01"] }, { name: "with the cutoff 2024-05-01", params: ["2024-05-01"] }],
  }),
  latest: kind.params.parse({
    file: "sql/latest_predictions.sql", seed, reference: labFiles["sql/latest_predictions.sql"], key: ["customer_id"],
    cases: [
      { name: "on the lab's data" },
      { name: "with the same rows stored in another order", setup: "UPDATE predictions SET churn_probability = churn_probability WHERE prediction_id IN (200, 210);" },
    ],
  }),
  rolling: kind.params.parse({ file: "sql/rolling_spend.sql", seed, reference: labFiles["sql/rolling_spend.sql"], key: ["customer_id", "month"], ordered: true }),
};

/** The lab's files with one query changed: the solution with `find` replaced (which must occur). */
function wrong(file: keyof typeof labFiles, find: string, replace: string): Record<string, string> {
  if (!labFiles[file].includes(find)) throw new Error(`${file} has no ${JSON.stringify(find)}`);
  return { ...labFiles, [file]: labFiles[file].replace(find, replace) };
}

// The same engine interface over a throw-away database on the PostgreSQL test server, so the
// grading logic and the lab's reference results are shown to be those of a real server too.
async function postgresEngine(): Promise<SqlEngine> {
  const adminUrl = process.env.ACADEMY_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("ACADEMY_TEST_DATABASE_URL is not set: this test needs a PostgreSQL server (`npm test` starts one).");
  const name = `academy_sql_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe("SET TIME ZONE 'UTC'");
  return {
    async exec(text) {
      await sql.unsafe(text).simple();
    },
    async query(text, params) {
      // The extended protocol even without parameters, as PGlite uses it: one statement only.
      // (postgres.js sends a query without parameters as a simple query unless told otherwise.)
      const result = await sql.unsafe(text, [...params], { simple: false } as postgres.UnsafeQueryOptions).raw();
      return {
        columns: (result.columns ?? []).map((c) => ({ name: c.name, type: c.type })),
        rows: result.map((row) => row.map((v) => (v === null ? null : Buffer.from(v as Uint8Array).toString("utf8")))),
      };
    },
    async close() {
      await sql.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const ENGINES = { pglite: pgliteEngine, postgres: postgresEngine };

describe.each(Object.keys(ENGINES) as (keyof typeof ENGINES)[])("on %s", (engineName) => {
  async function grade(params: (typeof PARAMS)[keyof typeof PARAMS], files: Record<string, string>) {
    const engine = await ENGINES[engineName]();
    try {
      return await gradeQuery(engine, params, files);
    } finally {
      await engine.close();
    }
  }

  test("the lab's solution passes every check", { timeout: 60_000 }, async () => {
    for (const params of Object.values(PARAMS)) expect(await grade(params, labFiles)).toMatchObject({ status: "pass" });
  });

  test("wrong queries fail, naming the row and column that differ", { timeout: 90_000 }, async () => {
    expect((await grade(PARAMS.features, wrong("sql/features.sql", "LEFT JOIN activity", "JOIN activity"))).message).toBe(
      "With the cutoff 2024-07-01: Your result has no row for customer_id = 2; the lab expects 6 rows, you return 5.",
    );
    expect((await grade(PARAMS.features, wrong("sql/features.sql", "  WHERE occurred_at < $1::date\n", ""))).message).toBe(
      'With the cutoff 2024-07-01: For customer_id = 1, `events_30d` is "4"; expected "3".',
    );
    expect((await grade(PARAMS.features, wrong("sql/features.sql", "occurred_at >= $1", "occurred_at > $1"))).message).toBe(
      'With the cutoff 2024-07-01: For customer_id = 7, `events_30d` is "0"; expected "1".',
    );
    expect((await grade(PARAMS.features, wrong("sql/features.sql", "$1::date - a.last_event_at::date ", "coalesce($1::date - a.last_event_at::date, 0) "))).message).toBe(
      'With the cutoff 2024-07-01: For customer_id = 2, `days_since_last_event` is "0"; expected NULL.',
    );
    expect((await grade(PARAMS.latest, wrong("sql/latest_predictions.sql", ", prediction_id DESC", ""))).message).toMatch(/^(On the lab's data|With the same rows stored in another order): For customer_id = 1, `churn_probability` is "0.41"; expected "0.38"\.$/);
    expect((await grade(PARAMS.latest, { ...labFiles, "sql/latest_predictions.sql": read("fixtures/join-on-max-scored-at/sql/latest_predictions.sql") })).message).toBe(
      "On the lab's data: Your result has more than one row for customer_id = 1; the lab expects one row per customer_id.",
    );
    expect((await grade(PARAMS.rolling, wrong("sql/rolling_spend.sql", "RANGE BETWEEN interval '2 months' PRECEDING", "ROWS BETWEEN 2 PRECEDING"))).message).toBe(
      'For customer_id = 3, month = 2024-05-01, `spend_3m` is "45.00"; expected "30.00".',
    );
    expect((await grade(PARAMS.rolling, wrong("sql/rolling_spend.sql", "ORDER BY customer_id, month;", "ORDER BY month, customer_id;"))).message).toBe(
      "Your rows are right but in another order: row 2 is customer_id = 2, month = 2024-01-01; expected customer_id = 1, month = 2024-02-01. Check the ORDER BY.",
    );
  });

  describe("one read-only statement, limited", () => {
    let engine: SqlEngine;
    beforeAll(async () => {
      engine = await ENGINES[engineName]();
      await engine.exec("CREATE TABLE t (id integer PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, NULL); CREATE SEQUENCE s;");
    }, 30_000);
    afterAll(() => engine.close());

    const explain = async (sql: string, params: string[] = []) => {
      const run = await runQuery(engine, sql, params);
      if (run.ok) throw new Error("expected the query to be refused");
      return "tooLarge" in run ? { status: "fail", message: run.tooLarge } : explainSqlError("q.sql", sql, run.error);
    };

    test("a query runs with its parameters and nothing it did survives", async () => {
      const run = await runQuery(engine, "SELECT id, v, $1::date AS d FROM t ORDER BY id;", ["2024-07-01"]);
      expect(run).toEqual({
        ok: true,
        result: { columns: [{ name: "id", type: 23 }, { name: "v", type: 25 }, { name: "d", type: 1082 }], rows: [["1", "a", "2024-07-01"], ["2", null, "2024-07-01"]] },
      });
      // A case's setup is rolled back with it.
      await runQuery(engine, "SELECT 1", [], "DELETE FROM t");
      expect(await runQuery(engine, "SELECT count(*) AS n FROM t", [])).toMatchObject({ ok: true, result: { rows: [["2"]] } });
    });

    test("errors say where, with PostgreSQL's words", async () => {
      expect(await explain("SELECT id,\n       nope\nFROM t")).toEqual({
        status: "fail",
        message: 'PostgreSQL refused `q.sql`:2:8: column "nope" does not exist',
        details: ["       nope", "       ^"],
      });
      expect((await explain("SELECT id FROM t;\nDROP TABLE t;")).message).toMatch(/holds more than one SQL statement/);
      expect((await explain("-- clean up\nDELETE FROM t")).message).toBe(
        "`q.sql` must be one query (SELECT, WITH … SELECT or VALUES); it starts with `DELETE`. This check only reads: it never runs statements that change data.",
      );
      expect((await explain("WITH gone AS (DELETE FROM t RETURNING id) SELECT * FROM gone")).message).toMatch(/data-modifying statements in WITH/);
      expect((await explain("SELECT nextval('s')")).message).toMatch(/read-only transaction/);
      expect((await explain("SELECT g FROM generate_series(1, 5000) AS g")).message).toBe("returns more than 1000 rows");
      expect((await explain("SELECT repeat('x', 600000) UNION ALL SELECT repeat('y', 600000)")).message).toBe("returns more than 1000000 characters of data");
    });
  });
});

test("sql.query runs in the check's context and refuses bad params", { timeout: 30_000 }, async () => {
  const params = kind.params.parse({ file: "q.sql", seed: ["seed.sql"], reference: "SELECT 1 AS one" });
  expect(await kind.run(params, contextWith({ "seed.sql": "SELECT 1;", "q.sql": "SELECT 1 AS one" }))).toMatchObject({ status: "pass" });
  expect(await kind.run(params, contextWith({ "seed.sql": "SELECT 1;", "q.sql": "  \n" }))).toMatchObject({ status: "fail", message: expect.stringContaining("is empty") });
  expect(kind.params.safeParse({ file: "../q.sql", seed: ["seed.sql"], reference: "SELECT 1" }).success).toBe(false);
  expect(kind.params.safeParse({ file: "q.sql", seed: [], reference: "SELECT 1" }).success).toBe(false);
});
