// One watch request: `GET ...?watch=true`, read as newline-delimited JSON events until the stream
// ends. Reconnecting is the caller's business (see informer.ts); this reports exactly one outcome.
import type { KubeObject } from '@skiff/api';
import { apiErrorFromStatus } from './errors.ts';
import { NdjsonDecoder } from './ndjson.ts';
import { queryString, resourcePath, type ResourceRef } from './paths.ts';
import type { Transport } from './transport.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** For BOOKMARK only `metadata.resourceVersion` is meaningful. */
  object: T;
}

export interface WatchOptions {
  /** Omit for all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Absent or '0': current objects arrive as ADDED first. 'N': only changes after N. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the stream after this long. */
  timeoutSeconds?: number;
  /** Client side: give up on a connection that delivers nothing for this long (0 = never). */
  idleTimeoutMs?: number;
}

export interface WatchHandle {
  /** Ends the watch; `onDone` is then called with no error (unless it already ran). */
  abort(): void;
}

/**
 * `onDone` runs exactly once: with no error when the server ended the stream or `abort()` was
 * called; with an ApiError for a non-2xx answer or an ERROR event (code 410 = Gone: relist, see
 * `isGone`); with the transport error when the connection failed or dropped.
 */
export function openWatch<T extends KubeObject>(
  transport: Transport,
  res: ResourceRef,
  opts: WatchOptions,
  onEvent: (event: WatchEvent<T>) => void,
  onDone: (err?: Error) => void,
): WatchHandle {
  const controller = new AbortController();
  const decoder = new NdjsonDecoder();
  let finished = false;
  let aborted = false;

  const finish = (err?: Error): void => {
    if (finished) return;
    finished = true;
    controller.abort();
    onDone(aborted ? undefined : err);
  };

  const deliver = (values: unknown[]): void => {
    for (const value of values) {
      if (finished) return;
      const event = value as { type?: string; object?: unknown };
      if (event.type === 'ERROR') return finish(apiErrorFromStatus(event.object));
      if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED' || event.type === 'BOOKMARK') {
        onEvent(event as WatchEvent<T>);
      }
      // Unknown event types are skipped, as client-go does for forward compatibility.
    }
  };

  const path =
    resourcePath(res, { namespace: opts.namespace }) +
    queryString({
      watch: 'true',
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
      timeoutSeconds: opts.timeoutSeconds,
    });

  transport.stream({ method: 'GET', path, signal: controller.signal }, opts.idleTimeoutMs ?? 0).then(
    (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (finished) return;
        try {
          deliver(decoder.push(chunk));
        } catch (err) {
          finish(err as Error);
        }
      });
      response.on('end', () => {
        try {
          deliver(decoder.end());
        } catch (err) {
          return finish(err as Error);
        }
        finish();
      });
      response.on('error', (err) => finish(err));
      response.on('close', () => {
        if (!response.complete) finish(new Error('watch connection closed before the stream ended'));
      });
    },
    (err: Error) => finish(err),
  );

  return {
    abort() {
      aborted = true;
      finish();
    },
  };
}
