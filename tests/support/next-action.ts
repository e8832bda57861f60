// For tests of server actions outside Next: `redirect()` ends an action by throwing, as in Next,
// so a test can see where it would have sent the browser. Used from vi.mock("next/navigation").
export class RedirectSignal extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}

export function formData(fields: Record<string, string | string[]>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
  return form;
}
