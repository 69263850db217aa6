// ServiceAccount tokens for projected `serviceAccountToken` sources, as the kubelet's token
// manager gets them: a TokenRequest bound to the pod (the token dies with the pod), cached per pod,
// ServiceAccount, audience and lifetime, and asked for again once 80% of its lifetime has passed
// (or 24 h, whichever is first). When that time comes, `onRefreshDue` names the pod so that its
// volumes are rewritten (atomically, like every projected file). A refresh that fails keeps the
// old token while it is valid and is retried. Tokens are never logged.
import { formatTime, parseTime, SERVICE_ACCOUNTS, type KubeObject } from '@skiff/api';
import type { RestClient } from '@skiff/client';

export interface TokenProjection {
  path: string;
  audience?: string;
  expirationSeconds?: number;
}

interface Cached {
  token: string;
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
}

/** Kubernetes' default lifetime of a projected token, and the kubelet's cap between refreshes. */
const DEFAULT_SECONDS = 3600;
const MAX_TTL_MS = 24 * 3600_000;
const RETRY_MS = 10_000;

/** When a token issued at `issuedAt` and expiring at `expiresAt` is asked for again (kubelet's requiresRefresh). */
export function refreshAt(issuedAt: number, expiresAt: number): number {
  return Math.min(issuedAt + MAX_TTL_MS, expiresAt - (expiresAt - issuedAt) * 0.2);
}

export interface PodTokensOptions {
  client: Pick<RestClient, 'createSubresource'>;
  /** The pod (by uid) has a token due for refresh: rewrite its projected volumes. */
  onRefreshDue(podUid: string): void;
  log(message: string): void;
  now?: () => number;
}

export class PodTokens {
  private readonly o: PodTokensOptions;
  private readonly now: () => number;
  private readonly cache = new Map<string, Cached>();
  /** One timer per pod: the earliest refresh among its tokens. */
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(o: PodTokensOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
  }

  /** The token for one source of the pod's volume: cached, or asked for (TokenRequest bound to the pod). */
  async get(pod: KubeObject, source: TokenProjection): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const namespace = pod.metadata.namespace ?? 'default';
    const sa = (pod.spec?.serviceAccountName as string | undefined) || 'default';
    const seconds = source.expirationSeconds ?? DEFAULT_SECONDS;
    const key = `${uid}\n${namespace}\n${sa}\n${source.audience ?? ''}\n${seconds}`;
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && now < refreshAt(cached.issuedAt, cached.expiresAt)) return cached.token;
    let fresh: Cached;
    try {
      fresh = await this.request(pod, namespace, sa, source.audience, seconds);
    } catch (err) {
      // The old token still works: keep it, try again soon.
      if (cached && now < cached.expiresAt) {
        this.o.log(`refreshing the ServiceAccount token of pod ${namespace}/${pod.metadata.name} failed (retried): ${(err as Error).message}`);
        this.schedule(uid, now + RETRY_MS);
        return cached.token;
      }
      throw err;
    }
    this.cache.set(key, fresh);
    this.schedule(uid, refreshAt(fresh.issuedAt, fresh.expiresAt));
    return fresh.token;
  }

  /** The pod is gone: its tokens and timer go too. */
  forget(podUid: string): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${podUid}\n`)) this.cache.delete(k);
    const t = this.timers.get(podUid);
    if (t) clearTimeout(t.timer);
    this.timers.delete(podUid);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.cache.clear();
  }

  private async request(pod: KubeObject, namespace: string, sa: string, audience: string | undefined, seconds: number): Promise<Cached> {
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: audience ? [audience] : [], expirationSeconds: seconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
    };
    const issuedAt = this.now();
    const tr = await this.o.client.createSubresource<{ status?: { token?: string; expirationTimestamp?: string } }>(SERVICE_ACCOUNTS, namespace, sa, 'token', body);
    const token = tr.status?.token;
    const expiresAt = parseTime(tr.status?.expirationTimestamp);
    if (!token || !Number.isFinite(expiresAt)) throw new Error(`the TokenRequest for serviceaccount ${namespace}/${sa} answered without a token or expiry (at ${formatTime(issuedAt)})`);
    return { token, issuedAt, expiresAt };
  }

  private schedule(uid: string, at: number): void {
    const existing = this.timers.get(uid);
    if (existing && existing.at <= at && existing.at > this.now()) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(uid);
      this.o.onRefreshDue(uid);
    }, Math.max(0, at - this.now()));
    timer.unref();
    this.timers.set(uid, { at, timer });
  }
}
