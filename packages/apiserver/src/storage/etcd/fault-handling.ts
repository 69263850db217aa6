// How the etcd client spreads a call over the members when some fail. etcd3's default opens a
// member's circuit breaker after 3 failures and keeps it open for 5 s, and never retries a call
// that met an open breaker. After a rolling restart (kill one member, restart it, then the next),
// the restarted members' breakers were still open when the next member died, so the client
// refused every call for seconds while two healthy members held a quorum (CI: the member-kill
// test saw 20 of 30 writes fail with "circuit breaker is open"). Here a member that failed is
// tried again after one second, and a call that found every breaker open is retried after a short
// back-off rather than failed at once. Each attempt keeps its own deadline (requestTimeoutMs).
import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, isBrokenCircuitError, retry } from 'cockatiel';
import type { IDefaultPolicyContext, IPolicy } from 'cockatiel';
import { isRecoverableError } from 'etcd3';

/** A failed member is out for this long, then one call tries it again. */
export const MEMBER_RETRY_MS = 1000;

/** Per member: three failures in a row take it out of rotation for MEMBER_RETRY_MS. */
export function memberPolicy(): IPolicy<IDefaultPolicyContext> {
  return circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: MEMBER_RETRY_MS, breaker: new ConsecutiveBreaker(3) });
}

/**
 * Per call: a recoverable failure (the member died, the deadline passed during an election) or
 * every member out of rotation is retried on another member, 4 attempts in all, backing off
 * 100 ms to 1 s between them so that a member taken out a moment ago can come back.
 */
export function callPolicy(): IPolicy<IDefaultPolicyContext> {
  return retry(
    handleWhen((e) => isRecoverableError(e) || isBrokenCircuitError(e)),
    { maxAttempts: 3, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: MEMBER_RETRY_MS }) },
  );
}

/**
 * Whether a call that failed may be made again: the member could not be reached, every member
 * was out of rotation, the deadline passed, or the cluster was electing a leader. Retrying a
 * write is safe: creates recognise their own earlier success, and updates and deletes compare
 * the revision they read.
 */
export function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if (isRecoverableError(err as Error) || isBrokenCircuitError(err)) return true;
  return /no leader|leader changed|timed out/i.test((err as Error).message ?? '');
}

/**
 * Beyond the client's own attempts, a transient failure is retried for as long as the call's
 * budget (requestTimeoutMs) lasts, as etcd's Go client retries until the request's deadline: a
 * leader election on a loaded machine can outlast four quick attempts. Pure: the back-off before
 * attempt `attempt` (1, 2, ...), or undefined when the budget is spent.
 */
export function retryDelayMs(err: unknown, attempt: number, elapsedMs: number, budgetMs: number): number | undefined {
  if (!isTransient(err) || elapsedMs >= budgetMs) return undefined;
  return Math.min(50 * 2 ** (attempt - 1), 500);
}
