// The shape every tokeniser produces, and which tokeniser a path gets. A token's text is its
// normalised form (identifiers → "ID", literals → their class, keywords as written): two files that
// differ only by renames, whitespace, comments or the order of independent items tokenise alike.
// Each token keeps the source line it came from so matches can be shown.

export type Token = {
  /** The normalised text: what the fingerprints hash. */
  text: string;
  /** 1-based line in the source file. */
  line: number;
};

export type Language = "python" | "dockerfile" | "yaml" | "json" | "shell" | "requirements" | "ignore-list" | "generic";

/**
 * A tokenised file. Segments are independent blocks (a Python function, a YAML document, a whole
 * Dockerfile): k-grams never cross a segment boundary, so reordering segments changes nothing.
 */
export type TokenisedFile = {
  path: string;
  language: Language;
  segments: Token[][];
};

/** The placeholder every renameable name (variable, function, stage, label, resource name) becomes. */
export const IDENTIFIER = "ID";
/** Literal classes. */
export const STRING = "STR";
export const NUMBER = "NUM";

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The tokeniser for a file, from its path (and, for extension-less scripts, its shebang). */
export function languageOf(path: string, text = ""): Language {
  const name = basename(path).toLowerCase();
  if (name.endsWith(".py")) return "python";
  if (name === "dockerfile" || name.endsWith(".dockerfile") || name.startsWith("dockerfile.") || name === "containerfile") return "dockerfile";
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return "yaml";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".sh") || name.endsWith(".bash") || /^#!.*\b(ba|z|da)?sh\b/.test(text)) return "shell";
  if (/^requirements.*\.txt$/.test(name) || name.endsWith(".requirements.txt") || name === "constraints.txt") return "requirements";
  if (name === ".dockerignore" || name === ".gitignore") return "ignore-list";
  return "generic";
}
