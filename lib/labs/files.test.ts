import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { labFileRevisions, labFiles, users } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { currentFiles, fileHistory, listLabFiles, resetToStarter, revisionContent, saveLabFile, saveLabFiles } from "./files";
import { getLab, starterFiles } from "./registry";
import { LEARNER_FILE_LIMITS } from "./schema";

const LAB = "deploy-the-model";
const BOMB = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
`;

describe.each(DATABASE_KINDS)("learner lab files on %s", (kind) => {
  let handle: DatabaseHandle;
  const newUser = async () => {
    const id = randomUUID();
    await handle.db.insert(users).values({ id, email: `${id}@example.com`, name: "Learner" });
    return { id };
  };
  const stored = async (user: { id: string }) => ({
    files: (await handle.db.select().from(labFiles)).filter((r) => r.userId === user.id).length,
    revisions: (await handle.db.select().from(labFileRevisions)).filter((r) => r.userId === user.id).length,
  });

  const textOf = async (user: { id: string }, path: string, revision: number) => {
    const result = await revisionContent(handle.db, user, LAB, path, revision);
    return result.ok ? result.revision.content : result.error;
  };

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("nothing saved: the starter files; saving keeps every revision", async () => {
    const user = await newUser();
    const before = await listLabFiles(handle.db, user, LAB);
    expect(Array.isArray(before) && before.map((f) => [f.path, f.revision])).toEqual([
      ["k8s/configmap.yaml", 0],
      ["k8s/deployment.yaml", 0],
      ["k8s/service.yaml", 0],
    ]);
    expect(await saveLabFile(handle.db, user, { labId: LAB, path: "k8s/service.yaml", content: "kind: Service\n" })).toMatchObject({ ok: true, files: [{ revision: 1, changed: true }] });
    expect(await saveLabFile(handle.db, user, { labId: LAB, path: "k8s/service.yaml", content: "kind: Service\n" })).toMatchObject({ ok: true, files: [{ revision: 1, changed: false }] });
    await saveLabFile(handle.db, user, { labId: LAB, path: "k8s/service.yaml", content: "kind: Service # v2\n" });
    const history = await fileHistory(handle.db, user, LAB, "k8s/service.yaml");
    const withText = history.ok
      ? await Promise.all(history.revisions.map(async (h) => [h.revision, h.source, await textOf(user, "k8s/service.yaml", h.revision)]))
      : null;
    expect(withText).toEqual([
      [2, "save", "kind: Service # v2\n"],
      [1, "save", "kind: Service\n"],
    ]);
    const lab = getLab(LAB)!;
    expect((await currentFiles(handle.db, user.id, lab))["k8s/service.yaml"]).toBe("kind: Service # v2\n");
    // Another learner sees only the starter.
    const other = await newUser();
    expect((await currentFiles(handle.db, other.id, lab))["k8s/service.yaml"]).toBe(starterFiles(lab)["k8s/service.yaml"]);
  });

  test.each([
    ["../etc/passwd", /contains `\.\.`/],
    ["/etc/passwd", /absolute/],
    ["k8s\\service.yaml", /backslashes/],
    ["k8s/other.yaml", /not a file of this lab/],
  ])("the path %s is refused and nothing is stored", async (path, message) => {
    const user = await newUser();
    const result = await saveLabFile(handle.db, user, { labId: LAB, path, content: "x: 1\n" });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(message) });
    expect(await stored(user)).toEqual({ files: 0, revisions: 0 });
  });

  test("read-only files cannot be saved", async () => {
    const user = await newUser();
    expect(await saveLabFile(handle.db, user, { labId: "containerise-the-model", path: "app/main.py", content: "print('pwned')\n" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("provided by the lab"),
    });
  });

  test("oversized files, binary garbage, invalid UTF-8 and YAML bombs are refused with a message", async () => {
    const user = await newUser();
    const save = (content: string | Uint8Array) => saveLabFile(handle.db, user, { labId: LAB, path: "k8s/configmap.yaml", content });
    expect(await save("a".repeat(LEARNER_FILE_LIMITS.maxFileBytes + 1))).toMatchObject({ ok: false, error: expect.stringMatching(/65 KiB; a lab file may be at most 64 KiB/) });
    expect(await save("a".repeat(6 * 1024 * 1024))).toMatchObject({
      ok: false,
      code: "too-large",
      error: '"k8s/configmap.yaml" is 6 MiB; a lab file may be at most 64 KiB, so it cannot be saved. Remove generated or pasted data.',
    });
    expect(await save("kind: A\n\u0000\u0001binary")).toMatchObject({ ok: false, error: expect.stringContaining("binary") });
    expect(await save(new Uint8Array([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))).toMatchObject({ ok: false, error: expect.stringContaining("not valid UTF-8") });
    expect(await save("bad: \ud800 surrogate")).toMatchObject({ ok: false, error: expect.stringContaining("not valid UTF-8") });
    expect(await save(BOMB)).toMatchObject({ ok: false, error: expect.stringContaining("expands YAML aliases") });
    expect(await save(new TextEncoder().encode("kind: ConfigMap\n"))).toMatchObject({ ok: true });
    expect(await stored(user)).toEqual({ files: 1, revisions: 1 });
  });

  test("a save of several files is all or nothing", async () => {
    const user = await newUser();
    const result = await saveLabFiles(handle.db, user, LAB, [
      { path: "k8s/configmap.yaml", content: "kind: ConfigMap\n" },
      { path: "k8s/../secret.yaml", content: "kind: Secret\n" },
    ]);
    expect(result).toMatchObject({ ok: false });
    expect(await stored(user)).toEqual({ files: 0, revisions: 0 });
  });

  test("the lab's total size is limited", async () => {
    const user = await newUser();
    const big = "# padding\n".repeat(Math.floor((LEARNER_FILE_LIMITS.maxFileBytes - 100) / 10));
    const files = ["k8s/configmap.yaml", "k8s/deployment.yaml", "k8s/service.yaml"].map((path) => ({ path, content: big }));
    expect(await saveLabFiles(handle.db, user, LAB, files)).toMatchObject({ ok: true });
    // Three files of ~64 KiB are fine (192 KiB ≤ 256 KiB); the limit is enforced against the total.
    const original = LEARNER_FILE_LIMITS.maxLabBytes;
    LEARNER_FILE_LIMITS.maxLabBytes = 150 * 1024;
    try {
      const again = await saveLabFile(handle.db, user, { labId: LAB, path: "k8s/service.yaml", content: big + "# more\n" });
      expect(again).toMatchObject({ ok: false, error: expect.stringContaining("Nothing was saved") });
    } finally {
      LEARNER_FILE_LIMITS.maxLabBytes = original;
    }
  });

  test("reset puts the starter back as a new revision and keeps history", async () => {
    const user = await newUser();
    await saveLabFile(handle.db, user, { labId: LAB, path: "k8s/service.yaml", content: "kind: Service\n" });
    const reset = await resetToStarter(handle.db, user, LAB);
    expect(reset).toMatchObject({ ok: true });
    const files = await listLabFiles(handle.db, user, LAB);
    const service = Array.isArray(files) ? files.find((f) => f.path === "k8s/service.yaml")! : null;
    expect(service).toMatchObject({ revision: 2, content: starterFiles(getLab(LAB)!)["k8s/service.yaml"] });
    const history = await fileHistory(handle.db, user, LAB, "k8s/service.yaml");
    expect(history.ok && history.revisions.map((h) => h.source)).toEqual(["reset", "save"]);
  });

  test("unknown labs are refused", async () => {
    const user = await newUser();
    expect(await saveLabFile(handle.db, user, { labId: "../../etc", path: "a", content: "" })).toMatchObject({ ok: false, error: "This lab does not exist." });
    expect(await listLabFiles(handle.db, user, "no-such-lab")).toMatchObject({ ok: false });
  });

  test("every refusal carries a code a caller can act on", async () => {
    const user = await newUser();
    const save = (labId: string, path: string, content: string) => saveLabFile(handle.db, user, { labId, path, content });
    expect(await save("no-such-lab", "a", "")).toMatchObject({ ok: false, code: "not-found" });
    expect(await save(LAB, "k8s/other.yaml", "kind: A\n")).toMatchObject({ ok: false, code: "not-found", path: "k8s/other.yaml" });
    expect(await save("containerise-the-model", "app/main.py", "x\n")).toMatchObject({ ok: false, code: "read-only" });
    expect(await save(LAB, "k8s/configmap.yaml", "a".repeat(LEARNER_FILE_LIMITS.maxFileBytes + 1))).toMatchObject({ ok: false, code: "too-large" });
    expect(await save(LAB, "k8s/configmap.yaml", BOMB)).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await save(LAB, "../etc/passwd", "x")).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await fileHistory(handle.db, user, LAB, "k8s/other.yaml")).toMatchObject({ ok: false, code: "not-found" });
    expect(await resetToStarter(handle.db, user, "containerise-the-model", "app/main.py")).toMatchObject({ ok: false, code: "not-found" });
    expect(await stored(user)).toEqual({ files: 0, revisions: 0 });
  });
});
