// Plain text from frontmatter or a grader (quiz prompts, objectives, hints) where `backticks`
// still read as code, as they do in lessons. Safe for server and client components.
export function InlineText({ text }: { text: string }) {
  return text
    .split(/(`[^`]+`)/)
    .map((part, index) =>
      part.length > 2 && part.startsWith("`") && part.endsWith("`") ? <code key={index}>{part.slice(1, -1)}</code> : part,
    );
}
