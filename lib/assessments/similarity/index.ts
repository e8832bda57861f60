// lib/assessments/similarity: a pure module (no database, no I/O) that finds candidates of one
// assessment lab whose final files are suspiciously alike, or alike the lab's published solution,
// with normalised-token winnowing fingerprints as MOSS does. docs/decisions/018-similarity.md.
export { compareSubmissions, SIMILARITY_DEFAULTS } from "./compare";
export type { CompareInput, FileTree, LineRange, Passage, SimilarPair, SimilarityOptions, SimilarityResult, SolutionMatch, Submission } from "./compare";
export { tokenizeFile } from "./tokenize";
export { languageOf } from "./tokens";
export type { Language, Token, TokenisedFile } from "./tokens";
export { WINNOWING } from "./winnow";
