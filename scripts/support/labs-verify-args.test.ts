import { expect, test } from "vitest";
import { parseVerifyArgs } from "./labs-verify-args";

const KNOWN = ["deploy-the-model", "design-the-prediction-api", "fix-the-broken-deployment"];

test("no lab named: every lab", () => {
  expect(parseVerifyArgs([], KNOWN)).toEqual({ ok: true, labIds: null });
});

test("--lab names one lab, or several; bare ids still work", () => {
  expect(parseVerifyArgs(["--lab", "design-the-prediction-api"], KNOWN)).toEqual({ ok: true, labIds: ["design-the-prediction-api"] });
  expect(parseVerifyArgs(["--lab=deploy-the-model"], KNOWN)).toEqual({ ok: true, labIds: ["deploy-the-model"] });
  expect(parseVerifyArgs(["--lab", "deploy-the-model", "--lab", "fix-the-broken-deployment", "deploy-the-model"], KNOWN)).toEqual({
    ok: true,
    labIds: ["deploy-the-model", "fix-the-broken-deployment"],
  });
  expect(parseVerifyArgs(["design-the-prediction-api"], KNOWN)).toEqual({ ok: true, labIds: ["design-the-prediction-api"] });
});

test("an unknown id is an error that lists the labs", () => {
  const result = parseVerifyArgs(["--lab", "deploy-model"], KNOWN);
  expect(result).toEqual({ ok: false, error: 'no lab "deploy-model". The labs are: deploy-the-model, design-the-prediction-api, fix-the-broken-deployment.' });
});

test("--lab without an id, and options the script does not have, are errors with the usage", () => {
  for (const argv of [["--lab"], ["--lab="], ["--labs", "deploy-the-model"], ["-l", "deploy-the-model"]]) {
    const result = parseVerifyArgs(argv, KNOWN);
    expect(result.ok, argv.join(" ")).toBe(false);
    expect(!result.ok && result.error).toContain("Usage: npm run labs:verify");
  }
});
