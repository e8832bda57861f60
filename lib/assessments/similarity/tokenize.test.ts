import { expect, test } from "vitest";
import { tokenizeFile } from "./tokenize";
import { languageOf } from "./tokens";

/** The normalised token texts of a file, segment by segment. */
function texts(path: string, text: string): string[][] {
  return tokenizeFile(path, text).segments.map((s) => s.map((t) => t.text));
}

const flat = (path: string, text: string) => texts(path, text).flat().join(" ");

test("every file type the labs have gets its own tokeniser", () => {
  expect(languageOf("app/main.py")).toBe("python");
  expect(languageOf("Dockerfile")).toBe("dockerfile");
  expect(languageOf("k8s/deployment.yaml")).toBe("yaml");
  expect(languageOf(".github/workflows/ci.yml")).toBe("yaml");
  expect(languageOf("package.json")).toBe("json");
  expect(languageOf("score.sh")).toBe("shell");
  expect(languageOf("run", "#!/usr/bin/env bash\necho hi\n")).toBe("shell");
  expect(languageOf("requirements-dev.txt")).toBe("requirements");
  expect(languageOf(".dockerignore")).toBe("ignore-list");
  expect(languageOf("pyproject.toml")).toBe("generic");
});

test("Python: renamed identifiers, comments, docstrings and whitespace do not change the tokens", () => {
  const original = `
def active(events, as_of):
    """Count the days."""
    days = set()
    for event in events:  # every event
        if event is None:
            continue
        days.add(event.date())
    return len(days)
`;
  const disguised = `# counting
def count_days(log,   reference):
    seen = set()

    for e in log:
        if e is None:
            continue   # skip
        seen.add(e.date())
    return len(seen)
`;
  expect(flat("a.py", disguised)).toBe(flat("a.py", original));
  expect(flat("a.py", original)).toContain("for ID in ID :");
  // Keywords are kept: a while loop is not a for loop.
  expect(flat("a.py", original.replace("for event in events", "while events"))).not.toBe(flat("a.py", original));
});

test("Python: literals are normalised by class, not by value", () => {
  expect(flat("a.py", `x = f("a", 1)\n`)).toBe(flat("a.py", `y = g('other text', 2.5e-3)\n`));
  expect(flat("a.py", `x = f("a", 1)\n`)).toBe("ID = ID ( STR , NUM )");
  expect(flat("a.py", `x = f("a", 1)\n`)).not.toBe(flat("a.py", `x = f(1, "a")\n`));
});

test("Python: each function, class and method is a segment, so their order does not matter", () => {
  const a = `import os\n\n\ndef one():\n    return 1\n\n\n@decorator\ndef two(x):\n    return x + 1\n\n\nclass Three:\n    def m(self):\n        return 3\n`;
  const b = `import os\n\n\nclass Three:\n    def m(self):\n        return 3\n\n\n@decorator\ndef two(x):\n    return x + 1\n\n\ndef one():\n    return 1\n`;
  const sorted = (segments: string[][]) => segments.map((s) => s.join(" ")).sort();
  expect(sorted(texts("a.py", b))).toEqual(sorted(texts("a.py", a)));
  // The decorator stays with its function.
  expect(texts("a.py", a).map((s) => s.join(" "))).toContain("@ ID def ID ( ID ) : INDENT return ID + NUM");
});

test("Python: tokens keep their source lines, also across a bracketed line break and a triple-quoted string", () => {
  const file = tokenizeFile("a.py", `x = [\n    1,\n    2,\n]\ny = """one\ntwo"""\nz = 3\n`);
  const tokens = file.segments.flat();
  expect(tokens.filter((t) => t.text === "NUM").map((t) => t.line)).toEqual([2, 3, 7]);
  expect(tokens.find((t) => t.text === "STR")!.line).toBe(5);
});

test("YAML: key order, document order, quoting, flow style and comments do not matter", () => {
  const a = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n      targetPort: http\n`;
  const b = `# the service\nkind: "Service"\nspec:\n  ports: [{targetPort: "http", port: 80}]\napiVersion: 'v1'\nmetadata: {name: web}\n`;
  expect(flat("s.yaml", b)).toBe(flat("s.yaml", a));
  const two = `${a}---\nkind: ConfigMap\ndata:\n  A: "1"\n`;
  const swapped = `kind: ConfigMap\ndata:\n  A: "1"\n---\n${a}`;
  expect(texts("s.yaml", swapped).map((s) => s.join(" ")).sort()).toEqual(texts("s.yaml", two).map((s) => s.join(" ")).sort());
});

test("YAML: resource names and labels are identifiers; keys and other values are kept", () => {
  const a = `metadata:\n  name: model-server\n  labels:\n    app: model-server\nspec:\n  replicas: 2\n`;
  const renamed = `metadata:\n  name: scorer\n  labels:\n    tier: scorer\nspec:\n  replicas: 2\n`;
  expect(flat("d.yaml", renamed)).toBe(flat("d.yaml", a));
  expect(flat("d.yaml", a.replace("replicas: 2", "replicas: 3"))).not.toBe(flat("d.yaml", a));
  expect(flat("d.yaml", a.replace("replicas", "minReplicas"))).not.toBe(flat("d.yaml", a));
  expect(flat("d.yaml", `x: "0.5"\n`)).toBe(flat("d.yaml", `x: 0.5\n`));
});

