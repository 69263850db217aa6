// The cluster DNS server's answers by query, like dnsmasq's cache: a query that arrives again
// (every pod asks for the same few Services, over and over) is answered with the response encoded
// the first time, with the new query's ID, without decoding or encoding anything. The key is every
// byte of the query after its ID (flags, counts, the question as the client spelled it, an EDNS
// record), so a cached response is exactly what computeAnswer would build again from the same
// index; the server empties the cache whenever it rebuilds the index. Bounded: past `max` entries
// the oldest is dropped.

export class AnswerCache {
  readonly #entries = new Map<string, Buffer>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A fresh copy of the response cached for `query`, carrying `query`'s ID; undefined on a miss. */
  get(query: Buffer): Buffer | undefined {
    if (query.length < 12) return undefined;
    const cached = this.#entries.get(query.toString('latin1', 2));
    if (!cached) return undefined;
    const reply = Buffer.allocUnsafe(cached.length);
    cached.copy(reply);
    reply[0] = query[0];
    reply[1] = query[1];
    return reply;
  }

  set(query: Buffer, response: Buffer): void {
    if (query.length < 12 || response.length < 12) return;
    const key = query.toString('latin1', 2);
    this.#entries.delete(key);
    this.#entries.set(key, Buffer.from(response));
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
