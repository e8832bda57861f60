// Killercoda markdown → MDX that compiles and shows the same text. MDX reads `{…}` as a JavaScript
// expression, `<…>` as JSX and a line starting with `import`/`export` as a module statement, so
// those are escaped in prose (never inside code, which MDX leaves alone). Killercoda's action
// markers go: `{{exec}}` after a code block makes it a runnable block (the `runnable` meta word on
// the fence: ```bash runnable), `{{copy}}` is dropped (every code block can be copied).

export type MdxConversion = { mdx: string; notes: string[] };

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const MARKER = /\{\{\s*(exec|execute|copy)(?:\s+[^}]*)?\s*\}\}/g;
/** Fence languages Killercoda authors write that the site's highlighter does not know. */
const LANGUAGES: Record<string, string> = { plain: "text", "": "" };

export function toMdx(markdown: string): MdxConversion {
  const notes = new Set<string>();
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: { index: number; indent: string; marker: string; lang: string; meta: string } | null = null;
  let inComment = false;
  for (const line of lines) {
    if (fence) {
      const close = new RegExp(`^\\s*${fence.marker[0]}{${fence.marker.length},}\\s*(.*)$`).exec(line);
      if (close && (close[1] === "" || /^(\{\{[^}]*\}\}\s*)+$/.test(close[1]!))) {
        const markers = [...close[1]!.matchAll(MARKER)].map((m) => m[1]);
        const runnable = markers.some((m) => m === "exec" || m === "execute");
        // {{exec}} and {{copy}} mark commands: a block without a language is shell then, and text
        // otherwise (the site asks every block for a language).
        const command = runnable || markers.includes("copy");
        const plain = fence.lang === "" || fence.lang === "plain" || fence.lang === "text";
        const lang = plain ? (command ? "bash" : "text") : (LANGUAGES[fence.lang] ?? fence.lang);
        const meta = [lang, fence.meta, runnable ? "runnable" : ""].filter(Boolean).join(" ");
        out[fence.index] = `${fence.indent}${fence.marker}${meta}`;
        out.push(`${fence.indent}${fence.marker}`);
        fence = null;
      } else out.push(line);
      continue;
    }
    if (inComment) {
      if (line.includes("-->")) {
        inComment = false;
        const rest = line.slice(line.indexOf("-->") + 3);
        if (rest.trim()) out.push(escapeProse(rest, notes));
      }
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      const [lang = "", ...meta] = open[3]!.trim().replace(MARKER, "").trim().split(/\s+/);
      fence = { index: out.length, indent: open[1]!, marker: open[2]!, lang, meta: meta.join(" ") };
      out.push(line);
      continue;
    }
    let text = line;
    // HTML comments: MDX has none; drop them (a one-line one, or up to the line that closes it).
    text = text.replace(/<!--.*?-->/g, () => {
      notes.add("HTML comments were removed.");
      return "";
    });
    const start = text.indexOf("<!--");
    if (start !== -1) {
      notes.add("HTML comments were removed.");
      inComment = true;
      text = text.slice(0, start);
    }
    out.push(escapeProse(text, notes));
  }
  if (fence) notes.add(`A code block opened with ${fence.marker} is never closed; it runs to the end of the text.`);
  return { mdx: `${out.join("\n").trim()}\n`, notes: [...notes] };
}

/** One line of prose: code spans kept as they are (markers after them dropped), the rest escaped. */
function escapeProse(line: string, notes: Set<string>): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    if (line[i] === "`") {
      const ticks = /^`+/.exec(line.slice(i))![0];
      const end = line.indexOf(ticks, i + ticks.length);
      if (end !== -1) {
        out += line.slice(i, end + ticks.length);
        i = end + ticks.length;
        const marker = /^\{\{\s*(exec|execute|copy)(?:\s+[^}]*)?\s*\}\}/.exec(line.slice(i));
        if (marker) {
          if (marker[1] !== "copy") notes.add("Inline commands marked {{exec}} became plain code (only code blocks can be runnable): make a code block of any the learner should run with one click.");
          i += marker[0].length;
        }
        continue;
      }
    }
    const autolink = /^<(https?:\/\/[^\s>]+)>/.exec(line.slice(i));
    if (autolink) {
      out += `[${autolink[1]}](${autolink[1]})`;
      i += autolink[0].length;
      continue;
    }
    const c = line[i]!;
    if (c === "{" && line.startsWith("{{", i)) {
      const end = line.indexOf("}}", i);
      const name = end === -1 ? "" : line.slice(i + 2, end).trim();
      if (/^(exec|execute|copy)\b/.test(name)) {
        i = end + 2;
        continue;
      }
      if (name) notes.add(`Killercoda's {{${name}}} has no meaning here: it is shown as text. Replace it (a traffic port link: the lab's Service, reached through the lab page).`);
    }
    if (c === "{" || c === "}" || c === "<") {
      if (c === "<" && /^<\/?[A-Za-z]/.test(line.slice(i))) notes.add("HTML tags are shown as text (MDX would read them as components): rewrite them in markdown.");
      out += `\\${c}`;
    } else out += c;
    i++;
  }
  // A prose line starting with import/export would be read as a module statement.
  return out.replace(/^(\s*)(im|ex)port\b/, (_, space: string, first: string) => `${space}&#${first.charCodeAt(0)};${first.slice(1)}port`);
}
