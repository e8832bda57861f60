import { expect, test } from "vitest";
import { type CacheInputs, cacheKey, canonicalJson } from "./cache-key";

const inputs: CacheInputs = {
  image: "python",
  recipe: { packages: ["python3", "python3-sklearn"], config: { env: { LANG: "C.UTF-8" } } },
  baseKey: "0123456789abcdef0123",
  files: [
    { path: "tools/images/steps/debian-rootfs.sh", sha256: "a".repeat(64) },
    { path: "tools/images/build.ts", sha256: "b".repeat(64) },
  ],
  tools: {},
};

test("canonical JSON sorts keys at every level and drops undefined fields", () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
});

test("a key is stable: the same inputs in another order give the same key", () => {
  const shuffled: CacheInputs = {
    tools: {},
    files: [...inputs.files].reverse(),
    baseKey: inputs.baseKey,
    recipe: { config: { env: { LANG: "C.UTF-8" } }, packages: ["python3", "python3-sklearn"] },
    image: "python",
  };
  expect(cacheKey(shuffled)).toBe(cacheKey(inputs));
  expect(cacheKey(inputs)).toMatch(/^[0-9a-f]{20}$/);
});

test("every input changes the key", () => {
  const key = cacheKey(inputs);
  const variants: CacheInputs[] = [
    { ...inputs, image: "workspace" },
    { ...inputs, recipe: { ...(inputs.recipe as object), packages: ["python3"] } },
    { ...inputs, baseKey: "ffffffffffffffffffff" },
    { ...inputs, baseKey: null },
    { ...inputs, files: [{ ...inputs.files[0]!, sha256: "c".repeat(64) }, inputs.files[1]!] },
    { ...inputs, files: [inputs.files[0]!] },
    { ...inputs, tools: { go: "go1.26.8" } },
  ];
  const keys = variants.map(cacheKey);
  for (const k of keys) expect(k).not.toBe(key);
  expect(new Set(keys).size).toBe(keys.length);
});

test("package order is part of the recipe, as apt installs them in that order", () => {
  const reordered = { ...inputs, recipe: { ...(inputs.recipe as object), packages: ["python3-sklearn", "python3"] } };
  expect(cacheKey(reordered)).not.toBe(cacheKey(inputs));
});
