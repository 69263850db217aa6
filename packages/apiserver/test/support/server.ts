// Helpers the API server's integration tests share: a small fetch client, manifests, a watch reader.
// The server itself comes from src/testing (startTestServer).
import { startTestServer, type TestServer, type TestServerOptions } from '../../src/testing/index.ts';
export type { TestServer };

export interface Res<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export type Client = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Res>;

/** JSON in (objects are stringified; strings sent as they are), JSON out when it parses. */
export function client(base: string): Client {
  return async (method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const r = await fetch(base + path, { method, headers: h, body: payload });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: r.status, body: parsed, text, headers: r.headers };
  };
}

/**
 * The file's test server and a client for it: started before the file's tests, closed after them.
 * Both stand for the started ones (as e2e's useCluster does), so a file declares them once.
 */
export function useTestServer(options?: TestServerOptions): { server: TestServer; api: Client } {
  let started: TestServer | undefined;
  let startedClient: Client | undefined;
  beforeAll(async () => {
    started = await startTestServer(options);
    startedClient = client(started.url);
  });
  afterAll(() => started?.close());
  const need = (what: string): TestServer => {
    if (!started) throw new Error(`the test server is used before beforeAll started it (${what})`);
    return started;
  };
  const server = new Proxy({} as TestServer, { get: (_, key) => Reflect.get(need(String(key)), key) });
  const api: Client = (...args) => {
    need('a request');
    return startedClient!(...args);
  };
  return { server, api };
}

/** `extra` is not a PodSpec on purpose: tests send unknown and ill-typed fields through it. */
export const pod = (name: string, extra: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'main', image: 'skiff/busybox:1' }], ...(extra.spec ?? {}) },
});

export const deployment = (name: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'skiff/busybox:1' }] } },
  },
});

/** What readWatch resolves to; `opened` settles once the response headers are in. */
export type WatchReading = Promise<{ events: any[]; status: number; headers: Headers; ended: boolean }> & { opened: Promise<void> };

/**
 * Reads a watch stream's events until `until` says stop or the timeout passes. Await `opened`
 * before changing what the watch should see: the server sends the headers only once the watch
 * is registered (after its initial list), so every later change reaches it.
 */
export function readWatch(url: string, until: (events: any[]) => boolean, opts: { headers?: Record<string, string>; timeoutMs?: number } = {}): WatchReading {
  let markOpened!: () => void;
  const opened = new Promise<void>((r) => (markOpened = r));
  const reading = (async () => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 10_000);
    const events: any[] = [];
    let ended = false;
    let r: Response;
    try {
      r = await fetch(url, { headers: opts.headers, signal: ac.signal });
    } finally {
      markOpened();
    }
    try {
      const reader = r.body!.getReader();
      const dec = new TextDecoder();
      let buf = '';
      while (!until(events)) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        buf += dec.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
      }
      if (!ended) await reader.cancel().catch(() => {});
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    return { events, status: r.status, headers: r.headers, ended };
  })();
  return Object.assign(reading, { opened });
}


