import { fail, learnerPattern, pass } from "@/lib/checks/kit";
import { parseDockerfile } from "@/lib/checks/kinds/dockerfile";
import { defineChecks } from "@/lib/labs/define";

const NUMERIC = learnerPattern("^[0-9]+$");

export const checks = defineChecks([
  {
    id: "base-image-pinned",
    title: "Base images are pinned to a version",
    points: 15,
    hints: ["Replace `python:latest` with a specific tag such as `python:3.11.2-slim-bookworm` in every FROM."],
    kind: "dockerfile.pinnedBase",
    params: {},
  },
  {
    id: "dependencies-before-source",
    title: "Dependencies are installed before the source is copied",
    points: 15,
    hints: [
      "Copy only `requirements.txt`, run `pip install`, then `COPY app/ ./app/`.",
      "Docker reuses a layer only if everything before it is unchanged: `COPY . .` before the install invalidates it on every code change.",
    ],
    kind: "dockerfile.dependenciesFirst",
    params: { manifests: ["requirements.txt"] },
  },
  {
    id: "multi-stage",
    title: "A build stage and a lean final stage",
    points: 15,
    hints: [
      "Name the first stage (`FROM … AS build`), create a virtualenv there and install into it.",
      "In the final stage, `COPY --from=build /opt/venv /opt/venv` and put `/opt/venv/bin` first on PATH.",
    ],
    kind: "dockerfile.multiStage",
    params: { minStages: 2 },
  },
  {
    id: "non-root",
    title: "The container runs as an unprivileged user, named by its UID",
    points: 15,
    hints: [
      "Create the user in the final stage (`RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --create-home app`) and switch to it by number: `USER 10001:10001`.",
      "Kubernetes' `runAsNonRoot` reads the image's USER before the container starts and cannot look a name up inside the image: with `USER app` the pod is refused (\"image has non-numeric user (app), cannot verify user is non-root\").",
    ],
    // The built-in dockerfile.nonRootUser accepts a name; the lesson (smaller, safer images) asks
    // for the numeric UID, so this lab checks for it.
    kind: "custom",
    async run(ctx) {
      const text = ctx.files["Dockerfile"] ?? "";
      if (text.trim() === "") return fail("`Dockerfile` is empty. Write it in the editor, save, and check again.");
      const final = parseDockerfile(text).stages.at(-1);
      if (!final) return fail("`Dockerfile` has no FROM instruction, so it does not build an image. Start with `FROM <image>:<tag>`.");
      const user = final.instructions.filter((i) => i.getKeyword() === "USER").at(-1);
      if (!user) return fail(`The final stage (line ${final.line}) never sets USER, so the container runs as root. Create a user and switch to it with \`USER 10001:10001\`.`);
      const line = user.getRange().start.line + 1;
      const value = (user.getArgumentsContent() ?? "").trim();
      const uid = value.split(":")[0]!.trim();
      if (uid === "root" || (NUMERIC.test(uid) && Number(uid) === 0)) return fail(`Line ${line}: \`USER ${value}\` is root. Switch to an unprivileged user: \`USER 10001:10001\`.`);
      if (!NUMERIC.test(uid)) {
        return fail(
          `Line ${line}: \`USER ${value}\` names the user instead of giving its UID. Kubernetes' runAsNonRoot cannot look "${uid}" up inside the image and refuses to start the container ` +
            `("image has non-numeric user (${uid}), cannot verify user is non-root"). Write the number: \`USER 10001:10001\`.`,
        );
      }
      return pass(`The container runs as UID ${uid}, which Kubernetes can verify is not root.`);
    },
  },
  {
    id: "no-secrets",
    title: "No secrets baked into the image",
    points: 15,
    hints: [
      "Delete the `ENV MODEL_API_KEY=…` line: anyone who pulls the image can read it with `docker history`.",
      "The platform injects `MODEL_API_KEY` at run time from a Kubernetes Secret.",
    ],
    kind: "dockerfile.noSecrets",
    params: {},
  },
  {
    id: "start-command",
    title: "EXPOSE, exec-form CMD and HEALTHCHECK",
    points: 10,
    hints: [
      "Write the command as a JSON list: `CMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\"]`.",
      "Add `EXPOSE 8080` and a `HEALTHCHECK CMD [\"python\", \"-c\", \"…urlopen('http://127.0.0.1:8080/healthz')\"]`.",
    ],
    kind: "dockerfile.instructions",
    params: { expose: 8080, execForm: true, healthcheck: true },
  },
  {
    id: "dockerignore",
    title: ".dockerignore keeps data and environments out",
    points: 15,
    hints: [
      "List `data/`, `.venv/`, `.git/` and `**/__pycache__/` in `.dockerignore`, one per line.",
      "Do not ignore everything with `*`: the build still needs `app/` and `requirements.txt`.",
    ],
    kind: "dockerignore.excludes",
    params: { paths: ["data/train.parquet", ".venv/bin/python", ".git/HEAD", "app/__pycache__/main.cpython-312.pyc"], keep: ["app/main.py", "requirements.txt"] },
  },
  {
    id: "image-builds",
    title: "The image builds, offline, from the platform's base image",
    points: 20,
    hints: [
      "Press Build image and read the log: the failing step is named with its Dockerfile line.",
      "Builds have no internet: start FROM python:3.11.2-slim-bookworm, and keep requirements.txt pinned to the versions the base image holds.",
      "The model is trained at build time: `RUN python -m app.train` after `COPY app/ ./app/`.",
    ],
    kind: "image.builds",
    params: {},
  },
  {
    id: "image-runs",
    title: "The image starts, ready to serve, as a non-root user",
    points: 15,
    hints: [
      "The check starts your image as the platform would and asks GET /ready on port 8080: the server must find its model.",
      "A USER given by name needs that account in the final stage (`RUN useradd …` before it), or the container cannot start; `USER 10001:10001` runs either way.",
      "Train the model in the image (`RUN python -m app.train`), readable by that user.",
    ],
    kind: "image.runs",
    params: { port: 8080, path: "/ready" },
  },
]);
