import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { dockerfileKinds, isIgnored, parseDockerignore } from "./dockerfile";
import { contextWith } from "./test-helpers";

const lab = path.join(process.cwd(), "labs/containerise-the-model");
const starter = fs.readFileSync(path.join(lab, "starter/Dockerfile"), "utf8");
const solution = fs.readFileSync(path.join(lab, "solution/Dockerfile"), "utf8");

async function run<K extends keyof typeof dockerfileKinds>(kind: K, params: unknown, files: Record<string, string>) {
  const spec = dockerfileKinds[kind];
  return spec.run(spec.params.parse(params) as never, contextWith(files));
}

test("every Dockerfile rule passes on the solution and fails on the starter", async () => {
  const cases: Array<[keyof typeof dockerfileKinds, unknown]> = [
    ["dockerfile.pinnedBase", {}],
    ["dockerfile.nonRootUser", {}],
    ["dockerfile.dependenciesFirst", {}],
    ["dockerfile.noSecrets", {}],
    ["dockerfile.instructions", { expose: 8080, healthcheck: true }],
    ["dockerfile.multiStage", {}],
  ];
  for (const [kind, params] of cases) {
    expect((await run(kind, params, { Dockerfile: solution })).status, `${kind} on the solution`).toBe("pass");
    expect((await run(kind, params, { Dockerfile: starter })).status, `${kind} on the starter`).toBe("fail");
  }
});

test("messages point at the line and the fix", async () => {
  expect((await run("dockerfile.pinnedBase", {}, { Dockerfile: starter })).message).toMatch(/line 1: "python:latest" uses the moving tag latest/);
  expect((await run("dockerfile.dependenciesFirst", {}, { Dockerfile: starter })).message).toMatch(/Line 6 copies the source \(\.\) before dependencies are installed \(line 7\)/);
  expect((await run("dockerfile.noSecrets", {}, { Dockerfile: starter })).message).toMatch(/line 3: ENV MODEL_API_KEY/);
  expect((await run("dockerfile.instructions", { expose: 8080 }, { Dockerfile: starter })).message).toMatch(/EXPOSE 8080 is missing.*shell form/);
});

test("stage names and build-arg defaults in FROM are understood", async () => {
  const text = "ARG PY=3.12.7\nFROM python:${PY}-slim AS build\nRUN pip install x\nFROM build\nUSER 1000\n";
  expect((await run("dockerfile.pinnedBase", {}, { Dockerfile: text })).status).toBe("pass");
  expect((await run("dockerfile.nonRootUser", {}, { Dockerfile: text })).status).toBe("pass");
  expect((await run("dockerfile.nonRootUser", {}, { Dockerfile: "FROM a:1\nUSER root\n" })).message).toContain("is root");
});

test("secret detection looks at names and values without flagging look-alikes", async () => {
  expect((await run("dockerfile.noSecrets", {}, { Dockerfile: "FROM a:1\nENV TOKENIZERS_PARALLELISM=false\n" })).status).toBe("pass");
  expect((await run("dockerfile.noSecrets", {}, { Dockerfile: "FROM a:1\nARG HF_TOKEN\n" })).status).toBe("fail");
  expect((await run("dockerfile.noSecrets", {}, { Dockerfile: "FROM a:1\nENV X=ghp_abcdefghijklmnopqrstuvwxyz0123\n" })).status).toBe("fail");
});

test("an empty Dockerfile or one without FROM fails with a message", async () => {
  expect((await run("dockerfile.pinnedBase", {}, { Dockerfile: "" })).message).toContain("is empty");
  expect((await run("dockerfile.pinnedBase", {}, { Dockerfile: "RUN echo hi\n" })).message).toContain("no FROM");
});

test(".dockerignore: directories, globs, negation and ignore-everything", async () => {
  const rules = parseDockerignore("data/\n**/__pycache__/\n*.log\n!keep.log\n");
  expect(isIgnored(rules, "data/train.csv")).toBe(true);
  expect(isIgnored(rules, "app/__pycache__/x.pyc")).toBe(true);
  expect(isIgnored(rules, "x.log")).toBe(true);
  expect(isIgnored(rules, "keep.log")).toBe(false);
  expect(isIgnored(rules, "app/main.py")).toBe(false);
  const params = { paths: ["data/a.csv", ".venv/bin/python"], keep: ["app/main.py"] };
  expect((await run("dockerignore.excludes", params, { ".dockerignore": "data\n.venv\n" })).status).toBe("pass");
  expect((await run("dockerignore.excludes", params, { ".dockerignore": "data\n" })).message).toContain(".venv/bin/python is sent");
  expect((await run("dockerignore.excludes", params, { ".dockerignore": "*\n" })).message).toContain("app/main.py is ignored");
});

