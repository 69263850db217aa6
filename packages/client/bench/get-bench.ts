// Sequential GETs of one pod against the API server (a test server in a temp dir): RestClient (node:http keep-alive)
// versus plain fetch (undici), to justify the transport choice. Run:
//   node packages/client/bench/get-bench.ts [count]
import { RESOURCES } from '@skiff/api';
import { RestClient } from '../src/rest-client.ts';
import { startTestServer } from '@skiff/apiserver/testing';

const PODS = RESOURCES.find((r) => r.plural === 'pods')!;
const count = Number(process.argv[2] ?? 5000);

async function time(label: string, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) await fn(); // warm up
  const t = performance.now();
  for (let i = 0; i < count; i++) await fn();
  const s = (performance.now() - t) / 1000;
  console.log(`${label.padEnd(34)} ${Math.round(count / s)} req/s`);
}

const server = await startTestServer();
const client = new RestClient({ server: server.url });
await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const url = `${server.url}/api/v1/namespaces/default/pods/p`;

// Alternate rounds so JIT warm-up does not favour whichever runs last.
for (let round = 0; round < 3; round++) {
  await time('RestClient.get (node:http keep-alive)', () => client.get(PODS, 'default', 'p'));
  await time('fetch + res.json()', async () => (await fetch(url, { headers: { accept: 'application/json' } })).json());
}

client.close();
await server.close();
