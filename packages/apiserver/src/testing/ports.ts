// Loopback ports for tests: free ones to give a server, and one where nothing ever listens.
import { createServer } from 'node:net';

/** Free loopback ports, found by binding port 0. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A loopback address where nothing listens, ever: a connection is refused at once. Port 1
 * (tcpmux) is outside the ephemeral range that listen(0) draws from, and nothing here binds it. A
 * port taken and released is not such an address: the next listen(0), even that of the server
 * under test, may be given it back (a balancer test dialled itself that way, once in 2,000 runs).
 */
export const NOTHING_LISTENS = { host: '127.0.0.1', port: 1 } as const;
