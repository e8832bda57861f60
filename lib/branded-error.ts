// Error classes that `instanceof` recognises across copies of a module. The Next.js production
// bundle can hold more than one copy of a module (one per bundle layer), so an error made by one
// copy is not an `instanceof` the class of another, and a `catch` meant to handle it lets it
// through (seen: a 409 from the quota admission plugin became a failed sandbox start). Each class
// names itself with a static `brand`; instances carry the brands of their class chain, and
// `instanceof` compares brands instead of prototypes. Why, and when to use it:
// docs/decisions/007-results-and-errors.md.
const BRANDS = Symbol.for("academy.error-brands");

type Branded = { [BRANDS]?: readonly string[] };

function brandsOf(ctor: unknown): string[] {
  const brands: string[] = [];
  for (let c = ctor as { brand?: string } | null; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, "brand") && typeof c.brand === "string") brands.push(c.brand);
  }
  return brands;
}

export class BrandedError extends Error {
  static readonly brand: string = "BrandedError";

  constructor(message?: string) {
    super(message);
    (this as Branded)[BRANDS] = brandsOf(new.target);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    const brands = typeof value === "object" && value !== null ? (value as Branded)[BRANDS] : undefined;
    return Array.isArray(brands) && brands.includes((this as unknown as { brand: string }).brand);
  }
}
