// Sizes in words for messages: the same figure whether the browser or the server refuses.

/**
 * 512 bytes, 64 KiB, 5.8 MiB. Rounded up, so a size over a limit never reads the same as the
 * limit (65 537 bytes is "65 KiB" against a limit of "64 KiB").
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${Math.ceil((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/** UTF-8 length of a text, in the browser and on the server. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
