// The scrollback a terminal session keeps for a browser that reconnects: the last `capacity`
// bytes of output, addressed by absolute offset (bytes since the session began), so a browser
// that has output up to offset N gets exactly the bytes after N, or, when more than `capacity`
// bytes went by, everything still kept and word that some was lost.

export class RingBuffer {
  private readonly data: Buffer;
  /** Absolute offset of the next byte to be written (= bytes written so far). */
  private end = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new Error("a ring buffer needs a positive capacity");
    this.data = Buffer.alloc(capacity);
  }

  /** Total bytes written since the start. */
  get total(): number {
    return this.end;
  }

  /** Absolute offset of the oldest byte still kept. */
  get start(): number {
    return Math.max(0, this.end - this.capacity);
  }

  write(chunk: Uint8Array): void {
    let bytes = chunk;
    // Only the last `capacity` bytes of a large chunk can be kept.
    if (bytes.length > this.capacity) {
      this.end += bytes.length - this.capacity;
      bytes = bytes.subarray(bytes.length - this.capacity);
    }
    const at = this.end % this.capacity;
    const first = Math.min(bytes.length, this.capacity - at);
    this.data.set(bytes.subarray(0, first), at);
    if (first < bytes.length) this.data.set(bytes.subarray(first), 0);
    this.end += bytes.length;
  }

  /**
   * The bytes from absolute `offset` to the end. An offset older than the oldest kept byte gets
   * everything kept, with `gap: true`; an offset beyond the end (a confused client) gets nothing.
   */
  since(offset: number): { from: number; bytes: Buffer; gap: boolean } {
    const from = Math.min(Math.max(offset, this.start), this.end);
    const gap = offset < this.start;
    const length = this.end - from;
    const out = Buffer.alloc(length);
    const at = from % this.capacity;
    const first = Math.min(length, this.capacity - at);
    this.data.copy(out, 0, at, at + first);
    if (first < length) this.data.copy(out, first, 0, length - first);
    return { from, bytes: out, gap };
  }
}
