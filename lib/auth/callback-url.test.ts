import { expect, test } from "vitest";
import { safeCallbackUrl } from "./callback-url";

const site = "http://localhost:3000";

test("a path on this site is kept, with its query and fragment", () => {
  expect(safeCallbackUrl("/learn/linux?tab=1#quiz", "/dashboard", site)).toBe("/learn/linux?tab=1#quiz");
  expect(safeCallbackUrl("/admin/users", "/dashboard", `${site}/base/`)).toBe("/admin/users");
});

test("anything that leaves the site, however it is spelt, gives the fallback", () => {
  const attacks = [
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example",
    "/%09/evil.example".replace("%09", "\t"),
    "//evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    " /evil",
    "https://evil.example/",
    "http://localhost:3001/",
    "javascript:alert(1)",
    "/\u0000/evil.example",
    "\t//evil.example",
    "/.//evil.example",
    "/..//evil.example",
  ];
  for (const value of attacks) {
    const result = safeCallbackUrl(value, "/dashboard", site);
    // Whatever comes back must resolve to this site's origin in a browser.
    expect(new URL(result, site).origin, JSON.stringify(value)).toBe(new URL(site).origin);
    expect(result.startsWith("//"), JSON.stringify(value)).toBe(false);
  }
  expect(safeCallbackUrl("/\t/evil.example/", "/dashboard", site)).toBe("/dashboard");
  expect(safeCallbackUrl(undefined, "/dashboard", site)).toBe("/dashboard");
  expect(safeCallbackUrl("", "/dashboard", site)).toBe("/dashboard");
});

test("encoded tricks stay encoded: they name a path here, not another host", () => {
  expect(safeCallbackUrl("/%09/evil.example", "/dashboard", site)).toBe("/%09/evil.example");
  expect(safeCallbackUrl("/%2F%2Fevil.example", "/dashboard", site)).toBe("/%2F%2Fevil.example");
  expect(new URL(safeCallbackUrl("/%5Cevil.example", "/dashboard", site), site).origin).toBe(site);
});
