import { expect, test } from "vitest";
import { debianMirror, imageSourcesList, parseDeb822Sources, parseSourcesList } from "./debian-sources";

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://example.invalid/apt
Suites: nodistro
Components: main
Enabled: no
`;

test("deb822 stanzas give one source per URI; deb-src and disabled stanzas are skipped", () => {
  expect(parseDeb822Sources(deb822)).toEqual([
    { uri: "http://deb.debian.org/debian", suites: ["bookworm", "bookworm-updates"], components: ["main"] },
    { uri: "http://deb.debian.org/debian-security", suites: ["bookworm-security"], components: ["main"] },
  ]);
});

test("one-line sources with options and comments", () => {
  const text = "# mirror\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.local/debian/ bookworm main contrib\ndeb-src http://x bookworm main\n";
  expect(parseSourcesList(text)).toEqual([{ uri: "http://mirror.local/debian/", suites: ["bookworm"], components: ["main", "contrib"] }]);
});

test("the mirror is the source that carries the suite itself", () => {
  const sources = parseDeb822Sources(deb822);
  expect(debianMirror(sources, "bookworm")).toBe("http://deb.debian.org/debian");
  // Another release's machine: its mirror carries bookworm too; security archives never qualify.
  expect(debianMirror(parseSourcesList("deb http://m.local/debian trixie main\ndeb http://m.local/debian-security trixie-security main"), "bookworm")).toBe("http://m.local/debian");
  expect(debianMirror(parseSourcesList("deb http://m.local/debian-security bookworm-security main"), "bookworm")).toBeNull();
  expect(debianMirror([], "bookworm")).toBeNull();
  expect(debianMirror(parseSourcesList("deb http://m.local/debian/ bookworm main"), "bookworm")).toBe("http://m.local/debian");
});

test("the image's sources.list keeps the suite, its updates and its security updates, main only", () => {
  const sources = parseDeb822Sources(deb822);
  expect(imageSourcesList(sources, "bookworm", "http://deb.debian.org/debian")).toBe(
    [
      "deb http://deb.debian.org/debian bookworm main",
      "deb http://deb.debian.org/debian bookworm-updates main",
      "deb http://deb.debian.org/debian-security bookworm-security main",
      "",
    ].join("\n"),
  );
  expect(imageSourcesList([], "bookworm", "http://m.local/debian/")).toBe("deb http://m.local/debian bookworm main\n");
});
