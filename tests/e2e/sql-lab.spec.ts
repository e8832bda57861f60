import { checkUntil, replaceEditorText, solution } from "./support/editor";
import { expect, test } from "./support/fixtures";

// The SQL lab through the production server: sql.query runs the learner's queries on a fresh
// embedded PostgreSQL (PGlite) inside the grading worker, as bundled by next build. A query that
// leaks data after the cutoff fails with the row and column that differ; the reference queries
// complete the lab.

const LAB = "churn-features-in-sql";
const FILES = ["sql/features.sql", "sql/latest_predictions.sql", "sql/rolling_spend.sql"];

test("the SQL lab grades the learner's queries on a real PostgreSQL engine", async ({ page, signUp }) => {
  test.setTimeout(4 * 60_000);
  await signUp(page, { name: "Quentin Query", email: "quentin.query@example.com", password: "select the right rows 3" });
  await page.goto(`/labs/${LAB}`);
  for (const file of FILES) await replaceEditorText(page, LAB, file, solution(LAB, file));
  // features.sql without its cutoff: every event counts, including the ones after it.
  // (the lab's fixture events-after-the-cutoff).
  const reference = solution(LAB, "sql/features.sql");
  const leaky = reference.replace("  FROM events\n  WHERE occurred_at < $1::date\n", "  FROM events\n");
  expect(leaky).not.toBe(reference);
  await replaceEditorText(page, LAB, "sql/features.sql", leaky);
  await checkUntil(page, "2 of 3 checks pass", 120_000);
  const check = page.getByTestId("check-point-in-time-features");
  await expect(check).toContainText("Failed");
  await expect(check).toContainText(/customer_id = \d+/);

  await replaceEditorText(page, LAB, "sql/features.sql", solution(LAB, "sql/features.sql"));
  await checkUntil(page, "lab complete", 120_000);
});
