// Brings a new watcher from its fromRevision up to the current revision before it joins the hub:
// from the in-memory ring while it holds the next revision, from the log otherwise. The sources
// are passed in so this stays independent of SQLite.
import type { LazyEvent } from './event.ts';
import type { HubWatcher } from './hub.ts';
import type { EventRing } from './ring.ts';

export interface HistorySource {
  ring: EventRing;
  currentRevision(): number;
  /** Newest revision of any change to `resource` (0 if none is known): history older than the ring is skipped when nothing changed. */
  lastRevisionOf(resource: string): number;
  /** Up to `limit` logged events of `resource` (and `namespace`) with revision > `after`, oldest first. */
  readLog(resource: string, namespace: string | undefined, after: number, limit: number): LazyEvent[];
}

/** Log rows per read; the log is read with complete queries, since callbacks may write meanwhile. */
export const REPLAY_CHUNK = 1000;

/**
 * Delivers (w.position, current] to `w`. Re-checks the current revision on every step: callbacks
 * may write while history is being delivered, and those events must not be skipped.
 */
export function replayHistory(w: HubWatcher, src: HistorySource): void {
  while (!w.closed && w.position < src.currentRevision()) {
    if (src.lastRevisionOf(w.resource) <= w.position) {
      w.position = src.currentRevision(); // nothing happened to this resource since
      return;
    }
    const ev = src.ring.get(w.position + 1);
    if (ev) {
      if (w.matches(ev)) {
        w.offer(ev);
        ev.release(); // the ring keeps text only
      } else w.position = ev.revision;
      continue;
    }
    const upTo = src.currentRevision();
    const events = src.readLog(w.resource, w.namespace, w.position, REPLAY_CHUNK);
    for (const e of events) w.offer(e);
    // A short read means the log had nothing more for this watcher up to `upTo`.
    if (events.length < REPLAY_CHUNK && w.position < upTo) w.position = upTo;
  }
}
