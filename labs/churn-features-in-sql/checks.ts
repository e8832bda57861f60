import fs from "node:fs";
import path from "node:path";
import { defineChecks } from "@/lib/labs/define";

// Each query is graded against the solution's query on the same fresh database (db/schema.sql and
// db/seed.sql), so the reference and the learner's answer always see the same rows.
const solution = (file: string) => fs.readFileSync(path.join(process.cwd(), "labs/churn-features-in-sql/solution", file), "utf8");
const seed = ["db/schema.sql", "db/seed.sql"];

export const checks = defineChecks([
  {
    id: "point-in-time-features",
    title: "Features use only what was known before the cutoff, for every customer",
    points: 40,
    hints: [
      "Every table you read needs an upper bound: `occurred_at < $1::date` and `month < $1::date`. A row at or after the cutoff did not exist when the model would have scored.",
      "A customer with no events or invoices still gets a row: start FROM customers and LEFT JOIN the aggregates, with `coalesce(…, 0)` for counts and sums (but not for days since the last event, which is unknown).",
      "Aggregate each table in its own subquery or CTE before joining them: joining invoices and events first multiplies every invoice by every event.",
      "Windows include their start: the 30 days before 2024-07-01 begin at 2024-06-01 00:00, and `>=` keeps an event at that instant.",
    ],
    kind: "sql.query",
    params: {
      file: "sql/features.sql",
      seed,
      reference: solution("sql/features.sql"),
      key: ["customer_id"],
      cases: [
        { name: "with the cutoff 2024-07-01", params: ["2024-07-01"] },
        { name: "with the cutoff 2024-05-01", params: ["2024-05-01"] },
      ],
    },
  },
  {
    id: "latest-prediction",
    title: "One latest churn prediction per customer, ties broken the same way every time",
    points: 30,
    hints: [
      "Filter on `model_name = 'churn-classifier'`: the table holds other models' scores too.",
      "`row_number() OVER (PARTITION BY customer_id ORDER BY scored_at DESC, prediction_id DESC)`: without the second key, two rows with the same `scored_at` come out in whatever order the database read them.",
      "Joining on `max(scored_at)` returns both rows of a tie; `row_number()` picks exactly one.",
    ],
    kind: "sql.query",
    params: {
      file: "sql/latest_predictions.sql",
      seed,
      reference: solution("sql/latest_predictions.sql"),
      key: ["customer_id"],
      cases: [
        { name: "on the lab's data" },
        {
          // An UPDATE writes a new version of the row at the end of the table: the same rows, read in another order.
          name: "with the same rows stored in another order",
          setup: "UPDATE predictions SET churn_probability = churn_probability WHERE prediction_id IN (200, 210);",
        },
      ],
    },
  },
  {
    id: "rolling-spend",
    title: "Rolling three-month spend per customer, in calendar months",
    points: 30,
    hints: [
      "`PARTITION BY customer_id`, or one customer's invoices add up into the next customer's.",
      "`ROWS BETWEEN 2 PRECEDING` counts invoices, not months: for a customer who skipped a month it reaches back four months. `RANGE BETWEEN interval '2 months' PRECEDING AND CURRENT ROW` counts the calendar.",
      "End with `ORDER BY customer_id, month`: the order of rows is part of this answer.",
    ],
    kind: "sql.query",
    params: {
      file: "sql/rolling_spend.sql",
      seed,
      reference: solution("sql/rolling_spend.sql"),
      key: ["customer_id", "month"],
      ordered: true,
    },
  },
]);
