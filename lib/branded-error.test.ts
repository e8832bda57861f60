import { expect, test } from "vitest";
import { BrandedError } from "./branded-error";

class Outer extends BrandedError {
  static override readonly brand: string = "Outer";
}
class Inner extends Outer {
  static override readonly brand: string = "Inner";
}

test("instanceof follows brands, so a copy of a class made by another bundle copy still matches", () => {
  const error = new Inner("x");
  expect(error).toBeInstanceOf(Inner);
  expect(error).toBeInstanceOf(Outer);
  expect(error instanceof Error).toBe(true);
  expect(new Outer("y") instanceof Inner).toBe(false);
  // A second copy of the same classes, as a duplicated module would define them.
  class OuterCopy extends BrandedError {
    static override readonly brand: string = "Outer";
  }
  expect(error instanceof OuterCopy).toBe(true);
  expect(new Error("plain") instanceof Outer).toBe(false);
  expect((null as unknown) instanceof Outer).toBe(false);
});
