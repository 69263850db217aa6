// Watch streaming, as kubectl and client-go expect it: 200 with headers flushed at once, then one
// JSON event per line over a chunked response until the timeout, the client leaving, or an error.
//
// Design (see KUBECTL-WIRE.md):
// - Start: resourceVersion absent or "0" sends every current (matching) object as ADDED and then
//   watches from the list's revision; "N" resumes after N; a revision older than the storage's
//   history gets one ERROR event (Status 410 Expired) and the stream ends, so the client relists.
// - Selectors apply to events: an object that stops matching is sent as DELETED, one that starts
//   matching as ADDED (needs the event's prevObject).
// - Fan-out cost: the storage shares one event object between watchers and carries the stored
//   JSON text (`raw`), which is spliced into the line unchanged; Table rows are built once per
//   event and option set (WeakMap keyed by the shared event).
// - Slow watchers: writes never wait for a client. If a watcher's unsent bytes pass
//   MAX_BUFFERED_BYTES its connection is destroyed (it re-watches from its last revision or
//   relists), so one stalled client cannot grow the server's memory or hold back the others.
// - A gone client is noticed with `res.on('close')` (not req: it fires once the body is read).
import type { FastifyReply } from 'fastify';
import type { KubeObject } from '@skiff/api';
import type { StorageEvent, Watcher } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';
import { expired } from '../errors/status.ts';
import type { ResourceStore } from '../registry/store.ts';

export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const BOOKMARK_INTERVAL_MS = 10_000;
/** Like kube-apiserver's min-request-timeout (1800 s) times a random factor in [1, 2). */
export function defaultWatchTimeoutSeconds(): number {
  return Math.floor(1800 * (1 + Math.random()));
}

export interface WatchRequest {
  store: ResourceStore;
  namespace: string | undefined;
  resourceVersion: string | undefined;
  filter: ((o: KubeObject) => boolean) | undefined;
  bookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds: number;
  /** Renders an object for the wire: undefined means the object's own JSON; otherwise e.g. a one-row Table. */
  render?: { key: string; fn: (o: KubeObject) => unknown };
  /** Unsent bytes beyond which the watcher is dropped; default MAX_BUFFERED_BYTES. */
  maxBufferedBytes?: number;
  onOpen?: () => void;
  onClose?: () => void;
  /** The watcher fell more than maxBufferedBytes behind and was dropped. */
  onTerminated?: () => void;
}

const objectJson = new WeakMap<object, string>();
/** Whole JSON lines of storage events sent with their own type, shared by every plain watcher. */
const eventLines = new WeakMap<object, string>();
const rendered = new WeakMap<object, Map<string, string>>();

/** The event's object as JSON: the stored text when the storage supplies it (no parse, no stringify). */
function eventJson(e: StorageEvent): string {
  if (e.raw !== undefined) return e.raw;
  let s = objectJson.get(e);
  if (s === undefined) objectJson.set(e, (s = JSON.stringify(e.object)));
  return s;
}

function renderOf(req: WatchRequest, obj: KubeObject): string {
  const r = req.render!;
  let m = rendered.get(obj);
  if (!m) rendered.set(obj, (m = new Map()));
  let s = m.get(r.key);
  if (s === undefined) m.set(r.key, (s = JSON.stringify(r.fn(obj))));
  return s;
}

/** Gathered lines are written at once past this size, so a long initial list is not held whole. */
const FLUSH_BYTES = 64 * 1024;