test("YAML: a run: script is lexed as shell, on its own lines", () => {
  const file = tokenizeFile("ci.yml", `steps:\n  - run: |\n      pip install -r requirements.txt\n      pytest -q\n`);
  const tokens = file.segments.flat();
  expect(tokens.map((t) => t.text)).toEqual(expect.arrayContaining(["pip", "install", "-r", "requirements.txt", "pytest", "-q"]));
  expect(tokens.find((t) => t.text === "pytest")!.line).toBe(4);
});

test("YAML and JSON that do not parse still tokenise (generic), without throwing", () => {
  expect(() => tokenizeFile("bad.yaml", "a: [1, 2\nb: : :\n")).not.toThrow();
  expect(tokenizeFile("bad.yaml", "a: [1, 2\nb: : :\n").segments.flat().length).toBeGreaterThan(0);
  expect(flat("p.json", `{"b": 1, "a": [true, null]}`)).toBe(flat("p.json", `{ "a": [true, null], "b": 1 }`));
});

test("Dockerfile: instructions kept; exec and shell forms, continuations, comments, stage and user names normalised", () => {
  const a = `FROM python:3.11-slim AS build\nRUN pip install \\\n    --no-cache-dir -r requirements.txt\nFROM python:3.11-slim\nRUN useradd --uid 10001 app\nCOPY --from=build /opt/venv /opt/venv\nUSER app\nCMD ["uvicorn", "app.main:app", "--port", "8080"]\n`;
  const b = `# two stages\nfrom python:3.11-slim as builder\nRUN pip install --no-cache-dir -r requirements.txt\nFROM python:3.11-slim\n# an unprivileged user\nRUN useradd --uid 999 runner\nCOPY --from=builder /venv /venv\nUSER runner\nCMD uvicorn app.main:app --port 9000\n`;
  expect(flat("Dockerfile", b)).toBe(flat("Dockerfile", a));
  expect(flat("Dockerfile", a)).toContain("RUN pip install --no-cache-dir -r requirements.txt");
  // A different base image or a different command is a different Dockerfile.
  expect(flat("Dockerfile", a.replace("python:3.11-slim AS", "python:3.12 AS"))).not.toBe(flat("Dockerfile", a));
  expect(flat("Dockerfile", a.replace("pip install", "pip download"))).not.toBe(flat("Dockerfile", a));
  const lines = tokenizeFile("Dockerfile", a).segments.flat();
  expect(lines.find((t) => t.text === "--no-cache-dir")!.line).toBe(3);
});

test("shell: renamed variables and functions, quoting, ; versus newline, comments", () => {
  const a = `#!/bin/sh\nusage() {\n  echo "usage: score IN OUT" >&2\n}\nin_dir=$1\nif [ ! -d "$in_dir" ]; then usage; exit 2; fi\nfor f in "$in_dir"/*.csv; do\n  python -m scorer --input "$f"\ndone\n`;
  const b = `#!/bin/sh\n# help text\nshow_help() {\n  echo "how to call this" >&2\n}\nsrc=$1\nif [ ! -d $src ]\nthen\n  show_help\n  exit 2\nfi\nfor csv in $src/*.csv; do python -m scorer --input $csv; done\n`;
  expect(flat("s.sh", b)).toBe(flat("s.sh", a));
  expect(flat("s.sh", a)).toContain("python -m scorer --input ID");
  expect(flat("s.sh", a.replace("exit 2", "return 2"))).not.toBe(flat("s.sh", a));
});

test("requirements.txt and .dockerignore are sets of lines", () => {
  expect(flat("requirements.txt", "fastapi==0.92.0\nUvicorn==0.17.6  # server\n")).toBe(flat("requirements.txt", "uvicorn == 0.17.6\n\nFastAPI==0.92.0\n"));
  expect(flat("requirements.txt", "scikit_learn==1.2.1\n")).toBe(flat("requirements.txt", "scikit-learn==1.2.1\n"));
  expect(flat("requirements.txt", "fastapi==0.92.0\n")).not.toBe(flat("requirements.txt", "fastapi==0.95.0\n"));
  expect(flat(".dockerignore", "# junk\n.git/\n*.log\n")).toBe(flat(".dockerignore", "*.log\n.git/\n"));
});

test("Windows line endings and a BOM are formatting", () => {
  const unix = "def f(x):\n    return x\n";
  expect(flat("a.py", "\uFEFF" + unix.replace(/\n/g, "\r\n"))).toBe(flat("a.py", unix));
});

test("any text tokenises without throwing, with every line inside the file (random input)", () => {
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const alphabet = ["a", "b", "x1", " ", "  ", "\n", "\t", "'", '"', '"""', "\\", "\\\n", "#", "$", "${", "$(", "(", ")", "[", "]", "{", "}", ":", "- ", "---\n", "|", "&&", ";", "=", "0.5", "FROM ", "RUN ", "def ", "@", "\r\n"];
  const paths = ["a.py", "Dockerfile", "k.yaml", "p.json", "s.sh", "requirements.txt", ".dockerignore", "x.toml"];
  for (let round = 0; round < 300; round++) {
    const text = Array.from({ length: Math.floor(next() * 200) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join("");
    const lineCount = text.replace(/\r\n?/g, "\n").split("\n").length;
    for (const path of paths) {
      const tokens = tokenizeFile(path, text).segments.flat();
      for (const token of tokens) {
        expect(token.line, `${path} round ${round}`).toBeGreaterThanOrEqual(1);
        expect(token.line, `${path} round ${round}`).toBeLessThanOrEqual(lineCount);
      }
    }
  }
});
