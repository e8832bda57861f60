import { expect, test } from "vitest";
import { csvField, inviteLinksCsv } from "./invite-csv";

test("the links CSV has a header, quotes what needs quoting and defuses formulas", () => {
  const csv = inviteLinksCsv([
    { name: "Lovelace, Ada", email: "ada@example.com", link: "http://x/take/abc", expiresAt: "2026-12-08T10:00:00.000Z" },
    { name: '=HYPERLINK("http://evil")', email: "e@example.com", link: "http://x/take/def", expiresAt: "2026-12-08T10:00:00.000Z" },
  ]);
  expect(csv.split("\r\n")).toEqual([
    "name,email,link,expires",
    '"Lovelace, Ada",ada@example.com,http://x/take/abc,2026-12-08T10:00:00.000Z',
    `"'=HYPERLINK(""http://evil"")",e@example.com,http://x/take/def,2026-12-08T10:00:00.000Z`,
    "",
  ]);
  expect(csvField("-1")).toBe("'-1");
  expect(csvField("plain")).toBe("plain");
});
