// The one etcd watch an EtcdStorage keeps: every key under the prefix, from a revision, with the
// previous values (for MODIFIED/DELETED prevObject) and progress notifications. It is the raw
// Watch RPC (./kv-client.ts, on ./grpc-channel.ts), not a watcher class of a client library,
// because the stream must be supervised:
//
// - A stream can go silent (etcd3's watchers were known to after a reconnect: the stream
//   re-established but a watcher never re-created, or a connection that hangs without an error;
//   a member can stop answering). Here a silent stream is noticed and replaced: every
//   `checkIntervalMs` the stream is asked for a progress notification, and if neither it nor an
//   event arrives within `stallMs`, the stream is torn down and opened again.
// - A stream that fails, goes silent or lags is opened again on the next member; one restarted
//   after a compaction stays where it is.
// - A stream on a member cut off from the quorum keeps answering, with a revision that no longer
//   moves. Each check also reads the cluster's revision through a quorum (linearizable) read; if
//   the member's progress is still behind what the previous check saw, the stream is replaced.
// - Progress notifications serve that supervision only. The stream's position (where a
//   reconnect resumes, what bookmarks and lists may claim) moves with delivered events alone: an
//   etcd without the fix for etcd issue 15220 (Debian's 3.4.23 among them) can send a progress
//   notification with a revision whose events are still to come, and a position moved by it
//   would resume past them after a reconnect (events lost) and put a bookmark ahead of them.
// - A reconnect resumes from (last delivered revision + 1): nothing is missed or repeated. When
//   that revision has been compacted in the meantime, events are lost: `onCompacted` tells the
//   owner (its watchers must end with 410 Gone so that clients relist) and the stream restarts
//   from now.
import type { IWatchResponse, IEvent } from 'etcd3';
import { prefixEnd } from './codec.ts';
import type { WatchCall, WatchHandlers } from './kv-client.ts';

/** What the stream needs of etcd: a Watch call to a member, and the cluster's revision by a quorum read. */
export interface WatchSource {
  /** Members to choose from (by index). */
  readonly members: number;
  /** The member a new stream goes to first (the KV calls' preferred one). */
  readonly preferred: number;
  watch(member: number, h: WatchHandlers): WatchCall;
  /** The cluster's current revision, read through a quorum (linearizable) read. */
  revision(): Promise<number>;
}

export interface WatchStreamHandlers {
  /** Events of one response, in revision order; `revision` is the response header's. */
  onEvents(events: IEvent[], revision: number): void;
  /** `from` was compacted (history up to `compactRevision` is gone); the stream restarts at `restartAt`. */
  onCompacted(compactRevision: number, restartAt: number): void;
  onError(err: unknown): void;
}

export interface WatchStreamOptions {
  checkIntervalMs: number;
  stallMs: number;
}

export class EtcdWatchStream {
  readonly #source: WatchSource;
  readonly #prefix: Buffer;
  readonly #h: WatchStreamHandlers;
  readonly #o: WatchStreamOptions;
  #stream: WatchCall | undefined;
  /** The member the stream is on, or goes to next. */
  #member: number;
  #next: number;
  #closed = false;
  #awaitingSince = 0;
  #quorumRevision = 0;
  #lagSince = 0;
  /** The revision the serving member says it has sent everything up to (supervision only, see the header). */
  #memberProgress = 0;
  #timer: NodeJS.Timeout;
  #backoffMs = 100;
  /** Callers of waitFor(), woken as delivered events reach their revision. */
  readonly #waiters = new Set<{ revision: number; wake: (ok: boolean) => void }>();
  /** The revision of the last event delivered: every change up to it has been delivered. */
  #delivered: number;
  /** Times the stream was replaced (tests and metrics). */
  reconnects = 0;

  constructor(source: WatchSource, prefix: Buffer, fromRevision: number, h: WatchStreamHandlers, o: WatchStreamOptions) {
    this.#source = source;
    this.#member = source.preferred;
    this.#prefix = prefix;
    this.#next = fromRevision;
    this.#h = h;
    this.#o = o;
    this.#memberProgress = fromRevision - 1;
    this.#delivered = fromRevision - 1;
    this.#timer = setInterval(() => void this.#check(), o.checkIntervalMs);
    this.#timer.unref();
    this.#connect();
  }

  /** The revision the serving member last said it had sent everything up to (tests: its progress notifications arrived). */
  get memberProgress(): number {
    return this.#memberProgress;
  }

