// The code of the code block a button sits in, as the browser shows it (highlighting spans and
// transcript styling add no text). Shared by the Copy and "Run in terminal" buttons.
export function blockCode(button: Element): { block: Element | null; code: Element | null; text: string } {
  const block = button.closest(".code-block");
  const code = block?.querySelector("pre code") ?? block?.querySelector("pre") ?? null;
  return { block, code, text: (code?.textContent ?? "").replace(/\n$/, "") };
}
