// The one shape of an expected failure, returned (never thrown) by the data-access layer and by
// server actions: `{ ok: false, code, error }`. `code` is for programs (HTTP status, which message
// box), `error` is for people and says what to do next. See docs/decisions/007-results-and-errors.md.
export type Failure<Code extends string = string> = { ok: false; code: Code; error: string };

export function failure<Code extends string>(code: Code, error: string): Failure<Code> {
  return { ok: false, code, error };
}

/** True for a returned failure (anything whose `ok` is false). */
export function isFailure(value: unknown): value is Failure {
  return !!value && typeof value === "object" && (value as { ok?: unknown }).ok === false;
}