test("nonRootUser: a USER name must be created in the final stage or a stage it builds on, or be numeric", async () => {
  const judge = async (text: string) => (await run("dockerfile.nonRootUser", {}, { Dockerfile: text })).status;
  expect(await judge("FROM python:3.12.7-slim\nUSER app\n")).toBe("fail");
  // Created in the build stage only: the final stage starts again from the base image.
  expect(await judge("FROM python:3.12.7-slim AS build\nRUN useradd app\nFROM python:3.12.7-slim\nUSER app\n")).toBe("fail");
  // A comment or an echo is not a user.
  expect(await judge("FROM python:3.12.7-slim\n# RUN useradd app\nRUN echo useradd app\nUSER app\n")).toBe("fail");
  expect(await judge("FROM python:3.12.7-slim\nRUN useradd --uid 10001 \\\n    --create-home app\nUSER app\n")).toBe("pass");
  expect(await judge("FROM python:3.12.7-slim\nRUN apt-get update && adduser --disabled-password --gecos '' app && true\nUSER app:app\n")).toBe("pass");
  expect(await judge("FROM python:3.12.7-slim AS base\nRUN useradd app\nFROM base\nUSER app\n")).toBe("pass");
  expect(await judge("FROM python:3.12.7-slim\nUSER 10001:10001\n")).toBe("pass");
  expect(await judge("FROM python:3.12.7-slim\nUSER nobody\n")).toBe("pass");
  const message = (await run("dockerfile.nonRootUser", {}, { Dockerfile: "FROM python:3.12.7-slim\nUSER app\n" })).message;
  expect(message).toContain('unable to find user app');
});

test("instructions: the start command's --port or --bind must be the exposed port", async () => {
  const judge = async (cmd: string) =>
    run("dockerfile.instructions", { expose: 8000 }, { Dockerfile: `FROM python:3.12.7-slim\nEXPOSE 8000\nCMD ${cmd}\n` });
  expect((await judge('["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]')).status).toBe("pass");
  expect((await judge('["uvicorn", "app.main:app", "--port=8000"]')).status).toBe("pass");
  expect((await judge('["gunicorn", "-b", "0.0.0.0:8000", "app.main:app"]')).status).toBe("pass");
  expect((await judge('["uvicorn", "app.main:app"]')).status).toBe("pass");
  const wrong = await judge('["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8080"]');
  expect(wrong.status).toBe("fail");
  expect(wrong.message).toContain("listen on port 8080, but it must listen on 8000");
  expect((await judge('["gunicorn", "--bind=0.0.0.0:5000", "app.main:app"]')).message).toContain("port 5000");
});

test("instructions: a HEALTHCHECK with curl or wget on a slim base that never installs it fails", async () => {
  const judge = async (base: string, extra: string, healthcheck: string) =>
    run("dockerfile.instructions", { expose: 8000, healthcheck: true }, {
      Dockerfile: `FROM ${base}\n${extra}EXPOSE 8000\nHEALTHCHECK --interval=30s \\\n  ${healthcheck}\nCMD ["uvicorn", "app.main:app"]\n`,
    });
  const curl = 'CMD ["curl", "-f", "http://127.0.0.1:8000/healthz"]';
  const missing = await judge("python:3.12.7-slim-bookworm", "", curl);
  expect(missing.status).toBe("fail");
  expect(missing.message).toContain("the HEALTHCHECK runs curl, which a slim base image does not have and no RUN installs");
  expect((await judge("python:3.12.7-slim-bookworm", "", "CMD wget -q -O- http://127.0.0.1:8000/healthz || exit 1")).message).toContain("runs wget");
  // Installed, or a base image that has it, or the image's own Python: fine.
  expect((await judge("python:3.12.7-slim-bookworm", "RUN apt-get update && apt-get install -y --no-install-recommends curl\n", curl)).status).toBe("pass");
  expect((await judge("python:3.12.7-bookworm", "", curl)).status).toBe("pass");
  expect((await judge("python:3.12.7-slim-bookworm", "", `CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]`)).status).toBe("pass");
});