export async function serveWatch(reply: FastifyReply, w: WatchRequest): Promise<void> {
  const storage = w.store.storage;
  const filter = w.filter;
  // The initial list is read before the response starts, so that a failing datastore is
  // answered with a Status (503) instead of a stream that ends at once.
  const initial =
    !w.resourceVersion || w.resourceVersion === '0' || w.sendInitialEvents ? await storage.list(w.store.key, { namespace: w.namespace, filter }) : undefined;
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let watcher: Watcher | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const maxBuffered = w.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  let closed = false;
  let timeout: { clear(): void } | undefined;
  // Revision this watcher is known to be current at (last event, or the storage's when idle).
  let lastRevision = 0;

  const close = () => {
    if (closed) return;
    closed = true;
    watcher?.close();
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    timeout?.clear();
    w.onClose?.();
  };
  // Lines are gathered and written once per turn of the event loop: storage delivers a commit
  // batch's events synchronously, so a batch goes out as one chunk (one write, one TLS record
  // run) instead of one chunk per event, each of which chunked encoding sends as four buffers.
  let pending = '';
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (closed || pending === '') return;
    const chunk = pending;
    pending = '';
    res.write(chunk);
    if (res.writableLength > maxBuffered) {
      w.onTerminated?.();
      close();
      res.destroy();
    }
  };
  const end = () => {
    flush();
    close();
    if (!res.writableEnded) res.end();
  };
  const write = (line: string) => {
    if (closed) return;
    pending += line;
    // A long initial list goes out in pieces, as it is built.
    if (pending.length >= FLUSH_BYTES) flush();
    else if (!flushQueued) {
      flushQueued = true;
      process.nextTick(flush);
    }
  };
  const sendObject = (type: string, obj: KubeObject) => {
    write(`{"type":"${type}","object":${w.render ? renderOf(w, obj) : JSON.stringify(obj)}}\n`);
  };
  /** Sends a storage event's object under `type` (which selectors may change from the event's own). */
  const sendEvent = (type: string, e: StorageEvent) => {
    if (w.render) {
      write(`{"type":"${type}","object":${renderOf(w, e.object)}}\n`);
    } else if (type === e.type) {
      let line = eventLines.get(e);
      if (line === undefined) eventLines.set(e, (line = `{"type":"${type}","object":${eventJson(e)}}\n`));
      write(line);
    } else {
      write(`{"type":"${type}","object":${eventJson(e)}}\n`);
    }
  };
  const bookmark = (annotations?: Record<string, string>) => {
    // Storage delivers events synchronously at commit, so outside a delivery (timers) every
    // revision up to the current one has reached this watcher: the bookmark may claim it, which
    // lets a quiet watcher resume from a recent revision instead of a compacted one.
    if (!annotations) lastRevision = Math.max(lastRevision, w.store.storage.currentRevision());
    const metadata: Record<string, unknown> = { resourceVersion: String(lastRevision) };
    if (annotations) metadata.annotations = annotations;
    const obj = { kind: w.store.info.kind, apiVersion: w.store.apiVersion, metadata };
    write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
  };

  res.on('close', close);
  // The stream ends at timeoutSeconds; a final bookmark lets the client resume from the latest revision.
  timeout = longTimeout(() => {
    if (w.bookmarks) bookmark();
    end();
  }, w.timeoutSeconds * 1000);
  w.onOpen?.();

  let from: number;
  if (initial) {
    const list = initial;
    for (const o of list.items) sendObject('ADDED', o);
    from = list.revision;
    lastRevision = from;
    if (w.sendInitialEvents && w.bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    from = Number(w.resourceVersion);
    lastRevision = from;
  }

  const onEvent = (e: StorageEvent) => {
    lastRevision = e.revision;
    if (!filter) {
      sendEvent(e.type, e);
      return;
    }
    const now = filter(e.object);
    if (e.type === 'ADDED') {
      if (now) sendEvent('ADDED', e);
    } else if (e.type === 'DELETED') {
      if (now || (e.prevObject !== undefined && filter(e.prevObject))) sendEvent('DELETED', e);
    } else {
      const before = e.prevObject === undefined ? now : filter(e.prevObject);
      if (now && before) sendEvent('MODIFIED', e);
      else if (now) sendEvent('ADDED', e);
      else if (before) sendEvent('DELETED', e);
    }
  };

  const sendExpired = () => {
    const status = expired(`too old resource version: ${from} (${storage.compactedRevision()})`).toStatus();
    write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    end();
  };
  try {
    // onExpired: the storage lost history it cannot replay (etcd compacted during an outage);
    // the client gets 410 and relists, as after any expired watch.
    watcher = storage.watch(w.store.key, { namespace: w.namespace, fromRevision: from, onExpired: sendExpired }, onEvent);
  } catch (err) {
    if (err instanceof StorageError && err.code === 'Expired') {
      sendExpired();
      return;
    }
    end();
    throw err;
  }
  if (closed) watcher.close();
  if (w.bookmarks && !closed) {
    bookmarkTimer = setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS);
    bookmarkTimer.unref();
  }
}

/** setTimeout caps a delay at 2^31-1 ms (about 24.8 days) and fires at once beyond it: re-arm instead. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function longTimeout(fn: () => void, ms: number): { clear(): void } {
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = setTimeout(() => (left > MAX_DELAY_MS ? arm(left - MAX_DELAY_MS) : fn()), Math.min(left, MAX_DELAY_MS));
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}
