// Expectations: how many creations and which deletions a controller is still waiting to see
// through its watch. Until they are seen (or time out) the controller does not trust its cache
// for that owner, so a pod created but not yet observed is never created twice.

/** Kubernetes' ExpectationsTimeout: after this, a lost watch event no longer blocks the owner. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  adds: number;
  deletes: Set<string>;
  setAt: number;
}

export class Expectations {
  readonly #byOwner = new Map<string, Expectation>();
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(opts: { timeoutMs?: number; now?: () => number } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? EXPECTATIONS_TIMEOUT_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** True when nothing is outstanding for `owner` (or what is has expired). */
  satisfied(owner: string): boolean {
    const e = this.#byOwner.get(owner);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.#now() - e.setAt > this.#timeoutMs;
  }

  expectCreations(owner: string, count: number): void {
    this.#byOwner.set(owner, { adds: count, deletes: new Set(), setAt: this.#now() });
  }

  expectDeletions(owner: string, podKeys: readonly string[]): void {
    this.#byOwner.set(owner, { adds: 0, deletes: new Set(podKeys), setAt: this.#now() });
  }

  /** A creation seen through the watch, or one that will never happen (the create failed). */
  creationObserved(owner: string): void {
    const e = this.#byOwner.get(owner);
    if (e && e.adds > 0) e.adds--;
  }

  /** A deletion seen through the watch, or one that will never happen. */
  deletionObserved(owner: string, podKey: string): void {
    this.#byOwner.get(owner)?.deletes.delete(podKey);
  }

  forget(owner: string): void {
    this.#byOwner.delete(owner);
  }
}
