// The whole server under SIGKILL: a real `skiff server` process takes concurrent creates over
// HTTP and is killed at random moments, then restarted on the same data directory, several
// times. Every create it answered 201 to must still be there, with the resourceVersion it
// reported, and revisions never go back.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIFF_MAIN, startChildServer } from '../src/testing/index.ts';

const RESTARTS = 6;
const IN_FLIGHT = 16;

async function startServer(dataDir: string) {
  const server = await startChildServer([SKIFF_MAIN, 'server', '--data-dir', dataDir, '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-controllers']);
  return { server, url: server.ready };
}

function call(agent: Agent, url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test(`every acknowledged create survives ${RESTARTS} SIGKILLs of the server`, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
  const acknowledged = new Map<string, number>();
  let maxRv = 0;
  try {
    for (let run = 0; run < RESTARTS; run++) {
      const { server, url } = await startServer(dataDir);
      const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
      // Everything acknowledged before this restart is still there, at its revision.
      const list = JSON.parse((await call(agent, `${url}/api/v1/namespaces/default/pods`, 'GET')).text) as { metadata: { resourceVersion: string }; items: { metadata: { name: string; resourceVersion: string } }[] };
      const stored = new Map(list.items.map((p) => [p.metadata.name, Number(p.metadata.resourceVersion)]));
      for (const [name, rv] of acknowledged) expect([name, stored.get(name)]).toEqual([name, rv]);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxRv);

      // Writers keep IN_FLIGHT creates going until the server dies under them.
      let dead = false;
      let seq = 0;
      const writer = async () => {
        while (!dead) {
          const name = `p-${run}-${seq++}`;
          const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] } });
          try {
            const r = await call(agent, `${url}/api/v1/namespaces/default/pods`, 'POST', body);
            if (r.status === 201) {
              const rv = Number((JSON.parse(r.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
              acknowledged.set(name, rv);
              maxRv = Math.max(maxRv, rv);
            } else if (!dead) throw new Error(`create answered ${r.status}: ${r.text}`);
          } catch (err) {
            if (!dead) throw err;
          }
        }
      };
      const writers = Array.from({ length: IN_FLIGHT }, writer);
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
      dead = true;
      await server.stop('SIGKILL');
      await Promise.all(writers);
      agent.destroy();
    }
    expect(acknowledged.size).toBeGreaterThan(RESTARTS * 10);
    // One last start to check the final run's writes.
    const { server, url } = await startServer(dataDir);
    const agent = new Agent({ keepAlive: false });
    const list = JSON.parse((await call(agent, `${url}/api/v1/namespaces/default/pods`, 'GET')).text) as { items: { metadata: { name: string; resourceVersion: string } }[] };
    const stored = new Map(list.items.map((p) => [p.metadata.name, Number(p.metadata.resourceVersion)]));
    for (const [name, rv] of acknowledged) expect([name, stored.get(name)]).toEqual([name, rv]);
    await server.stop('SIGKILL');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
