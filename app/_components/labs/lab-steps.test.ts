// The steps of a lab on its page: in order, each with its state and points; the text of done and
// current steps rendered, a locked step only named with what to complete first.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { compileMdx } from "@/lib/content/compile";
import type { LabStepView } from "@/lib/workspace/lab-page";
import { LabSteps, stepPointsText } from "./lab-steps";

test("steps in order: done and current with their text, locked with only its title and what comes first", async () => {
  const text = async (source: string) => (await compileMdx(source, { file: "/tmp/academy-lab-steps-test/step.mdx" })).code;
  const steps: LabStepView[] = [
    { id: "create", title: "Create it", state: "done", points: 15, earned: 15, instructions: await text("Set **three** replicas."), after: null },
    { id: "scale", title: "Scale it", state: "current", points: 10, earned: 0, instructions: await text("Scale to `1`."), after: null },
    { id: "clean-up", title: "Clean up", state: "locked", points: 15, earned: 0, instructions: null, after: "Scale it" },
  ];
  const html = renderToStaticMarkup(createElement(LabSteps, { steps }));
  expect(html).toContain("(1 of 3 done)");
  expect(html).toMatch(/data-testid="step-create".*Done.*1\. Create it.*15 pts.*<strong>three<\/strong>/s);
  expect(html).toMatch(/data-testid="step-scale" aria-current="step".*Current step.*2\. Scale it.*0 of 10 pts.*<code>1<\/code>/s);
  expect(html).toMatch(/data-testid="step-clean-up".*Locked.*3\. Clean up.*15 pts.*Locked: complete “Scale it” first\./s);
  expect(html.indexOf("step-create")).toBeLessThan(html.indexOf("step-scale"));
  expect(renderToStaticMarkup(createElement(LabSteps, { steps: [] }))).toBe("");
});

test("a step's points: earned of total while it is current, its total otherwise", () => {
  expect(stepPointsText({ state: "current", points: 10, earned: 5 })).toBe("5 of 10 pts");
  expect(stepPointsText({ state: "done", points: 10, earned: 10 })).toBe("10 pts");
  expect(stepPointsText({ state: "locked", points: 10, earned: 0 })).toBe("10 pts");
});
