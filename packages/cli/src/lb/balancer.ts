// `skiff lb`: a client-side load balancer for clients that take one server URL (kubectl,
// client-go programs), as k3s's agents run one on 127.0.0.1:6444 (ADR 0012). A TCP pass-through:
// TLS, websockets and watches go through unchanged. Every new connection goes to the current
// server; one that cannot be reached makes the next in the list current. Connections to a server
// that dies are cut, and the client's reconnect lands on a live one.
import net from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

export interface BalancerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  upstreams: Upstream[];
  /** A dial that has not connected after this long counts as failed; default 3 s. */
  dialTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface Balancer {
  /** `host:port` it listens on. */
  address: string;
  port: number;
  /** The upstream new connections go to. */
  current(): Upstream;
  close(): Promise<void>;
}

/** The order in which a new connection tries the upstreams: the current one first, then the rest in list order. */
export function dialOrder(count: number, current: number): number[] {
  return Array.from({ length: count }, (_, i) => (current + i) % count);
}

/** Upstreams from API server URLs (`http(s)://host:port`; the port defaults to the scheme's). */
export function upstreamsOf(urls: readonly URL[]): Upstream[] {
  return urls.map((u) => ({ host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) }));
}

export async function startBalancer(o: BalancerOptions): Promise<Balancer> {
  if (o.upstreams.length === 0) throw new Error('no upstream servers');
  const dialTimeoutMs = o.dialTimeoutMs ?? 3000;
  const log = o.log ?? (() => {});
  let current = 0;
  const open = new Set<net.Socket>();

  const dial = (up: Upstream): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: up.host, port: up.port });
      s.setTimeout(dialTimeoutMs, () => s.destroy(Object.assign(new Error(`no connection after ${dialTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
      s.once('connect', () => {
        s.setTimeout(0);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', reject);
    });

  const server = net.createServer({ pauseOnConnect: true }, async (client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    for (const i of dialOrder(o.upstreams.length, current)) {
      const up = o.upstreams[i];
      let upstream: net.Socket;
      try {
        upstream = await dial(up);
      } catch (err) {
        if (current === i) {
          current = (i + 1) % o.upstreams.length;
          log(`${up.host}:${up.port} unreachable (${(err as Error).message}); now ${o.upstreams[current].host}:${o.upstreams[current].port}`);
        }
        continue;
      }
      if (client.destroyed) return void upstream.destroy();
      open.add(upstream);
      upstream.on('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      return;
    }
    log('no API server reachable; connection closed');
    client.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `${o.host}:${port}`,
    port,
    current: () => o.upstreams[current],
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