  /** The stream's position: every change up to this revision has been delivered (what a watch-fed state reflects exactly). */
  get delivered(): number {
    return this.#delivered;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#drop();
    for (const w of [...this.#waiters]) w.wake(false);
  }

  /**
   * True once every change up to `revision` has been delivered; false if that takes longer than
   * `timeoutMs` (the stream is down or lagging). `revision` must be that of a change under the
   * prefix (a fence write): only delivered events count (see the header), which is also why
   * kube-apiserver requires an etcd with that fix for its consistent lists from cache.
   */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.#delivered >= revision) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w = {
        revision,
        wake: (ok: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.wake(false), timeoutMs);
      this.#waiters.add(w);
    });
  }

  /** Events up to `revision` have been delivered. */
  #delivering(revision: number): void {
    this.#delivered = Math.max(this.#delivered, revision);
    for (const w of [...this.#waiters]) if (w.revision <= this.#delivered) w.wake(true);
  }

  /** Replaces the stream now, on the next member (the fault tests use it; so do the stall and lag checks). */
  restart(): void {
    if (this.#closed) return;
    this.#drop();
    this.reconnects++;
    this.#nextMember();
    this.#connect();
  }

  #nextMember(): void {
    this.#member = (this.#member + 1) % this.#source.members;
  }

  #connect(): void {
    if (this.#closed || this.#stream) return;
    // The stream is set before any handler can run: the handlers are called from I/O, later.
    const stream: WatchCall = this.#source.watch(this.#member, {
      onResponse: (res) => this.#onResponse(stream, res),
      onEnd: (err) => this.#onBroken(stream, err),
    });
    this.#stream = stream;
    this.#awaitingSince = 0;
    this.#lagSince = 0;
    stream.write({
      create_request: { key: this.#prefix, range_end: prefixEnd(this.#prefix), start_revision: String(this.#next), prev_kv: true, progress_notify: true },
    });
  }

  #retryLater(): void {
    if (this.#closed) return;
    const t = setTimeout(() => this.#connect(), this.#backoffMs);
    t.unref();
    this.#backoffMs = Math.min(this.#backoffMs * 2, 2000);
  }

  #onBroken(stream: WatchCall, err: unknown): void {
    if (stream !== this.#stream) return;
    this.#drop();
    if (this.#closed) return;
    this.#h.onError(err);
    this.reconnects++;
    this.#nextMember();
    this.#retryLater();
  }

  #drop(): void {
    const s = this.#stream;
    this.#stream = undefined;
    s?.cancel();
  }

  #onResponse(stream: WatchCall, res: IWatchResponse): void {
    if (stream !== this.#stream) return;
    this.#awaitingSince = 0;
    // The stream answers: back-off starts afresh for its next failure.
    this.#backoffMs = 100;
    const revision = Number(res.header.revision);
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      this.#drop();
      if (compacted > 0) {
        void this.#restartAfterCompaction(compacted);
      } else {
        this.#h.onError(new Error(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
        this.reconnects++;
        this.#nextMember();
        this.#retryLater();
      }
      return;
    }
    if (res.events.length > 0) {
      const last = Number(res.events[res.events.length - 1].kv.mod_revision);
      this.#next = last + 1;
      this.#h.onEvents(res.events, revision);
      this.#memberProgress = Math.max(this.#memberProgress, last);
      this.#delivering(last);
      return;
    }
    if (res.created) return;
    // A progress notification: the member is alive and has applied up to `revision`. It moves
    // neither where a reconnect resumes nor what has been delivered (see the header).
    this.#memberProgress = Math.max(this.#memberProgress, revision);
  }

  async #restartAfterCompaction(compacted: number): Promise<void> {
    try {
      const restartAt = (await this.#source.revision()) + 1;
      this.#next = restartAt;
      this.#memberProgress = restartAt - 1;
      this.#h.onCompacted(compacted, restartAt);
      // Waiters wake to find the history gone (their owner's cache is being filled anew).
      this.#delivering(restartAt - 1);
    } catch (err) {
      this.#h.onError(err);
    }
    this.reconnects++;
    this.#retryLater();
  }

  /** Progress request + quorum read: notices a stream that went silent or lags behind the cluster. */
  async #check(): Promise<void> {
    if (this.#closed || !this.#stream) return;
    const now = Date.now();
    if (this.#awaitingSince && now - this.#awaitingSince > this.#o.stallMs) {
      this.#h.onError(new Error(`etcd watch silent for ${now - this.#awaitingSince} ms; reconnecting`));
      this.restart();
      return;
    }
    if (this.#quorumRevision > this.#memberProgress) {
      if (!this.#lagSince) this.#lagSince = now;
      else if (now - this.#lagSince > this.#o.stallMs) {
        this.#h.onError(new Error(`etcd watch at ${this.#memberProgress}, behind the cluster's ${this.#quorumRevision}; reconnecting`));
        this.#lagSince = 0;
        this.restart();
        return;
      }
    } else this.#lagSince = 0;
    try {
      this.#quorumRevision = await this.#source.revision();
    } catch {
      // No quorum: nothing can change either, so the stream cannot be behind.
      return;
    }
    if (!this.#stream) return;
    if (!this.#awaitingSince) this.#awaitingSince = Date.now();
    this.#stream.write({ progress_request: {} });
  }
}
