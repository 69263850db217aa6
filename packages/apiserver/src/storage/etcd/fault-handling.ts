// How a call to etcd meets failing members. Retrying happens in ONE place, callEtcd() below.
// (When skiff's calls went through etcd3's client, that client retried 3 times by default, each
// attempt with a deadline of its own, under a retry loop of ours, so a call's worst case was
// several deadlines long and stated nowhere; its pool then also kept failed members out of
// rotation for 5 s, which after a rolling restart refused every call for seconds while two healthy
// members held a quorum. Its calls now go over ./grpc-channel.ts, which retries nothing.)
//
// The bounds:
//   - A call has one deadline, `budgetMs` (requestTimeoutMs, 5 s by default) from its start, and
//     no attempt outlives it: without a quorum a call fails within the budget (plus the scheduling
//     delay of a loaded machine). One attempt gets at most half the budget, so that an attempt
//     that meets a member that died or stopped answering, or a follower waiting for an election
//     (it holds a write until etcd's own timeout), leaves time for another (CI: with the whole
//     budget for one attempt, the first write after a member was killed failed every time).
//   - A transient failure (a member unreachable or silent, a leader election, etcd's own timeout)
//     is tried again after 50 ms, doubling to at most 500 ms, while the next attempt would still
//     start within the deadline. The next attempt goes to the next member (./kv-client.ts moves
//     its preference on a transient failure).
//   - What still fails is StorageError('Unavailable'), which the API answers 503 ServiceUnavailable,
//     saying how long and how many attempts were tried and what etcd said last. Other failures are
//     not retried: a compacted revision is Expired (410), a request too large is TooLarge (413).
import { StorageError } from '../types.ts';

/**
 * The gRPC statuses after which a call may be made again, the set etcd3's client (which skiff's
 * calls went through before) counts as recoverable: CANCELLED, UNKNOWN, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED (etcd's "too many requests"; also its full database, which a retry does not
 * mend but does not harm), ABORTED, INTERNAL and UNAVAILABLE.
 */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([1, 2, 4, 8, 10, 13, 14]);

/**
 * Whether a call that failed may be made again: the member could not be reached or did not answer
 * in time, or the cluster was electing a leader. Retrying a
 * write is safe: creates recognise their own earlier success, and updates and deletes compare
 * the revision they read.
 */
export function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && TRANSIENT_STATUSES.has(code)) return true;
  return /no leader|leader changed|timed out/i.test((err as Error).message ?? '');
}

/**
 * Pure: the back-off before attempt `attempt + 1` after attempt `attempt` (1, 2, ...) failed with
 * `err`, `elapsedMs` into a call whose deadline is `budgetMs` after its start; undefined when the
 * failure is not transient or the next attempt would not start before the deadline.
 */
export function retryDelayMs(err: unknown, attempt: number, elapsedMs: number, budgetMs: number): number | undefined {
  if (!isTransient(err)) return undefined;
  const delay = Math.min(50 * 2 ** (attempt - 1), 500);
  return elapsedMs + delay < budgetMs ? delay : undefined;
}

/** gRPC call options of one attempt. */
export interface AttemptOptions {
  deadline: Date;
}

/** Pure: the deadline of an attempt made at `now` in a call that began at `began`. */
export function attemptDeadline(now: number, began: number, budgetMs: number): Date {
  return new Date(Math.min(began + budgetMs, now + Math.ceil(budgetMs / 2)));
}

/**
 * Runs one etcd call, `send(options)` being one attempt (options: its deadline), retried as the
 * header says. Failures come out as StorageErrors: Unavailable (503) when etcd did not answer,
 * Expired (410) for a compacted or future revision, TooLarge (413) for a request etcd refuses
 * by size. A StorageError thrown by `send` itself passes through.
 */
export async function callEtcd<T>(send: (options: AttemptOptions) => Promise<T>, o: { budgetMs: number; closed?: () => boolean }): Promise<T> {
  const began = Date.now();
  // The last failure, and the last one of another kind than the failure after it. The last
  // attempt, given what was left of the deadline, may have had no time to learn anything (CI:
  // 1 ms, "still connecting") where the attempts before it met etcd's TLS refusal.
  let last: unknown;
  let unlike: unknown;
  for (let attempt = 1; ; attempt++) {
    if (o.closed?.()) throw new Error('storage is closed');
    try {
      return await send({ deadline: attemptDeadline(Date.now(), began, o.budgetMs) });
    } catch (e) {
      if (e instanceof StorageError) throw e;
      if (last !== undefined && shapeOf(messageOf(e)) !== shapeOf(messageOf(last))) unlike = last;
      last = e;
      const elapsed = Date.now() - began;
      const delay = retryDelayMs(e, attempt, elapsed, o.budgetMs);
      if (delay === undefined) throw storageError(e, { attempts: attempt, elapsedMs: elapsed, unlike });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

const messageOf = (e: unknown) => (e as Error)?.message ?? String(e);
/** A message with its numbers left out (durations, ports, addresses): two failures alike but for them are one. */
const shapeOf = (msg: string) => msg.replace(/\d+/g, '#');

/**
 * An etcd client failure as the StorageError the API answers with. `unlike`: the last failure of
 * an earlier attempt that was of another kind, told too.
 */
export function storageError(e: unknown, tried: { attempts: number; elapsedMs: number; unlike?: unknown }): StorageError {
  const msg = messageOf(e);
  if (/required revision has been compacted/.test(msg)) return new StorageError('Expired', `etcd: ${msg}`);
  if (/future rev/.test(msg)) return new StorageError('Expired', `etcd: ${msg}`);
  if (/request is too large/.test(msg)) return new StorageError('TooLarge', `etcd: ${msg}`);
  const how = `${tried.attempts} attempt${tried.attempts === 1 ? '' : 's'} in ${(tried.elapsedMs / 1000).toFixed(1)} s`;
  const also = tried.unlike === undefined ? '' : `; an earlier attempt: ${messageOf(tried.unlike)}`;
  return new StorageError('Unavailable', `the datastore (etcd) is unavailable (${how}): ${msg}${also}`);
}
