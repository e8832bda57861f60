// What every end-to-end spec imports instead of @playwright/test (in the style of epic-stack's
// tests/playwright-utils.ts): the production server with a fresh data directory, an optional
// administrator, and signing up or in as a person does.
//
//   import { expect, test } from "./support/fixtures";
//   test.use({ admin: { email: "ada@example.com", password: "…" } }); // only specs that need one
//   test("…", async ({ page, server, signUp }) => { await page.goto("/labs"); … });
//
// The server is worker-scoped: it starts once per worker, before the worker's first test, and
// stops after its last. Playwright gives a spec file its own worker when its worker options
// (here `admin`) differ from the previous file's or after a failed test; otherwise files may
// share one, so a test signs up its own learners and never counts on an empty database.
// Fixture bodies name Playwright's `use` callback `provide`: the React hooks lint rule takes any
// call to `use(…)` for React's hook.
import fs from "node:fs";
import { test as base, expect, type Page } from "@playwright/test";
import { createAdmin, makeDataDir, startServer, uninstallFromCluster, type AcademyServer } from "../../../scripts/support/academy-server";
import { submitSignIn, submitSignUp, type Credentials, type NewAccount } from "./forms";

export { expect, submitSignIn, submitSignUp };
export type { AcademyServer, Credentials, NewAccount };

type WorkerFixtures = {
  /**
   * The administrator to create in the data directory before the server starts (PGlite is
   * single-process, so not afterwards). Set it per spec with `test.use({ admin })`; none by default.
   */
  admin: Credentials | undefined;
  /** The running server; `server.restart()` stops and starts it on the same data directory and port. */
  server: AcademyServer;
};

type TestFixtures = {
  /** Signs `page` up through the form and waits for the dashboard. For a refused sign-up, use `submitSignUp`. */
  signUp: (page: Page, account: NewAccount) => Promise<void>;
  /** Signs `page` in through the form and waits for the dashboard. For a refused sign-in, use `submitSignIn`. */
  signIn: (page: Page, account: Credentials) => Promise<void>;
  /** Prints the server's output after a failed test: what the server said, which the browser never sees. */
  serverOutputOnFailure: void;
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  admin: [undefined, { scope: "worker", option: true }],

  server: [
    async ({ admin }, provide) => {
      const dataDir = makeDataDir();
      if (admin) createAdmin(dataDir, admin.email, admin.password);
      const server = await startServer({ dataDir });
      try {
        await provide(server);
      } finally {
        await server.stop();
        uninstallFromCluster(dataDir);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    // Creating the admin and the first `next start` on a busy machine take longer than a test step.
    { scope: "worker", timeout: 120_000 },
  ],

  // Every page, request and browser context of a test goes to this worker's server: `page.goto("/labs")`.
  baseURL: async ({ server }, provide) => {
    await provide(server.url);
  },

  signUp: async ({}, provide) => {
    await provide(async (page, account) => {
      await submitSignUp(page, account);
      await expect(page).toHaveURL(/\/dashboard$/);
    });
  },

  signIn: async ({}, provide) => {
    await provide(async (page, account) => {
      await submitSignIn(page, account);
      await expect(page).toHaveURL(/\/dashboard$/);
    });
  },

  serverOutputOnFailure: [
    async ({ server }, provide, testInfo) => {
      await provide();
      if (testInfo.status !== testInfo.expectedStatus) console.log(`--- server output ---\n${server.logs().slice(-6000)}`);
    },
    { auto: true },
  ],
});
