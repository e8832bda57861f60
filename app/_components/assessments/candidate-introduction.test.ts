import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { CandidateIntroduction, RECORDED_ITEMS, type IntroductionView } from "./candidate-introduction";

const view: IntroductionView = {
  organisationName: "Acme",
  title: "Platform engineer",
  introduction: "First paragraph.\n\n<script>alert('x')</script> **not bold**\nsame paragraph",
  labs: [
    { title: "Deploy the model", minutes: 45, weight: 3 },
    { title: "Containerise the model server", minutes: 40, weight: 1 },
  ],
  timeLimitMinutes: 90,
  showResults: false,
  showHints: true,
};

test("the introduction shows the time limit, the labs with their share of the score, the rules and what is recorded", () => {
  const html = renderToStaticMarkup(createElement(CandidateIntroduction, { view }));
  expect(html).toContain("Acme invites you to");
  expect(html).toContain("Time limit: 90 minutes</strong> for 2 labs (the labs&#x27; own estimates add up to 85 minutes)");
  expect(html).toMatch(/Deploy the model<\/td><td>45 min<\/td><td>75%/);
  expect(html).toMatch(/Containerise the model server<\/td><td>40 min<\/td><td>25%/);
  expect(html).toContain("You do not see the results of checks; the reviewer does.");
  expect(html).toContain("Hints are shown for failed checks.");
  for (const item of RECORDED_ITEMS) expect(html).toContain(item.slice(1));
});

test("what the reviewer typed is text: no markup gets through, blank lines make paragraphs", () => {
  const html = renderToStaticMarkup(createElement(CandidateIntroduction, { view }));
  expect(html).not.toContain("<script>");
  expect(html).toContain("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; **not bold**\nsame paragraph");
  expect(html.match(/<p class="pre-wrap">/g)).toHaveLength(2);
});
