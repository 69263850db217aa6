// Splits a stream of text chunks into newline-delimited JSON values. A chunk may hold part of a
// value, several values, or end mid-line; only complete lines are parsed.

export class NdjsonDecoder {
  private buffered = '';

  /** Feeds one chunk (already decoded to text) and returns the values it completed. */
  push(chunk: string): unknown[] {
    const out: unknown[] = [];
    const text = this.buffered + chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const line = text.slice(start, nl).trim();
      start = nl + 1;
      if (line) out.push(JSON.parse(line));
    }
    this.buffered = text.slice(start);
    return out;
  }

  /** The stream ended: parses a last line that had no trailing newline. */
  end(): unknown[] {
    const line = this.buffered.trim();
    this.buffered = '';
    return line ? [JSON.parse(line)] : [];
  }
}
