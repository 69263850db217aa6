import net from 'node:net';
import { NOTHING_LISTENS } from '@skiff/apiserver/testing';
import { dialOrder, startBalancer, upstreamsOf } from './balancer.ts';

test('dialOrder: the current upstream first, then the rest in list order', () => {
  expect(dialOrder(3, 0)).toEqual([0, 1, 2]);
  expect(dialOrder(3, 2)).toEqual([2, 0, 1]);
});

test('upstreamsOf: host and port of each URL, the scheme\'s port by default', () => {
  expect(upstreamsOf([new URL('http://127.0.0.1:6443'), new URL('https://[::1]'), new URL('http://h')])).toEqual([
    { host: '127.0.0.1', port: 6443 },
    { host: '::1', port: 443 },
    { host: 'h', port: 80 },
  ]);
});

/** A TCP server that answers every connection with its name. */
async function echoName(name: string): Promise<net.Server> {
  const s = net.createServer((c) => c.end(name));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const read = (port: number) =>
  new Promise<string>((resolve, reject) => {
    let out = '';
    net.connect({ host: '127.0.0.1', port }).on('data', (d) => (out += d)).on('end', () => resolve(out)).on('error', reject);
  });

test('connections go to the current upstream; an unreachable one hands over to the next, which stays current', async () => {
  const live = await echoName('live');
  const lines: string[] = [];
  const lb = await startBalancer({ host: '127.0.0.1', port: 0, upstreams: [NOTHING_LISTENS, { host: '127.0.0.1', port: portOf(live) }], log: (l) => lines.push(l) });
  try {
    expect(await read(lb.port)).toBe('live');
    expect(lb.current().port).toBe(portOf(live));
    expect(await read(lb.port)).toBe('live');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${NOTHING_LISTENS.host}:${NOTHING_LISTENS.port} unreachable`);
  } finally {
    await lb.close();
    await new Promise((r) => live.close(r));
  }
});

test('with no upstream reachable the client connection is closed, not left hanging', async () => {
  const lb = await startBalancer({ host: '127.0.0.1', port: 0, upstreams: [NOTHING_LISTENS] });
  try {
    expect(await read(lb.port)).toBe('');
  } finally {
    await lb.close();
  }
});
