// Several API servers behind one client (ADR 0012), over real sockets: requests stick to one
// server and move to the next when it cannot be reached; a POST whose connection broke after it
// was sent is not resent (it may have been applied), but the next request avoids that server.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transport } from './transport.ts';
import { NOTHING_LISTENS } from '@skiff/apiserver/testing';

interface Backend {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

/** A server answering `{"from": name}`; `breakPosts` makes it cut POSTs' connections without answering. */
async function backend(name: string, opts: { breakPosts?: boolean } = {}): Promise<Backend> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      if (opts.breakPosts && req.method === 'POST') return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ from: name }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A URL nothing listens on; another for each `n` (any loopback address refuses that port). */
const deadUrl = (n = 1) => `http://127.0.0.${n}:${NOTHING_LISTENS.port}`;

const from = (body: string) => (JSON.parse(body) as { from: string }).from;

test('requests go to the first server until it is gone, then to the next; GETs and POSTs alike', async () => {
  const [a, b] = [await backend('a'), await backend('b')];
  const t = new Transport({ server: `${a.url},${b.url}` });
  try {
    expect(from((await t.request({ method: 'GET', path: '/x' })).body)).toBe('a');
    expect(from((await t.request({ method: 'POST', path: '/x', body: '{}' })).body)).toBe('a');
    await a.close();
    // The kept-alive socket to a is dead and a refuses new connections: both requests land on b.
    expect(from((await t.request({ method: 'POST', path: '/y', body: '{}' })).body)).toBe('b');
    expect(from((await t.request({ method: 'GET', path: '/y' })).body)).toBe('b');
    expect(b.hits).toEqual(['POST /y', 'GET /y']);
  } finally {
    t.close();
    await b.close();
  }
});

test('a list whose first server is down from the start; the last one wraps around to the first', async () => {
  const dead = deadUrl();
  const c = await backend('c');
  const t = new Transport({ server: `${dead},${c.url}` });
  try {
    expect(from((await t.request({ method: 'GET', path: '/' })).body)).toBe('c');
    expect(t.servers.current().href).toBe(`${c.url}/`);
    // A watch-like stream opens on the server that answers.
    const res = await t.stream({ method: 'GET', path: '/watch' });
    res.resume();
    expect(c.hits).toContain('GET /watch');
  } finally {
    t.close();
    await c.close();
  }
});

test('a POST whose connection broke after it was sent fails to its caller and is not resent; the next request goes elsewhere', async () => {
  const [a, b] = [await backend('a', { breakPosts: true }), await backend('b')];
  const t = new Transport({ server: `${a.url},${b.url}` });
  try {
    await expect(t.request({ method: 'POST', path: '/p', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(b.hits).toEqual([]);
    expect(from((await t.request({ method: 'GET', path: '/g' })).body)).toBe('b');
  } finally {
    t.close();
    await a.close();
    await b.close();
  }
});

test('when every server is down the error is the last connection failure, after one try each', async () => {
  const t = new Transport({ server: `${deadUrl(1)},${deadUrl(2)},${deadUrl(3)}` });
  try {
    await expect(t.request({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  } finally {
    t.close();
  }
});

test('servers must share one scheme', () => {
  expect(() => new Transport({ server: 'http://a:1,https://b:2' })).toThrow('API servers must all be https:// or all http://');
});
