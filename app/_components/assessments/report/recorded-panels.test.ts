// The report's panels with what the candidate's browser recorded: the time column says whether it
// is recorded or estimated, and the integrity panel lists pastes and times away with their times.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import type { LabReportDTO } from "@/lib/assessments/report";
import { ApplyHistory } from "./apply-history";
import { IntegrityPanel } from "./integrity-panel";
import { LabResults } from "./lab-results";

function lab(overrides: Partial<LabReportDTO>): LabReportDTO {
  return {
    labId: "containerise-the-model",
    title: "Containerise the model server",
    weight: 1,
    available: true,
    sandbox: false,
    score: null,
    checks: [],
    attempts: [],
    estimatedMs: 40 * 60_000,
    recordedMs: null,
    files: [],
    revisions: [],
    applies: [],
    integrity: { verified: true, attempts: 0, reason: null },
    ...overrides,
  };
}

test("time per lab: the recorded time when the browser recorded it, else the estimate, labelled as such", () => {
  const estimated = renderToStaticMarkup(createElement(LabResults, { labs: [lab({})] }));
  expect(estimated).toContain("Time (estimate)");
  expect(estimated).toContain("<td>40 min</td>");
  expect(estimated).toContain("nothing was recorded by the candidate");
  const recorded = renderToStaticMarkup(createElement(LabResults, { labs: [lab({ recordedMs: 12 * 60_000 })] }));
  expect(recorded).toContain("Time (recorded)");
  expect(recorded).toContain("<td>12 min</td>");
  expect(recorded).not.toContain("<td>40 min</td>");
});

test("the integrity panel lists each large paste (time, size, file, lab) and each time away, beside the chain", () => {
  const html = renderToStaticMarkup(
    createElement(IntegrityPanel, {
      labs: [lab({})],
      recorded: {
        pastes: [{ at: new Date("2026-12-03T10:04:05Z"), chars: 1234, path: "Dockerfile", labId: "containerise-the-model", labTitle: "Containerise the model server" }],
        away: [
          { at: new Date("2026-12-03T10:10:00Z"), labId: "containerise-the-model", labTitle: "Containerise the model server", awayMs: 3 * 60_000 },
          { at: new Date("2026-12-03T10:30:00Z"), labId: null, labTitle: null, awayMs: null },
        ],
      },
    }),
  );
  expect(html).toContain("Verified");
  expect(html).toMatch(/2026-12-03 10:04:05 UTC<\/td><td>1,234<\/td><td><code>Dockerfile<\/code><\/td><td>Containerise the model server/);
  expect(html).toContain("(2 times)");
  expect(html).toContain("2026-12-03 10:10:00 UTC, on Containerise the model server: away for 3 min");
  expect(html).toContain("2026-12-03 10:30:00 UTC, on the assessment&#x27;s overview: did not come back before the end");

  const quiet = renderToStaticMarkup(createElement(IntegrityPanel, { labs: [lab({})], recorded: { pastes: [], away: [] } }));
  expect(quiet).toContain("No paste of 200 characters or more was recorded.");
  expect(quiet).toContain("(0 times)");
});

test("applies: listed per sandbox lab with what the cluster made of each, a lab never applied says so, no section without sandbox labs", () => {
  const start = new Date("2026-12-01T10:00:00Z");
  const applied = lab({
    labId: "deploy-the-model",
    title: "Deploy the model",
    sandbox: true,
    applies: [
      { at: new Date("2026-12-01T10:03:00Z"), applied: 1, rejected: 1, failedFiles: [{ path: "k8s/service.yaml", error: "Line 2: not valid YAML" }], firstRefusal: "Deployment model-server: runAsNonRoot is required", error: null },
      { at: new Date("2026-12-01T10:09:30Z"), applied: 0, rejected: 0, failedFiles: [], firstRefusal: null, error: "The cluster could not be reached." },
    ],
  });
  const never = lab({ labId: "batch-scoring-job", title: "Batch scoring", sandbox: true });
  const html = renderToStaticMarkup(createElement(ApplyHistory, { labs: [applied, never, lab({})], startedAt: start }));
  expect(html).toContain("Deploy the model: applies");
  expect(html).toContain("1 object accepted; 1 refused; k8s/service.yaml not applied (Line 2: not valid YAML)");
  expect(html).toContain("Deployment model-server: runAsNonRoot is required");
  expect(html).toContain("<td>3.0</td>");
  expect(html).toContain("Failed: The cluster could not be reached.");
  expect(html).toContain("The candidate never applied this lab&#x27;s files to their sandbox.");
  expect(html).not.toContain("Containerise the model server: applies");
  expect(renderToStaticMarkup(createElement(ApplyHistory, { labs: [lab({})], startedAt: start }))).toBe("");

  const results = renderToStaticMarkup(createElement(LabResults, { labs: [applied, lab({})] }));
  expect(results).toContain("<th scope=\"col\">Applies</th>");
  expect(results).toMatch(/Deploy the model<\/th>.*?<td>2<\/td>/);
  expect(results).toContain("no sandbox");
});
