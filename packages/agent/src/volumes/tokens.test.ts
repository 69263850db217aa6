import { formatTime, type KubeObject } from '@skiff/api';
import { PodTokens, refreshAt } from './tokens.ts';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' }, spec: { serviceAccountName: 'robot' } } as KubeObject;

function fakeClient(now: () => number) {
  const calls: { namespace?: string; name: string; body: any }[] = [];
  let fail = false;
  return {
    calls,
    failNext: (f: boolean) => (fail = f),
    client: {
      async createSubresource<T>(_r: unknown, namespace: string | undefined, name: string, sub: string, body: any): Promise<T> {
        expect(sub).toBe('token');
        if (fail) throw new Error('server unreachable');
        calls.push({ namespace, name, body });
        return { status: { token: `token-${calls.length}`, expirationTimestamp: formatTime(now() + body.spec.expirationSeconds * 1000) } } as T;
      },
    },
  };
}

test('refreshed at 80% of its lifetime, or after 24 h', () => {
  expect(refreshAt(0, 3600_000)).toBe(2880_000);
  expect(refreshAt(0, 365 * 24 * 3600_000)).toBe(24 * 3600_000);
});

test('a TokenRequest bound to the pod, cached until 80% of its life, then asked for again; the pod is told when', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const due: string[] = [];
  const f = fakeClient(() => now);
  const tokens = new PodTokens({ client: f.client, onRefreshDue: (uid) => due.push(uid), log: () => undefined, now: () => now });
  try {
    expect(await tokens.get(pod, { path: 'token', expirationSeconds: 3607 })).toBe('token-1');
    expect(f.calls[0]).toEqual({
      namespace: 'ns',
      name: 'robot',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'uid-1' } } },
    });
    now += 2000_000; // 55% of its life
    expect(await tokens.get(pod, { path: 'token', expirationSeconds: 3607 })).toBe('token-1');
    now += 900_000; // past 80%
    expect(await tokens.get(pod, { path: 'token', expirationSeconds: 3607 })).toBe('token-2');
    // Another audience is another token.
    expect(await tokens.get(pod, { path: 'vault', audience: 'vault', expirationSeconds: 600 })).toBe('token-3');
    expect(f.calls[2].body.spec.audiences).toEqual(['vault']);
  } finally {
    tokens.stop();
  }
});

test('a refresh that fails keeps the valid token; an expired one is an error', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const f = fakeClient(() => now);
  const tokens = new PodTokens({ client: f.client, onRefreshDue: () => undefined, log: () => undefined, now: () => now });
  try {
    expect(await tokens.get(pod, { path: 'token', expirationSeconds: 600 })).toBe('token-1');
    f.failNext(true);
    now += 500_000;
    expect(await tokens.get(pod, { path: 'token', expirationSeconds: 600 })).toBe('token-1');
    now += 200_000;
    await expect(tokens.get(pod, { path: 'token', expirationSeconds: 600 })).rejects.toThrow('server unreachable');
  } finally {
    tokens.stop();
  }
});

test('the refresh timer fires for the pod (real timers, a 10 ms lifetime)', async () => {
  let n = 0;
  let fired!: (uid: string) => void;
  const due = new Promise<string>((resolve) => (fired = resolve));
  const tokens = new PodTokens({
    client: { createSubresource: async <T>() => ({ status: { token: `t${++n}`, expirationTimestamp: new Date(Date.now() + 10).toISOString() } }) as T },
    onRefreshDue: (uid) => fired(uid),
    log: () => undefined,
  });
  try {
    await tokens.get(pod, { path: 'token' });
    expect(await due).toBe('uid-1');
  } finally {
    tokens.stop();
  }
});
