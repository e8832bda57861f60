import { expect, test } from "vitest";
import { statusWords } from "./use-build";

test("the build's progress in words: queue position, the step buildah is on, the end", () => {
  expect(statusWords({ type: "queued", position: 3, running: 2 }, "")).toBe("Queued: 2 builds ahead of yours.");
  expect(statusWords({ type: "queued", position: 2, running: 2 }, "")).toBe("Queued: 1 build ahead of yours.");
  expect(statusWords({ type: "queued", position: 1, running: 2 }, "")).toBe("Queued: your build is next (2 running).");
  expect(statusWords({ type: "progress", words: "Starting the builder…" }, "")).toBe("Starting the builder…");
  expect(statusWords({ type: "log", line: "[2/2] STEP 7/11: RUN python -m app.train" }, "")).toBe("Building: stage 2 of 2, step 7 of 11…");
  expect(statusWords({ type: "log", line: "STEP 2/4: WORKDIR /app" }, "")).toBe("Building: step 2 of 4…");
  // Ordinary output keeps the words as they were.
  expect(statusWords({ type: "log", line: "Requirement already satisfied: fastapi" }, "Building: step 2 of 4…")).toBeNull();
  expect(statusWords({ type: "done", image: "i", digest: "d", durationMs: 38_600, buildSeconds: 17 }, "")).toBe("Built and stored in 39 s.");
});
