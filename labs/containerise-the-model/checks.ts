import { defineChecks } from "@/lib/labs/define";

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
    title: "The container runs as an unprivileged user",
    points: 15,
    hints: ["Create a user (`RUN useradd --uid 10001 app`) and switch to it with `USER app` in the final stage."],
    kind: "dockerfile.nonRootUser",
    params: {},
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
      "`USER app` needs an account named app in the final stage: `RUN useradd --create-home --uid 10001 app` before it.",
      "Train the model in the image (`RUN python -m app.train`), readable by that user.",
    ],
    kind: "image.runs",
    params: { port: 8080, path: "/ready" },
  },
]);
