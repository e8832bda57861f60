// One entry point: a file's path and text → its normalised, segmented tokens.
import { tokenizeDockerfile } from "./tokenize-dockerfile";
import { tokenizeGeneric, tokenizeIgnoreList, tokenizeRequirements } from "./tokenize-lines";
import { tokenizePython } from "./tokenize-python";
import { tokenizeShell } from "./tokenize-shell";
import { tokenizeYaml } from "./tokenize-yaml";
import { languageOf, type Language, type Token, type TokenisedFile } from "./tokens";

const TOKENIZERS: Record<Language, (text: string) => Token[][]> = {
  python: tokenizePython,
  dockerfile: tokenizeDockerfile,
  yaml: tokenizeYaml,
  json: tokenizeYaml,
  shell: tokenizeShell,
  requirements: tokenizeRequirements,
  "ignore-list": tokenizeIgnoreList,
  generic: tokenizeGeneric,
};

export function tokenizeFile(path: string, text: string): TokenisedFile {
  // Windows line endings and a BOM are formatting, not content.
  const clean = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const language = languageOf(path, clean);
  return { path, language, segments: TOKENIZERS[language](clean) };
}
