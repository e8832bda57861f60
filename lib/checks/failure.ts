// How a check gives up: kit helpers that cannot go on (a missing object, an empty or broken file)
// throw CheckFailed with a learner-readable message, and `withKit` (applied by defineKind and
// defineChecks) turns it into the check's fail outcome. So a check body reads top to bottom
// without `if (isOutcome(x)) return x` after every step. Nothing outside lib/checks catches it.
import { BrandedError } from "@/lib/branded-error";
import { fail, type CheckOutcome } from "./types";

/** A check that cannot go on; its message (and details) are the learner's fail outcome. */
export class CheckFailed extends BrandedError {
  static override readonly brand = "CheckFailed";
  override name = "CheckFailed";
  constructor(
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

/** Ends the check with a fail outcome. */
export function failWith(message: string, details?: string[]): never {
  throw new CheckFailed(message, details);
}

/** Runs a check body; a CheckFailed thrown inside becomes its fail outcome. Anything else stays a check error. */
export function withKit<A extends unknown[]>(run: (...args: A) => Promise<CheckOutcome>): (...args: A) => Promise<CheckOutcome> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      if (error instanceof CheckFailed) return fail(error.message, error.details);
      throw error;
    }
  };
}
