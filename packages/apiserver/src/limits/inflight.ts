// --max-requests-inflight and --max-mutating-requests-inflight (kube-apiserver's
// WithMaxInFlightLimit, without API Priority and Fairness): at most N read-only and M mutating
// requests are being served at once; one more gets 429 with Retry-After: 1. As in Kubernetes,
// long-running requests (watches, exec/attach/port-forward, logs, proxy) do not count, nor do
// requests of system:masters (so an administrator can always get in), and 0 means no limit. A
// request counts from authentication until its response has closed.
import type { FastifyInstance } from 'fastify';
import { requestUser, SYSTEM_MASTERS } from '../auth/user.ts';
import { requestAttributes } from '../authz/attributes.ts';
import { isLongRunning } from './long-running.ts';
import { sendTooMany, tooManyRequests } from './too-many.ts';

export interface InflightLimits {
  /** Default 400. */
  maxRequestsInflight?: number;
  /** Default 200. */
  maxMutatingRequestsInflight?: number;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class InflightCounter {
  readonly max: { readOnly: number; mutating: number };
  readonly current = { readOnly: 0, mutating: 0 };
  /** Requests refused, by kind (apiserver_dropped_requests_total). */
  readonly dropped = { readOnly: 0, mutating: 0 };

  constructor(o: InflightLimits = {}) {
    this.max = { readOnly: o.maxRequestsInflight ?? 400, mutating: o.maxMutatingRequestsInflight ?? 200 };
  }

  /** Takes a slot; false when the kind is full. */
  acquire(kind: 'readOnly' | 'mutating'): boolean {
    const max = this.max[kind];
    if (max > 0 && this.current[kind] >= max) {
      this.dropped[kind]++;
      return false;
    }
    this.current[kind]++;
    return true;
  }

  release(kind: 'readOnly' | 'mutating'): void {
    this.current[kind]--;
  }
}

/** Registered right after authentication (the user decides the system:masters exemption). */
export function registerInflightLimits(app: FastifyInstance, counter: InflightCounter): void {
  if (counter.max.readOnly <= 0 && counter.max.mutating <= 0) return;
  app.addHook('onRequest', (req, reply, done) => {
    const user = requestUser(req.raw);
    if (user.groups.includes(SYSTEM_MASTERS)) return done();
    const method = req.raw.method ?? 'GET';
    if (method === 'GET' && isLongRunning(requestAttributes(user, method, req.raw.url ?? '/'))) return done();
    const kind = MUTATING.has(method) ? 'mutating' : 'readOnly';
    if (!counter.acquire(kind)) return sendTooMany(reply, tooManyRequests(1));
    reply.raw.once('close', () => counter.release(kind));
    done();
  });
}
