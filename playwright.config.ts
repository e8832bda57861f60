import { defineConfig } from "@playwright/test";

// End-to-end tests drive Debian's Chromium (test tools cannot download browsers here) against the
// production build. The specs import `test` from tests/e2e/support/fixtures.ts, which starts that
// server with a fresh data directory once per worker and points each test's baseURL at it.
export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.ACADEMY_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "off",
    screenshot: "only-on-failure",
  },
});
